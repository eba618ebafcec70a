# source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 ("PyTorch for Deep Learning - AutoGrad and Simple Linear Regression", AutoGrad part)
import torch

x = torch.tensor(5.)  # some data
w = torch.tensor(4., requires_grad=True)  # weight (slope)
b = torch.tensor(2., requires_grad=True)  # bias (intercept)
y = x * w + b  # equation of a line
y.backward()  # let PyTorch know that Y needs to be differentiated
print(w.grad, b.grad)  # prints the derivative of Y with respect to w and b
print(y, y.item())
