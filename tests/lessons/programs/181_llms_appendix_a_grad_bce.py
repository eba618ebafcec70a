# source: https://github.com/LloydS827/WhysAI-LLMFS-CB (CB02-4 Part Two: Autograd Engine, after rasbt/LLMs-from-scratch appendix A: 'manual' grad with torch.autograd.grad, then backward)
# adapted: notebook cells that only display a value wrapped in print()
import torch
import torch.nn.functional as F
from torch.autograd import grad

y = torch.tensor([1.0])
x1 = torch.tensor([1.1])
w1 = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)

z = x1 * w1 + b
a = torch.sigmoid(z)

loss = F.binary_cross_entropy(a, y)
print(loss)

w1_grad = grad(loss, w1, retain_graph=True)
b_grad = grad(loss, b, retain_graph=True)
print(w1_grad, b_grad)

loss.backward()
print(w1.grad, b.grad)
print(x1.grad)
