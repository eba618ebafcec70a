# source: https://pytorch.org/docs/stable/generated/torch.autograd.backward.html (several tensors with grad_tensors)
# adapted: a small example written around the documented signature
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y1 = x * 2
y2 = (x ** 2).sum()
torch.autograd.backward([y1, y2], [torch.tensor([1.0, 0.5, 0.25]), torch.tensor(1.0)])
print(x.grad)

x.grad.zero_()
torch.autograd.backward((x ** 3).sum())
print(x.grad)
