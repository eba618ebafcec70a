# source: https://discuss.pytorch.org/t/loss-grad-is-constant-1/130964 (mini-tutorial: leaves, .grad and retain_grad)
# adapted: model = nn.Linear(1, 1) replaced by explicit weight/bias tensors (w*x + b); torch.randn(1, 1) inputs replaced by fixed values
import torch

w = torch.tensor([[0.7]], requires_grad=True)
b = torch.tensor([-0.2], requires_grad=True)

def model(x):
    return x @ w.t() + b

print("#"*7)
print("Case 1")
print("#"*7)
x = torch.tensor([[1.5]])
print(x)
print(x.is_leaf) # True
print(x.grad) # None
out = model(x)
loss = out**2
print(x.grad) # None
loss.backward()
print(x.grad) # None
print("")
print("*"*7)
print("Case 2")
print("*"*7)
y = torch.tensor([[-0.8]], requires_grad=True)
print(y)
print(y.is_leaf) # True
print(y.grad) # None
out = model(y)
loss = out**2
print(y.grad) # None
loss.backward()
print(y.grad)
print("")
print("*"*7)
print("Case 3")
print("*"*7)
z = torch.tensor([[2.0]], requires_grad=True)
out = model(z)
loss = out**2
loss.retain_grad()
print(loss.grad) # None
loss.backward()
print(loss.grad) # tensor([[1.]])
print(z.grad)
