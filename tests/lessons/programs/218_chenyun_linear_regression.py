# source: https://github.com/chenyuntc/pytorch-book (chapter3-Tensor和autograd, Autograd.ipynb, 用Variable实现线性回归: get_fake_data, x.mm(w) + b.expand_as(y), w.data.sub_, w.grad.data.zero_())
# adapted: 8000 iterations cut to 500 and the plotting removed
import torch as t

t.manual_seed(1000)

def get_fake_data(batch_size=8):
    x = t.rand(batch_size, 1) * 5
    y = x * 2 + 3 + t.randn(batch_size, 1)
    return x, y

x, y = get_fake_data()
print(x.squeeze(), y.squeeze())

w = t.rand(1, 1, requires_grad=True)
b = t.zeros(1, 1, requires_grad=True)
losses = []

lr = 0.005
for ii in range(500):
    x, y = get_fake_data(batch_size=32)

    y_pred = x.mm(w) + b.expand_as(y)
    loss = 0.5 * (y_pred - y) ** 2
    loss = loss.sum()
    losses.append(loss.item())

    loss.backward()

    w.data.sub_(lr * w.grad.data)
    b.data.sub_(lr * b.grad.data)

    w.grad.data.zero_()
    b.grad.data.zero_()

print(w.item(), b.item())
print(losses[0], losses[-1])
