# The course's linear-regression lesson: 20 points, 1000 iterations of gradient descent
# by hand (w.data.sub_(lr * w.grad), .grad.zero_()). Data are fixed instead of random, so
# gradcli and PyTorch print the same numbers.
import torch

lr = 0.05
x = torch.linspace(0, 10, 20).reshape(20, 1)
y = 2 * x + (5 + torch.sin(3 * x))
w = torch.tensor([0.5], requires_grad=True)
b = torch.zeros((1), requires_grad=True)

for iteration in range(1000):
    # forward
    wx = torch.mul(w, x)
    y_pred = torch.add(wx, b)
    # MSE loss
    loss = (0.5 * (y - y_pred) ** 2).mean()
    # backward
    loss.backward()
    # update
    b.data.sub_(lr * b.grad)
    w.data.sub_(lr * w.grad)
    # zero the gradients
    w.grad.zero_()
    b.grad.zero_()
    if iteration % 200 == 0:
        print(f"iteration {iteration}: loss {loss.item():.4f}")

print(f"w = {w.item():.4f}, b = {b.item():.4f}, loss = {loss.item():.4f}")
