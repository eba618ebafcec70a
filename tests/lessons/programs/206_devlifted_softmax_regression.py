# source: https://devlifted.com/blog/logistic-regression-from-scratch-pytorch (Logistic Regression from Scratch in PyTorch: W, b with requires_grad, logits = X @ W + b, log-softmax by hand, manual update)
# adapted: the TF-IDF features replaced by seeded random 6 x 4 inputs and 3 classes
import torch

torch.manual_seed(0)
N, d, C = 6, 4, 3
X = torch.randn(N, d)
y = torch.tensor([0, 1, 2, 1, 0, 2])

W = torch.zeros(d, C, requires_grad=True)
b = torch.zeros(C, requires_grad=True)
lr = 0.5

for step in range(30):
    logits = X @ W + b
    logits = logits - logits.max(dim=1, keepdim=True).values
    log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    loss = -log_probs[torch.arange(N), y].mean()
    loss.backward()
    with torch.no_grad():
        W -= lr * W.grad
        b -= lr * b.grad
        W.grad.zero_()
        b.grad.zero_()
    if step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")

preds = (X @ W + b).argmax(dim=1)
print(preds, (preds == y).float().mean().item())
