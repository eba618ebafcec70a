# source: https://www.runoob.com/pytorch/pytorch-basic.html (菜鸟教程 PyTorch 基础: 自动求导, 反向传播, 停止梯度计算)
# adapted: the unseeded torch.randn(2, 2) replaced by a fixed tensor
import torch

x = torch.tensor([[0.5, -1.2], [1.8, 0.3]], requires_grad=True)
print(x)

y = x + 2
z = y * y * 3
out = z.mean()

print(out)

out.backward()
print(x.grad)

with torch.no_grad():
    y = x * 2
print(y.requires_grad)
