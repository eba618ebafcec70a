# source: https://github.com/Sergerooo/NeuralNetworks2023 (unconstrained minimisation of f(x) = -8x1 - 16x2 + x1^2 + 4x2^2 by gradient descent)
# adapted: 20 iterations instead of 100
import torch

def f(x1, x2):
    return -8*x1 - 16*x2 + x1**2 + 4*x2**2

x1 = torch.tensor(4, dtype=torch.float32, requires_grad=True)
x2 = torch.tensor(4, dtype=torch.float32, requires_grad=True)
for i in range(20):
    y = f(x1, x2)
    y.backward()
    print(f'iteration {i}, x1 {x1}, x2 {x2}, loss {y}, grad {x1.grad}, grad {x2.grad}')
    with torch.no_grad():
        x1 -= 0.01 * x1.grad
        x2 -= 0.01 * x2.grad
    x1.grad.zero_()
    x2.grad.zero_()
