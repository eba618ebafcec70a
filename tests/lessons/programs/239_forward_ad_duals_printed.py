# source: https://pytorch.org/tutorials/intermediate/forward_ad_usage.html and https://docs.pytorch.org/docs/stable/generated/torch.autograd.forward_ad.make_dual.html
# adapted: the tutorial's basic usage with printed dual tensors, unpack_dual outside a level, and the errors the API raises
import torch
import torch.autograd.forward_ad as fwAD
primal = torch.tensor([1.0, 2.0, 3.0])
tangent = torch.tensor([1.0, 0.0, 0.5])
with fwAD.dual_level():
    d = fwAD.make_dual(primal, tangent)
    print(d)
    print(d.grad_fn, d.is_leaf, d.requires_grad)
    u = fwAD.unpack_dual(d)
    print(u)
    print(u.primal is primal, u.tangent is tangent, type(u).__name__)
    y = d.sin() * d + 2
    print(y)
    p, t = fwAD.unpack_dual(y)
    print(p, t)
    print(fwAD.unpack_dual(primal))
    z = (d * d).sum()
    print(fwAD.unpack_dual(z).tangent)
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    dw = fwAD.make_dual(w, torch.ones(2))
    print(dw, dw.grad_fn)
    q = (dw ** 2).sum()
    print(q)
    q.backward()
    print(w.grad)
print(y)
print(fwAD.unpack_dual(y).tangent)
try:
    fwAD.make_dual(primal, tangent)
except Exception as e:
    print(type(e).__name__, e)
with fwAD.dual_level():
    try:
        fwAD.make_dual(primal, torch.ones(2))
    except Exception as e:
        print(type(e).__name__, e)
    try:
        with fwAD.dual_level():
            pass
    except Exception as e:
        print(type(e).__name__, e)
    m = torch.ones(2, 3)
    dm = fwAD.make_dual(m, torch.ones(3, 2).T)
    print(fwAD.unpack_dual(dm).tangent.is_contiguous())
