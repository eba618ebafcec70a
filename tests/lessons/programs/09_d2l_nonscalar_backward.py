# source: https://d2l.ai/chapter_preliminaries/autograd.html (d2l-ai/d2l-en:chapter_preliminaries/autograd.md, 2.5.2 Backward for Non-Scalar Variables)
# adapted: notebook cells that display a value are wrapped in print(); x set up as in 2.5.1
import torch

x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()

x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))  # Faster: y.sum().backward()
print(x.grad)
