# source: https://pytorch.org/docs/1.4.0/notes/autograd.html#excluding-subgraphs-from-backward (requires_grad: an output requires grad if any input does)
# adapted: the unseeded torch.randn(5, 5) inputs replaced by fixed tensors
import torch

x = torch.arange(25.).reshape(5, 5) / 10  # requires_grad=False by default
y = torch.ones(5, 5) * 0.5  # requires_grad=False by default
z = torch.full((5, 5), 2.0, requires_grad=True)
a = x + y
print(a.requires_grad)
b = a + z
print(b.requires_grad)
