# source: https://github.com/JansonYuan/Pytorch-Camp (深度之眼 PyTorch 框架班, 代码合集/01-05 lesson-05-autograd.py, section "retain_graph")
# adapted: the print(w.grad) after the first backward, commented out in the file, enabled; w.grad printed at the end
import torch
torch.manual_seed(10)

flag = True
if flag:
    w = torch.tensor([1.], requires_grad=True)
    x = torch.tensor([2.], requires_grad=True)

    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)

    y.backward(retain_graph=True)
    print(w.grad)
    y.backward()
    print(w.grad)
