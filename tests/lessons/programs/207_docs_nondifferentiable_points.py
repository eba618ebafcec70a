# source: https://pytorch.org/docs/stable/notes/autograd.html#gradients-for-non-differentiable-functions (relu, abs and sqrt at 0; the norm at 0)
# adapted: each case written out and printed
import torch

x = torch.tensor(0.0, requires_grad=True)
torch.relu(x).backward()
print(x.grad)

x = torch.tensor(0.0, requires_grad=True)
torch.abs(x).backward()
print(x.grad)

x = torch.tensor(0.0, requires_grad=True)
torch.sqrt(x).backward()
print(x.grad)

x = torch.zeros(3, requires_grad=True)
x.norm().backward()
print(x.grad)

x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
torch.clamp(x, min=0.0).sum().backward()
print(x.grad)

x = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)
torch.max(x).backward()
print(x.grad)
