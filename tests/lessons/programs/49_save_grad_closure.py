# source: https://discuss.pytorch.org/t/why-cant-i-see-grad-of-an-intermediate-variable/94 (save_grad hook factory)
# adapted: Variable(torch.randn(1,1), requires_grad=True) replaced by a fixed tensor with requires_grad
import torch

grads = {}
def save_grad(name):
    def hook(grad):
        grads[name] = grad
    return hook

x = torch.tensor([[0.8]], requires_grad=True)
y = 3*x
z = y**2

# In here, save_grad('y') returns a hook (a function) that keeps 'y' as name
y.register_hook(save_grad('y'))
z.register_hook(save_grad('z'))
z.backward()

print(grads['y'])
print(grads['z'])
print(sorted(grads))
