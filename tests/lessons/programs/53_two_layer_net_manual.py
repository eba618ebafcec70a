# source: https://pytorch.org/tutorials/beginner/pytorch_with_examples.html (old "PyTorch: Tensors" warm-up, pytorch/tutorials:beginner_source/examples_tensor/two_layer_net_tensor.py)
# adapted: sizes shrunk from 64, 1000, 100, 10 to 4, 3, 5, 2; torch.randn data and weights replaced by fixed values; 50 steps, lr 1e-2, print every 10
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
                   [-0.3, 0.7, 0.5, -0.6, 0.4]], device=device, dtype=dtype)
w2 = torch.tensor([[0.5, -0.2],
                   [-0.3, 0.8],
                   [0.9, 0.1],
                   [0.2, -0.7],
                   [-0.4, 0.6]], device=device, dtype=dtype)

learning_rate = 1e-2
for t in range(50):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)

    loss = (y_pred - y).pow(2).sum().item()
    if t % 10 == 9:
        print(t, loss)

    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)

    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
