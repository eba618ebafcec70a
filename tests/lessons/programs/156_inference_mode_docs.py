# source: https://docs.pytorch.org/docs/main/generated/torch.autograd.grad_mode.inference_mode.html (example)
# adapted: the doctest's traceback for y._version caught and printed
import torch

x = torch.ones(1, 2, 3, requires_grad=True)
with torch.inference_mode():
    y = x * x
print(y.requires_grad)
try:
    y._version
except RuntimeError as e:
    print("RuntimeError:", e)

@torch.inference_mode()
def func(x):
    return x * x

out = func(x)
print(out.requires_grad)

@torch.inference_mode()
def doubler(x):
    return x * 2

out = doubler(x)
print(out.requires_grad)
