# source: https://pytorch.org/blog/pytorch-0_4_0-migration-guide/ ("Accumulating losses": total_loss += loss.item())
# adapted: the model/criterion training loop replaced by a hand-written linear model with fixed data (no nn, no optim)
import torch

w = torch.tensor([0.5], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
batches = [(torch.tensor([1.0, 2.0]), torch.tensor([3.0, 5.0])),
           (torch.tensor([3.0, 4.0]), torch.tensor([7.0, 9.0]))]

total_loss = 0
for epoch in range(3):
    for input, target in batches:
        output = w * input + b
        loss = ((output - target) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
        w.grad.zero_()
        b.grad.zero_()
        total_loss += loss.item()
    print(epoch, total_loss)
print(type(total_loss).__name__)
