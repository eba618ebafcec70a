# source: karpathy/nn-zero-to-hero:lectures/makemore/makemore_part4_backprop.ipynb (cmp() utility and exercise 1's first steps: dlogprobs, dprobs checked against autograd via retain_grad)
# adapted: the batch of 32 names and the random MLP replaced by a fixed 3x4 logits tensor and fixed targets (cut to the loss part of the forward pass)
import torch

def cmp(s, dt, t):
  ex = torch.all(dt == t.grad).item()
  app = torch.allclose(dt, t.grad)
  maxdiff = (dt - t.grad).abs().max().item()
  print(f'{s:15s} | exact: {str(ex):5s} | approximate: {str(app):5s} | maxdiff: {maxdiff}')

n = 3
logits = torch.tensor([[ 0.2, -1.3,  0.8,  0.5],
                       [ 1.1,  0.4, -0.6,  0.0],
                       [-0.7,  0.9,  0.3, -1.2]], requires_grad=True)
Yb = torch.tensor([2, 0, 1])

counts = logits.exp()
counts_sum = counts.sum(1, keepdims=True)
counts_sum_inv = counts_sum**-1
probs = counts * counts_sum_inv
logprobs = probs.log()
loss = -logprobs[range(n), Yb].mean()

for t in [logprobs, probs, counts_sum_inv, counts_sum, counts]:
  t.retain_grad()
loss.backward()
print(loss)

dlogprobs = torch.zeros_like(logprobs)
dlogprobs[range(n), Yb] = -1.0/n
dprobs = (1.0 / probs) * dlogprobs
dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
dcounts = counts_sum_inv * dprobs
dcounts_sum = (-counts_sum**-2) * dcounts_sum_inv
dcounts += torch.ones_like(counts) * dcounts_sum
dlogits = counts * dcounts

cmp('logprobs', dlogprobs, logprobs)
cmp('probs', dprobs, probs)
cmp('counts_sum_inv', dcounts_sum_inv, counts_sum_inv)
cmp('counts_sum', dcounts_sum, counts_sum)
cmp('counts', dcounts, counts)
cmp('logits', dlogits, logits)
