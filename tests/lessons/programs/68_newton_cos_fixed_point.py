# source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (Newton's method for x = cos(x) in PyTorch; a Stack Overflow question)
# adapted: Variable(torch.DoubleTensor([1]), requires_grad=True) written as torch.tensor([1.], dtype=torch.float64, requires_grad=True)
import torch

x = torch.tensor([1.], dtype=torch.float64, requires_grad=True)

for i in range(5):
    y = x - torch.cos(x)
    y.backward()
    x = torch.tensor(x.data - y.data / x.grad.data, requires_grad=True)

print(x.data)

def my_func(x):
    return x - torch.cos(x)

def newton(func, guess, runs=5):
    for _ in range(runs):
        value = func(guess)
        value.backward()
        guess.data -= (value / guess.grad).data
        guess.grad.data.zero_()
    return guess.data

x = torch.tensor([1.], dtype=torch.float64, requires_grad=True)
print(newton(my_func, x))
