# source: https://github.com/ibrevis/learning_torch (u(x, t) = sigmoid(a x + b t + c): u_x and u_xx with torch.autograd.grad, grad_outputs=torch.ones_like(u), checked against the formula)
# adapted: the torch.nn.Linear(2, 1) model replaced by its printed weights a, b, c as explicit tensors
import torch

x = torch.tensor([1., 2.], requires_grad=True).view(-1, 1)
t = torch.tensor([0.1, 0.2], requires_grad=True).view(-1, 1)
print('x: ', x)
print('t: ', t)

a = torch.tensor(0.6240)
b = torch.tensor(0.0947)
c = torch.tensor(-0.3125)

u = torch.sigmoid(a * x + b * t + c)

u_x = torch.autograd.grad(outputs=u,
                          inputs=x,
                          create_graph=True,
                          grad_outputs=torch.ones_like(u)
                          )[0]
print(u_x)

print(torch.sigmoid(a*x + b*t + c)*(1 - torch.sigmoid(a*x + b*t + c))*a)

u_xx = torch.autograd.grad(outputs=u_x,
                           inputs=x,
                           create_graph=True,
                           grad_outputs=torch.ones_like(u_x)
                           )[0]
print(u_xx)
s = torch.sigmoid(a*x + b*t + c)
print(s*(1 - s)*a**2 - 2*s**2*(1 - s)*a**2)
