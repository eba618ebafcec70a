# source: https://github.com/lhycms/Deep_Learning_Notes (RuntimeError: a leaf Variable that requires grad is being used in an in-place operation: 区分叶子节点, clone, torch.no_grad)
# adapted: the notebook cell that raised (x += 1) wrapped in try/except printing the error
import torch

# leaf variable
w = torch.tensor([1.0, 2.0, 3.0])

# also leaf variable
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# not a leaf variable
y = x + 1

print(w.is_leaf, x.is_leaf, y.is_leaf)

try:
    x += 1  # in-place
except RuntimeError as e:
    print("RuntimeError:", e)
y = x + 1 # not in place

x2 = x.clone()  # clone the variable
x2 += 1  # in-place operation
print(x2)

with torch.no_grad():
    x += 1
    print(x)
    print(x.requires_grad)
print(x)
print(x.requires_grad)
