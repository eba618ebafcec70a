# source: https://pytorch.org/docs/stable/generated/torch.autograd.gradcheck.gradcheck.html (double-precision inputs for gradcheck)
# adapted: torch.randn(20, 20, dtype=torch.double) inputs replaced by small fixed float64 tensors; a hand-written function instead of torch.nn.functional.linear
import torch
from torch.autograd import gradcheck

def linear(input, weight):
    return input.mm(weight.t()).tanh()

input = (torch.tensor([[0.1, -0.2, 0.3], [0.5, 0.4, -0.6]], dtype=torch.double, requires_grad=True),
         torch.tensor([[0.7, 0.1, -0.3], [0.2, -0.5, 0.9]], dtype=torch.double, requires_grad=True))
test = gradcheck(linear, input, eps=1e-6, atol=1e-4)
print(test)
out = linear(*input)
print(out)
print(out.dtype)
