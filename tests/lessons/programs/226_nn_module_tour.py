# source: https://pytorch.org/docs/stable/nn.html and https://pytorch.org/docs/stable/optim.html (the API reference examples: Module, Sequential, ModuleList, init, SGD, Adam)
# adapted: the reference snippets joined into one seeded program with small sizes
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

torch.manual_seed(3)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.out = nn.Linear(4, 2)
        self.scale = nn.Parameter(torch.ones(2))

    def forward(self, x):
        return self.out(self.act(self.hidden(x))) * self.scale


net = Net()
print(net)
for name, p in net.named_parameters():
    print(name, tuple(p.shape), p.requires_grad)
print(sum(p.numel() for p in net.parameters()))
print([n for n, _ in net.named_children()])
print(len(list(net.modules())))

def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)

net.apply(init_weights)
print(net.hidden.weight)
print(net.out.bias)

x = torch.randn(5, 3)
target = torch.randn(5, 2)
opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)
for step in range(4):
    opt.zero_grad()
    loss = F.mse_loss(net(x), target)
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 6))
print(net.scale.grad)

layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
h = torch.tensor([[1.0, -1.0]])
for layer in layers:
    h = torch.relu(layer(h))
print(h, len(layers))

seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
adam = optim.Adam(seq.parameters(), lr=0.01, weight_decay=0.1)
data = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
labels = torch.tensor([[1.0], [1.0], [0.0], [0.0]])
for epoch in range(6):
    adam.zero_grad()
    loss = nn.L1Loss()(seq(data), labels)
    loss.backward()
    adam.step()
print(loss)
print(seq[0].weight.grad is None, seq[2].bias)
print(adam.param_groups[0]['lr'], len(adam.param_groups[0]['params']))
seq.eval()
print(seq.training, seq[0].training)
with torch.no_grad():
    print(seq(data))
