# source: composed for gradcli's corpus from the course's gradient-descent lesson (scalar parameters updated through .data)
# adapted: written for this corpus; numbers chosen by hand
import torch
w = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(0.5, requires_grad=True)
for i in range(3):
    loss = (w * 2 + b - 3) ** 2
    loss.backward()
    w.data.sub_(0.1 * w.grad)
    b.data = b.data - 0.1 * b.grad
    w.grad.data.zero_()
    b.grad.zero_()
    print(i, w, b, loss.item())
d = w.detach()
d += 1
print(w, w.grad)
