# source: https://github.com/fxnnxc/torch_autograd (high-order derivatives with create_graph)
# adapted: the unrolled first..fourth order cells generalised to a loop over orders of sin at 0 (Taylor coefficients), collected with a list comprehension
import torch
import math

x = torch.tensor(0.0, requires_grad=True)
y = torch.sin(x)
derivs = []
d = y
for order in range(1, 6):
    d = torch.autograd.grad(d, x, create_graph=True)[0]
    derivs.append(d)
    print(f"order {order}: {d.item():+.4f}")

coeffs = [dv.item() / math.factorial(k + 1) for k, dv in enumerate(derivs)]
print([f"{c:.5f}" for c in coeffs])
print(derivs[-1])
