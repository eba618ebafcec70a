# source: https://github.com/werowe/HypatiaAcademy (ml/extremely_simple_linear_regression_manually_pytorch.ipynb: training_step with W.grad = None)
# adapted: reconstructed from the notebook's description (x = 1, y = 2, W = 0.5, b = 0; no_grad update; grads reset to None); 5 steps; the update written W.sub_(...) so it works inside the function
import torch

W = torch.tensor(0.5, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
x = torch.tensor(1.0)
y = torch.tensor(2.0)
learning_rate = 0.1

def training_step(x, y):
    prediction = W * x + b
    loss = (y - prediction) ** 2
    loss.backward()
    print("grad W:", W.grad, "grad b:", b.grad)
    with torch.no_grad():
        W.sub_(learning_rate * W.grad)
        b.sub_(learning_rate * b.grad)
    W.grad = None
    b.grad = None
    return loss

for step in range(5):
    loss = training_step(x, y)
    print(f"step {step}: loss={loss.item():.6f} W={W.item():.4f} b={b.item():.4f}")
print(W.grad)
