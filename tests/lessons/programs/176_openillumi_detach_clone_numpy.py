# source: https://openillumi.com/en/en-pytorch-detach-numpy-why-graph (PyTorch Tensor to NumPy Conversion: why detach() is mandatory; clone().detach().numpy())
# adapted: the commented-out failing line kept commented; prints of the arrays added
import torch
import numpy as np

tensor1 = torch.tensor([1.0, 2.0], requires_grad=True)
# This line will cause a runtime error
# tensor1_np = tensor1.numpy()

my_tensor = tensor1 * 3
# Safely convert to NumPy
numpy_array = my_tensor.detach().numpy()
print(numpy_array)

safe_copy = my_tensor.clone().detach().numpy()
safe_copy[0] = -1.0
print(safe_copy)
print(my_tensor)
