# source: https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html ("If you tried, for example, print(c.grad) you'd get back None")
# adapted: a shorter linspace; the remark turned into code
import torch
import math

a = torch.linspace(0., 2. * math.pi, steps=5, requires_grad=True)
b = torch.sin(a)
c = 2 * b
d = c + 1
out = d.sum()
out.backward()
print(a.grad)
print(c.grad)
print(a.is_leaf, c.is_leaf)
