# source: https://yumpu.com/en/document/view/68632516/daniel-voigt-godoy-deep-learning-with-pytorch-step-by-step-a-beginners-guide-leanpub/113 (Deep Learning with PyTorch Step-by-Step, chapter 1: autograd, requires_grad, grad, zero_, Notebook Cell 1.6)
# adapted: the 80 training points (np.random.rand + noise, true_b = 1, true_w = 2) replaced by 10 fixed points; b and w start from fixed values instead of torch.randn(1) after manual_seed(42); device dropped (CPU)
import torch

x_train_tensor = torch.tensor([[0.05], [0.14], [0.23], [0.31], [0.42], [0.55], [0.61], [0.72], [0.86], [0.95]])
y_train_tensor = torch.tensor([[1.08], [1.31], [1.42], [1.59], [1.87], [2.12], [2.20], [2.47], [2.69], [2.93]])

lr = 0.1

b = torch.tensor([0.3367], requires_grad=True, dtype=torch.float)
w = torch.tensor([0.1288], requires_grad=True, dtype=torch.float)

yhat = b + w * x_train_tensor
error = (yhat - y_train_tensor)
loss = (error ** 2).mean()
loss.backward()

print(error.requires_grad, yhat.requires_grad, b.requires_grad, w.requires_grad)
print(y_train_tensor.requires_grad, x_train_tensor.requires_grad)
print(b.grad, w.grad)

n_epochs = 1000

for epoch in range(n_epochs):
    yhat = b + w * x_train_tensor
    error = (yhat - y_train_tensor)
    loss = (error ** 2).mean()

    loss.backward()

    with torch.no_grad():
        b -= lr * b.grad
        w -= lr * w.grad

    b.grad.zero_()
    w.grad.zero_()

print(b, w)
