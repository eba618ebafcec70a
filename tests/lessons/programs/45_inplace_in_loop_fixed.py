# source: https://www.yongfengli.tk/2018/04/13/inplace-operation-in-pytorch.html (the out-of-place fix)
# adapted: the forward(self, a) method turned into top-level code with a fixed 3x3 param and 3x1 input (range(3) instead of range(10))
import torch

param = torch.tensor([[0.5, -0.2, 0.1],
                      [0.3, 0.8, -0.4],
                      [-0.6, 0.2, 0.9]], requires_grad=True)
a = torch.tensor([[1.0], [2.0], [-1.0]])

y = 0
b = torch.mm(param, a)
for i in range(3):
    bione = torch.zeros(3, 1)
    bione[i] = 1
    b = b + bione # out-of-place operation
    y = y + torch.mm(param, b)
print(y)
y.sum().backward()
print(param.grad)
