# The autograd notes' "Saved tensors" section, the function-transforms tutorial's vmap,
# gradgradcheck, anomaly detection as a `with` block, and NumPy arrays made from tensors.
import numpy as np
import torch
from torch.func import grad, vmap

torch.manual_seed(0)

x = torch.randn(5, requires_grad=True)
y = x.pow(2)
print(x.equal(y.grad_fn._saved_self))  # True
print(x is y.grad_fn._saved_self)  # True
y = x.exp()
print(y.equal(y.grad_fn._saved_result))  # True
print(y is y.grad_fn._saved_result)  # False
print(y.grad_fn._saved_result)
z = x * 3
print(z.grad_fn._saved_self, z.grad_fn._saved_other)
print((x * 2.5).grad_fn._saved_other)
m = torch.ones(2, 2, requires_grad=True) @ torch.ones(2, 2)
print(m.grad_fn._saved_mat2, m.grad_fn._saved_self)


def f(v, w):
    return (v * w).sin().sum()


xs = torch.arange(6.).reshape(3, 2)
w = torch.tensor([1., -1.])
print(vmap(f, in_dims=(0, None))(xs, w))
print(vmap(grad(f), in_dims=(0, None))(xs, w))
print(vmap(lambda a: (a, a * 2))(torch.ones(2, 2)))
print(vmap(torch.outer)(torch.ones(2, 2), torch.arange(4.).reshape(2, 2)))
print(vmap(vmap(torch.mul))(torch.ones(2, 3), torch.arange(6.).reshape(2, 3)))
print(vmap(torch.sum, in_dims=1)(torch.arange(6.).reshape(2, 3)))
print(torch.select(xs, 1, 0), xs.select(0, -1))

xd = torch.randn(3, dtype=torch.double, requires_grad=True)
print(torch.autograd.gradcheck(torch.sin, (xd,)), torch.autograd.gradgradcheck(torch.tanh, (xd,)))

with torch.autograd.set_detect_anomaly(True):
    a = torch.tensor([1., 2.], requires_grad=True)
    (a * a).sum().backward()
print(a.grad)
with torch.autograd.detect_anomaly():
    b = a.exp().sum()
    b.backward()
print(a.grad)

print(np.array(a.detach()), np.asarray(a.detach(), dtype=np.float64).sum())
try:
    np.array(a)
except RuntimeError as e:
    print("RuntimeError:", e)
