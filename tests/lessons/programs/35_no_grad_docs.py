# source: https://pytorch.org/docs/stable/generated/torch.no_grad.html (example)
# adapted: doctest turned into a script with print(); the nn.Parameter(torch.rand(10)) factory-function case removed
import torch

x = torch.tensor([1.], requires_grad=True)
with torch.no_grad():
    y = x * 2
print(y.requires_grad)

@torch.no_grad()
def doubler(x):
    return x * 2

z = doubler(x)
print(z.requires_grad)

@torch.no_grad()
def tripler(x):
    return x * 3

z = tripler(x)
print(z.requires_grad)

