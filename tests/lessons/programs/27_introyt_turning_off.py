# source: https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html ("Turning Autograd Off and On")
# adapted: x = torch.rand(5, requires_grad=True) replaced by fixed values
import torch

a = torch.ones(2, 3, requires_grad=True)
print(a)

b1 = 2 * a
print(b1)

a.requires_grad = False
b2 = 2 * a
print(b2)

a = torch.ones(2, 3, requires_grad=True) * 2
b = torch.ones(2, 3, requires_grad=True) * 3

c1 = a + b
print(c1)

with torch.no_grad():
    c2 = a + b

print(c2)

c3 = a * b
print(c3)

def add_tensors1(x, y):
    return x + y

@torch.no_grad()
def add_tensors2(x, y):
    return x + y


a = torch.ones(2, 3, requires_grad=True) * 2
b = torch.ones(2, 3, requires_grad=True) * 3

c1 = add_tensors1(a, b)
print(c1)

c2 = add_tensors2(a, b)
print(c2)

x = torch.tensor([0.1, 0.9, 0.35, 0.6, 0.2], requires_grad=True)
y = x.detach()

print(x)
print(y)
