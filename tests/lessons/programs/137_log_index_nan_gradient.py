# source: https://github.com/pytorch/pytorch/issues/15506 (nan propagates through backward pass even when not accessed)
import torch

a = torch.arange(4, dtype=torch.float, requires_grad=True)
a.log()[-1].backward()
print(a.grad)

a = torch.arange(4, dtype=torch.float, requires_grad=True)
a[-1].log().backward()
print(a.grad)

a = torch.arange(4, dtype=torch.float, requires_grad=True)
a.log().max().backward()
print(a.grad)
