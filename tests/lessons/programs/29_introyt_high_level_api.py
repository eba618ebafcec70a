# source: https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html ("The High-Level API")
# adapted: torch.rand / torch.randn inputs replaced by fixed values; cells that display a value are wrapped in print()
import torch

def exp_adder(x, y):
    return 2 * x.exp() + 3 * y

inputs = (torch.tensor([0.35]), torch.tensor([0.8])) # arguments for the function
print(inputs)
print(torch.autograd.functional.jacobian(exp_adder, inputs))

inputs = (torch.tensor([0.1, 0.5, 0.9]), torch.tensor([0.2, 0.4, 0.6])) # arguments for the function
print(inputs)
print(torch.autograd.functional.jacobian(exp_adder, inputs))

def do_some_doubling(x):
    y = x * 2
    while y.data.norm() < 1000:
        y = y * 2
    return y

inputs = torch.tensor([0.6, -1.1, 0.35])
my_gradients = torch.tensor([0.1, 1.0, 0.0001])
print(torch.autograd.functional.vjp(do_some_doubling, inputs, v=my_gradients))
