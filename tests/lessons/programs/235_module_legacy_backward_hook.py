# source: https://pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.register_backward_hook (the deprecated form older tutorials use)
# adapted: seeded Linear and ReLU; grad_input printed per edge of the output's grad_fn
import torch
import torch.nn as nn
torch.manual_seed(0)
lin = nn.Linear(3, 2)
def hook(module, grad_input, grad_output):
    print(module, len(grad_input))
    for g in grad_input:
        print(None if g is None else g.shape)
    print(grad_output)
lin.register_backward_hook(hook)
x = torch.randn(4, 3)
lin(x).sum().backward()
x.requires_grad_()
lin(x).pow(2).sum().backward()
print(x.grad)
r = nn.ReLU()
r.register_backward_hook(hook)
r(x).sum().backward()
y = torch.ones(3, requires_grad=True)
f = nn.Linear(3, 1)
f.register_backward_hook(lambda m, gi, go: print(len(gi), [g.shape if g is not None else None for g in gi]))
f(y).backward()
