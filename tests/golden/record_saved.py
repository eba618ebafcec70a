"""Record from PyTorch 2.13 what each registry op's backward saves; generate src/gradcli/saved.py.

Run in the torch reference environment (torch is never a dependency of gradcli):

    /tmp/torchref/bin/python tests/golden/record_saved.py

For every key of gradcli's REGISTRY this builds the op in PyTorch on float64 leaves, for
every non-empty set of tensor arguments that require grad, and finds out empirically:

* which items the node saves: each tensor argument and the result (and, where PyTorch
  returns or takes one, the `indices` output of max/min over a dim and the `weight` of
  binary_cross_entropy). An item is bumped in place after the forward (under no_grad:
  ``t.add_(0)`` for floats, ``t.copy_(t.clone())`` otherwise, and
  ``torch.autograd.graph.increment_version`` where neither is allowed, e.g. an expanded
  result); the backward then either raises the version-mismatch error or does not;
* whether a second backward without retain_graph raises "Trying to backward through the
  graph a second time".

It also reads the node's ``_saved_*`` attributes to find tensors it saves that the user
cannot reach (a wrapped Python number, LU factors, ...), which make a second backward
raise although no user-visible tensor is saved.

Writes src/gradcli/saved.py (a generated file); prints every irregularity found.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
import gradcli.dispatch  # noqa: E402,F401  (registers every op, linalg.py included)
import gradcli.nn  # noqa: E402,F401  (and the loss functions' ops)
from gradcli.ops import REGISTRY  # noqa: E402  (numpy only; torch is not imported by gradcli)

OUT = ROOT / "src" / "gradcli" / "saved.py"
DT = torch.float64
GEN = torch.Generator().manual_seed(2013)

SECOND_TIME = "Trying to backward through the graph a second time"
INPLACE = "modified by an inplace operation"
VIEW_OF_MULTI = "is the output of a function that returns multiple views"


# ------------------------------------------------------------------ argument kinds
class Arg:
    """One forward argument. kind: 'f' float tensor (may require grad), 'b'/'i' a bool or
    int tensor (never requires grad), 'n' a Python number (not a tensor), 'kw' a tensor
    passed by keyword that gradcli keeps as a parameter (never requires grad)."""

    def __init__(self, kind, shape=(), value=None, lo=0.2, hi=0.8, noncontig=False, name=None):
        self.kind, self.shape, self.value = kind, shape, value
        self.lo, self.hi, self.noncontig, self.name = lo, hi, noncontig, name

    def make(self, requires_grad: bool):
        if self.kind == "n":
            return self.value
        if self.kind in ("b", "i"):
            return torch.tensor(self.value, dtype=torch.bool if self.kind == "b" else torch.int64)
        if self.kind == "kw" and self.value is not None:  # e.g. an int index tensor
            return torch.tensor(self.value)
        if self.value is not None:
            t = torch.tensor(self.value, dtype=DT)
        elif self.noncontig:  # a leaf whose strides are those of a transpose
            t = (torch.rand(tuple(reversed(self.shape)), generator=GEN, dtype=DT)
                 * (self.hi - self.lo) + self.lo).t()
        else:
            t = torch.rand(self.shape, generator=GEN, dtype=DT) * (self.hi - self.lo) + self.lo
        return t.detach().requires_grad_(requires_grad)


def f(*shape, **kw):
    return Arg("f", shape, **kw)


def num(v):
    return Arg("n", value=v)


WELL = [[2.0, 0.5, 0.1], [0.3, 1.5, 0.2], [0.1, 0.4, 1.8]]

torch.manual_seed(0)
_LSTM = torch.nn.LSTM(3, 3)


def _setitem0(y, v):
    y[0] = v
    return y


# key -> (PyTorch forward taking the arguments in gradcli's registry order, arguments)
SPECS: dict[str, tuple] = {
    "add": (lambda a, b: a + b, [f(3), f(3)]),
    "sub": (lambda a, b: a - b, [f(3), f(3)]),
    "rsub": (lambda x, c: c - x, [f(3), num(2.0)]),
    "mul": (lambda a, b: a * b, [f(3), f(3)]),
    "div": (lambda a, b: a / b, [f(3), f(3)]),
    "div_scalar": (lambda a, c: torch.ops.aten.div.Scalar(a, c), [f(3), num(3.0)]),
    "mul_scalar": (lambda a, c: torch.ops.aten.mul.Scalar(a, c), [f(3), num(3.0)]),
    "neg": (lambda x: -x, [f(3)]),
    "reciprocal": (torch.reciprocal, [f(3)]),
    "pow": (lambda x, p: x ** p, [f(3), num(3.0)]),
    "pow_tensor": (lambda x, p: x ** p, [f(3), f(3)]),
    "pow_base": (lambda c, x: c ** x, [num(2.0), f(3)]),
}
for _name in ["exp", "exp2", "log", "log2", "log10", "log1p", "sqrt", "abs", "sign", "floor",
              "ceil", "round", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
              "tanh", "sigmoid", "relu", "erf", "expm1", "rsqrt", "trunc", "frac", "sgn",
              "logit"]:
    SPECS[_name] = (getattr(torch, _name), [f(3)])
for _name in ["softplus", "gelu", "leaky_relu", "elu", "celu", "logsigmoid", "hardtanh",
              "hardsigmoid", "hardswish", "mish", "silu"]:
    SPECS[_name] = (getattr(F, _name), [f(3, lo=-0.8, hi=0.8)])
SPECS.update({
    "threshold": (lambda x: F.threshold(x, 0.1, 20.0), [f(3)]),
    "clone": (lambda x: x.clone(), [f(3)]),
    "alias": (lambda x: x[:, :], [f(2, 3)]),
    "atan2": (torch.atan2, [f(3), f(3)]),
    "hypot": (torch.hypot, [f(3), f(3)]),
    "maximum": (torch.maximum, [f(3), f(3)]),
    "minimum": (torch.minimum, [f(3), f(3)]),
    "clamp": (lambda x: x.clamp(0.3, 0.7), [f(3)]),
    "clamp_tensor": (torch.clamp, [f(3), f(3, lo=0.1, hi=0.3), f(3, lo=0.7, hi=0.9)]),
    "clamp_min": (lambda x: torch.clamp_min(x, 0.3), [f(3)]),
    "clamp_max": (lambda x: torch.clamp_max(x, 0.7), [f(3)]),
    "clamp_min_tensor": (torch.clamp_min, [f(3), f(3, lo=0.1, hi=0.3)]),
    "clamp_max_tensor": (torch.clamp_max, [f(3), f(3, lo=0.7, hi=0.9)]),
    "where": (torch.where, [Arg("b", value=[True, False, True]), f(3), f(3)]),
    "sum": (lambda x: x.sum(), [f(2, 3)]),
    "sum_dim": (lambda x: x.sum(0), [f(2, 3)]),
    "mean": (lambda x: x.mean(), [f(2, 3)]),
    "mean_dim": (lambda x: x.mean(0), [f(2, 3)]),
    "prod": (lambda x: x.prod(), [f(2, 3)]),
    "prod_dim": (lambda x: x.prod(1), [f(2, 3)]),
    "max": (lambda x: x.max(), [f(2, 3)]),
    "min": (lambda x: x.min(), [f(2, 3)]),
    "max_dim": (lambda x: x.max(0), [f(2, 3)]),
    "min_dim": (lambda x: x.min(0), [f(2, 3)]),
    "logsumexp": (lambda x: torch.logsumexp(x, 0), [f(2, 3)]),
    "softmax": (lambda x: torch.softmax(x, 1), [f(2, 3)]),
    "log_softmax": (lambda x: torch.log_softmax(x, 1), [f(2, 3)]),
    "norm": (lambda x: x.norm(), [f(2, 3)]),
    "dist": (torch.dist, [f(3), f(3, lo=1.0, hi=2.0)]),
    "var": (lambda x: x.var(), [f(2, 3)]),
    "std": (lambda x: x.std(), [f(2, 3)]),
    "cumsum": (lambda x: x.cumsum(0), [f(2, 3)]),
    "trace": (torch.trace, [f(3, 3)]),
    "mm": (torch.mm, [f(2, 3), f(3, 4)]),
    "mv": (torch.mv, [f(2, 3), f(3)]),
    "dot": (torch.dot, [f(3), f(3)]),
    "bmm": (torch.bmm, [f(2, 3, 4), f(2, 4, 5)]),
    "addmm": (torch.addmm, [f(2, 4), f(2, 3), f(3, 4)]),
    "det": (torch.det, [f(value=WELL)]),
    "inverse": (torch.inverse, [f(value=WELL)]),
    "t": (lambda x: x.t(), [f(2, 3)]),
    "permute": (lambda x: x.permute(1, 0), [f(2, 3)]),
    "transpose": (lambda x: x.transpose(0, 1), [f(2, 3)]),
    "view": (lambda x: x.view(6), [f(2, 3)]),
    "reshape_alias": (lambda x: x.reshape(4, 3), [f(4, 3, noncontig=True)]),
    "unsafe_view": (lambda x: torch.ops.aten._unsafe_view(x, [6]), [f(2, 3)]),
    "unsqueeze": (lambda x: x.unsqueeze(0), [f(2, 3)]),
    "squeeze": (lambda x: x.squeeze(), [f(1, 3)]),
    "squeeze_dim": (lambda x: x.squeeze(0), [f(1, 3)]),
    # SqueezeBackward4 is the in-place squeeze_(dim) that matmul applies to its mm result;
    # x.squeeze((0,)) records SqueezeBackward2. The squeezed clone is the result.
    "squeeze_dims": (lambda x: x.clone().squeeze_(0), [f(1, 3)]),
    "squeeze_tuple": (lambda x: x.squeeze((0,)), [f(1, 3)]),
    "expand": (lambda x: x.expand(2, 3), [f(3)]),
    "repeat": (lambda x: x.repeat(2, 1), [f(3)]),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b), [f(1, 2, 4, 4), f(3, 2, 2, 2), f(3)]),
    "embedding": (lambda w, i: F.embedding(i, w), [f(4, 3), Arg("i", value=[0, 2, 2])]),
    "batch_norm": (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [f(4, 3), f(3), f(3)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2), [f(1, 2, 4, 4)]),
    "select": (lambda x: x[0], [f(2, 3)]),
    "slice": (lambda x: x[0:1], [f(2, 3)]),
    "index": (lambda x: x[[0, 2]], [f(4)]),
    "select_backward": (lambda g: torch.ops.aten.select_backward(g, [2, 3], 0, 1), [f(3)]),
    "slice_backward": (lambda g: torch.ops.aten.slice_backward(g, [2, 3], 0, 0, 1, 1),
                       [f(1, 3)]),
    # max/min over dim 0 of a (2, 3) tensor, backward: zeros scattered at the indices
    # (value_selecting_reduction_backward: zeros.scatter_(dim, indices.unsqueeze(dim), ...))
    # (gradcli passes shape, dim, keepdim and the index as parameters)
    "scatter_first": (lambda g, idx: torch.zeros(2, 3, dtype=DT).scatter_(
        0, idx.unsqueeze(0), g.unsqueeze(0)), [f(3), Arg("kw", name="index", value=[1, 0, 1])]),
    "flip": (lambda x: torch.flip(x, [0]), [f(3, 3)]),
    "roll": (lambda x: x.roll(1, 0), [f(3, 3)]),
    "tril": (torch.tril, [f(3, 3)]),
    "triu": (torch.triu, [f(3, 3)]),
    "diag_embed": (torch.diag, [f(3)]),
    "diagonal": (torch.diagonal, [f(3, 3)]),
    "diagonal_copy": (torch.diag, [f(3, 3)]),
    "stack": (lambda a, b: torch.stack([a, b]), [f(3), f(3)]),
    "cat": (lambda a, b: torch.cat([a, b]), [f(3), f(2)]),
    "mse_loss": (F.mse_loss, [f(3), f(3)]),
    "binary_cross_entropy": (lambda p, t, w: F.binary_cross_entropy(p, t, weight=w),
                             [f(4), f(4), Arg("kw", (4,), name="weight", lo=0.5, hi=2.0)]),
    "nll_loss": (F.nll_loss, [f(2, 3, lo=-2.0, hi=-0.1), Arg("i", value=[1, 0])]),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits, [f(4), f(4)]),
    # what lesson programs do to tensors: iterate, assign into, copy into, zero, convert
    "unbind": (lambda x: x.unbind(0)[1], [f(2, 3)]),
    "index_put": (lambda x, v: _setitem0(x.clone(), v), [f(3), f()]),
    "copy_from": (lambda x, src: x.clone().copy_(src), [f(3), f(3)]),
    "zero_inplace": (lambda x: x.clone().zero_(), [f(3)]),
    "fill_inplace": (lambda x: x.clone().fill_(0.5), [f(3)]),
    "to_copy": (lambda x: x.to(torch.float32), [f(3)]),
    # selection, masking, sorting, splitting (dispatch_more.py)
    "gather": (lambda x: x.gather(1, torch.tensor([[0, 2], [1, 1]])), [f(2, 3)]),
    "index_select": (lambda x: x.index_select(1, torch.tensor([2, 0])), [f(2, 3)]),
    "take": (lambda x: x.take(torch.tensor([0, 4])), [f(2, 3)]),
    "sort": (lambda x: x.sort(1).values, [f(2, 3)]),
    "topk": (lambda x: x.topk(2).values, [f(2, 3)]),
    "kthvalue": (lambda x: x.kthvalue(2, 1).values, [f(2, 3)]),
    "median_dim": (lambda x: x.median(1).values, [f(2, 3)]),
    "median": (lambda x: x.median(), [f(2, 3)]),
    "mode": (lambda x: x.mode(1).values, [f(2, 3)]),
    "cummax": (lambda x: x.cummax(1).values, [f(2, 3)]),
    "cummin": (lambda x: x.cummin(1).values, [f(2, 3)]),
    "masked_fill": (lambda x: x.masked_fill(torch.tensor([True, False, True]), 0.5), [f(3)]),
    "masked_fill_tensor": (lambda x, v: x.masked_fill(torch.tensor([True, False, True]), v),
                           [f(3), f()]),
    "masked_select": (lambda x: x.masked_select(torch.tensor([True, False, True])), [f(3)]),
    "cumprod": (lambda x: x.cumprod(0), [f(3)]),
    "amax": (lambda x: x.amax(1), [f(2, 3)]),
    "amin": (lambda x: x.amin(1), [f(2, 3)]),
    "lerp": (lambda x, e: torch.lerp(x, e, 0.3), [f(3), f(3)]),
    "lerp_tensor": (torch.lerp, [f(3), f(3), f(3)]),
    "addcmul": (lambda x, a, b: torch.addcmul(x, a, b, value=0.5), [f(3), f(3), f(3)]),
    "addcdiv": (lambda x, a, b: torch.addcdiv(x, a, b, value=0.5), [f(3), f(3), f(3)]),
    "logaddexp": (torch.logaddexp, [f(3), f(3)]),
    "remainder": (lambda x: torch.remainder(x, 0.3), [f(3)]),
    "remainder_tensor": (torch.remainder, [f(3), f(3, lo=0.1, hi=0.3)]),
    "fmod": (lambda x: torch.fmod(x, 0.3), [f(3)]),
    "fmod_tensor": (torch.fmod, [f(3), f(3, lo=0.1, hi=0.3)]),
    "nan_to_num": (torch.nan_to_num, [f(3)]),
    "round_decimals": (lambda x: torch.round(x, decimals=1), [f(3)]),
    "deg2rad": (torch.deg2rad, [f(3)]),
    "rad2deg": (torch.rad2deg, [f(3)]),
    "split": (lambda x: x.split(2, 1)[0], [f(2, 3)]),
    "split_with_sizes": (lambda x: x.split([1, 2], 1)[1], [f(2, 3)]),
    # special functions, linear algebra (linalg.py)
    "erfc": (torch.erfc, [f(3)]),
    "erfinv": (torch.erfinv, [f(3)]),
    "lgamma": (torch.lgamma, [f(3)]),
    "digamma": (torch.digamma, [f(3)]),
    "polygamma": (lambda x, n: torch.polygamma(n, x), [f(3), num(2)]),
    "sinc": (torch.sinc, [f(3)]),
    "xlogy": (torch.xlogy, [f(3), f(3)]),
    "xlogy_scalar_other": (torch.xlogy, [f(3), num(2.0)]),
    "xlogy_scalar_self": (lambda b, a: torch.xlogy(a, b), [f(3), num(2.0)]),
    "logcumsumexp": (lambda x: x.logcumsumexp(0), [f(3)]),
    "scatter_add": (lambda x, s: x.scatter_add(0, torch.tensor([0, 2, 0]), s), [f(3), f(3)]),
    "index_add": (lambda x, s: x.index_add(0, torch.tensor([0, 2]), s), [f(3), f(2)]),
    "cross": (lambda a, b: torch.linalg.cross(a, b), [f(3), f(3)]),
    "cdist": (torch.cdist, [f(2, 3), f(2, 3)]),
    "solve": (torch.linalg.solve, [f(value=WELL), f(3)]),
    "cholesky": (lambda a: torch.linalg.cholesky(a @ a.mT + torch.eye(3, dtype=DT)),
                 [f(value=WELL)]),
    "cholesky_legacy": (lambda a: torch.cholesky(a @ a.mT + torch.eye(3, dtype=DT)),
                        [f(value=WELL)]),
    "eigh_values": (lambda a: torch.linalg.eigh(a + a.mT)[0], [f(value=WELL)]),
    "eigh_vectors": (lambda a: torch.linalg.eigh(a + a.mT)[1], [f(value=WELL)]),
    "svdvals": (torch.linalg.svdvals, [f(value=WELL)]),
    # more of torch.nn.functional (nnfunctional.py)
    "smooth_l1_loss": (F.smooth_l1_loss, [f(3), f(3)]),
    "huber_loss": (F.huber_loss, [f(3), f(3)]),
    "scatter": (lambda x, s: x.scatter(0, torch.tensor([[1, 0], [0, 1]]), s), [f(2, 2), f(2, 2)]),
    "scatter_value": (lambda x: x.scatter(0, torch.tensor([[1, 0], [0, 1]]), 2.0), [f(2, 2)]),
    "index_copy": (lambda x, s: x.index_copy(0, torch.tensor([1, 0]), s), [f(2, 3), f(2, 3)]),
    "rot90": (lambda x: torch.rot90(x, 1, [0, 1]), [f(2, 3)]),
    "addmv": (lambda c, a, v: torch.addmv(c, a, v, beta=0.5, alpha=2.0), [f(2), f(2, 3), f(3)]),
    "unfold": (lambda x: x.unfold(0, 2, 1), [f(4)]),
    "slogdet": (lambda x: torch.linalg.slogdet(x)[1], [f(3, 3, value=WELL)]),
    "slogdet_sign": (lambda x: torch.linalg.slogdet(x)[0], [f(3, 3, value=WELL)]),
    "soft_margin_loss": (F.soft_margin_loss, [f(3), Arg("kw", (3,), name="1")]),
    "multi_margin_loss": (F.multi_margin_loss, [f(2, 3), Arg("i", value=[1, 0])]),
    "norm_aten": (lambda x: torch.ops.aten.norm.ScalarOpt_dim(x, 2.0, [1]), [f(2, 3)]),
    "transpose_fresh": (lambda x: x.clone().transpose_(0, 1), [f(2, 3)]),
    # a float32 nn.LSTM layer (oneDNN): the output of its MkldnnRnnLayerBackward0 node
    "mkldnn_rnn_layer": (lambda x: _LSTM(x.float().unsqueeze(1))[0], [f(2, 3)]),
    "layer_norm": (lambda x, w, b: F.layer_norm(x, (3,), w, b), [f(2, 3), f(3), f(3)]),
    "prelu": (lambda x, w: torch._prelu_kernel(x, w), [f(2, 3, lo=-0.8, hi=0.8), f(3)]),
    "softshrink": (F.softshrink, [f(3)]),
    "hardshrink": (F.hardshrink, [f(3)]),
    "glu": (F.glu, [f(2, 4)]),
    "constant_pad": (lambda x: F.pad(x, (1, 2)), [f(2, 3)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), [f(1, 2, 4, 4)]),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [f(1, 2, 4, 5)]),
    "conv1d": (lambda x, w, b: F.conv1d(x, w, b), [f(2, 2, 5), f(3, 2, 2), f(3)]),
})

# A Python number where gradcli's dispatch may pass one to a tensor op (`x * 2`, `x - 1`,
# `torch.where(c, x, 0.5)`): recorded separately, for the second backward.
NUMBER_FORMS = {
    ("add", 1): (lambda a, b: a + b, [f(3), num(2)]),
    ("sub", 1): (lambda a, b: a - b, [f(3), num(2)]),
    ("mul", 1): (lambda a, b: a * b, [f(3), num(2)]),
    ("div", 1): (lambda a, b: a / b, [f(3), num(2)]),
    ("where", 1): (torch.where, [Arg("b", value=[True, False, True]), num(0.5), f(3)]),
    ("where", 2): (torch.where, [Arg("b", value=[True, False, True]), f(3), num(0.5)]),
}
# a float number behaves as an int one (the wrapped scalar is saved either way)
NUMBER_FORMS_SAME = {("mul", 1): (lambda a, b: a * b, [f(3), num(2.5)]),
                     ("div", 1): (lambda a, b: a / b, [f(3), num(2.5)]),
                     ("add", 1): (lambda a, b: a + b, [f(3), num(2.5)])}


# ------------------------------------------------------------------ running one case
def label(args_spec, i):
    a = args_spec[i]
    return a.name if a.kind == "kw" else str(i)


def tensor_positions(spec):
    return [i for i, a in enumerate(spec) if a.kind != "n"]


def float_positions(spec):
    return [i for i, a in enumerate(spec) if a.kind == "f"]


def call(fn, spec, rg):
    args = [a.make(i in rg) for i, a in enumerate(spec)]
    out = fn(*args)
    extras = {}
    if isinstance(out, tuple):  # max(dim)/min(dim): values, indices
        extras["indices"] = out.indices
        out = out.values
    items = {label(spec, i): args[i] for i in tensor_positions(spec)}
    items["result"] = out
    items.update(extras)
    return args, out, items


def bump(t: torch.Tensor) -> str:
    """Raise t's version by an in-place op that leaves its values alone."""
    with torch.no_grad():
        try:
            if t.is_floating_point():
                t.add_(0)
                return "add_(0)"
            t.copy_(t.clone())
            return "copy_"
        except RuntimeError:
            torch.autograd.graph.increment_version(t)
            return "increment_version"


def backward(out):
    torch.autograd.backward(out, torch.ones_like(out))


def saved_attrs(fn_node, items):
    """The node's tensor-valued _saved_* attributes: name -> which item it is (or None)."""
    found = {}
    for name in sorted(dir(fn_node)):
        if not name.startswith("_saved_"):
            continue
        try:
            v = getattr(fn_node, name)
        except RuntimeError:
            continue
        vs = v if isinstance(v, (tuple, list)) else [v]
        for k, t in enumerate(vs):
            if not isinstance(t, torch.Tensor):
                continue
            same = [lab for lab, it in items.items()
                    if isinstance(it, torch.Tensor) and it.data_ptr() == t.data_ptr()
                    and it.dtype == t.dtype]
            exact = [lab for lab in same if items[lab].shape == t.shape]
            who = (exact or same or [None])[0]  # a view of an item (index.unsqueeze) is it
            found[name if len(vs) == 1 else f"{name}[{k}]"] = who
    return found


IRREGULAR: list[str] = []


def record_key(key, fn, spec):
    fpos = float_positions(spec)
    combos = [frozenset(c) for n in range(1, len(fpos) + 1) for c in itertools.combinations(fpos, n)]
    args, out, items = call(fn, spec, frozenset(fpos))
    name = type(out.grad_fn).__name__
    want = REGISTRY[key].grad_fn if key in REGISTRY else None
    if want is not None and name != want:
        IRREGULAR.append(f"{key}: PyTorch records {name}, the registry says {want}")
    labels = list(items)
    saved = {}     # (item, combo) -> bool
    methods = {}
    messages = {}
    second = {}    # combo -> bool
    hidden = {}    # combo -> tuple of attr names not matched to an item
    for combo in combos:
        for lab in labels:
            args, out, items = call(fn, spec, combo)
            methods[lab] = bump(items[lab])
            try:
                backward(out)
                saved[lab, combo] = False
            except RuntimeError as e:
                msg = str(e)
                if VIEW_OF_MULTI in msg:  # unbind's outputs refuse in-place changes of
                    saved[lab, combo] = False  # their base: a view rule, not a saved tensor
                    continue
                if INPLACE not in msg:
                    IRREGULAR.append(f"{key} {lab} {sorted(combo)}: unexpected error {msg!r}")
                saved[lab, combo] = True
                messages[lab] = msg.split(" Hint:")[0]
        _, out, items = call(fn, spec, combo)
        attrs = saved_attrs(out.grad_fn, items)
        hidden[combo] = tuple(sorted(a for a, who in attrs.items() if who is None))
        if type(out.grad_fn).__name__ == "CopySlices":
            # CopySlices wraps the backward of the view it wrote through (CopyBackwards
            # of the slice), whose saved state is released like any other
            hidden[combo] += ("fn",)
        backward(out)
        try:
            backward(out)
            second[combo] = False
        except RuntimeError as e:
            if SECOND_TIME not in str(e):
                IRREGULAR.append(f"{key} {sorted(combo)}: second backward raised {e!r}")
            second[combo] = True
    # `when` sets: positions that, alone requiring grad, make the item saved
    table = []
    for lab in labels:
        when = frozenset(p for p in fpos if saved[lab, frozenset({p})])
        for combo in combos:
            if saved[lab, combo] != bool(combo & when):
                IRREGULAR.append(f"{key}: item {lab} saved={saved[lab, combo]} with "
                                 f"{sorted(combo)} requiring grad, not 'any of {sorted(when)}'")
        if when:
            table.append((lab, when))
    for combo in combos:
        visible = any(saved[lab, combo] for lab in labels)
        if second[combo] != (visible or bool(hidden[combo])):
            IRREGULAR.append(f"{key} {sorted(combo)}: second backward raises={second[combo]}, "
                             f"visible saved={visible}, hidden saved={hidden[combo]}")
    sb_when = frozenset(p for p in fpos if second[frozenset({p})])
    for combo in combos:
        if second[combo] != bool(combo & sb_when):
            IRREGULAR.append(f"{key}: second backward with {sorted(combo)} not 'any of "
                             f"{sorted(sb_when)}'")
    hidden_any = sorted({h for hs in hidden.values() for h in hs})
    packs = {combo: pack_order(fn, spec, combo, None) for combo in combos}
    return {"packs": packs, "grad_fn": name, "saves": tuple(table), "second": sb_when, "hidden": hidden_any,
            "messages": messages, "methods": methods}


def pack_order(fn, spec, combo, items_of):
    """The items the node packs, in order, when saved_tensors_hooks are active (pack_hook
    runs as each tensor is saved), and the order backward unpacks them. An item is its
    label; a saved tensor that is no item is "n<pos>" when it equals the Python number at
    argument pos (PyTorch wraps the number in a tensor), else "?"."""
    packed, unpacked = [], []

    def pack(t):
        packed.append(t)
        return len(packed) - 1

    def unpack(k):
        unpacked.append(k)
        return packed[k]

    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        args, out, items = call(fn, spec, combo)
    backward(out)

    def who(t):
        for lab, it in items.items():
            if it is t:
                return lab
        for lab, it in items.items():
            if isinstance(it, torch.Tensor) and it.data_ptr() == t.data_ptr() and \
                    it.shape == t.shape and it.dtype == t.dtype:
                return lab
        for i, a in enumerate(spec):
            if a.kind == "n" and t.dim() == 0 and float(t) == float(a.value):
                return f"n{i}"
        return "?"

    labels = [who(t) for t in packed]
    return tuple(labels), tuple(labels[k] for k in unpacked)


def order_key(lab):
    return (0, int(lab)) if lab.isdigit() else (1 if lab == "result" else 2, lab)


def fs(s):
    return "frozenset({" + ", ".join(str(p) for p in sorted(s)) + "})" if s else "frozenset()"


def main() -> None:
    missing = [k for k in REGISTRY if k not in SPECS]
    if missing:
        sys.exit(f"no PyTorch spelling for registry keys: {missing}")
    extra = [k for k in SPECS if k not in REGISTRY]
    if extra:
        IRREGULAR.append(f"spelled but not in the registry: {extra}")
    recs = {k: record_key(k, *SPECS[k]) for k in REGISTRY}
    number = {kp: record_key(None, *NUMBER_FORMS[kp]) for kp in NUMBER_FORMS}
    for kp, spec in NUMBER_FORMS_SAME.items():
        r = record_key(None, *spec)
        if (r["second"], r["hidden"]) != (number[kp]["second"], number[kp]["hidden"]):
            IRREGULAR.append(f"{kp}: a float number differs from an int one: {r}")

    lines = [
        '"""What each op\'s backward saves in PyTorch 2.13, recorded empirically.',
        "",
        "GENERATED by tests/golden/record_saved.py (run with the torch reference venv); do not",
        "edit by hand. For every registry key the op was built on float64 leaves for every",
        "non-empty set of tensor arguments requiring grad; each item was bumped in place after",
        "the forward and the backward checked for PyTorch's version-mismatch error.",
        "",
        "SAVES[key]: pairs (item, when). item is an argument position (\"0\", \"1\", ...) in the",
        "registry's argument order, \"result\" (output 0), \"indices\" (max/min over a dim: the",
        "indices output), \"weight\" (binary_cross_entropy's weight= tensor) or \"index\"",
        "(scatter_first's index) -- the last two are parameters in gradcli, not arguments.",
        "The item is saved if ANY argument position in `when` requires grad.",
        "Positions holding a Python number never require grad.",
        "",
        "SECOND_BACKWARD_ERRORS: keys whose node raises \"Trying to backward through the graph",
        "a second time\" on a second backward without retain_graph (for some requires-grad",
        "combination; SECOND_BACKWARD_WHEN gives the positions, ANY of which must require",
        "grad). A node raises iff it saved a tensor: a SAVES item, or a tensor the user cannot",
        "reach (HIDDEN_SAVES: the node's _saved_* attribute names, e.g. LU factors or a",
        "wrapped Python number).",
        "",
        "NUMBER_OPERAND_SECOND_BACKWARD[(key, position)]: with a Python number at `position`",
        "(``x * 2`` is mul(x, 2)) and the tensor operand requiring grad, does a second backward",
        "raise?",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f"TORCH_VERSION = {torch.__version__!r}",
        "",
        "SAVES: dict[str, tuple[tuple[str, frozenset[int]], ...]] = {",
    ]
    for k, r in recs.items():
        items = sorted(r["saves"], key=lambda p: order_key(p[0]))
        body = "".join(f"({lab!r}, {fs(w)}), " for lab, w in items)
        lines.append(f"    {k!r}: ({body.rstrip(', ')}{',' if len(items) == 1 else ''}),")
    lines.append("}")
    lines.append("")
    sb = sorted(k for k, r in recs.items() if r["second"])
    lines.append("SECOND_BACKWARD_ERRORS: frozenset[str] = frozenset({")
    lines += [f"    {k!r}," for k in sb]
    lines.append("})")
    lines.append("")
    lines.append("SECOND_BACKWARD_WHEN: dict[str, frozenset[int]] = {")
    lines += [f"    {k!r}: {fs(recs[k]['second'])}," for k in sb]
    lines.append("}")
    lines.append("")
    lines.append("HIDDEN_SAVES: dict[str, tuple[str, ...]] = {")
    lines += [f"    {k!r}: {tuple(r['hidden'])!r}," for k, r in recs.items() if r["hidden"]]
    lines.append("}")
    lines.append("")
    lines.append("NUMBER_OPERAND_SECOND_BACKWARD: dict[tuple[str, int], bool] = {")
    lines += [f"    {kp!r}: {bool(r['second'])!r},  # hidden: {', '.join(r['hidden']) or '-'}"
              for kp, r in number.items()]
    lines.append("}")
    lines.append("")
    lines.append("# PACKS[key][positions requiring grad]: (the saved tensors in the order")
    lines.append("# saved_tensors_hooks' pack_hook sees them, the order backward unpacks them);")
    lines.append("# an item as in SAVES, or \"n<pos>\" for a Python number PyTorch wrapped.")
    lines.append("PACKS: dict[str, dict[frozenset[int], tuple[tuple[str, ...], tuple[str, ...]]]] = {")
    for k, r in recs.items():
        entries = {c: v for c, v in r["packs"].items() if v[0]}
        if entries:
            body = ", ".join(f"{fs(c)}: {v!r}" for c, v in sorted(
                entries.items(), key=lambda cv: (len(cv[0]), sorted(cv[0]))))
            lines.append(f"    {k!r}: {{{body}}},")
    lines.append("}")
    lines.append("")
    lines.append("# NUMBER_PACKS[(key, position)]: PACKS for the form with a Python number at position")
    lines.append("NUMBER_PACKS: dict[tuple[str, int], tuple[tuple[str, ...], tuple[str, ...]]] = {")
    for kp, r in number.items():
        (combo, v), = [(c, v) for c, v in r["packs"].items()] or [(None, ((), ()))]
        lines.append(f"    {kp!r}: {v!r},")
    lines.append("}")
    lines.append("")
    lines.append("# grad_fn names shared by several registry keys")
    by_name = {}
    for k, r in recs.items():
        by_name.setdefault(r["grad_fn"], []).append(k)
    lines.append("SHARED_GRAD_FN: dict[str, tuple[str, ...]] = {")
    lines += [f"    {n!r}: {tuple(ks)!r}," for n, ks in sorted(by_name.items()) if len(ks) > 1]
    lines.append("}")
    OUT.write_text("\n".join(lines) + "\n")

    print(f"wrote {len(recs)} keys to {OUT}")
    for k, r in recs.items():
        print(f"  {k:22s} {r['grad_fn']:28s} saves={[(a, sorted(b)) for a, b in r['saves']]} "
              f"second={sorted(r['second'])} hidden={r['hidden']}")
    for kp, r in number.items():
        print(f"  number {kp}: {r['grad_fn']} second={sorted(r['second'])} hidden={r['hidden']}")
    methods = sorted({(k, lab, m) for k, r in recs.items() for lab, m in r["methods"].items()
                      if m == "increment_version"})
    print("bumped with increment_version (no in-place op allowed):", methods)
    print(f"{len(IRREGULAR)} irregularities:")
    for line in IRREGULAR:
        print("  " + line)


if __name__ == "__main__":
    main()
