# source: https://discuss.pytorch.org/t/multiple-call-to-backward-still-works-when-retain-graph-false-why/9475
# adapted: Variable(...) wrapper dropped (tensors with requires_grad); gradient = torch.randn(2, 2) replaced by fixed values; the answer's y = x * x variant added in try/except
import torch

x = torch.ones(2, 2, requires_grad=True)
y = x + 2
y.backward(torch.ones(2, 2), retain_graph=True)
print(x.grad)
z = y * y
print(z)
gradient = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
y.backward(gradient)
print(x.grad)

# "If you change y = x + 2 to y = x * x, you will see an error"
x = torch.ones(2, 2, requires_grad=True)
y = x * x
y.backward(torch.ones(2, 2))
try:
    y.backward(gradient)
except RuntimeError as e:
    print(e)
print(x.grad)
