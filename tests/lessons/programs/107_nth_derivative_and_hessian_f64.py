# source: https://github.com/lseman/DAS410100 (autograd notebook: n-th derivative of sin(x^3) and a Hessian, in float64)
import torch
torch.set_default_dtype(torch.float64)

def nth_derivative(f, x, n):
    """
    f: function mapping scalar tensor -> scalar tensor
    x: scalar tensor with requires_grad=True
    n: order (>=1)
    """
    y = f(x)
    for k in range(n):
        # Always create_graph to enable higher-order grads
        (y,) = torch.autograd.grad(y, x, create_graph=True)
    return y  # n-th derivative evaluated at x

# Example: f(x) = sin(x^3); compute d^5 f / dx^5 at x = 1.0
x = torch.tensor(1.0, requires_grad=True)
f = lambda t: torch.sin(t**3)
d5 = nth_derivative(f, x, 5)
print("5th derivative at x=1:", d5.item())

from torch.autograd.functional import hessian

# f: R^2 -> R
def f(v):
    x, y = v
    return x**3 * y**2 + torch.sin(x*y)

# Point
v = torch.tensor([1.0, 2.0], requires_grad=True)

H = hessian(lambda z: f(z), v)
print("Hessian shape:", H.shape)   # (2, 2)
print(H)
