# source: https://discuss.pytorch.org/t/pytorch-autograd-not-matching-with-computed-derivatives/187917 (two tanh steps; by-hand derivatives against autograd)
import torch
W_h = torch.tensor(2.0, requires_grad=True)
w_h = W_h.detach().item()
W_y = torch.tensor(40.0, requires_grad=True)
w_y = W_y.detach().item()
H0 = torch.tensor(0.5, requires_grad=False)
h0 = H0.item()
H1_raw = W_h * H0
h1_raw = H1_raw.item()
H1 = torch.tanh(H1_raw)
h1 = H1.detach().item()
H2_raw = W_h * H1
h2_raw = H2_raw.detach().item()
H2 = torch.tanh(H2_raw)
Y2 = W_y * H2
h2 = H2.detach().item()
Y2.backward()
dh0_dwh = 0
dh1raw_dwh = h0 + w_h * dh0_dwh
dh1_dwh = (1 - h1_raw**2) * dh1raw_dwh
dh2raw_dwh = h1 + w_h * dh1_dwh
dh2_dwh = (1 - h2_raw**2) * dh2raw_dwh
dwy_dwh = 0
dy2_dwh = h2 * dwy_dwh + w_y * dh2_dwh
dh2_dwy = 0
dy2_dwy = h2 + w_y * dh2_dwy
dy2 = 1
dw_y = h2 * 1
dh2 = w_y * 1
dh2_raw = (1 - h2_raw**2) * dh2
dh1 = w_h * dh2_raw
dh1_raw = (1 - h1_raw**2) * dh1
dw_h = h1 * dh2_raw + h0 * dh1_raw
print(W_h.grad, "<>", dy2_dwh, "<>", dw_h)
print(W_y.grad, "<>", dy2_dwy, "<>", dw_y)
# the answer: the derivative of tanh is 1 - tanh(u)**2, not 1 - u**2
dh1_raw = (1 - h1**2) * dh1
dh2_raw = (1 - h2**2) * dh2
dh1_raw = (1 - h1**2) * (w_h * dh2_raw)
print(W_h.grad, "<>", h1 * dh2_raw + h0 * dh1_raw)
