# source: https://github.com/chandrareddytiyyagura/pytorch-basics (Successive Differentiation: nth_derivative)
# adapted: notebook cells that display a value are wrapped in print(); n=3 call added
import torch
from torch.autograd import grad

def nth_derivative(f, wrt, n=2):
    for i in range(n):
        grads = grad(f, wrt, create_graph=True)[0]
        f = grads.sum()

    return grads

x= torch.tensor(5.0, requires_grad=True)

# f(x) = x^2 + x^3, f'(x) = 2x + 3x^2, f''(x) = 2 + 6x
f = x**2 + x**3

# calculating double derivative
print(nth_derivative(f, x))
print(nth_derivative(x**2 + x**3, x, n=3))
