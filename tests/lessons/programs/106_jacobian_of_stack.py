# source: https://github.com/lseman/DAS410100 (autograd notebook: full Jacobian of a stacked function)
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)

y = torch.stack([x[0]**2, x[0]*x[1], torch.sin(x[1])])

# Compute full Jacobian
J = torch.autograd.functional.jacobian(lambda v: torch.stack([v[0]**2, v[0]*v[1], torch.sin(v[1])]), x)

print("Jacobian:\n", J)
