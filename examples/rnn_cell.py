# run: gradcli eval -f examples/rnn_cell.py --W_h "randn(20,20)" --W_x "randn(20,10)" --x "randn(1,10)" --prev_h "randn(1,20)" --no-grad x,prev_h --seed 0
# The course's dynamic-graph example: one step of an RNN cell.
# x and prev_h do not require grad, so prev_h.t() and x.t() are leaves with no grad_fn.
import torch
h2h = torch.mm(W_h, prev_h.t())
i2h = torch.mm(W_x, x.t())
next_h = h2h + i2h
next_h = next_h.tanh()
loss = next_h.sum()
loss.backward()
