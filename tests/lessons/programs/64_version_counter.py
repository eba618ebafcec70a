# source: https://pytorch.org/docs/stable/notes/autograd.html#in-place-correctness-checks (every tensor keeps a version counter)
# adapted: a small example of the version counter and the error it triggers (caught), written around the note
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
b = a * 2
print(b._version)
c = b ** 2
b.add_(1)
print(b._version)
b.mul_(2)
print(b._version)
try:
    c.sum().backward()
except RuntimeError as e:
    print(e)
print(a.grad)
