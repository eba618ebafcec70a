# source: https://blog.csdn.net/waitingwinter/article/details/105774720 (autograd.grad 的 grad_outputs: 标量输出可以不写, 向量输出必须写)
# adapted: the error of the call without grad_outputs caught and printed
import torch
from torch import autograd

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
y = x[:, 0] + x[:, 1] + x[:, 2] ** 2
print(y)

try:
    autograd.grad(outputs=y, inputs=x)
except RuntimeError as e:
    print(e)

grad = autograd.grad(outputs=y, inputs=x, grad_outputs=torch.ones_like(y))[0]
print(grad)

z = (x ** 2).sum()
grad_z = autograd.grad(outputs=z, inputs=x)[0]
print(grad_z)

w = torch.tensor([1.0, 0.5])
grad_w = autograd.grad(outputs=x[:, 2] ** 3, inputs=x, grad_outputs=w)[0]
print(grad_w)
