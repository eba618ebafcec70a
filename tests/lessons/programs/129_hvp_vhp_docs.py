# source: https://pytorch.org/docs/stable/generated/torch.autograd.functional.hvp.html and .../torch.autograd.functional.vhp.html (examples)
# adapted: torch.rand inputs replaced by fixed values; doctest lines wrapped in print()
import torch
from torch.autograd.functional import hvp, vhp

def pow_reducer(x):
    return x.pow(3).sum()
inputs = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
v = torch.ones(2, 2)
print(hvp(pow_reducer, inputs, v))
print(hvp(pow_reducer, inputs, v, create_graph=True))
print(vhp(pow_reducer, inputs, v))

def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()
inputs = (torch.tensor([0.25, 0.75]), torch.tensor([0.5, 1.5]))
v = (torch.zeros(2), torch.ones(2))
print(hvp(pow_adder_reducer, inputs, v))
