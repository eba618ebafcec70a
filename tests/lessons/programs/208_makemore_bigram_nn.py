# source: https://github.com/karpathy/nn-zero-to-hero (lectures/makemore/makemore_part1_bigrams.ipynb: the bigram neural net, one-hot inputs, softmax by hand, W.grad = None, W.data += -50 * W.grad)
# adapted: names.txt replaced by the bigrams of ".emma." as fixed index tensors
import torch
import torch.nn.functional as F

xs = torch.tensor([0, 5, 13, 13, 1])
ys = torch.tensor([5, 13, 13, 1, 0])
num = xs.nelement()
print('number of examples: ', num)

g = torch.Generator().manual_seed(2147483647)
W = torch.randn((27, 27), generator=g, requires_grad=True)

for k in range(10):
    xenc = F.one_hot(xs, num_classes=27).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    print(loss.item())

    W.grad = None
    loss.backward()

    W.data += -50 * W.grad

print(xenc.shape, xenc.dtype)
print(probs[0, :5])
