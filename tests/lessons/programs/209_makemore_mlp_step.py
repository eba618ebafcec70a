# source: https://github.com/karpathy/nn-zero-to-hero (lectures/makemore/makemore_part2_mlp.ipynb: embedding C[X], tanh hidden layer, F.cross_entropy, p.grad = None, p.data += -0.1 * p.grad)
# adapted: the dataset built from names.txt replaced by five fixed contexts of three characters
import torch
import torch.nn.functional as F

X = torch.tensor([[0, 0, 0], [0, 0, 5], [0, 5, 13], [5, 13, 13], [13, 13, 1]])
Y = torch.tensor([5, 13, 13, 1, 0])

g = torch.Generator().manual_seed(2147483647)
C = torch.randn((27, 2), generator=g)
W1 = torch.randn((6, 100), generator=g)
b1 = torch.randn(100, generator=g)
W2 = torch.randn((100, 27), generator=g)
b2 = torch.randn(27, generator=g)
parameters = [C, W1, b1, W2, b2]
print(sum(p.nelement() for p in parameters))

for p in parameters:
    p.requires_grad = True

for _ in range(100):
    emb = C[X]
    h = torch.tanh(emb.view(-1, 6) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Y)
    for p in parameters:
        p.grad = None
    loss.backward()
    for p in parameters:
        p.data += -0.1 * p.grad

print(loss.item())
print(emb.shape, h.shape)
print(logits.max(1))
