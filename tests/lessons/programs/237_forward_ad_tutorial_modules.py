# source: https://pytorch.org/tutorials/intermediate/forward_ad_usage.html (Usage with Modules, functional Module API, custom autograd Function, functorch API)
# adapted: sizes shrunk, results printed
import torch
import torch.nn as nn
import torch.autograd.forward_ad as fwAD

torch.manual_seed(0)
model = nn.Linear(5, 5)
input = torch.randn(16, 5)

params = {name: p for name, p in model.named_parameters()}
tangents = {name: torch.rand_like(p) for name, p in params.items()}

with fwAD.dual_level():
    for name, p in params.items():
        delattr(model, name)
        setattr(model, name, fwAD.make_dual(p, tangents[name]))

    out = model(input)
    jvp = fwAD.unpack_dual(out).tangent
print(jvp[:2])

from torch.func import functional_call

model = nn.Linear(5, 5)
dual_params = {}
with fwAD.dual_level():
    for name, p in params.items():
        dual_params[name] = fwAD.make_dual(p, tangents[name])
    out = functional_call(model, dual_params, input)
    jvp = fwAD.unpack_dual(out).tangent
print(jvp[0])

class Fn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, foo):
        result = torch.exp(foo)
        ctx.result = result
        return result

    @staticmethod
    def backward(ctx, gO):
        gI = gO * ctx.result
        return gI

    @staticmethod
    def jvp(ctx, gI):
        gO = gI * ctx.result
        del ctx.result
        return gO

fn = Fn.apply

primal = torch.randn(3, 3, dtype=torch.double, requires_grad=True)
tangent = torch.randn(3, 3)

with fwAD.dual_level():
    dual_input = fwAD.make_dual(primal, tangent)
    dual_output = fn(dual_input)
    jvp = fwAD.unpack_dual(dual_output).tangent
print(jvp)

import functorch
from torch.func import jvp as fjvp
x = torch.randn([])
f = lambda x: x * torch.tensor([1., 2., 3])
value, jvp_out = fjvp(f, (x,), (torch.tensor(1.),))
print(value, jvp_out)

def f2(x, y):
    return x * y
x = torch.randn(5)
y = torch.randn(5)
print(fjvp(f2, (x, y), (torch.ones(5), torch.zeros(5))))
