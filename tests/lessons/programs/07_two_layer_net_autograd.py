# source: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html (pytorch/tutorials:beginner_source/examples_autograd/two_layer_net_autograd.py)
# adapted: sizes shrunk from N, D_in, H, D_out = 64, 1000, 100, 10 to 4, 3, 5, 2; torch.randn data and weights replaced by fixed values; 50 steps, lr 1e-2, print every 10
import torch

dtype = torch.float
device = torch.device("cpu")

N, D_in, H, D_out = 4, 3, 5, 2

x = torch.tensor([[0.5, -1.0, 2.0],
                  [1.5, 0.3, -0.7],
                  [-0.2, 0.8, 0.1],
                  [1.0, 1.0, -1.0]], device=device, dtype=dtype)
y = torch.tensor([[1.0, 0.0],
                  [0.0, 1.0],
                  [0.5, 0.5],
                  [-1.0, 2.0]], device=device, dtype=dtype)

w1 = torch.tensor([[0.2, -0.5, 0.3, 0.8, -0.1],
                   [0.6, 0.1, -0.4, 0.2, 0.9],
                   [-0.3, 0.7, 0.5, -0.6, 0.4]], device=device, dtype=dtype, requires_grad=True)
w2 = torch.tensor([[0.5, -0.2],
                   [-0.3, 0.8],
                   [0.9, 0.1],
                   [0.2, -0.7],
                   [-0.4, 0.6]], device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-2
for t in range(50):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)

    loss = (y_pred - y).pow(2).sum()
    if t % 10 == 9:
        print(t, loss.item())

    loss.backward()

    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad

        w1.grad.zero_()
        w2.grad.zero_()
