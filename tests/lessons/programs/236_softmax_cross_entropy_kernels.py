# source: https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html and torch.nn.functional.softmax / log_softmax (examples)
# adapted: the documented examples over batch sizes and class counts that cross PyTorch's vector widths and its loss's 16-item cascade; every value printed in full
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.manual_seed(0)
loss = nn.CrossEntropyLoss()
for batch, classes in [(1, 5), (3, 5), (4, 16), (17, 10), (40, 3), (300, 7)]:
    input = torch.randn(batch, classes, requires_grad=True)
    target = torch.empty(batch, dtype=torch.long).random_(classes)
    output = loss(input, target)
    output.backward()
    print(batch, classes, output.item(), input.grad.sum().item(), input.grad[0].tolist())
    s = F.softmax(input, dim=1)
    print(s.sum().item(), s[-1].tolist())
    ls = F.log_softmax(input, dim=-1)
    w = torch.randn(batch, classes)
    input.grad = None
    (ls * w).sum().backward()
    print(ls[0].tolist(), input.grad[-1].tolist())
    input.grad = None
    (s * w).sum().backward()
    print(input.grad[0].tolist())
nll = nn.NLLLoss(reduction='sum')
x = torch.randn(5000, 3)
t = torch.randint(0, 3, (5000,))
print(nll(F.log_softmax(x, dim=1), t).item(), F.nll_loss(F.log_softmax(x, dim=1), t).item())
m = nn.Softmax(dim=1)
print(m(torch.randn(2, 3)))
