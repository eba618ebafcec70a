# source: https://d2l.ai/chapter_preliminaries/autograd.html (d2l-ai/d2l-en:chapter_preliminaries/autograd.md, 2.5.1 A Simple Function, PyTorch tab)
# adapted: notebook cells that display a value are wrapped in print()
import torch

x = torch.arange(4.0)
print(x)

# Can also create x = torch.arange(4.0, requires_grad=True)
x.requires_grad_(True)
print(x.grad)  # The gradient is None by default

y = 2 * torch.dot(x, x)
print(y)

y.backward()
print(x.grad)

print(x.grad == 4 * x)

x.grad.zero_()  # Reset the gradient
y = x.sum()
y.backward()
print(x.grad)
