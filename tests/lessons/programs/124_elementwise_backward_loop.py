# source: https://isolution.pro/pl/q/so70246575/funkcja-wsteczna-w-pytorch (mirror of a Stack Overflow answer on "backward function in PyTorch": the loop of scalar backwards, then out.backward(g) with g = a and g = ones)
import torch

a = torch.tensor([[1,2,3],[4,5,6]], dtype=torch.float, requires_grad=True)
for i in range(2):
  for j in range(3):
    out = a[i,j] * a[i,j]
    out.backward()
print(a.grad)

a = torch.tensor([[1,2,3],[4,5,6]], dtype=torch.float, requires_grad=True)
out = a * a
out.backward(a)
print(a.grad)

a = torch.tensor([[1,2,3],[4,5,6]], dtype=torch.float, requires_grad=True)
out = a * a
out.backward(torch.ones(2,3))
print(a.grad)
