# source: https://forum.beaver-edge.ai/t/2025-usa-na-aio-round-2-problem-1-part-9/237 (Part 9.2: x = 0, 0.1, ..., 1 with requires_grad, g = x**2, element-wise g_x and g_xx with autograd.grad on a 0-dim output)
import torch
from torch import autograd

x = torch.linspace(0, 1, 11)
x.requires_grad = True
g = x**2

g_x = autograd.grad(g.sum(), x, create_graph=True)[0]
print(g_x)
print(g_x.shape)

g_xx = autograd.grad(g_x.sum(), x, create_graph=True)[0]
print(g_xx)

p = torch.tensor(1.0, requires_grad=True)
q = torch.tensor(2.0, requires_grad=True)
f = p**2 * q**3 + torch.sin(p * q)
f_p = autograd.grad(f, p, create_graph=True)[0]
print(f_p)
f_q = autograd.grad(f, q, create_graph=True)[0]
print(f_q)
f_pp = autograd.grad(f_p, p, create_graph=True)[0]
print(f_pp)
f_pq = autograd.grad(f_p, q, create_graph=True)[0]
print(f_pq)
f_qqq = autograd.grad(autograd.grad(f_q, q, create_graph=True)[0], q, create_graph=True)[0]
print(f_qqq)
