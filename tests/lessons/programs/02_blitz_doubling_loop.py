# source: https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html (pytorch/tutorials:beginner_source/blitz/autograd_tutorial.py, "You can do many crazy things with autograd!")
# adapted: x = torch.randn(3, requires_grad=True) replaced by fixed values
import torch

x = torch.tensor([0.6, -1.1, 0.35], requires_grad=True)

y = x * 2
while y.data.norm() < 1000:
    y = y * 2

print(y)

gradients = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
y.backward(gradients)

print(x.grad)

print(x.requires_grad)
print((x ** 2).requires_grad)

with torch.no_grad():
    print((x ** 2).requires_grad)
