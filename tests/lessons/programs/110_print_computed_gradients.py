# source: https://androidkt.com/print-computed-gradient-values-of-pytorch-model/
# also: Jovian "Zero to GANs" lesson 1 (PyTorch basics: tensors & gradients), the same x, w, b and the three dy/d prints
import torch

x = torch.tensor(3.)
w = torch.tensor(4., requires_grad=True)
b = torch.tensor(5., requires_grad=True)

y = w * x + b
print(y) #tensor(17., grad_fn=<AddBackward0>)

y.backward()
print('dy/dx:', x.grad)
print('dy/dw:', w.grad)
print('dy/db:', b.grad)
