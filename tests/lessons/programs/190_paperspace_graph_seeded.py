# source: https://blog.paperspace.com/pytorch-101-understanding-graphs-and-automatic-differentiation/ (PyTorch 101, Part 1: the graph of a, w1..w4, L = 10 - d; grad_fn of leaves and non-leaves; L.backward(torch.ones(L.shape)))
# adapted: torch.manual_seed(0) added so the random tensors are reproducible; prints of the grads added
import torch

torch.manual_seed(0)
a = torch.randn((3, 3), requires_grad=True)

w1 = torch.randn((3, 3), requires_grad=True)
w2 = torch.randn((3, 3), requires_grad=True)
w3 = torch.randn((3, 3), requires_grad=True)
w4 = torch.randn((3, 3), requires_grad=True)

b = w1 * a
c = w2 * a

d = w3 * b + w4 * c

L = 10 - d

print("The grad fn for a is", a.grad_fn)
print("The grad fn for d is", d.grad_fn)

L.backward(torch.ones(L.shape))
print(a.grad)
print(w1.grad)
print(torch.allclose(a.grad, -(w3 * w1 + w4 * w2)))
