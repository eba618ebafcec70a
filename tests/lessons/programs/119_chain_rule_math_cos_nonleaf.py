# source: https://github.com/sahilraj87083/PyTorch-and-Deep-Learning (autograd notebook: dy/dx by hand, then x**2 and sin(x**2) with autograd, y.grad of a non-leaf)
# adapted: notebook cells that only display a value wrapped in print()
def dy_dx(x):
  return 2*x

print(dy_dx(3))

import torch

x = torch.tensor(3.0, requires_grad=True)
y = x**2
print(x)
print(y)
y.backward()
print(x.grad)

import math

def dz_dx(x):
    return 2 * x * math.cos(x**2)

print(dz_dx(4))

x = torch.tensor(4.0, requires_grad=True)
y = x ** 2
z = torch.sin(y)
print(x)
print(y)
print(z)
z.backward()
print(x.grad)
print(y.grad)
