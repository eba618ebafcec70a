# source: https://docs.pytorch.org/docs/stable/autograd.html#function (torch.autograd.Function example: Exp with ctx.save_for_backward)
# adapted: a call of Exp.apply on a fixed tensor and a backward added to use the class
import torch
from torch.autograd import Function

class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result

# Use it by calling the apply method:
input = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
output = Exp.apply(input)
print(output)
output.sum().backward()
print(input.grad)
