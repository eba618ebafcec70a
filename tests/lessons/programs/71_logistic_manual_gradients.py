# source: https://github.com/MahdiTabesh/ml-algorithms-from-scratch (Vanilla Gradient Descent: logistic regression with manual gradients)
# adapted: w = torch.randn(1), b = torch.randn(1) replaced by fixed values (torch.manual_seed kept)
import torch
torch.manual_seed(42)

#Dataset
x = torch.tensor([0, 1, 2, 3])
y = torch.tensor([0, 0, 1, 1])

#Parameters
w = torch.tensor([0.3367])
b = torch.tensor([0.1288])

#Hyperparameters
epochs = 50
lr = 0.1

#training loop
for epoch in range(epochs+1):
    z = x * w + b
    y_hat = torch.sigmoid(z)

    loss = -(y*torch.log(y_hat + 1e-8) + (1-y) * torch.log(1-y_hat + 1e-8)).mean()

    dz = y_hat - y
    dw = (x * dz).mean()
    db = dz.mean()

    #gradient Update
    w -= lr * dw
    b -= lr * db

    if epoch % 10 == 0:
        print(f'Loss in epoch {epoch} is : {loss.item():.4f}')

print(w, b)
