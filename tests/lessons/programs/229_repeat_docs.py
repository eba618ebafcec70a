# source: https://pytorch.org/docs/stable/generated/torch.Tensor.repeat.html (Tensor.repeat examples)
# adapted: the docs' x made a leaf that requires grad, with a backward through repeat
import torch

x = torch.tensor([1, 2, 3])
print(x.repeat(4, 2))
print(x.repeat(4, 2, 1).size())

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = w.repeat(2, 2)
print(y)
weights = torch.arange(12.0).view(2, 6)
(y * weights).sum().backward()
print(w.grad)
