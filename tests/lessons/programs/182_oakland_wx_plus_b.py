# source: https://www.secs.oakland.edu/~tianlema/ai/lectures/L04/autograd_demo.html (computational graph demo: y = w * x, z = y + b)
# adapted: the gradients shown in comments printed
import torch

x = torch.tensor(2.0, requires_grad=True)
w = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)

y = w * x
z = y + b

z.backward()

print(x.grad)
print(w.grad)
print(b.grad)
print(y.is_leaf, z.is_leaf, z.grad_fn, y.grad_fn)
