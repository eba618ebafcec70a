# source: https://duoke360.com/post/35061 (RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn, cause 1: the tensor does not track gradients)
# adapted: the fix (方案1) runs first, then the failing snippet as the last statements (uncaught, as on the page)
import torch

x = torch.tensor([1.0], requires_grad=True) # 正确方式
y = x * 2
y.backward()
print(x.grad) # 输出: tensor([2.])

x = torch.tensor([1.0]) # 默认requires_grad=False
y = x * 2
y.backward() # 错误!x未启用梯度跟踪
