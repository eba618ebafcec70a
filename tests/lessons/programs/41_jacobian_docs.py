# source: https://pytorch.org/docs/stable/generated/torch.autograd.functional.jacobian.html (examples)
# adapted: torch.rand inputs replaced by fixed values; doctest turned into a script with print()
import torch
from torch.autograd.functional import jacobian

def exp_reducer(x):
    return x.exp().sum(dim=1)

inputs = torch.tensor([[0.25, 0.5], [0.75, 1.0]])
print(jacobian(exp_reducer, inputs))

print(jacobian(exp_reducer, inputs, create_graph=True))

def exp_adder(x, y):
    return 2 * x.exp() + 3 * y

inputs = (torch.tensor([0.1, 0.2]), torch.tensor([0.3, 0.4]))
print(jacobian(exp_adder, inputs))
