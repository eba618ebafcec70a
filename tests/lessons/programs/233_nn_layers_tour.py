# source: https://pytorch.org/docs/stable/nn.html (Embedding, BatchNorm1d, Sequential.add_module, CrossEntropyLoss(label_smoothing) examples)
# adapted: the reference snippets joined into one seeded program with small sizes and a backward
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(42)
emb = nn.Embedding(5, 3)
print(emb)
idx = torch.tensor([[0, 2], [4, 1]])
e = emb(idx)
print(e.shape, e.grad_fn)
bn = nn.BatchNorm1d(3)
print(bn)
x = torch.randn(4, 3)
h = bn(x)
print(h)
print(bn.running_mean, bn.running_var, bn.num_batches_tracked)
model = nn.Sequential()
model.add_module("fc", nn.Linear(3, 2))
model.add_module("act", nn.Softmax(dim=1))
print(model)
for p in model.fc.parameters():
    p.requires_grad = False
print([p.requires_grad for p in model.parameters()])
nn.init.normal_(model.fc.weight, std=0.01)
model.fc.bias.data.fill_(0.5)
print(model(x).argmax(dim=1))
opt = torch.optim.SGD(emb.parameters(), lr=0.1)
opt.param_groups[0]['lr'] *= 0.1
print(opt.param_groups[0]['lr'])
logits = torch.randn(3, 4, requires_grad=True)
loss = F.cross_entropy(logits, torch.tensor([0, 1, 3]), label_smoothing=0.1)
print(loss, loss.grad_fn.next_functions)
loss = loss + e.sum() + h.pow(2).sum()
loss.backward()
print(logits.grad)
print(emb.weight.grad)
print(bn.weight.grad)
bn.eval()
print(bn(torch.ones(2, 3)))
with torch.no_grad():
    y = torch.sigmoid(torch.randn(4)).round()
print(y, y.detach().numpy())
print(f"{F.mse_loss(torch.ones(2), torch.zeros(2)):.4f}")
print(dict(model.named_modules()).keys())
