# source: https://pytorch.org/docs/stable/nn.html#loss-functions (the Examples of MarginRankingLoss, TripletMarginLoss, PoissonNLLLoss, GaussianNLLLoss, MultiMarginLoss, HingeEmbeddingLoss) and https://neptune.ai/blog/pytorch-loss-functions (the loss-function guide's snippets)
# adapted: seeded; TripletMarginLoss's 100x128 inputs shrunk to 10x16; each example prints its output and gradients
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

loss = nn.MarginRankingLoss()
input1 = torch.randn(3, requires_grad=True)
input2 = torch.randn(3, requires_grad=True)
target = torch.randn(3).sign()
output = loss(input1, input2, target)
output.backward()
print(output, input1.grad, input2.grad)

triplet_loss = nn.TripletMarginLoss(margin=1.0, p=2, eps=1e-7)
anchor = torch.randn(10, 16, requires_grad=True)
positive = torch.randn(10, 16, requires_grad=True)
negative = torch.randn(10, 16, requires_grad=True)
output = triplet_loss(anchor, positive, negative)
output.backward()
print(output)
print(anchor.grad[0, :4], negative.grad[1, :4])
print(F.pairwise_distance(anchor, positive))

loss = nn.PoissonNLLLoss()
log_input = torch.randn(5, 2, requires_grad=True)
target = torch.randn(5, 2)
output = loss(log_input, target)
output.backward()
print(output, log_input.grad)

loss = nn.GaussianNLLLoss()
input = torch.randn(5, 2, requires_grad=True)
target = torch.randn(5, 2)
var = torch.ones(5, 2, requires_grad=True)  # heteroscedastic
output = loss(input, target, var)
output.backward()
print(output, var.grad)

loss = nn.GaussianNLLLoss()
input = torch.randn(5, 2, requires_grad=True)
target = torch.randn(5, 2)
var = torch.ones(5, 1, requires_grad=True)  # homoscedastic
output = loss(input, target, var)
output.backward()
print(output, var.grad)

loss = nn.MultiMarginLoss()
x = torch.tensor([[0.1, 0.2, 0.4, 0.8]])
y = torch.tensor([3])
# 0.25 * ((1-(0.8-0.1)) + (1-(0.8-0.2)) + (1-(0.8-0.4)))
print(loss(x, y))

input = torch.randn(3, 5, requires_grad=True)
target = torch.randn(3, 5)
hinge_loss = torch.nn.HingeEmbeddingLoss()
output = hinge_loss(input, target)
output.backward()
print('input: ', input)
print('target: ', target)
print('output: ', output)

input = torch.randn(2, 3, requires_grad=True)
target = torch.randn(2, 3)
kl_loss = nn.KLDivLoss(reduction='batchmean')
output = kl_loss(input, target)
output.backward()
print('output: ', output)

a = torch.randn(4, 6, requires_grad=True)
b = torch.randn(4, 6, requires_grad=True)
y = torch.tensor([1, -1, -1, 1])
output = nn.CosineEmbeddingLoss(margin=0.1)(a, b, y)
output.backward()
print(output, a.grad[0])

s = torch.randn(3, 4, requires_grad=True)
labels = torch.tensor([[1., 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]])
print(nn.SoftMarginLoss()(s, labels * 2 - 1))
print(nn.MultiLabelSoftMarginLoss()(s, labels))
out = nn.MultiMarginLoss(p=2, margin=0.5, reduction="none")(s, torch.tensor([0, 3, 1]))
out.sum().backward()
print(out, s.grad)
