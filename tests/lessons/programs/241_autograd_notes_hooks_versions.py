# source: https://docs.pytorch.org/docs/stable/notes/autograd.html (Backward Hooks execution: tensor, grad_fn and post-accumulate-grad hooks, register_multi_grad_hook, in-place correctness checks, inference mode)
# adapted: the notes' snippets joined, every hook prints what it receives
import torch
a = torch.tensor(2.0, requires_grad=True)
b = a * 3
b.retain_grad()
print(b.retains_grad, a.retains_grad)
def post_acc(p):
    print('post accumulate', p.grad)
h = a.register_post_accumulate_grad_hook(post_acc)
c = b * b
c.backward()
print(a.grad, b.grad)
h.remove()
x = torch.ones(2, requires_grad=True)
y = torch.ones(2, requires_grad=True)
def multi(grads):
    print('multi', [None if g is None else g.tolist() for g in grads])
torch.autograd.graph.register_multi_grad_hook((x, y), multi)
(x * 2 + y * 3).sum().backward()
z = x * 2
print(z.grad_fn.name(), z.grad_fn.next_functions)
z.grad_fn.register_prehook(lambda go: print('prehook', go))
z.grad_fn.register_hook(lambda gi, go: print('hook', gi, go))
z.sum().backward()
v = torch.ones(3, requires_grad=True)
w = v.clone()
print(w._version)
w.add_(1)
print(w._version, w.grad_fn)
torch.autograd.graph.increment_version(w)
print(w._version)
print(torch.is_grad_enabled(), torch.is_inference_mode_enabled())
with torch.inference_mode():
    q = v * 2
print(q.requires_grad, q.is_inference())
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x.exp()
torch.autograd.graph.increment_version(y)
try:
    y.sum().backward()
except RuntimeError as e:
    print(str(e)[:160])
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = a * 1
c = b * b
torch.autograd.graph.increment_version(b)
try:
    c.sum().backward()
except RuntimeError as e:
    print(str(e)[:160])
print(b._version)
