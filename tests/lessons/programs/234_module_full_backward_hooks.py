# source: https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook (register_full_backward_hook / register_full_backward_pre_hook)
# adapted: the documented hook signatures on a seeded Sequential: inspect, replace grad_input, pre-hook, remove, no input requiring grad
import torch
import torch.nn as nn
torch.manual_seed(3)
net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))

def show(module, grad_input, grad_output):
    print(type(module).__name__, [None if g is None else tuple(g.shape) for g in grad_input],
          [g.shape for g in grad_output])

def double(module, grad_input, grad_output):
    return tuple(g * 2 for g in grad_input)

def pre(module, grad_output):
    print('pre', grad_output)

handles = [m.register_full_backward_hook(show) for m in net]
h2 = net[1].register_full_backward_hook(double)
h3 = net[2].register_full_backward_pre_hook(pre)
x = torch.randn(2, 3)
y = net(x)
print(y.grad_fn)
print(y.grad_fn.next_functions)
y.sum().backward()
print(net[0].weight.grad)
x2 = torch.randn(2, 3, requires_grad=True)
y2 = net(x2)
y2.sum().backward()
print(x2.grad)
for h in handles:
    h.remove()
h2.remove(); h3.remove()
x2.grad = None
net(x2).sum().backward()
print(x2.grad)
m = nn.Linear(2, 2)
m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0,))
z = torch.ones(1, 2, requires_grad=True)
m(z).sum().backward()
print(z.grad)
