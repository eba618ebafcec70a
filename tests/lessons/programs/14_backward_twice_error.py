# source: https://github.com/chandrareddytiyyagura/pytorch-basics (autograd notebook: y = x ** 3, backward twice)
# adapted: notebook cells that display a value are wrapped in print()
import torch

x = torch.tensor(5.0, requires_grad=True)
print(x)
y = x ** 3
print(y)
y.backward()
print(x.grad)
y.backward()
print(x.grad)
