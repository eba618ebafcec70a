# source: https://github.com/JansonYuan/Pytorch-Camp (深度之眼 PyTorch 框架班, 代码合集/01-05 lesson-05-autograd.py, "tips: 3" 什么是 in-place 操作)
# adapted: id(a) is compared with the first id instead of printed (the number changes from run to run); the commented a = a + ... variant enabled first
import torch
torch.manual_seed(10)

flag = True
if flag:

    a = torch.ones((1, ))
    first_id = id(a)
    print(id(a) == first_id, a)

    a = a + torch.ones((1, ))
    print(id(a) == first_id, a)

    second_id = id(a)
    a += torch.ones((1, ))
    print(id(a) == second_id, a)
