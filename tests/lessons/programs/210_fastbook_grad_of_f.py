# source: https://github.com/fastai/fastbook (04_mnist_basics.ipynb, "Calculating Gradients": f(x) = x**2 on a scalar, then on a vector with sum)
# adapted: fastai's tensor() written as torch.tensor(); displayed cells printed
import torch

def f(x): return x**2

xt = torch.tensor(3.).requires_grad_()
yt = f(xt)
print(yt)
yt.backward()
print(xt.grad)

xt = torch.tensor([3., 4., 10.]).requires_grad_()
print(xt)

def f(x): return (x**2).sum()

yt = f(xt)
print(yt)
yt.backward()
print(xt.grad)
