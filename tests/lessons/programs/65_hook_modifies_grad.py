# source: https://pytorch.org/docs/stable/notes/autograd.html#backward-hooks-execution (tensor hooks may return a new gradient; retain_grad sees it)
# adapted: a small example written around the note
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 3
y.retain_grad()
y.register_hook(lambda g: g * 10)
z = (y * y).sum()
z.backward()
print(y.grad)
print(x.grad)

handle = x.register_hook(lambda g: print("x hook got", g))
x.grad = None
(x ** 2).sum().backward()
handle.remove()
(x ** 2).sum().backward()
print(x.grad)
