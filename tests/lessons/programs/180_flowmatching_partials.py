# source: https://github.com/Jerry4232/FlowMatching (torch backward gradient: demo of how a tensor records previous operations, then partial derivatives)
import torch

x = torch.tensor([2.0], requires_grad=True)
y = x ** 2 + 3 * x

print(type(y))
print(y.grad_fn)

y.backward()
print(x.grad)

x1 = torch.tensor([1.0], requires_grad=True)
x2 = torch.tensor([2.0], requires_grad=True)

y = x1**2 + 3 * x2
y.backward()

print(x1.grad)
print(x2.grad)
