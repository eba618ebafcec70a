# source: the course notes' dynamic-graph example (an RNN cell), as in gradcli's SEEDS.md
# adapted: torch.manual_seed(0) added so the random weights are reproducible; prints added
import torch

torch.manual_seed(0)
W_h = torch.randn(20, 20, requires_grad=True)
W_x = torch.randn(20, 10, requires_grad=True)
x = torch.randn(1, 10)
prev_h = torch.randn(1, 20)
h2h = torch.mm(W_h, prev_h.t())
i2h = torch.mm(W_x, x.t())
next_h = h2h + i2h
next_h = next_h.tanh()
loss = next_h.sum()
loss.backward()
print(h2h.grad_fn, i2h.grad_fn, next_h.grad_fn, loss.grad_fn)
print(x.t().is_leaf, prev_h.t().grad_fn, W_h.grad.shape, W_x.grad.shape)
print(W_x.grad[:2])
print(W_h[0, :4])
