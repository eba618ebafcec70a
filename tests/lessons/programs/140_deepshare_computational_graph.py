# source: https://github.com/TingsongYu/PyTorch_Tutorial (深度之眼 PyTorch 框架班, lesson-04-Computational-Graph.py: 计算图中的叶子结点观察, y = (x + w) * (w + 1))
# adapted: the is_leaf and gradient prints, commented out in the lesson file, enabled as in the lesson video
import torch

w = torch.tensor([1.], requires_grad=True)
x = torch.tensor([2.], requires_grad=True)

a = torch.add(w, x)     # retain_grad()
b = torch.add(w, 1)
y = torch.mul(a, b)

y.backward()
print(w.grad)

# 查看叶子结点
print("is_leaf:\n", w.is_leaf, x.is_leaf, a.is_leaf, b.is_leaf, y.is_leaf)

# 查看梯度
print("gradient:\n", w.grad, x.grad, a.grad, b.grad, y.grad)

# 查看 grad_fn
print("grad_fn:\n", w.grad_fn, x.grad_fn, a.grad_fn, b.grad_fn, y.grad_fn)
