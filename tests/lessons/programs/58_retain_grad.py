# source: https://pytorch.org/docs/stable/generated/torch.Tensor.retain_grad.html (and Tensor.retains_grad)
# adapted: a small example written around the two documented attributes
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.retain_grad()
z = (y ** 2).sum()
print(x.retains_grad, y.retains_grad, z.retains_grad)
z.backward()
print(y.grad)
print(x.grad)
x.retain_grad()  # no-op on a leaf
print(x.retains_grad)
