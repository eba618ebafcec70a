# source: https://github.com/ShusenTang/Dive-into-DL-PyTorch (docs/chapter02_prerequisite/2.3_autograd.md, 2.3.1 概念 and 2.3.2 Tensor)
# adapted: the unseeded torch.randn(2, 2) replaced by a fixed tensor
import torch

x = torch.ones(2, 2, requires_grad=True)
print(x)
print(x.grad_fn)

y = x + 2
print(y)
print(y.grad_fn)
print(x.is_leaf, y.is_leaf)

z = y * y * 3
out = z.mean()
print(z, out)

a = torch.tensor([[0.3, -1.2], [2.5, 0.7]])
a = ((a * 3) / (a - 1))
print(a.requires_grad)
a.requires_grad_(True)
print(a.requires_grad)
b = (a * a).sum()
print(b.grad_fn)
