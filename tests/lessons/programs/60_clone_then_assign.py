# source: https://deadends.dev/pytorch/runtime-error-inplace/pt2-linux (workaround: "x = x.clone(); x[0] = val")
# adapted: a runnable example of the workaround, with a backward pass
import torch

w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
x = w.clone()
x[0] = 10.0
x[2] = x[2] * 3
print(x)
print(x.is_leaf, x.grad_fn)
loss = (x ** 2).sum()
loss.backward()
print(w.grad)
