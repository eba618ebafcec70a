# source: https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html ("More Autograd Detail": the Jacobian and vector-Jacobian products)
# adapted: the Jacobian of a small vector function assembled row by row with backward(retain_graph=True), then checked against torch.autograd.functional.jacobian
import torch

def f(x):
    return torch.stack([x[0] * x[1], x[1] ** 2, torch.sin(x[0]) + x[2]])

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = f(x)
J = torch.zeros(3, 3)
for i in range(3):
    if x.grad is not None:
        x.grad.zero_()
    v = torch.zeros(3)
    v[i] = 1.0
    y.backward(v, retain_graph=True)
    J[i] = x.grad
print(J)
J2 = torch.autograd.functional.jacobian(f, x)
print(torch.allclose(J, J2))
print([row.tolist() for row in J])
