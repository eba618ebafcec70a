# source: composed for gradcli's corpus from the course's linear-regression lesson and the PyTorch tutorial's manual weight update
# adapted: fixed data instead of torch.rand/torch.randn; 200 iterations
import torch

lr = 0.01
x = torch.linspace(-1, 1, 10)
y = 3 * x - 0.5
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
losses = []
for epoch in range(200):
    y_pred = w * x + b
    loss = ((y_pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
    losses.append(loss.item())
    if epoch % 50 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.6f}  w {w.item():+.4f}  b {b.item():+.4f}")
print(f"final loss {losses[-1]:.6f}, decreased: {losses[-1] < losses[0]}")
print(w, b)
