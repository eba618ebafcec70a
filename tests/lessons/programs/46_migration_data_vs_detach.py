# source: https://pytorch.org/blog/pytorch-0_4_0-migration-guide/ ("What about .data?")
# adapted: the .data half and the .detach() half run one after the other; the .detach() backward raises (uncaught), as the guide says
import torch

a = torch.tensor([1,2,3.], requires_grad = True)
out = a.sigmoid()
c = out.data
c.zero_()
print(out)  # out was modified by c.zero_()
out.sum().backward()  # Requires the original value of out, but that was overwritten by c.zero_()
print(a.grad)  # The result is very, very wrong because `out` changed!

a = torch.tensor([1,2,3.], requires_grad = True)
out = a.sigmoid()
c = out.detach()
c.zero_()
print(out)  # modified by c.zero_() !!
out.sum().backward()  # Requires the original value of out, but that was overwritten by c.zero_()
