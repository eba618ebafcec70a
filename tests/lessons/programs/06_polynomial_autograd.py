# source: https://pytorch.org/tutorials/beginner/examples_autograd/polynomial_autograd.html (pytorch/tutorials:beginner_source/examples_autograd/polynomial_autograd.py)
# adapted: accelerator/device selection removed (CPU); a, b, c, d = torch.randn(()) replaced by fixed values; the final "a.grad, b.grad, ... = 0., 0., ..." line (a TypeError in torch 2.13) replaced by the tutorial's commented-out "a.grad = None" lines
import torch
import math

dtype = torch.float

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

a = torch.tensor(0.1, dtype=dtype, requires_grad=True)
b = torch.tensor(-0.4, dtype=dtype, requires_grad=True)
c = torch.tensor(0.25, dtype=dtype, requires_grad=True)
d = torch.tensor(0.05, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())

    loss.backward()

    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f'Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3')
