# source: https://smrati.github.io/using-pytorch-to-compute-gradient.html (Computing gradient using pytorch: y = 3x^2 + 2x + 1 at x = 2)
# adapted: the notebook's bare x.grad wrapped in print()
import torch
x = torch.tensor([[2.]], requires_grad=True)
y = 3*(x**2) + 2*x +1
y.backward()
print(x.grad)
