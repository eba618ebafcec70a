# source: https://imaddabbura.github.io/posts/dl/why-autograd-needs-floats.html (Why Autograd Needs Floats, Not Ints: requires_grad=True on an integer tensor, and the one-keyword fix)
# adapted: the error caught and printed
import torch

try:
    w = torch.tensor([1, 2, 3], requires_grad=True)
except RuntimeError as e:
    print(e)

w = torch.tensor([1, 2, 3], dtype=torch.float32, requires_grad=True)
loss = (w ** 2).sum()
loss.backward()
print(w.grad)

n = torch.tensor([1, 2, 3])
print(n.dtype, n.requires_grad)
try:
    n.requires_grad_()
except RuntimeError as e:
    print(e)

m = n.float().requires_grad_()
(m * 2.5).sum().backward()
print(m.grad, m.dtype)
