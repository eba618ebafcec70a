# source: https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html (pytorch/tutorials:beginner_source/blitz/autograd_tutorial.py, "Autograd: automatic differentiation" version)
# adapted: a = torch.randn(2, 2) replaced by fixed values
import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)

y = x + 2
print(y)
print(y.grad_fn)

z = y * y * 3
out = z.mean()
print(z, out)

a = torch.tensor([[0.25, -1.5], [2.0, 0.5]])
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)

out.backward()
print(x.grad)
