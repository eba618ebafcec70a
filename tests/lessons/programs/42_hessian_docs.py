# source: https://pytorch.org/docs/stable/generated/torch.autograd.functional.hessian.html (examples)
# adapted: torch.rand inputs replaced by fixed values; doctest turned into a script with print()
import torch
from torch.autograd.functional import hessian

def pow_reducer(x):
    return x.pow(3).sum()

inputs = torch.tensor([[0.5, 1.0], [1.5, 2.0]])
print(hessian(pow_reducer, inputs))

print(hessian(pow_reducer, inputs, create_graph=True))

def pow_adder_reducer(x, y):
    return (2 * x.pow(2) + 3 * y.pow(2)).sum()

inputs = (torch.tensor([0.1, 0.2]), torch.tensor([0.3, 0.4]))
print(hessian(pow_adder_reducer, inputs))
