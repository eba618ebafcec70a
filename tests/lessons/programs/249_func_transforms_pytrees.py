# torch.func beyond single tensors: grad over a dict of parameters (per-sample gradients
# with vmap and functional_call, buffers included), vjp of functions returning tuples and
# dicts, jacrev/jacfwd with has_aux and tuple argnums, nested jacrev, linearize, and
# autograd.grad with is_grads_batched; Python's random module seeded as in the tutorials.
import random

import torch
import torch.nn as nn
from torch.func import functional_call, grad, jacfwd, jacrev, linearize, vjp, vmap

torch.manual_seed(0)
random.seed(3)
print(random.randint(1, 6), random.random(), random.choice(["a", "b", "c"]))
items = [1, 2, 3, 4, 5]
random.shuffle(items)
print(items, random.sample(range(10), 3))

model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 1))
model.eval()
params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}
print(list(buffers), list(model.state_dict()))
data, targets = torch.randn(5, 3), torch.randn(5, 1)


def loss_of(params, buffers, sample, target):
    out = functional_call(model, (params, buffers), (sample.unsqueeze(0),))
    return ((out - target.unsqueeze(0)) ** 2).mean()


per_sample = vmap(grad(loss_of), in_dims=(None, None, 0, 0))(params, buffers, data, targets)
print({k: v.shape for k, v in per_sample.items()})
print(per_sample["3.bias"])
g_tuple = grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(torch.ones(2), torch.arange(2.))
print(g_tuple)
g_aux = grad(lambda a: ((a ** 2).sum(), a.mean()), has_aux=True)(torch.arange(3.))
print(g_aux)

x = torch.randn(4)
out, fn = vjp(lambda t: (t.sin(), t.cos()), x)
print(fn((torch.ones(4), torch.ones(4))))
out, fn = vjp(lambda t: {"s": t.sin(), "c": t.cos()}, x)
print(fn({"s": torch.ones(4), "c": torch.zeros(4)}))
jac, aux = jacrev(lambda t: (t.sin(), t.sum()), has_aux=True)(x)
print(jac, aux)
print(jacfwd(lambda t: t.cos() * 2)(x).diagonal())
print(jacrev(lambda a, b: a * b ** 2, argnums=(0, 1))(x, x + 1)[1])
print(jacrev(jacrev(lambda t: (t.sin() ** 2).sum()))(x).diagonal())
value, jvp_fn = linearize(lambda t: t.exp(), x)
print(value, jvp_fn(torch.ones(4)))

z = torch.randn(2, 2, requires_grad=True)
s = (z * z).sum()
batched, = torch.autograd.grad(s, (z,), (torch.arange(3.),), is_grads_batched=True)
print(batched)
try:
    torch.autograd.grad(z * 2, z, torch.ones(2, 2), is_grads_batched=True)
except RuntimeError as e:
    print("RuntimeError:", str(e)[:80])
lin = nn.Linear(2, 1)
print(torch.autograd.grad(lin(torch.ones(1, 2)).sum(), lin.parameters()))
J = torch.zeros(2, 2)
J[0] = torch.tensor([[1.0, 2.0]])
print(J, z.retain_grad)
print(torch.func.hessian(lambda t: (t ** 3).sum())(x))
print(jacfwd(jacrev(lambda t: t.sin().sum()))(x))
