# source: course lesson "Logistic regression with nn.Module" (class LR(nn.Module), nn.BCELoss, optim.SGD with momentum, torch.manual_seed(10))
# adapted: a small two-feature data set built in the program instead of a downloaded one
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(10)

# two clusters of points, labelled 0 and 1
n = 50
x0 = torch.randn(n, 2) + torch.tensor([-1.5, -1.0])
x1 = torch.randn(n, 2) + torch.tensor([1.5, 1.0])
X = torch.cat([x0, x1])
Y = torch.cat([torch.zeros(n, 1), torch.ones(n, 1)])


class LR(nn.Module):
    def __init__(self, n_inputs):
        super(LR, self).__init__()
        self.linear = nn.Linear(n_inputs, 1)

    def forward(self, x):
        yhat = torch.sigmoid(self.linear(x))
        return yhat


model = LR(2)
print(model)
print(list(model.parameters()))
print(model.state_dict())

criterion = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

LOSS = []
for epoch in range(100):
    yhat = model(X)
    loss = criterion(yhat, Y)
    LOSS.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        print('epoch', epoch, 'loss', loss.item())

yhat = model(X)
label = yhat > 0.5
print("The accuracy: ", torch.mean((label == Y.type(torch.ByteTensor)).type(torch.float)))
print(model.linear.weight, model.linear.bias)
