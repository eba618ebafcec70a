# source: https://d2l.ai/chapter_preliminaries/autograd.html (d2l-ai/d2l-en:chapter_preliminaries/autograd.md, 2.5.3 Detaching Computation)
# adapted: notebook cells that display a value are wrapped in print(); x set up as in 2.5.1
import torch

x = torch.arange(4.0, requires_grad=True)
y = x.sum()
y.backward()

x.grad.zero_()
y = x * x
u = y.detach()
z = u * x

z.sum().backward()
print(x.grad == u)

x.grad.zero_()
y.sum().backward()
print(x.grad == 2 * x)
