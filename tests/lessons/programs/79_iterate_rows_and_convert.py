# source: composed for gradcli's corpus from the course's lesson on the dynamic graph (iterating a tensor, dtype conversion)
# adapted: written for this corpus; numbers chosen by hand
import torch

x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
total = 0
for i, row in enumerate(x):
    total = total + row.sum() * (i + 1)
print(row.grad_fn.name(), total)
total.backward()
print(x.grad)

y = x.double()
print(y.dtype, y.grad_fn)
z = (y ** 2).sum()
z.backward()
print(x.grad)
print(z.item(), type(z.item()).__name__)
