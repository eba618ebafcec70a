# Gradient checkpointing as blog posts suggest it instead of in-place ops, then a custom
# Function written in the pre-1.3 style (non-static forward), which PyTorch refuses.
import torch
from torch.utils.checkpoint import checkpoint


def custom_forward(x, scale=2.0):
    y = x * scale
    y = y + 1
    return y


x = torch.tensor([1.0, -2.0], requires_grad=True)
z = checkpoint(custom_forward, x, use_reentrant=False)
z.sum().backward()
print(z, x.grad)
w = checkpoint(custom_forward, x, 3.0, use_reentrant=False)
print(w, w.grad_fn)


class MyReLU(torch.autograd.Function):
    def forward(self, input_):
        self.save_for_backward(input_)
        return input_.clamp(min=0)

    def backward(self, grad_output):
        input_, = self.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input_ <= 0] = 0
        return grad_input


try:
    MyReLU()(x)
except RuntimeError as e:
    print("RuntimeError:", e)
print(MyReLU()(x))
