# source: https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html and https://pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html (examples)
# adapted: smaller sizes, torch.manual_seed(0), a backward through both layers with the gradients printed
import torch
import torch.nn as nn

torch.manual_seed(0)
# With square kernels and equal stride
m = nn.Conv2d(3, 4, 3, stride=2)
# non-square kernels and unequal stride and with padding
m2 = nn.Conv2d(3, 2, (3, 2), stride=(2, 1), padding=(1, 1), bias=False)
print(m, m2)
input = torch.randn(2, 3, 7, 6, requires_grad=True)
output = m(input)
print(output.shape, output.grad_fn)
output2 = m2(input)
print(output2.shape)

pool = nn.MaxPool2d(3, stride=2)
pooled = pool(output2)
print(pool, pooled.shape, pooled.grad_fn)
print(pooled)

loss = output.pow(2).sum() + (pooled * torch.arange(pooled.numel()).view(pooled.shape)).sum()
loss.backward()
print(input.grad[0, 0])
print(m.weight.grad[0])
print(m.bias.grad)
print(m2.weight.grad[1])
