# source: https://www.yongfengli.tk/2018/04/13/inplace-operation-in-pytorch.html
# adapted: the forward(self, a) method turned into top-level code with a fixed 3x3 param and 3x1 input (range(3) instead of range(10)); the error is uncaught at backward
import torch

param = torch.tensor([[0.5, -0.2, 0.1],
                      [0.3, 0.8, -0.4],
                      [-0.6, 0.2, 0.9]], requires_grad=True)
a = torch.tensor([[1.0], [2.0], [-1.0]])

y = 0
b = torch.mm(param, a)
for i in range(3):
    b[i] = b[i] + 1 # inplace operation
    y = y + torch.mm(param, b)
print(y)
y.sum().backward()
