# source: https://syntaxfix.com/question/485/pytorch-tensor-to-numpy-array (answer with real life examples: shared storage, copy(), requires_grad=True and detach())
# adapted: the CUDA examples dropped
import torch

a = torch.ones((1,2))
print(a)
na = a.numpy()
na[0][0]=10
print(na)
print(a)

a = torch.ones((1,2))
print(a)
na = a.numpy()
nac = na.copy()
nac[0][0]=10
print(nac)
print(na)
print(a)

a = torch.ones((1,2), requires_grad=True)
print(a)
na = a.detach().numpy()
na[0][0]=10
print(na)
print(a)
