# source: https://github.com/Alleinx/Notes (autograd notebook: x + 2, z = y*y*3, out.backward(), then x.detach())
import torch

x = torch.ones(2, 2, requires_grad=True)

y = x + 2

z = y * y * 3

out = z.mean()

# Becaues out contains a single scalar, out.backward() is equivlant to out.backward(torch.tensor(1.))
out.backward()

print(x.grad)

# Could stop a tensor from tracking history
x = x.detach()
print(x.requires_grad, x.grad)
