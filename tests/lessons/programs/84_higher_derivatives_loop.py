# source: composed for gradcli's corpus from the PyTorch forum answer on n-th derivatives with torch.autograd.grad(create_graph=True)
# adapted: written for this corpus; numbers chosen by hand
import torch

def nth_derivative(f, wrt, n):
    for i in range(n):
        grads = torch.autograd.grad(f, wrt, create_graph=True)[0]
        f = grads.sum()
    return grads

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = (x ** 4).sum()
for k in range(1, 5):
    print(k, nth_derivative(y, x, k))
g, = torch.autograd.grad(y, x, create_graph=True)
print(g.requires_grad, g.grad_fn is not None)
try:
    torch.autograd.grad(y.detach(), x)
except RuntimeError as e:
    print("RuntimeError:", e)
w = torch.tensor(3.0, requires_grad=True)
out = torch.autograd.grad(x.sum() * 2, [x, w], allow_unused=True)
print(out)
