# source: https://www.bilibili.com/video/BV1Y7411d7Ys (刘二大人 PyTorch深度学习实践, lecture 4 反向传播 homework: y = w1 x^2 + w2 x + b, as typed in a student's notes)
# adapted: matplotlib lines removed (the PyTorch reference venv has no matplotlib, so record.py cannot run them)
import torch


x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

learning_rate = 0.001

w1 = torch.Tensor([1.0])
w1.requires_grad = True
w2 = torch.Tensor([1.0])
w2.requires_grad = True
b = torch.Tensor([1.0])
b.requires_grad = True

def forward(x):
    return w1 * x**2 + w2 * x + b

def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2

print('Predict (before training)', 4, forward(4).item())
loss_list = []
epoch_list = []
for epoch in range(100):
    for x, y in zip(x_data, y_data):
        l = loss(x, y)
        l.backward()
        print('\tgrad:', x, y, w1.grad.item(), w2.grad.item())
        w1.data = w1.data - learning_rate * w1.grad.data
        w2.data = w2.data - learning_rate * w2.grad.data
        b.data = b.data - learning_rate * b.grad.data

        w1.grad.data.zero_()
        w2.grad.data.zero_()
        b.grad.data.zero_()

        loss_list.append(l.data)
        epoch_list.append(epoch)
        print('Progress:', epoch, l.item())
print('Predict (after training)', 4, forward(4).item())


