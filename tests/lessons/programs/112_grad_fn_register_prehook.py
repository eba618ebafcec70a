# source: https://runebook.dev/en/docs/pytorch/generated/torch.autograd.graph.node.register_prehook (torch.autograd.graph.Node.register_prehook example, PyTorch 2.1 docs)
# adapted: doctest lines as statements
import torch

a = torch.tensor([0., 0., 0.], requires_grad=True)
b = a.clone()
assert isinstance(b.grad_fn, torch.autograd.graph.Node)
handle = b.grad_fn.register_prehook(lambda gI: (gI[0] * 2,))
b.sum().backward(retain_graph=True)
print(a.grad)
handle.remove()
a.grad = None
b.sum().backward(retain_graph=True)
print(a.grad)
