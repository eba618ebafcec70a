# source: https://github.com/AlimTleuliyev/dl-course (Logistic regression computation graph with PyTorch)
# adapted: w_1 = torch.rand(1), b = torch.rand(1) replaced by fixed values
import torch

w_1 = torch.tensor([0.0070], requires_grad=True)
b = torch.tensor([0.5534], requires_grad=True)

x = torch.tensor([1.23])

y_true = torch.tensor([1.])

u = torch.matmul(x, w_1)
z = u + b
print("u = ", u)
print("z = ", z)

import torch.nn.functional as F

l = F.binary_cross_entropy_with_logits(z, y_true)
print("l = ", l)

from torch.autograd import grad
grad_l_w_1 = grad(l, w_1, retain_graph=True)

grad_l_b = grad(l, b, retain_graph=True)

print("grad_l_w_1 = ", grad_l_w_1)
print("grad_l_b = ", grad_l_b)

l.backward()
print("w_1.grad = ", w_1.grad)
print("b.grad = ", b.grad)
