# source: composed for gradcli's corpus from the course's lesson on in-place operations
# adapted: written for this corpus; numbers chosen by hand
import torch

w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
h = w * 2
h.zero_()
print(h, h.grad_fn)
g = w * 3
g.fill_(0.5)
out = (h + g * w).sum()
out.backward()
print(w.grad)
a = w.clone()
a[1] = 10.0
print(a, a.grad_fn)
a.sum().backward()
print(w.grad)
b = w.exp()
b.add_(1)
print(b.grad_fn, b.is_leaf)
b.sum().backward()
print(w.grad)
