# source: https://github.com/chenyuntc/pytorch-book (chapter3-Tensor和autograd, Autograd.ipynb: y = x.sum() backward twice accumulates; f(x) = x**2 * exp(x) against its hand-written derivative)
# adapted: the unseeded t.randn(3, 4) replaced by t.manual_seed(1000) before it; displayed cells printed
import torch as t

x = t.ones(2, 2, requires_grad=True)
print(x)

y = x.sum()
print(y)
print(y.grad_fn)

y.backward()
print(x.grad)

y.backward()
print(x.grad)

y.backward()
print(x.grad)

x.grad.data.zero_()
y.backward()
print(x.grad)

def f(x):
    y = x**2 * t.exp(x)
    return y

def gradf(x):
    dx = 2*x*t.exp(x) + x**2*t.exp(x)
    return dx

t.manual_seed(1000)
x = t.randn(3, 4, requires_grad=True)
y = f(x)
print(y)

y.backward(t.ones(y.size()))
print(x.grad)
print(gradf(x))
