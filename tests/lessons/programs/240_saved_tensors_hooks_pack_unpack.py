# source: https://docs.pytorch.org/docs/stable/notes/autograd.html#hooks-for-saved-tensors and https://pytorch.org/tutorials/intermediate/autograd_saved_tensors_hooks_tutorial.html (pack/unpack hooks, save_on_cpu, nested hooks)
# adapted: the tutorial's packing to disk replaced by packing into Python values; every hook call recorded and printed
import torch
calls = []
def pack(x):
    calls.append(('pack', x.shape))
    return (x.shape, x.tolist(), x.dtype)
def unpack(p):
    shape, data, dtype = p
    calls.append(('unpack', shape))
    return torch.tensor(data, dtype=dtype).reshape(shape)

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = x.pow(2)
    z = y.exp() * x
    w = torch.sin(z).sum()
w.backward(retain_graph=True)
print(x.grad)
w.backward()
print(x.grad)
print(calls)

def pack2(t):
    return t * 2
def unpack2(t):
    return t / 2
a = torch.ones(3, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack2, unpack2):
    b = (a * a).sum()
b.backward()
print(a.grad)

def bad_unpack(t):
    return 3
with torch.autograd.graph.saved_tensors_hooks(lambda t: t, bad_unpack):
    c = (a * a).sum()
try:
    c.backward()
except Exception as e:
    print(type(e).__name__, e)

with torch.autograd.graph.save_on_cpu(pin_memory=False):
    d = (a.exp() * a).sum()
d.backward()
print(a.grad)

def outer_pack(t):
    print('outer', t.shape)
    return t
def inner_pack(t):
    print('inner', t.shape)
    return t
with torch.autograd.graph.saved_tensors_hooks(outer_pack, lambda t: t):
    e = a * 3
    with torch.autograd.graph.saved_tensors_hooks(inner_pack, lambda t: t):
        f = e.sigmoid()
    g = torch.mm(f.view(1, 3), torch.ones(3, 2, requires_grad=True))
g.sum().backward()
