# source: https://velog.io/@jsyeon/Autograd자동미분 (Q = 3*a**3 - b**2 with integer tensors)
# adapted: none; as written the lesson fails at the first line (integer tensors cannot require gradients)
import torch

a = torch.tensor([2,3], requires_grad=True)
b = torch.tensor([6,4], requires_grad=True)
Q = 3*a**3-b**2
external_grad = torch.tensor([1,1])
Q.backward(gradient=external_grad)
print(a.grad)
print(b.grad)
