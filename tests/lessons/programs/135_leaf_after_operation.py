# source: https://discuss.pytorch.org/t/how-to-define-a-leaf-tensor-in-pytorch-0-4-1/28461 (the ordering of requires_grad and an operation decides is_leaf)
# adapted: the interactive lines as statements; is_leaf printed where the answer states it in a comment
import torch

x = torch.tensor([1.0], requires_grad=True)
y = x * 2 # is_leaf = False
print(y)
print(y.is_leaf)

x = torch.tensor([1.0])
y = x * 2
print(y)
y.requires_grad = True # is_leaf = True
print(y)
print(y.is_leaf)
