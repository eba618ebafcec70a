# Adamax, BatchNorm2d after a convolution (its output flattened with view), the module's
# state_dict with BatchNorm's buffers, and register_buffer in a custom module.
import torch
import torch.nn as nn

torch.manual_seed(0)
x = torch.tensor([1.5], requires_grad=True)
y = torch.tensor([-0.5], requires_grad=True)
opt = torch.optim.Adamax([x, y], lr=0.1, weight_decay=0.01)
print(opt)
for step in range(5):
    opt.zero_grad()
    loss = (x - 2) ** 2 + (y * x) ** 2
    loss.backward()
    opt.step()
    print(step, loss.item(), x.item(), y.item())
print(opt.state_dict()["state"][0]["exp_inf"])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.register_buffer("scale", torch.tensor(0.5))
        self.fc = nn.Linear(8, 1)

    def forward(self, t):
        h = self.bn(self.conv(t))
        return self.fc(h.view(h.shape[0], -1) * self.scale)


net = Net()
print(net)
print(list(net.state_dict().keys()))
print([name for name, _ in net.named_buffers()])
out = net(torch.randn(3, 1, 4, 4))
out.sum().backward()
print(out, net.bn.weight.grad, net.bn.running_mean, net.bn.num_batches_tracked)
net.eval()
print(net(torch.randn(2, 1, 4, 4)))
