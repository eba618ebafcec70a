# source: https://github.com/mgjeon/notebooks (Automatic differentiation in PyTorch: f = x**3 and f = x**3 + x*t + t**2)
import numpy as np
import torch
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

x = np.array([1, 2]).reshape(-1, 1)

x = torch.tensor(x, dtype=torch.float, requires_grad=True).to(device)

f = x**3

f_x = torch.autograd.grad(outputs=f, inputs=x, grad_outputs=torch.ones_like(f), create_graph=True)[0]

f_xx = torch.autograd.grad(f_x, x, torch.ones_like(f), create_graph=True)[0]

print('f_x')
print(f_x)

print('f_xx')
print(f_xx)

x = np.array([1, 2]).reshape(-1, 1)
t = np.array([3, 4]).reshape(-1, 1)

x = torch.tensor(x, dtype=torch.float, requires_grad=True).to(device)
t = torch.tensor(t, dtype=torch.float, requires_grad=True).to(device)

f = x**3 + x*t + t**2

f_x = torch.autograd.grad(f, x, torch.ones_like(f), create_graph=True)[0]
f_t = torch.autograd.grad(f, t, torch.ones_like(f), create_graph=True)[0]

f_xt = torch.autograd.grad(f_x, t, torch.ones_like(f), create_graph=True)[0]
f_tx = torch.autograd.grad(f_t, x, torch.ones_like(f), create_graph=True)[0]

f_xx = torch.autograd.grad(f_x, x, torch.ones_like(f), create_graph=True)[0]
f_tt = torch.autograd.grad(f_t, t, torch.ones_like(f), create_graph=True)[0]

print('f_x', f_x)
print('f_t', f_t)
print('f_xt', f_xt)
print('f_tx', f_tx)
print('f_xx', f_xx)
print('f_tt', f_tt)
