# source: https://github.com/FromEssence/AI_Pytorch (Pytorch梯度计算图保留, 方法2: backward(create_graph=True))
# adapted: unused "from torch.optim import SGD" removed; Chinese print labels translated; the notebook's "y.grad" cell printed
import torch

x = torch.ones(1)
x[0] = 2
x.requires_grad = True

y = 2*x*x*x

y.backward(create_graph=True,retain_graph=True)

d1 = x.grad
print('first derivative of y wrt x:',d1)

# clear x's gradient first, otherwise it accumulates: 24+24=48
x.grad=None
d1.backward(create_graph=True)
print('second derivative of y wrt x:', x.grad)
print(d1)
print(y.grad)
