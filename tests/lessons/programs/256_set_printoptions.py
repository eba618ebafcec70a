# torch.set_printoptions: precision, sci_mode, the short/default profiles, threshold and
# edgeitems for long tensors, linewidth.
import torch
x = torch.tensor([1.123456789, 2.5, 1e-5], requires_grad=True)
torch.set_printoptions(precision=2)
print(x * 3.14159)
torch.set_printoptions(precision=8)
print(x)
torch.set_printoptions(sci_mode=False)
print(x)
torch.set_printoptions(profile="short")
print(x)
torch.set_printoptions(profile="default")
print(torch.arange(2000.))
torch.set_printoptions(threshold=10, edgeitems=2)
print(torch.arange(20.))
torch.set_printoptions(linewidth=40)
print(torch.arange(8.) / 3)
print(torch.nn.Parameter(torch.ones(2) / 3))
