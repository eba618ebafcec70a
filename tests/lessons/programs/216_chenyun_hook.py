# source: https://github.com/chenyuntc/pytorch-book (chapter3-Tensor和autograd, Autograd.ipynb: 非叶子节点的梯度, autograd.grad and register_hook)
# adapted: t.manual_seed(1000) added before the t.rand calls
import torch as t

t.manual_seed(1000)
x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
z = y.sum()
print(x.requires_grad, w.requires_grad, y.requires_grad)

z.backward()
print(x.grad, w.grad, y.grad)

x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
z = y.sum()
print(t.autograd.grad(z, y))

def variable_hook(grad):
    print('y的梯度：', grad)

x = t.ones(3, requires_grad=True)
w = t.rand(3, requires_grad=True)
y = x * w
hook_handle = y.register_hook(variable_hook)
z = y.sum()
z.backward()

hook_handle.remove()
