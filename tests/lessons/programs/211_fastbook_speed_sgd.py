# source: https://github.com/fastai/fastbook (04_mnist_basics.ipynb, "An End-to-End SGD Example": the roller-coaster speed, a quadratic with params, apply_step)
# adapted: torch.manual_seed(42) added; fastai's tensor() as torch.tensor(); the plotting in apply_step and show_preds removed
import torch

torch.manual_seed(42)
time = torch.arange(0, 20).float()
print(time)

speed = torch.randn(20)*3 + 0.75*(time-9.5)**2 + 1

def f(t, params):
    a, b, c = params
    return a*(t**2) + (b*t) + c

def mse(preds, targets): return ((preds-targets)**2).mean()

params = torch.randn(3).requires_grad_()
orig_params = params.clone()

preds = f(time, params)
loss = mse(preds, speed)
print(loss)
loss.backward()
print(params.grad)
print(params.grad * 1e-5)

lr = 1e-5
params.data -= lr * params.grad.data
params.grad = None

def apply_step(params, prn=True):
    preds = f(time, params)
    loss = mse(preds, speed)
    loss.backward()
    params.data -= lr * params.grad.data
    params.grad = None
    if prn: print(loss.item())
    return preds

for i in range(10): apply_step(params)
print(params, orig_params)
