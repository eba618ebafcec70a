# source: https://pytorch.org/docs/stable/notes/autograd.html#saved-tensors
# adapted: x = torch.randn(5, requires_grad=True) replaced by fixed values
import torch

x = torch.tensor([0.5, -1.0, 2.0, 0.0, 1.5], requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self))  # True
print(x is y.grad_fn._saved_self)  # True

x = torch.tensor([0.5, -1.0, 2.0, 0.0, 1.5], requires_grad=True)
y = x.exp()
print(y.equal(y.grad_fn._saved_result))  # True
print(y is y.grad_fn._saved_result)  # False
