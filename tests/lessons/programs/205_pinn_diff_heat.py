# source: https://discuss.pytorch.org/t/efficient-calculation-of-derivatives-for-pinn-solvers-in-pytorch/177249 (diff(y, xs): repeated torch.autograd.grad with grad_outputs=ones and create_graph=True; the 1D heat equation residual)
# adapted: the network replaced by the exact solution u = exp(-t) sin(x); N = 5 points
import torch

def diff(y, xs):
    grad = y
    ones = torch.ones_like(y)
    for x in xs:
        grad = torch.autograd.grad(grad, x, grad_outputs=ones, create_graph=True)[0]
    return grad

N = 5
x = torch.linspace(0.0, 1.0, N, requires_grad=True).reshape((N, 1))
t = torch.linspace(0.0, 1.0, N, requires_grad=True).reshape((N, 1))
print(x.is_leaf, x.grad_fn)

u = torch.exp(-t) * torch.sin(x)

def heat(u, x, t):
    alpha = 1.0
    return diff(u, [t]) - alpha * diff(u, [x, x])

print(diff(u, [x]))
print(diff(u, [x, x]))
print(diff(u, [x, t]))
print(heat(u, x, t))
