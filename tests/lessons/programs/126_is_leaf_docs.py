# source: https://pytorch.org/docs/stable/generated/torch.Tensor.is_leaf.html (example)
# adapted: torch.rand(10) replaced by fixed values; the .cuda()/device="cuda" lines run on the CPU (.cuda() dropped), doctest lines wrapped in print()
import torch

a = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], requires_grad=True)
print(a.is_leaf)
b = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], requires_grad=True) + 2
print(b.is_leaf)
# b was created by the addition operation
d = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
print(d.is_leaf)
# d does not require gradients and so has no operation creating it (that is tracked by the autograd engine)
e = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]).requires_grad_()
print(e.is_leaf)
# e requires gradients and has no operations creating it
f = torch.tensor([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], requires_grad=True, device="cpu")
print(f.is_leaf)
