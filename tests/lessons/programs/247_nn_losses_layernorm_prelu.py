# More of torch.nn as lessons use it: SmoothL1Loss, HuberLoss, KLDivLoss (batchmean and
# log_target), LayerNorm, PReLU, Hardtanh, Unflatten, CosineSimilarity, ModuleDict.
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
x = torch.randn(3, 4, requires_grad=True)
y = torch.randn(3, 4)
for loss in (nn.SmoothL1Loss(), nn.SmoothL1Loss(beta=0.5, reduction='sum'), nn.HuberLoss(delta=0.7), nn.KLDivLoss(reduction='batchmean'), nn.KLDivLoss(reduction='sum', log_target=True)):
    x.grad = None
    l = loss(F.log_softmax(x, 1) if isinstance(loss, nn.KLDivLoss) else x, F.softmax(y, 1) if isinstance(loss, nn.KLDivLoss) else y)
    l.backward()
    print(loss, l, x.grad)
ln = nn.LayerNorm(4)
print(ln, list(ln.named_parameters()))
out = ln(x)
print(out)
out.pow(2).sum().backward()
print(ln.weight.grad, ln.bias.grad)
print(F.layer_norm(x, (4,)).abs().sum(), nn.LayerNorm((3, 4), elementwise_affine=False)(x).abs().sum())
pr = nn.PReLU()
z = pr(x)
z.sum().backward()
print(pr, z, pr.weight.grad)
pr3 = nn.PReLU(3, init=0.1)
print(pr3(x.t()).sum(), pr3)
print(nn.Hardtanh(-0.5, 0.5)(x), nn.Hardtanh())
print(nn.Unflatten(1, (2, 2))(x).shape, nn.Unflatten(1, (2, 2)))
cs = nn.CosineSimilarity(dim=0)
print(cs(x, y), cs)
md = nn.ModuleDict({'act': nn.ReLU(), 'lin': nn.Linear(4, 2)})
print(md, len(md), list(md.keys()), 'act' in md)
print(md['lin'](md['act'](x)).shape)
for k in md:
    print(k)
print(sum(p.numel() for p in md.parameters()))
