# source: https://github.com/chenyuntc/pytorch-book (chapter3-Tensor和autograd, Autograd.ipynb, 计算图: is_leaf, grad_fn.next_functions, retain_graph)
# adapted: t.manual_seed(1000) added before the t.rand calls; displayed cells printed
import torch as t

t.manual_seed(1000)
x = t.ones(1)
b = t.rand(1, requires_grad=True)
w = t.rand(1, requires_grad=True)
y = w * x
z = y + b

print(x.requires_grad, b.requires_grad, w.requires_grad)
print(y.requires_grad)
print(x.is_leaf, w.is_leaf, b.is_leaf)
print(y.is_leaf, z.is_leaf)
print(z.grad_fn)
print(z.grad_fn.next_functions)
print(z.grad_fn.next_functions[0][0] == y.grad_fn)
print(y.grad_fn.next_functions)
print(w.grad_fn, x.grad_fn)

z.backward(retain_graph=True)
print(w.grad)

z.backward()
print(w.grad)
