# source: https://pytorch.org/docs/stable/generated/torch.nn.RNN.html (and torch.nn.LSTM, torch.nn.GRU, torch.nn.RNNCell, torch.nn.LSTMCell, torch.nn.GRUCell: the Examples sections)
# adapted: sizes of the examples kept; large outputs printed as shapes, sums and slices
import torch
import torch.nn as nn

torch.manual_seed(0)
rnn = nn.RNN(10, 20, 2)
input = torch.randn(5, 3, 10)
h0 = torch.randn(2, 3, 20)
output, hn = rnn(input, h0)
print(rnn)
print(output.shape, hn.shape)
print(output[-1, 0, :5])
print(hn[0, :, :4])
print(output.grad_fn, hn.grad_fn)
for name, param in rnn.named_parameters():
    print(name, param.shape)

lstm = nn.LSTM(10, 20, 2)
input = torch.randn(5, 3, 10)
h0 = torch.randn(2, 3, 20)
c0 = torch.randn(2, 3, 20)
output, (hn, cn) = lstm(input, (h0, c0))
print(output.shape, hn.shape, cn.shape)
print(output[0, 0, :6])
print(cn[1, 2, :6])

gru = nn.GRU(10, 20, 2)
input = torch.randn(5, 3, 10)
h0 = torch.randn(2, 3, 20)
output, hn = gru(input, h0)
print(output.shape, hn.shape)
print(output[4, 1, :6])
(output.sum() + hn.sum()).backward()
print(gru.weight_hh_l0.grad[:2, :4])
print(gru.bias_ih_l1.grad[:6])

rnn = nn.RNNCell(10, 20)
input = torch.randn(6, 3, 10)
hx = torch.randn(3, 20)
output = []
for i in range(6):
    hx = rnn(input[i], hx)
    output.append(hx)
print(len(output), output[-1][0, :5])

rnn = nn.LSTMCell(10, 20)  # (input_size, hidden_size)
input = torch.randn(2, 3, 10)  # (time_steps, batch, input_size)
hx = torch.randn(3, 20)  # (batch, hidden_size)
cx = torch.randn(3, 20)
output = []
for i in range(input.size()[0]):
    hx, cx = rnn(input[i], (hx, cx))
    output.append(hx)
output = torch.stack(output, dim=0)
print(output.shape, output[1, 2, :5])
print(hx.grad_fn, cx.grad_fn)

rnn = nn.GRUCell(10, 20)
input = torch.randn(6, 3, 10)
hx = torch.randn(3, 20)
output = []
for i in range(6):
    hx = rnn(input[i], hx)
    output.append(hx)
print(hx[2, :5], hx.grad_fn)
hx.pow(2).mean().backward()
print(rnn.weight_ih.grad.shape, rnn.bias_hh.grad[:5])

# batch_first, bidirectional, unbatched input, relu, no bias
m = nn.RNN(3, 4, batch_first=True, bidirectional=True)
print(m)
out, h = m(torch.randn(2, 5, 3))
print(out.shape, h.shape, out.grad_fn)
print(out[1, 4])
m = nn.GRU(3, 2, bias=False)
print(m, m(torch.randn(4, 3))[0])
m = nn.RNN(3, 2, nonlinearity="relu", num_layers=2, dropout=0.5)
print(m)
print(m(torch.randn(3, 1, 3))[1])
m.eval()
print(m(torch.randn(3, 1, 3))[1])
cell = nn.RNNCell(3, 2, nonlinearity="relu", bias=False)
print(cell, cell(torch.randn(3)))
try:
    nn.LSTM(3, 4)(torch.randn(5, 2, 6))
except RuntimeError as e:
    print(e)
try:
    nn.GRU(3, 4)(torch.randn(5, 2, 3), torch.zeros(1, 3, 4))
except RuntimeError as e:
    print(e)
