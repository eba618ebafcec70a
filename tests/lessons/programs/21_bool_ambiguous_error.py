# source: https://duoke360.com/post/34208 (Boolean value of a tensor with more than one value is ambiguous)
# adapted: data = torch.randn(10) replaced by fixed values; the failing "if" is the lesson's last statement (uncaught)
import torch

x = torch.tensor([True, False, True])
if x.all():
    print("All elements are True")
if x.any():
    print("At least one True element")

y = torch.tensor([5])
if y.item() > 0:
    print("Positive value")

data = torch.tensor([0.3, -1.2, 2.5, -0.1, 0.7, 1.1, -2.0, 0.05, -0.4, 1.9])
mask = data > 0
filtered = data[mask]
print(filtered)

if data > 0:
    print("positive")
