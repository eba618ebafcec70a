# source: https://github.com/adiezsanchez/365ds_DL_w_PyTorch (autograd exercise: y = x^2 + 2x + 1, then prediction = w * x + b with an MSE loss)
# adapted: w = torch.randn(1, requires_grad=True) replaced by a fixed value (its gradient is printed)
import torch

x = torch.tensor(2.0, requires_grad=True)

y = x**2 + 2*x + 1

y.backward()

print("Gradient of x:", x.grad)

w = torch.tensor([0.4617], requires_grad=True)

b = torch.tensor(-1.0, requires_grad=True)

prediction = w * x + b

target = torch.tensor(5.0)

loss = (prediction - target)**2

loss.backward()

print("Gradient of w:", w.grad)
print("Gradient of b:", b.grad)
print("Gradient of x:", x.grad)
