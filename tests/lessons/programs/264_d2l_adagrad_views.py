# source: https://d2l.ai/chapter_optimization/adagrad.html (d2l-ai/d2l-en:chapter_optimization/adagrad.md, PyTorch tab: adagrad_2d, init_adagrad_states, adagrad, and the concise torch.optim.Adagrad) and https://pytorch.org/docs/stable/notes/autograd.html (in-place operations on views)
# adapted: d2l's airfoil data replaced by 200 seeded synthetic rows; d2l.train_ch11/train_concise_ch11 replaced by the same minibatch loops written out; plots dropped
import math
import torch
from torch import nn

torch.manual_seed(0)


def adagrad_2d(x1, x2, s1, s2):
    eps = 1e-6
    g1, g2 = 0.2 * x1, 4 * x2
    s1 += g1 ** 2
    s2 += g2 ** 2
    x1 -= eta / math.sqrt(s1 + eps) * g1
    x2 -= eta / math.sqrt(s2 + eps) * g2
    return x1, x2, s1, s2


def f_2d(x1, x2):
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


eta = 0.4
x1, x2, s1, s2 = -5, -2, 0, 0
for i in range(20):
    x1, x2, s1, s2 = adagrad_2d(x1, x2, s1, s2)
print(f'epoch 20, x1: {x1:f}, x2: {x2:f}')

features = torch.randn(200, 5)
true_w = torch.tensor([[2.0], [-3.4], [1.5], [0.5], [-1.0]])
labels = features @ true_w + 4.2 + 0.01 * torch.randn(200, 1)


def init_adagrad_states(feature_dim):
    s_w = torch.zeros((feature_dim, 1))
    s_b = torch.zeros(1)
    return (s_w, s_b)


def adagrad(params, states, hyperparams):
    eps = 1e-6
    for p, s in zip(params, states):
        with torch.no_grad():
            s[:] += torch.square(p.grad)
            p[:] -= hyperparams['lr'] * p.grad / torch.sqrt(s + eps)
        p.grad.data.zero_()


w = torch.normal(mean=0.0, std=0.01, size=(5, 1), requires_grad=True)
b = torch.zeros((1), requires_grad=True)
states = init_adagrad_states(5)
for epoch in range(2):
    for i in range(0, 200, 10):
        X, y = features[i:i + 10], labels[i:i + 10]
        l = ((X @ w + b - y) ** 2 / 2).mean()
        l.backward()
        adagrad([w, b], states, {'lr': 0.1})
    with torch.no_grad():
        print(f'epoch {epoch + 1}, loss {((features @ w + b - labels) ** 2 / 2).mean():f}')
print(states[1])

net = nn.Sequential(nn.Linear(5, 1))
trainer = torch.optim.Adagrad(net.parameters(), lr=0.1)
print(trainer)
loss = nn.MSELoss(reduction='none')
for epoch in range(2):
    for i in range(0, 200, 10):
        X, y = features[i:i + 10], labels[i:i + 10]
        trainer.zero_grad()
        out = net(X)
        l = loss(out, y)
        l.mean().backward()
        trainer.step()
    print(epoch + 1, (loss(net(features), labels).mean() / 2).item())
print(trainer.state_dict()['state'][1])

# in-place operations on views: the base records CopySlices
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = a.new_zeros(2, 3)
out[1, 1:].add_(a[:2] * 2)
out[0].mul_(3)
print(out, out.grad_fn)
out.sum().backward()
print(a.grad)
try:
    a[0].add_(1)
except RuntimeError as e:
    print(e)
e = a.exp()
e[1:].zero_()
try:
    e.sum().backward()
except RuntimeError as err:
    print(str(err).split(';')[0])
print(torch.finfo(torch.float32).eps, torch.iinfo(torch.int64).max, a.ndimension(),
      torch.is_tensor(a), torch.numel(out), a.layout)
