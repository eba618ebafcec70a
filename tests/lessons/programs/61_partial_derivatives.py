# source: https://github.com/chandrareddytiyyagura/pytorch-basics (Partial derivative cells)
# adapted: notebook cells that display a value are wrapped in print()
import torch

x = torch.tensor(5.0, requires_grad=True)
y = torch.tensor(5.0, requires_grad=True)

f = x **2 + y**2
f.backward()
print(f.grad_fn)
print(x.grad) # Partial derivative wrt x
print(y.grad) # partial derirvative wrt y

x = torch.tensor(5.0, requires_grad=True)
y = torch.tensor(5.0, requires_grad=True)
f2 = x**2 * y**2
f2.backward()
print(f2.grad_fn)
print(x.grad)
print(y.grad)
