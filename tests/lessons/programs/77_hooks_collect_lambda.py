# source: https://pytorch.org/docs/stable/generated/torch.Tensor.register_hook.html (hooks as lambdas; handle.remove())
# adapted: several lambda hooks collecting intermediate gradients into a list, written around the documented API
import torch

x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
seen = []
h1 = x.register_hook(lambda g: seen.append(("x", g.tolist())))
y = x * x
h2 = y.register_hook(lambda g: seen.append(("y", g.tolist())))
z = y.sum() * 0.5
z.backward()
for name, g in seen:
    print(name, g)
print(len(seen), x.grad)
h1.remove()
h2.remove()
