# source: https://pytorch.org/docs/stable/generated/torch.autograd.functional.vjp.html (examples)
# adapted: torch.rand inputs replaced by fixed values; doctest lines wrapped in print()
import torch
from torch.autograd.functional import vjp

def exp_reducer(x):
    return x.exp().sum(dim=1)
inputs = torch.tensor([[0.1, 0.2, 0.3, 0.4],
                       [0.5, 0.6, 0.7, 0.8],
                       [0.9, 0.1, 0.2, 0.3],
                       [0.4, 0.5, 0.6, 0.7]])
v = torch.ones(4)
print(vjp(exp_reducer, inputs, v))
print(vjp(exp_reducer, inputs, v, create_graph=True))

def adder(x, y):
    return 2 * x + 3 * y
inputs = (torch.tensor([0.25, 0.75]), torch.tensor([0.5, 1.5]))
v = torch.ones(2)
print(vjp(adder, inputs, v))
