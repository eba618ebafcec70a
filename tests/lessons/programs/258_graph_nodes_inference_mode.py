# The autograd notes' graph API: grad_fn as torch.autograd.graph.Node (name, next_functions,
# AccumulateGrad.variable, register_hook/register_prehook on a node, _saved_result), and
# inference mode: its flags, and the error when an inference tensor is saved for backward.
import torch
a = torch.tensor([0., 0., 0.], requires_grad=True)
b = a.clone()
assert isinstance(b.grad_fn, torch.autograd.graph.Node)
print(b.grad_fn.name())
print(b.grad_fn.next_functions)
print(b.grad_fn.next_functions[0][0].variable is a)
def hook(grad_inputs, grad_outputs):
    print("grad_fn hook", grad_inputs, grad_outputs)
def prehook(grad_outputs):
    print("prehook", grad_outputs)
    return (grad_outputs[0] * 2,)
h1 = b.grad_fn.register_hook(hook)
h2 = b.grad_fn.register_prehook(prehook)
b.sum().backward()
print(a.grad)
h1.remove(); h2.remove()
torch.manual_seed(0)
x = torch.randn(3, requires_grad=True)
y = x.exp()
print(y.grad_fn._saved_result.equal(y))
print(torch.is_grad_enabled(), torch.is_inference_mode_enabled())
with torch.inference_mode():
    z = x * 2
    print(z.requires_grad, torch.is_inference_mode_enabled(), z.is_inference())
try:
    (z * x).sum().backward()
except RuntimeError as e:
    print("RuntimeError:", e)
