# source: https://pythonkb.com/python-pytorch-runtimeerror-trying-to-backward-through-the-graph-a-second-time-but-the-buffers-have-already-been-freed (the fix with retain_graph=True, then the example that fails)
# adapted: prints added; the fix first, then the failing example left uncaught
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = torch.sum(x ** 2)
y.backward(retain_graph=True)
print(x.grad)
y.backward()
print(x.grad)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = torch.sum(x ** 2)
y.backward()
print(x.grad)
y.backward()
