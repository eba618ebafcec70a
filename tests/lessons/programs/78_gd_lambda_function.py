# source: https://www.book-ai.org/books/neural-networks/chapter-02/section-04 (Autograd Basics: f(x) = 1/2 (x - 3)^2, derivative zero at the minimum x = 3)
# adapted: the interactive visualisation replaced by a gradient-descent loop on the same function
import torch

f = lambda x: 0.5 * (x - 3) ** 2

x = torch.tensor(0.0, requires_grad=True)
lr = 0.5
history = []
for step in range(8):
    y = f(x)
    y.backward()
    history.append(round(x.item(), 4))
    with torch.no_grad():
        x -= lr * x.grad
    x.grad.zero_()
print(history)
print(f"x = {x.item():.6f}, f(x) = {f(x).item():.3e}")
print(torch.stack([f(torch.tensor(v)) for v in [1.0, 2.0, 3.0]]).tolist())
