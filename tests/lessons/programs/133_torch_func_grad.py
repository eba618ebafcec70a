# source: https://pytorch.org/docs/stable/generated/torch.func.grad.html (examples: grad of sin, grad of grad)
# adapted: x = torch.randn([]) replaced by a fixed value; the results printed
import torch
from torch.func import grad

x = torch.tensor(0.7)
cos_x = grad(lambda x: torch.sin(x))(x)
assert torch.allclose(cos_x, x.cos())
print(cos_x)

neg_sin_x = grad(grad(lambda x: torch.sin(x)))(x)
assert torch.allclose(neg_sin_x, -x.sin())
print(neg_sin_x)
