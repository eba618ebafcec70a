# source: https://github.com/FromEssence/AI_Pytorch (Pytorch梯度计算图保留, 例1 方法1: y = 2x^3, torch.autograd.grad with create_graph)
# adapted: unused "from torch.optim import SGD" removed; Chinese print labels translated
import torch

x = torch.ones(1)
x[0] = 2
x.requires_grad = True

y = 2*x*x*x

d1 = torch.autograd.grad(y, x, create_graph=True)[0]
print(d1.grad)
print('first derivative of y wrt x:', d1)
d2 = torch.autograd.grad(d1, x)[0]
print('second derivative of y wrt x:', d2)
