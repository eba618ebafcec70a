# source: https://github.com/chenyuntc/pytorch-book (chapter3-Tensor和autograd, Autograd.ipynb: abs with if on x.data[0], and a product over the positive elements of t.arange)
import torch as t

def abs(x):
    if x.data[0] > 0: return x
    else: return -x

x = t.ones(1, requires_grad=True)
y = abs(x)
y.backward()
print(x.grad)

x = -1 * t.ones(1)
x = x.requires_grad_()
y = abs(x)
y.backward()
print(x.grad)

def f(x):
    result = 1
    for ii in x:
        if ii.item() > 0: result = ii * result
    return result

x = t.arange(-2, 4, dtype=t.float32).requires_grad_()
y = f(x)
y.backward()
print(x.grad)
