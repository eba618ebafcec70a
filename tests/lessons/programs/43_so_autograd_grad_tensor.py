# source: https://stackoverflow.com/questions/54754153/autograd-grad-for-tensor-in-pytorch/54757383
# adapted: loss_fn = nn.MSELoss() replaced by the same mean of squared differences written out
import torch
from torch.autograd import grad

x = torch.ones(2, 2, requires_grad=True)
gt = torch.ones_like(x) * 16 - 0.5  # "ground-truths"

def loss_fn(a, b):
    return ((a - b) ** 2).mean()

v = x + 2
y = v ** 2

loss = loss_fn(y, gt)

print(f'Loss: {loss}')

d_loss_dx = grad(outputs=loss, inputs=x)
print(f'dloss/dx:\n {d_loss_dx}')

v = x + 2
y = v ** 2

try:
    dy_hat_dx = grad(outputs=y, inputs=x)
except RuntimeError as err:
    print(err)

dy_hat_dx = grad(outputs=y, inputs=x, grad_outputs=torch.ones_like(y))
print(f'dy/dx:\n {dy_hat_dx}')
