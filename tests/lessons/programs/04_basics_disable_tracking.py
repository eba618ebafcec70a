# source: https://pytorch.org/tutorials/beginner/basics/autogradqs_tutorial.html ("Disabling Gradient Tracking")
# adapted: w, b fixed instead of torch.randn
import torch

x = torch.ones(5)
w = torch.tensor([[0.3, -0.2, 0.8],
                  [-1.1, 0.5, 0.1],
                  [0.7, 0.9, -0.4],
                  [0.05, -0.6, 1.2],
                  [-0.3, 0.25, -0.9]], requires_grad=True)
b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)

z = torch.matmul(x, w)+b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w)+b
print(z.requires_grad)

z = torch.matmul(x, w)+b
z_det = z.detach()
print(z_det.requires_grad)
