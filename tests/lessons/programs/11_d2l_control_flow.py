# source: https://d2l.ai/chapter_preliminaries/autograd.html (d2l-ai/d2l-en:chapter_preliminaries/autograd.md, 2.5.4 Gradients and Python Control Flow)
# adapted: a = torch.randn(size=(), requires_grad=True) replaced by a fixed value; last cell wrapped in print()
import torch

def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c

a = torch.tensor(-0.7311, requires_grad=True)
d = f(a)
d.backward()

print(a.grad == d / a)
print(a.grad)
print(d)
