# nn layers added for CNN and activation lessons: Conv1d, AvgPool1d/2d, AdaptiveAvgPool1d/2d,
# MaxPool1d, Hardswish, Hardsigmoid, Threshold, CELU, Softshrink, Hardshrink, GLU, ZeroPad2d,
# ConstantPad1d, ParameterList and ParameterDict, their reprs, and torch.linalg.inv.
import torch
import torch.nn as nn
torch.manual_seed(0)
mods = [nn.Conv1d(2, 3, 2), nn.Conv1d(2, 3, 3, stride=2, padding=1, bias=False), nn.AvgPool2d(2), nn.AvgPool2d(3, stride=1, padding=1),
        nn.AvgPool1d(2), nn.AdaptiveAvgPool2d((1, 1)), nn.AdaptiveAvgPool2d(2), nn.AdaptiveAvgPool1d(3), nn.MaxPool1d(2),
        nn.Hardswish(), nn.Hardsigmoid(), nn.Threshold(0.1, 20), nn.CELU(), nn.CELU(0.5, inplace=True), nn.Softshrink(), nn.Hardshrink(0.3), nn.GLU(),
        nn.ZeroPad2d(1), nn.ZeroPad2d((1, 0, 2, 1)), nn.ConstantPad1d(2, 3.5), nn.ZeroPad1d(1)]
for m in mods:
    print(m)
net = nn.Sequential(nn.Conv1d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2), nn.Conv1d(4, 2, 2), nn.AdaptiveAvgPool1d(1), nn.Flatten())
print(net)
x = torch.randn(3, 2, 8)
out = net(x)
print(out, out.grad_fn)
out.sum().backward()
print(net[0].weight.grad)
cnn = nn.Sequential(nn.ZeroPad2d(1), nn.Conv2d(1, 2, 3), nn.AvgPool2d(2), nn.Hardswish(), nn.AdaptiveAvgPool2d((1, 1)))
y = cnn(torch.randn(2, 1, 6, 6))
print(y.squeeze(), y.grad_fn)
y.mean().backward()
print(cnn[1].bias.grad)
print(nn.GLU()(torch.randn(2, 4)))
print(nn.Threshold(0.1, 20)(torch.tensor([0.05, 0.5])))
import torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.ws = nn.ParameterList([nn.Parameter(torch.ones(2)), torch.full((2, 3), 0.5)])
        self.d = nn.ParameterDict({'a': nn.Parameter(torch.ones(2)), 'b': nn.Parameter(torch.zeros(3, 1))})
        self.lin = nn.Linear(2, 1)
    def forward(self, x):
        h = x * self.ws[0]
        h = h @ self.ws[1]
        return h.sum() * self.d['a'].sum() + self.d['b'].sum()
torch.manual_seed(0)
net = Net()
print(net)
print(nn.ParameterDict({'a': nn.Parameter(torch.ones(2))}))
for n, p in net.named_parameters():
    print(n, p.shape)
out = net(torch.tensor([1.0, 2.0]))
out.backward()
print(out, net.ws[1].grad, net.d['a'].grad)
print(len(net.ws), len(net.d), 'a' in net.d, list(net.d.keys()))
net.ws.append(nn.Parameter(torch.zeros(1)))
print(len(net.ws), type(net.ws[1]))
for p in net.ws:
    print(p.shape)
print(net.ws)
A = torch.tensor([[2.0, 0.5], [0.3, 1.5]], requires_grad=True)
B = torch.linalg.inv(A)
print(B)
B.sum().backward()
print(A.grad)
print(torch.inverse(torch.eye(2).expand(3, 2, 2) * 2))
try:
    torch.linalg.inv(torch.tensor([[1., 2.], [2., 4.]]))
except Exception as e:
    print(type(e).__name__, e)
try:
    torch.inverse(torch.tensor([[1., 2., 3.], [2., 4., 1.]]))
except Exception as e:
    print(type(e).__name__, e)
try:
    torch.linalg.inv(torch.tensor([[1, 2], [2, 5]]))
except Exception as e:
    print(type(e).__name__, e)
print(torch.linalg.inv(A).grad_fn)
