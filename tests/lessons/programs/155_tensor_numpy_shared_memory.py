# source: https://runebook.dev/en/docs/pytorch/generated/torch.tensor.numpy (Common PyTorch to NumPy Conversion Errors and Solutions: shared memory view)
import torch

# Create a tensor
tensor_a = torch.tensor([1.0, 2.0, 3.0])

# Convert it to a NumPy array
numpy_array_a = tensor_a.numpy()

print(f"Original tensor: {tensor_a}")
print(f"NumPy array: {numpy_array_a}")

# Let's see the shared memory in action
tensor_a[0] = 99.0

print("\nAfter changing the tensor:")
print(f"Updated tensor: {tensor_a}")
print(f"Updated NumPy array: {numpy_array_a}") # The NumPy array also changes!
