# source: composed for gradcli's corpus from the PyTorch docs on no_grad, set_grad_enabled and register_hook
# adapted: written for this corpus; numbers chosen by hand
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

@torch.no_grad()
def doubler(t):
    return t * 2

print(doubler(x).requires_grad)
torch.set_grad_enabled(False)
y = x * 2
print(y.requires_grad)
torch.set_grad_enabled(True)
with torch.enable_grad():
    y = x * 2
print(y.requires_grad, torch.is_grad_enabled())

grads = []
h = x.register_hook(lambda g: grads.append(g.clone()))
z = (x * x).sum()
z.backward(retain_graph=True)
h.remove()
z.backward()
print(len(grads), grads[0], x.grad)

u = x.detach()
u[0] = 5.0
print(x, u.requires_grad)
m = x * 1
m.retain_grad()
n = (m ** 2).sum()
torch.autograd.backward([n], [torch.tensor(2.0)])
print(m.grad, x.grad)
