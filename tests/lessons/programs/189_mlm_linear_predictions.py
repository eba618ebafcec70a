# source: https://machinelearningmastery.com/making-linear-predictions-in-pytorch/ (Making Linear Predictions in PyTorch: forward(x) = w*x + b on a single value and on a column of integers)
import torch

w = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)

def forward(x):
    y_pred = w * x + b
    return y_pred

x = torch.tensor([[2]])
y_pred = forward(x)
print("prediction of y at 'x = 2' is: ", y_pred)

x = torch.tensor([[4], [7]])
y_pred = forward(x)
print("prediction of y at 'x = 4' & 'x = 7' is: ", y_pred)
