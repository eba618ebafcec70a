# source: https://discuss.pytorch.org/t/inplace-operation-changes-is-leaf-attribute/120297
# adapted: c = torch.randn(10, 3, 2, 32, requires_grad=True) replaced by a small fixed tensor; index_copy_ case dropped; the caught errors are printed (the post printed the class)
import torch

c = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.0, -0.25]], requires_grad=True)
print(c.is_leaf)
# operation 1
try:
    c += 1
except RuntimeError as e:
    print(e)
# operation 2
try:
    torch.add(c, 1, out=c)
except RuntimeError as e:
    print(e)
# operation 3
try:
    c.add_(1)
except RuntimeError as e:
    print(e)
# operation 5
d = c.detach()
d += 1 # no error, and still leaf
print(c.is_leaf)
print(c)
# operation 6
try:
    c[:] += 1
except RuntimeError as e:
    print(e)
print(c.is_leaf)
