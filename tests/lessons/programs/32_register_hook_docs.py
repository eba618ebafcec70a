# source: https://pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html (example)
# adapted: doctest turned into a script with print(); a second backward after h.remove() added
import torch

v = torch.tensor([0., 0., 0.], requires_grad=True)
h = v.register_hook(lambda grad: grad * 2)  # double the gradient
v.backward(torch.tensor([1., 2., 3.]))
print(v.grad)

h.remove()  # removes the hook
v.backward(torch.tensor([1., 2., 3.]))
print(v.grad)
