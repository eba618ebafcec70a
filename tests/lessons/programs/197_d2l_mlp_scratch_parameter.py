# source: https://d2l.ai/chapter_multilayer-perceptrons/mlp-implementation.html (d2l 0.17 edition, 4.2 Implementation of MLPs from Scratch, PyTorch tab: nn.Parameter weights, relu via torch.max)
# adapted: torch.manual_seed(0) added; Fashion-MNIST replaced by 4 seeded random images of 8 pixels, 16 hidden units and 3 classes; one step of the sgd update
import torch
from torch import nn

torch.manual_seed(0)
num_inputs, num_outputs, num_hiddens = 8, 3, 16

W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))

params = [W1, b1, W2, b2]

def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)

def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)
    return (H @ W2 + b2)

loss = nn.CrossEntropyLoss(reduction='none')

X = torch.randn(4, 2, 4)
y = torch.tensor([0, 2, 1, 2])
l = loss(net(X), y)
print(l)
l.mean().backward()
print(W1.is_leaf, W2.grad.shape, b2.grad)

lr = 0.1
with torch.no_grad():
    for param in params:
        param -= lr * param.grad
        param.grad.zero_()
print(b2)
