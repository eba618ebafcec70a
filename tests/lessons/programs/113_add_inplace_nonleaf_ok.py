# source: https://taourl.com/read-2445510.html (RuntimeError: one of the variables needed for gradient computation has been modified by an inplace operation)
# adapted: the operator in `y = x 2` and the call parentheses of `z.backward` were lost in the page and are restored as `x * 2`, `z.backward()`; x.grad printed at the end. (In torch 2.13 this example does not raise: mul by a constant saves nothing.)
import torch

x = torch.tensor([1.0], requires_grad=True)
y = x * 2
y.add_(1)  # Inplace operation
z = y.sum()
z.backward()
print(x.grad)
print(y)
