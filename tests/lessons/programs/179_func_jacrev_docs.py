# source: https://docs.pytorch.org/docs/stable/generated/torch.func.jacrev.html (examples: jacrev of sin against diag(cos), argnums)
# adapted: the unseeded torch.randn inputs replaced by fixed tensors; results printed
import torch
from torch.func import jacrev

x = torch.tensor([0.5, -1.0, 2.0, 0.1, -0.3])
jacobian = jacrev(torch.sin)(x)
expected = torch.diag(torch.cos(x))
assert torch.allclose(jacobian, expected)
print(jacobian)

def f(x, y):
    return x + y ** 2

x, y = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([0.5, -1.0, 4.0])
jacobian = jacrev(f, argnums=1)(x, y)
expected = torch.diag(2 * y)
assert torch.allclose(jacobian, expected)
print(jacobian)
