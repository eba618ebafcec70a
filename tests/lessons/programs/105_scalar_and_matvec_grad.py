# source: https://github.com/lseman/DAS410100 (autograd notebook: scalar example and A @ x)
# adapted: x = torch.randn(3, requires_grad=True) replaced by fixed values (it is printed)
import torch

# Scalar example
x = torch.tensor(2.0, requires_grad=True)
y = x**2 + 3*x + 1   # y = x² + 3x + 1

y.backward()  # dy/dx

print("x =", x.item())
print("y =", y.item())
print("dy/dx =", x.grad.item())  # Should be 2x + 3 = 7

x = torch.tensor([0.8707, 0.9710, 0.6764], requires_grad=True)  # vector
A = torch.tensor([[2., 1., 0.],
                  [0., 3., 1.]], requires_grad=False)

y = (A @ x).sum()  # scalar output

y.backward()
print("x =", x)
print("Gradient dy/dx =", x.grad)
