# source: https://www.geeksforgeeks.org/how-to-compute-gradients-in-pytorch/ (examples 1 and 2: y = x**2, then y = w*x + b)
import torch

x = torch.tensor(2.0, requires_grad=True)
print("x:", x)

y = x**2
print("y:", y)

y.backward()
print("x.grad:", x.grad)

x = torch.tensor(3.0, requires_grad=True)
w = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(5.0, requires_grad=True)
print("x:", x)
print("w:", w)
print("b:", b)

y = w * x + b
print("y:", y)

y.backward()

print("x.grad :", x.grad)
print("w.grad :", w.grad)
print("b.grad :", b.grad)
