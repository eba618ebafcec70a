# source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 (fast.ai forum "Lesson 2: Gradient Descent", Part 1 (2019): update() with a.sub_ and a.grad.zero_())
# adapted: the lesson's x (torch.ones(n, 2) with x[:, 0].uniform_(-1., 1)) and y = x@a + torch.rand(n) replaced by 10 fixed points; the plot dropped; mse() and the loop as in the lesson notebook
import torch

n = 10
x = torch.ones(n, 2)
x[:, 0] = torch.tensor([-0.9, -0.7, -0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7, 0.9])
y = torch.tensor([0.61, 1.05, 1.92, 2.33, 2.24, 3.01, 3.35, 3.87, 4.50, 4.72])

def mse(y_hat, y): return ((y_hat-y)**2).mean()

a = torch.tensor([-5., 5.], requires_grad=True)
lr = 1e-1

def update():
    # Calculate y_hat
    y_hat = x @ a
    # Calculate loss
    loss = mse(y, y_hat)
    # Print loss every 10 loops
    if t % 10 == 0:
        print(loss)
    loss.backward()
    with torch.no_grad():
        a.sub_(lr * a.grad)
        a.grad.zero_()

for t in range(100): update()
print(a)
