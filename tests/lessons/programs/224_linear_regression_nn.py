# source: course lesson "Linear regression with nn.Linear and optim.SGD" (torch.manual_seed(1), nn.Linear(1, 1), nn.MSELoss)
import torch
from torch import nn, optim

torch.manual_seed(1)

X = torch.arange(-3, 3, 0.1).view(-1, 1)
f = 1 * X - 1
Y = f + 0.1 * torch.randn(X.size())

model = nn.Linear(1, 1)
print("Parameters w and b: ", list(model.parameters()))
print("Python dictionary: ", model.state_dict())
print("keys: ", model.state_dict().keys())
print("values: ", model.state_dict().values())

criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)
print(optimizer.state_dict() if False else optimizer)

LOSS = []
for epoch in range(20):
    for x, y in zip(X, Y):
        yhat = model(x)
        loss = criterion(yhat, y)
        LOSS.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())

print(model.weight, model.bias)
print(model(torch.tensor([[1.0], [2.0]])))
