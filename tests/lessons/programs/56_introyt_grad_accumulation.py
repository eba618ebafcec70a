# source: https://pytorch.org/tutorials/beginner/introyt/autogradyt_tutorial.html ("Autograd in Training": gradients accumulate until zeroed)
# adapted: TinyModel (an nn.Module) and torch.optim.SGD replaced by one weight matrix and a manual update; torch.randn data replaced by fixed values
import torch

some_input = torch.tensor([[0.5, -1.0, 0.25], [1.0, 0.5, -0.5]])
ideal_output = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
weight = torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], requires_grad=True)

print(weight[0][0:2])
print(weight.grad)

prediction = some_input.mm(weight)
loss = (ideal_output - prediction).pow(2).sum()
print(loss)

loss.backward()
print(weight[0][0:2])
print(weight.grad[0][0:2])

with torch.no_grad():
    weight -= 0.001 * weight.grad
print(weight[0][0:2])
print(weight.grad[0][0:2])

for i in range(0, 5):
    prediction = some_input.mm(weight)
    loss = (ideal_output - prediction).pow(2).sum()
    loss.backward()

print(weight.grad[0][0:2])

weight.grad = None

print(weight.grad)
