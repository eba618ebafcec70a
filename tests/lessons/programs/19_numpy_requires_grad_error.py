# source: https://androidkt.com/fix-cant-call-numpy-on-tensor-that-requires-grad-use-tensor-detach-numpy-instead/
# adapted: the working detach() call shown first, then the failing call (uncaught)
import torch

a = torch.tensor([1,2,3.], requires_grad=True)
print(a.detach().numpy())

with torch.no_grad():
    b = a * 2
print(b.numpy())

print(a.numpy())
