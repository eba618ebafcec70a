# source: https://github.com/qcao10/Pytorch (Try to solve XOR problem with Neural Network: numpy arrays to double tensors, torch.rand weights, sigmoid(x.mm(w1)).mm(w2))
# adapted: torch.manual_seed(1) added for the torch.rand weights; 50001 steps cut to 5001, printing every 1000
import numpy as np
import torch
np.random.seed(1)

x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
x = torch.from_numpy(x)
x = x.double()
print(x)

y = np.array([[0, 1, 1, 0]]).T
y = torch.from_numpy(y)
y = y.double()
print(y)

def sigmoid(x):
    return 1.0 / (1 + torch.exp(-x))

learning_rate = 1e-2

torch.manual_seed(1)
w1 = torch.rand(3, 2, requires_grad=True, dtype=torch.double)
w2 = torch.rand(2, 1, requires_grad=True, dtype=torch.double)

for i in range(5001):
    y_pred = sigmoid(x.mm(w1)).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if (i % 1000 == 0):
        print(i, loss.item())
    loss.backward()
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()

print(y_pred)
