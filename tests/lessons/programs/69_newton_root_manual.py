# source: https://www.codegenes.net/blog/newtons-method-pytorch (root of f(x) = x^2 - 4)
import torch

def f(x):
    return x**2 - 4

def df(x):
    return 2*x

x = torch.tensor([3.0], requires_grad=True)
num_iterations = 10
for i in range(num_iterations):
    fx = f(x)
    dfx = df(x)
    x = x - fx / dfx
print(f"The approximate root is: {x.item()}")
print(x.grad_fn, x.is_leaf)
