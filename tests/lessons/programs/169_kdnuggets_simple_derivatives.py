# source: https://www.kdnuggets.com/2018/05/simple-derivatives-pytorch.html (Simple Derivatives with PyTorch, Matthew Mayo: 5x^4 + 3x^3 + 7x^2 + 9x - 5 at x = 2)
# adapted: notebook cells that only display x.grad wrapped in print()
import torch
from torch.autograd import Variable

x = Variable(torch.Tensor([2]), requires_grad=True)
y = 5*x**4 + 3*x**3 + 7*x**2 + 9*x - 5

y.backward()
print(x.grad)
