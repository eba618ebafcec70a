# source: https://github.com/zhangyu2234/Deep-learning-by-hand (fully connected layer by hand: "Trying to backward through the graph a second time" because Y was built from true_W that requires grad)
# adapted: torch.manual_seed(0) added; 4000 samples cut to 40; the DataLoader replaced by two fixed slices; relu, sgd and loss written out
import torch

torch.manual_seed(0)
num_samples = 40
num_features = 2
num_hiddens = 2
X = torch.randn((num_samples, num_features), dtype=torch.float32)
true_W = torch.randn((num_hiddens, 1), requires_grad=True, dtype=torch.float32)
true_b = torch.randn(1, requires_grad=True, dtype=torch.float32)
Y = torch.mm(X, true_W) + true_b

print(X[:5], Y[:5], true_W, true_b)

def relu(x):
    return torch.max(x, torch.zeros_like(x))

def loss(y_hat, y):
    return ((y_hat - y.reshape(y_hat.shape)) ** 2 / 2).sum()

def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

def fc(x, w, b):
    return relu(torch.mm(x, w) + b)

W = torch.normal(0, 0.01, size=(num_hiddens, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)

batch_size = 20
lr = 0.01
for x, y in [(X[:20], Y[:20]), (X[20:], Y[20:])]:
    l = loss(fc(x, W, b), y)
    l.backward()
    sgd([W, b], lr, batch_size)
    print(l)

for x, y in [(X[:20], Y[:20]), (X[20:], Y[20:])]:
    l = loss(fc(x, W, b), y)
    l.backward()
    sgd([W, b], lr, batch_size)
