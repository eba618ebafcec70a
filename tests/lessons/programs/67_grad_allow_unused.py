# source: https://pytorch.org/docs/stable/generated/torch.autograd.grad.html (allow_unused, retain_graph)
# adapted: a small example written around the documented arguments
import torch

x = torch.tensor(2.0, requires_grad=True)
z = torch.tensor(3.0, requires_grad=True)
y = x ** 2

try:
    torch.autograd.grad(y, [x, z], retain_graph=True)
except RuntimeError as e:
    print(e)

gx, gz = torch.autograd.grad(y, [x, z], allow_unused=True)
print(gx, gz)
print(gz is None)
print(x.grad, z.grad)
