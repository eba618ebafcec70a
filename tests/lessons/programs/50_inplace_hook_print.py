# source: https://discuss.pytorch.org/t/how-in-place-operation-affects-autograd/31173 (c *= b then in-place ReLU, c.register_hook(print))
# adapted: relu = nn.ReLU(inplace=True) replaced by torch.relu_ (the same in-place op without a module)
import torch

a = torch.tensor([-2, -1, 0.0, 1, 2], dtype=torch.float, requires_grad=True)
b = torch.tensor([1., 2, 3, 4, 5], dtype=torch.float, requires_grad=True)
c = a * 2
c *= b  # The gradient of vector b relies on the value of c
c = torch.relu_(c)
y = torch.sum(c)
c.register_hook(print)
y.backward()
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print(c)
