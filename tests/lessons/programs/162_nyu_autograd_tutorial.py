# source: https://github.com/Atcold/NYU-DLSP20 (03-autograd_tutorial.ipynb: grad_fn, next_functions[0][0].variable, y.data.norm() loop, backward(gradients))
# adapted: torch.randn(3) replaced by a fixed tensor; make_dot(a) (torchviz) dropped
import torch

x = torch.tensor([[1, 2], [3, 4]], requires_grad=True, dtype=torch.float32)
print(x)

y = x - 2
print(y)

print(y.grad_fn)
print(x.grad_fn)
print(y.grad_fn.next_functions[0][0])
print(y.grad_fn.next_functions[0][0].variable)

z = y * y * 3
a = z.mean()
print(z)
print(a)

a.backward()
print(x.grad)

x = torch.tensor([0.3374, -0.1778, -0.3035], requires_grad=True)
y = x * 2
i = 0
while y.data.norm() < 1000:
    y = y * 2
    i += 1
print(y)

gradients = torch.FloatTensor([0.1, 1.0, 0.0001])
y.backward(gradients)

print(x.grad)
print(i)

print(x.requires_grad)
print((x ** 2).requires_grad)

with torch.no_grad():
    print((x ** 2).requires_grad)
