# source: https://pytorch.org/blog/pytorch-0_4_0-migration-guide/ ("requires_grad is now an attribute of Tensor", "Zero-dimensional tensors")
# adapted: interactive session turned into a script with print(); my_tensor.requires_grad_() shown on a zeros tensor
import torch

x = torch.ones(1)  # create a tensor with requires_grad=False (default)
print(x.requires_grad)
y = torch.ones(1)  # another tensor with requires_grad=False
z = torch.ones(1, requires_grad=True)
total = x + y
print(total.requires_grad)
total = x + y + z
print(total.requires_grad)

existing_tensor = torch.zeros(3)
existing_tensor.requires_grad_()
print(existing_tensor.requires_grad)
my_tensor = torch.zeros(3, 4, requires_grad=True)
print(my_tensor.requires_grad)

print(torch.tensor(3.1416))
print(torch.tensor(3.1416).size())
vector = torch.arange(2, 5)
print(vector)
print(vector[2])
print(vector[2].item())
mysum = torch.tensor([2, 3]).sum()
print(mysum)
print(mysum.size())
