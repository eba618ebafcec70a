# source: https://web.stanford.edu/class/cs224n/materials/CS224N_PyTorch_Tutorial.html (CS224N PyTorch tutorial, "Autograd": pp.pprint(x.grad), accumulation)
import torch
import pprint
pp = pprint.PrettyPrinter()

# Create an example tensor
# requires_grad parameter tells PyTorch to store gradients
x = torch.tensor([2.], requires_grad=True)

# Print the gradient if it is calculated
# Currently None since x is a scalar
pp.pprint(x.grad)

# Calculating the gradient of y with respect to x
y = x * x * 3 # 3x^2
y.backward()
pp.pprint(x.grad) # d(y)/d(x) = d(3x^2)/d(x) = 6x = 12

z = x * x * 3 # 3x^2
z.backward()
pp.pprint(x.grad)
