# source: https://apxml.com/courses/getting-started-with-pytorch/chapter-3-automatic-differentiation-autograd/tensors-gradient-calculation (Tensors and gradient calculation: the requires_grad attribute, at creation and with requires_grad_())
import torch

x = torch.tensor([1.0, 2.0, 3.0])
print(f"Tensor x: {x}")
print(f"x.requires_grad: {x.requires_grad}")

y = torch.tensor([4.0, 5.0, 6.0], requires_grad=False)
print(f"\nTensor y: {y}")
print(f"y.requires_grad: {y.requires_grad}")

w = torch.tensor([0.5, -1.0], requires_grad=True)
print(f"Tensor w: {w}")
print(f"w.requires_grad: {w.requires_grad}")

z = torch.tensor([7.0, 8.0])
z.requires_grad_(True)
print(f"\nTensor z after requires_grad_(): {z}")
print(f"z.requires_grad: {z.requires_grad}")

a = x * 2
b = w * 3
print(f"a = x * 2 requires grad: {a.requires_grad}, grad_fn: {a.grad_fn}")
print(f"b = w * 3 requires grad: {b.requires_grad}, grad_fn: {b.grad_fn}")
c = x + z[0]
print(f"c: {c}")
