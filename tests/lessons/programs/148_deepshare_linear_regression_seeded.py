# source: https://github.com/JansonYuan/Pytorch-Camp (深度之眼 PyTorch 框架班, lesson-03-Linear-Regression.py: 一元线性回归, torch.manual_seed(10))
# adapted: a print of the loss added next to the plot (the lesson only draws it); matplotlib lines removed (the PyTorch reference venv has no matplotlib, so record.py cannot run them)
import torch
torch.manual_seed(10)

lr = 0.05  # 学习率

# 创建训练数据
x = torch.rand(20, 1) * 10  # x data (tensor), shape=(20, 1)
y = 2*x + (5 + torch.randn(20, 1))  # y data (tensor), shape=(20, 1)

# 构建线性回归参数
w = torch.randn((1), requires_grad=True)
b = torch.zeros((1), requires_grad=True)

for iteration in range(1000):

    # 前向传播
    wx = torch.mul(w, x)
    y_pred = torch.add(wx, b)

    # 计算 MSE loss
    loss = (0.5 * (y - y_pred) ** 2).mean()

    # 反向传播
    loss.backward()

    # 更新参数
    b.data.sub_(lr * b.grad)
    w.data.sub_(lr * w.grad)

    # 清零张量的梯度
    w.grad.zero_()
    b.grad.zero_()

    # 绘图
    if iteration % 20 == 0:

        print("Iteration: {} w: {} b: {} Loss={:.4f}".format(iteration, w.data.numpy(), b.data.numpy(), loss.item()))

        if loss.data.numpy() < 1:
            break
