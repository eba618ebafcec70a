# source: https://pytorch.org/tutorials/intermediate/jacobians_hessians.html (Jacobians, Hessians, hvp, and more: composing function transforms)
# adapted: the tutorial's predict() with D = 4, printed; vjp and grad from torch.func
import torch
from torch.func import jacrev, jacfwd, hessian, vjp, grad
torch.manual_seed(0)
def predict(weight, bias, x):
    return torch.nn.functional.linear(x, weight, bias).tanh()
D = 4
weight = torch.randn(D, D)
bias = torch.randn(D)
x = torch.randn(D)
jac = jacrev(predict, argnums=2)(weight, bias, x)
print(jac.shape)
print(jac[0])
jf = jacfwd(predict, argnums=2)(weight, bias, x)
print(torch.allclose(jac, jf))
def f(x):
    return x.sin().sum() * x.cos().sum()
h = hessian(f)(x)
print(h.shape, h[1])
out, vjp_fn = vjp(torch.sin, x)
print(out)
print(vjp_fn(torch.ones_like(x)))
print(grad(f)(x))
