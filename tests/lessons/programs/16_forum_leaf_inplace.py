# source: https://discuss.pytorch.org/t/leaf-variable-was-used-in-an-inplace-operation/308/2
# adapted: the erroring "x += 1" is wrapped in try/except so the lesson continues; values printed
import torch

w = torch.tensor([1.0, 2.0, 3.0]) # leaf variable
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True) # also leaf variable
y = x + 1 # not a leaf variable
print(w.is_leaf, x.is_leaf, y.is_leaf)

try:
    x += 1 # in-place
except RuntimeError as e:
    print(e)
y = x + 1 # not in place

x2 = x.clone() # clone the variable
x2 += 1 # in-place operation
print(x2)

with torch.no_grad():
    x += 1
print(x)
print(x.requires_grad, x.is_leaf)
