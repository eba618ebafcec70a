# source: https://d2l.ai/chapter_linear-networks/linear-regression-scratch.html (d2l 0.17 edition, PyTorch tab)
# adapted: synthetic_data's torch.normal features/noise replaced by 12 fixed examples without noise; data_iter without random.shuffle; w = torch.normal(0, 0.01, ...) replaced by fixed values; d2l.plt/figure code removed
import torch

def synthetic_data(w, b, features):
    """Generate y = Xw + b."""
    y = torch.matmul(features, w) + b
    return y.reshape((-1, 1))

true_w = torch.tensor([2, -3.4])
true_b = 4.2
features = torch.tensor([[0.1, -0.4], [1.2, 0.3], [-0.7, 0.8], [0.5, 0.5],
                         [-1.1, -0.2], [0.9, -1.3], [0.0, 0.6], [1.5, 1.0],
                         [-0.3, -0.9], [0.7, 0.2], [-1.4, 1.1], [0.25, -0.05]])
labels = synthetic_data(true_w, true_b, features)
print('features:', features[0],'\nlabel:', labels[0])

def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

batch_size = 4

for X, y in data_iter(batch_size, features, labels):
    print(X, '\n', y)
    break

w = torch.tensor([[0.01], [-0.02]], requires_grad=True)
b = torch.zeros(1, requires_grad=True)

def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b

def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss

for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # Update parameters using their gradient
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')

print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
print(f'error in estimating b: {true_b - b}')
