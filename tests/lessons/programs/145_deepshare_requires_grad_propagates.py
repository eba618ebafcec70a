# source: https://github.com/JansonYuan/Pytorch-Camp (深度之眼 PyTorch 框架班, 代码合集/01-05 lesson-05-autograd.py, "tips: 2 依赖于叶子结点的结点, requires_grad默认为True")
import torch
torch.manual_seed(10)

flag = True
if flag:

    w = torch.tensor([1.], requires_grad=True)
    x = torch.tensor([2.], requires_grad=True)

    a = torch.add(w, x)
    b = torch.add(w, 1)
    y = torch.mul(a, b)

    print(a.requires_grad, b.requires_grad, y.requires_grad)
