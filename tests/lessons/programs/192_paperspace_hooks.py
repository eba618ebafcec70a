# source: https://blog.paperspace.com/pytorch-hooks-gradient-clipping-debugging/ (Debugging and Visualisation in PyTorch using Hooks: hooks on tensors print and change the gradient)
import torch

a = torch.ones(5)
a.requires_grad = True

b = 2 * a
b.retain_grad()

c = b.mean()

c.register_hook(lambda grad: print(grad))
b.register_hook(lambda grad: print(grad))
c.backward()
print(a.grad, b.grad)

a = torch.ones(5)
a.requires_grad = True
b = 2 * a
b.retain_grad()
b.register_hook(lambda x: print(x))
b.mean().backward()
print(a.grad, b.grad)

a.grad.zero_()
b = 2 * a
b.retain_grad()
b.register_hook(lambda grad: grad * 2)
b.mean().backward()
print(a.grad, b.grad)
