# source: https://pytorch.org/docs/stable/notes/autograd.html#setting-requires-grad (requires_grad can only be changed on leaf tensors)
# adapted: small example around the note; the last assignment raises (uncaught)
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
print(y.requires_grad, y.is_leaf)
z = y.detach()
z.requires_grad = True
print(z.requires_grad, z.is_leaf)
y.requires_grad = False
