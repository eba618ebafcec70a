# source: https://blog.paperspace.com/pytorch-101-understanding-graphs-and-automatic-differentiation/ (only leaves keep .grad; b.retain_grad())
import torch

a = torch.ones(5)
a.requires_grad = True

b = 2 * a

b.retain_grad()

c = b.mean()

c.backward()

print(a.grad, b.grad)
