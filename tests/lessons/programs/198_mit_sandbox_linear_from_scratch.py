# source: https://github.com/ddavid37/6.S191_DL_MIT_sandbox (training a torch model from scratch: X @ W + b, parameters with requires_grad, manual updates)
# adapted: torch.manual_seed(0) added so the random data and weights are reproducible; the training loop's update under torch.no_grad() as in the notebook's next cells
import torch

torch.manual_seed(0)
N = 10
D_in = 1
D_out = 1

X = torch.randn(N, D_in)

true_W = torch.tensor([[2.0]])
true_b = torch.tensor(1.0)
y_true = X @ true_W + true_b + torch.randn(N, D_out) * 0.1

print(f"Input Data X (first 3 rows):\n {X[:3]}\n")
print(f"True Labels y_true (first 3 rows):\n {y_true[:3]}")

W = torch.randn(D_in, D_out, requires_grad=True)
b = torch.randn(1, requires_grad=True)

print(f"Initial Weight W:\n {W}\n")
print(f"Initial Bias b:\n {b}")

y_hat = X @ W + b
print(f"Shape of our prediction y_hat: {y_hat.shape}\n")

learning_rate = 0.1
for epoch in range(50):
    y_hat = X @ W + b
    loss = torch.mean((y_hat - y_true) ** 2)
    loss.backward()
    with torch.no_grad():
        W -= learning_rate * W.grad
        b -= learning_rate * b.grad
    W.grad.zero_()
    b.grad.zero_()
    if epoch % 10 == 0:
        print(f"Epoch {epoch:02d} | Loss: {loss.item():.4f}")

print(f"Learned W: {W.item():.4f}, learned b: {b.item():.4f}")
