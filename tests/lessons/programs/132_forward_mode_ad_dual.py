# source: https://pytorch.org/tutorials/intermediate/forward_ad_usage.html (Forward-mode Automatic Differentiation: Basic Usage)
# adapted: torch.randn(10, 10) primal and tangent replaced by fixed 2x2 values; results printed
import torch
import torch.autograd.forward_ad as fwAD

primal = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
tangent = torch.tensor([[1.0, 0.0], [0.0, 1.0]])

def fn(x, y):
    return x ** 2 + y ** 2

with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    assert fwAD.unpack_dual(dual_input).tangent is tangent

    dual_input_alt = fwAD.make_dual(primal, tangent.T)
    assert fwAD.unpack_dual(dual_input_alt).tangent is not tangent

    plain_tensor = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    dual_output = fn(dual_input, plain_tensor)

    jvp = fwAD.unpack_dual(dual_output).tangent

assert fwAD.unpack_dual(dual_output).tangent is None
print(jvp)
