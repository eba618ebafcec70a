# source: https://machinelearningmastery.com/implementing-gradient-descent-in-pytorch/ (Implementing Gradient Descent in PyTorch: one parameter w, w.data update, w.grad.data.zero_())
# adapted: matplotlib lines removed
import torch

torch.manual_seed(42)
X = torch.arange(-5, 5, 0.1).view(-1, 1)
func = -5 * X
Y = func + 0.4 * torch.randn(X.size())

def forward(x):
    return w * x

def criterion(y_pred, y):
    return torch.mean((y_pred - y) ** 2)

w = torch.tensor(-10.0, requires_grad=True)

step_size = 0.1
loss_list = []
iter = 20

for i in range(iter):
    Y_pred = forward(X)
    loss = criterion(Y_pred, Y)
    loss_list.append(loss.item())
    loss.backward()
    w.data = w.data - step_size * w.grad.data
    w.grad.data.zero_()
    print('{}, \t{}, \t{}'.format(i, loss.item(), w.item()))
