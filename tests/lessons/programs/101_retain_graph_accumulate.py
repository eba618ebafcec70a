# source: https://errorhandle.ai/why-does-pytorch-require-to-retain-graph
import torch

# Sample tensors
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
loss = y.sum()

# First backward pass
loss.backward(retain_graph=True)
print(x.grad)  # Outputs gradients

# Second backward pass on the same graph
loss.backward()
print(x.grad)  # Outputs gradients again, combined with the previous ones
