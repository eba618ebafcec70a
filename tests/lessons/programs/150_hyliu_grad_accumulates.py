# source: https://github.com/HyLiu-cn/Learning_pytorch (autograd 笔记: requires_grad, grad_fn, 梯度累加, x.grad.data.zero_())
# adapted: the notebook's bare `out` cell wrapped in print()
import torch

x = torch.ones(2,2,requires_grad=True)
print(x)

print(x.grad_fn)

y = x + 1
print(y)
print(y.grad_fn)

z = y * y * 3
out = z.mean()
print(out)

out.backward()
print(x.grad)

out_2 = x.sum()
print(out_2)
out_2.backward()
print(x.grad)

out_3 = x.sum()
x.grad.data.zero_() # 在反向传播之前需把梯度清零
out_3.backward()
print(x.grad)
