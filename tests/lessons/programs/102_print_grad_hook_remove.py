# source: http://news.bitekongjian.com/code/1472.html (register_hook with a print_grad function, hook.remove())
import torch

def print_grad(grad):
    print("Gradient:", grad)

# 创建一个张量
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

accum_grad = torch.zeros_like(x)

hook = x.register_hook(print_grad)

y = x * 2
z = y.sum()

z.backward(gradient=torch.tensor(1.0))

print("Accumulated Gradient:", x.grad)

hook.remove()
