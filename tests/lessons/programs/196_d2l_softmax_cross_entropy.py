# source: https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html (d2l-ai/d2l-en, softmax and cross_entropy by hand, PyTorch tab; 0.17 edition's accuracy)
# adapted: the unseeded torch.rand((2, 5)) replaced by a fixed tensor; a requires_grad copy of y_hat added to show the gradient of the loss
import torch

def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition

X = torch.tensor([[0.1, 0.7, 0.3, 0.9, 0.2], [0.5, 0.4, 0.8, 0.05, 0.6]])
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])

def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()

print(cross_entropy(y_hat, y))

def accuracy(y_hat, y):
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

print(accuracy(y_hat, y) / len(y))

logits = X[:, :3].clone().requires_grad_(True)
loss = cross_entropy(softmax(logits), y)
loss.backward()
print(loss, logits.grad)
