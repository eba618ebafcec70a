"""Which registry op a spelling picks, decided as PyTorch's Python dispatch decides it.

Binary operators go through an explicit table keyed by (operator, left kind, right kind),
where a kind is ``T`` (a tensor: a graph node) or ``N`` (a Python number). Calls go through
``FUNCTIONS``: every function, ``torch.``/``F.`` alias and method spelling maps to one
resolver here. grad_fn names are never derived from method names; they come from the
registry entry the resolver picks.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .engine import Node
from .errors import ArgumentError, ProgramError, ShapeError

if TYPE_CHECKING:
    from .evaluator import Evaluator

T, N = "T", "N"

#  (operator, left, right) -> (registry key, argument order)
BINARY: dict[tuple[str, str, str], tuple[str, tuple[int, int]]] = {
    ("+", T, T): ("add", (0, 1)), ("+", T, N): ("add", (0, 1)), ("+", N, T): ("add", (1, 0)),
    ("-", T, T): ("sub", (0, 1)), ("-", T, N): ("sub", (0, 1)), ("-", N, T): ("rsub", (1, 0)),
    ("*", T, T): ("mul", (0, 1)), ("*", T, N): ("mul", (0, 1)), ("*", N, T): ("mul", (1, 0)),
    ("/", T, T): ("div", (0, 1)), ("/", T, N): ("div", (0, 1)),
    ("**", T, N): ("pow", (0, 1)), ("**", T, T): ("pow_tensor", (0, 1)),
    ("**", N, T): ("pow_base", (0, 1)),
}

OP_WORDS = {"+": "addition", "-": "subtraction", "*": "multiplication", "/": "division",
            "**": "power", "@": "matrix multiplication"}


class NamedPair(tuple):
    """What max(x, dim) returns: (values, indices), as PyTorch's named tuple
    (`kind`: "max" or "min", for torch.return_types.max(...) when printed)."""

    kind = "max"
    fields = ("values", "indices")

    def repr_with(self, r) -> str:
        a, b = self.fields
        return f"torch.return_types.{self.kind}(\n{a}={r(self[0])},\n{b}={r(self[1])})"

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


def kind(v: Any) -> str:
    return T if isinstance(v, Node) else N


MAX_INT_BITS = 14000  # about Python's 4300-digit limit: larger integers are refused


def fold(symbol: str, a: float, b: float) -> float | int:
    """A binary operator on two Python numbers: constant subtrees fold, as in PyTorch."""
    if isinstance(a, int) and isinstance(b, int) and (
            a.bit_length() > 53 or b.bit_length() > 53 or symbol == "**"):
        exact = _fold_int(symbol, a, b)  # beyond float precision: Python's exact integers
        if exact is not None:
            return exact
    with np.errstate(all="ignore"):
        x, y = np.float64(a), np.float64(b)
        r = {"+": x + y, "-": x - y, "*": x * y, "/": x / y, "**": x ** y}[symbol]
    if (isinstance(a, int) and isinstance(b, int) and symbol in "+-*"
            and math.isfinite(r) and abs(r) < 2**53):
        return int(r)
    return float(r)


def _fold_int(symbol: str, a: int, b: int) -> int | None:
    """int OP int as Python computes it when the result is an integer (None otherwise),
    refusing results too large to be of any use (9**9**9 would take hours)."""
    if symbol == "**":
        if b < 0:
            return None
        if abs(a) > 1 and b * math.log2(abs(a)) > MAX_INT_BITS:
            raise ProgramError(f"{a if a.bit_length() < 64 else 'an integer'} ** "
                               f"{b if b.bit_length() < 64 else 'an integer'} would have more "
                               f"than {MAX_INT_BITS:,} bits: integer too large",
                               "OverflowError")
        return a ** b
    if symbol not in "+-*":
        return None
    r = a + b if symbol == "+" else a - b if symbol == "-" else a * b
    if r.bit_length() > MAX_INT_BITS:
        raise ProgramError(f"the result has more than {MAX_INT_BITS:,} bits: integer too "
                           "large", "OverflowError")
    return r


def check_int_operand(v: Any) -> None:
    """A Python integer meeting a tensor must fit int64, as PyTorch's Scalar does."""
    if type(v) is int and not -2**63 <= v < 2**63:
        raise ProgramError("int too big to convert", "OverflowError")


def binary(ev: "Evaluator", symbol: str, a: Any, b: Any) -> Any:
    if type(a) is not Node:
        a = ev.operand(a)
    if type(b) is not Node:
        b = ev.operand(b)
    if symbol == "@":
        return matmul(ev, a, b)
    ka, kb = kind(a), kind(b)
    if ka == N and kb == N:
        return fold(symbol, a, b)
    check_int_operand(a)
    check_int_operand(b)
    if symbol == "/" and ka == N:  # c / x is c * x.reciprocal(), as PyTorch computes it
        r = ev.apply("reciprocal", (b,), expr=f"1/{ev.text_of(b)}")
        return ev.apply("mul", (r, a))
    key, order = BINARY[(symbol, ka, kb)]
    args = (a, b)
    if ka == T and kb == T:
        ev.check_broadcast(OP_WORDS[symbol], a.value.shape, b.value.shape)
    return ev.apply(key, (args[order[0]], args[order[1]]))


def unary_minus(ev: "Evaluator", a: Any) -> Any:
    a = ev.operand(a)
    if kind(a) == N:
        return -a
    return ev.apply("neg", (a,))


COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
           "==": np.equal, "!=": np.not_equal}


def compare(ev: "Evaluator", symbol: str, a: Any, b: Any) -> Any:
    a, b = ev.operand(a), ev.operand(b)
    av = a.value if isinstance(a, Node) else a
    bv = b.value if isinstance(b, Node) else b
    if isinstance(a, Node) or isinstance(b, Node):
        check_int_operand(a)
        check_int_operand(b)
        if isinstance(a, Node) and isinstance(b, Node):
            ev.check_broadcast(f"the comparison {symbol}", a.value.shape, b.value.shape)
    result = COMPARE[symbol](av, bv)
    if kind(a) == N and kind(b) == N:
        return bool(result)
    return ev.constant(np.asarray(result))


# ------------------------------------------------------------------ matrix products


def _need_ndim(fname: str, x: Node, ndims: tuple[int, ...], what: str) -> None:
    if x.value.ndim not in ndims:
        raise ShapeError(f"{fname}: {what} must be {'or '.join(f'{n}-D ' for n in ndims)}"
                         f"(got shape {list(x.value.shape)})")


def _inner(fname: str, a: Node, b: Node, ka: int, kb: int) -> None:
    sa, sb = a.value.shape, b.value.shape
    if sa[ka] != sb[kb]:
        raise ShapeError(f"{fname}: shapes {list(sa)} and {list(sb)} cannot be multiplied "
                         f"({sa[ka]} != {sb[kb]})")


_SCALAR_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                 "int64": "long int", "int32": "int", "bool": "bool"}


_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                "int32": "Int", "bool": "Bool"}


def same_dtype(a: Node, b: Node) -> None:
    """Matrix products need one dtype, as in PyTorch (no promotion)."""
    da, db = a.value.dtype, b.value.dtype
    if da != db:
        raise ShapeError(f"expected m1 and m2 to have the same dtype, but got: "
                         f"{_SCALAR_TYPES.get(str(da), str(da))} != "
                         f"{_SCALAR_TYPES.get(str(db), str(db))}")


def check_flops(ev, fname: str, a: Node, b: Node) -> None:
    """Refuse a matrix product that would take more than --max-flops operations (2 per
    multiply-add), before any of it runs."""
    sa, sb = a.value.shape, b.value.shape
    n = sa[-2] if len(sa) > 1 else 1
    k = sa[-1] if sa else 1
    p = sb[-1] if len(sb) > 1 else 1
    try:
        batch = math.prod(np.broadcast_shapes(sa[:-2], sb[:-2]))
    except ValueError:
        return  # the shape check says what is wrong
    ev.graph.check_flops(2 * batch * n * k * p, f"{fname} of shapes {list(sa)} and {list(sb)}")


def mm(ev, a, b):
    a, b = ev.tensor(a), ev.tensor(b)
    _need_ndim("mm", a, (2,), "the first argument")
    _need_ndim("mm", b, (2,), "the second argument")
    same_dtype(a, b)
    _inner("mm", a, b, 1, 0)
    check_flops(ev, "mm", a, b)
    ev.graph.check_size((a.value.shape[0], b.value.shape[1]), "the result of mm")
    return ev.apply("mm", (a, b))


def mv(ev, a, b):
    a, b = ev.tensor(a), ev.tensor(b)
    _need_ndim("mv", a, (2,), "the matrix")
    _need_ndim("mv", b, (1,), "the vector")
    if a.value.dtype != b.value.dtype:
        raise ShapeError("addmv input tensors must have the same dtype, but got "
                         f"{_TORCH_NAMES.get(str(b.value.dtype))}, "
                         f"{_TORCH_NAMES.get(str(a.value.dtype))}, and "
                         f"{_TORCH_NAMES.get(str(b.value.dtype))}")
    _inner("mv", a, b, 1, 0)
    return ev.apply("mv", (a, b))


def dot(ev, a, b):
    a, b = ev.tensor(a), ev.tensor(b)
    _need_ndim("dot", a, (1,), "the first argument")
    _need_ndim("dot", b, (1,), "the second argument")
    if a.value.dtype != b.value.dtype:
        raise ShapeError("dot : expected both vectors to have same dtype, but found "
                         f"{_TORCH_NAMES.get(str(a.value.dtype))} and "
                         f"{_TORCH_NAMES.get(str(b.value.dtype))}")
    _inner("dot", a, b, 0, 0)
    return ev.apply("dot", (a, b))


def matmul(ev, a, b):
    """`@` and torch.matmul, decomposed exactly as PyTorch's _matmul_impl decomposes them:
    dot, mv, mm; a folded mm/mv when one side is a batch of matrices and the other is not;
    otherwise expand, reshape, bmm and an unsafe view."""
    a, b = ev.tensor(a), ev.tensor(b)
    da, db = a.value.ndim, b.value.ndim
    if da == 0 or db == 0:
        raise ShapeError("matmul: both arguments need at least one dimension "
                         f"(got shapes {list(a.value.shape)} and {list(b.value.shape)})")
    if a.value.dtype.kind == "f" and b.value.dtype.kind == "f":
        same_dtype(a, b)
    if da == 2 and db == 2:
        return mm(ev, a, b)
    if da == 2 and db == 1:
        return mv(ev, a, b)
    if da == 1 and db == 1:
        return dot(ev, a, b)
    if da == 1 and db == 2:
        _inner("matmul", a, b, 0, 0)
        row = ev.apply("unsqueeze", (a,), {"dim": 0})
        return ev.apply("squeeze_dims", (ev.apply("mm", (row, b)),), {"dims": (0,)})
    m1 = a.value.shape[-1]
    m2 = b.value.shape[-2] if db > 1 else b.value.shape[0]
    if m1 != m2:
        raise ShapeError(f"matmul: shapes {list(a.value.shape)} and {list(b.value.shape)} "
                         f"cannot be multiplied ({m1} != {m2})")
    check_flops(ev, "matmul", a, b)
    if _should_fold(a, b):
        return _folded(ev, a, b)
    return _batched(ev, a, b)


def _mT(ev, x: Node) -> Node:
    nd = x.value.ndim
    return ev.apply("transpose", (x,), {"dim0": nd - 2, "dim1": nd - 1})


def _should_fold(a: Node, b: Node) -> bool:
    larger = a.value.ndim >= b.value.ndim
    t1 = a.value if larger else np.swapaxes(b.value, -1, -2)
    dim_t2 = b.value.ndim if larger else a.value.ndim
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    if (b if larger else a).requires_grad:
        return True
    if a.value.ndim == 2:
        return False
    if t1.size == 0:
        return True
    strides, shape = t1.strides, t1.shape
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(t1.ndim - 2))


def _folded(ev, a: Node, b: Node) -> Node:
    transpose = b.value.ndim > a.value.ndim
    t1 = _mT(ev, b) if transpose else a
    t2 = b if not transpose else (ev.apply("t", (a,)) if a.value.ndim == 2 else a)
    out_shape = t1.value.shape[:-1]
    folded = reshape(ev, "matmul", t1, (math.prod(out_shape), t1.value.shape[-1]))
    if t2.value.ndim == 2:
        ev.graph.check_size((*out_shape, t2.value.shape[1]), "the result of matmul")
        out = ev.apply("unsafe_view", (ev.apply("mm", (folded, t2)),),
                       {"shape": (*out_shape, t2.value.shape[1])})
        if transpose:
            out = _mT(ev, out)
            if not out.value.flags.c_contiguous:
                out = ev.apply("clone", (out,), {"contiguous": True})
        return out
    return ev.apply("unsafe_view", (ev.apply("mv", (folded, t2)),), {"shape": out_shape})


def _batched(ev, a: Node, b: Node) -> Node:
    da, db = a.value.ndim, b.value.ndim
    n = a.value.shape[-2] if da > 1 else 1
    m1 = a.value.shape[-1]
    m2 = b.value.shape[-2] if db > 1 else b.value.shape[0]
    p = b.value.shape[-1] if db > 1 else 1
    batch1, batch2 = a.value.shape[:max(da - 2, 0)], b.value.shape[:max(db - 2, 0)]
    if da == 3 and db == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and a.requires_grad:
            return matmul(ev, ev.apply("squeeze_dim", (a,), {"dim": 0}), b)
        if batch2[0] == 1 and b.requires_grad:
            return matmul(ev, a, ev.apply("squeeze_dim", (b,), {"dim": 0}))
    try:
        batch = tuple(np.broadcast_shapes(batch1, batch2))
    except ValueError:
        raise ShapeError(f"matmul: batch shapes {list(batch1)} and {list(batch2)} cannot be "
                         "broadcast together") from None
    count = math.prod(batch)
    ev.graph.check_size((*batch, n, p), "the result of matmul")
    a3 = reshape(ev, "matmul", ev.apply("expand", (a,), {"shape": (*batch, n, m1)}),
                 (count, n, m1))
    if db == 1:
        b3 = reshape(ev, "matmul", ev.apply("expand", (b,), {"shape": (*batch, m2)}),
                     (count, m2))
        b3 = ev.apply("unsqueeze", (b3,), {"dim": 2})
    else:
        b3 = reshape(ev, "matmul", ev.apply("expand", (b,), {"shape": (*batch, m2, p)}),
                     (count, m2, p))
    out = ev.apply("bmm", (a3, b3))
    if db == 1:
        out = ev.apply("squeeze_dim", (out,), {"dim": 2})
    out_shape = (*batch, *((n,) if da > 1 else ()), *((p,) if db > 1 else ()))
    return ev.apply("unsafe_view", (out,), {"shape": out_shape})


def outer(ev, a, b):
    a, b = ev.tensor(a), ev.tensor(b)
    _need_ndim("outer", a, (1,), "the first argument")
    _need_ndim("outer", b, (1,), "the second argument")
    ev.graph.check_size((a.value.shape[0], b.value.shape[0]), "the result of outer")
    col = reshape(ev, "reshape", a, (a.value.shape[0], 1))
    return ev.apply("mul", (col, b))


def linear(ev, input, weight, bias=None):
    x, w = ev.tensor(input), ev.tensor(weight)
    _need_ndim("linear", w, (1, 2), "the weight")
    b = ev.tensor(bias) if bias is not None else None
    # PyTorch: addmm for 2-D input; input of another rank, contiguous, with a 1-D bias is
    # flattened to 2-D for addmm (_flatten_nd_linear); otherwise matmul, then add
    fused = (b is not None and x.value.ndim not in (0, 2) and b.value.ndim == 1
             and x.value.flags.c_contiguous)
    if w.value.ndim == 1 and (b is not None and x.value.ndim == 2 or fused):
        raise ShapeError("mat2 must be a matrix, got 1-D tensor")
    if x.value.ndim == 2 and bias is not None:
        _inner("linear", x, w, 1, 1)
        return ev.apply("addmm", (b, x, ev.apply("t", (w,))))
    if fused:
        _inner("linear", x, w, x.value.ndim - 1, 1)
        lead, k = x.value.shape[:-1], x.value.shape[-1]
        rows = reshape(ev, "reshape", x, (math.prod(lead), k))
        out = ev.apply("addmm", (b, rows, ev.apply("t", (w,))))
        return ev.apply("view", (out,), {"shape": (*lead, out.value.shape[1])})
    out = matmul(ev, x, ev.apply("t", (w,)))
    return out if b is None else binary(ev, "+", out, b)


# ------------------------------------------------------------------ argument binding

REQUIRED = object()


def bind(fname: str, args: list, kwargs: dict, spec: list[tuple[str, Any]],
         varargs: str | None = None) -> dict:
    """Match call arguments to parameters as Python does; one clear error otherwise."""
    out: dict[str, Any] = {}
    names = [n for n, _ in spec]
    if varargs is None and len(args) > len(spec):
        raise ArgumentError(f"{fname}() takes at most {len(spec)} arguments "
                            f"({len(args)} given)")
    for (name, _), value in zip(spec, args):
        out[name] = value
    if varargs is not None:
        out[varargs] = args[len(spec):]
    if "keepdims" in kwargs and "keepdim" in names and "keepdim" not in kwargs:
        kwargs = {("keepdim" if k == "keepdims" else k): v for k, v in kwargs.items()}
    for k, v in kwargs.items():
        if k in ("dtype", "device", "layout", "out", "inplace", "requires_grad") and k not in names:
            if k == "requires_grad" or k == "out" and v is not None:
                raise ArgumentError(f"{fname}() does not take {k}=")
            continue
        if k not in names:
            raise ArgumentError(f"{fname}() got an unexpected keyword argument {k!r}",
                                hint=f"it takes {', '.join(names) or 'no keyword arguments'}")
        if k in out:
            raise ArgumentError(f"{fname}() got multiple values for argument {k!r}")
        out[k] = v
    for name, default in spec:
        if name not in out:
            if default is REQUIRED:
                raise ArgumentError(f"{fname}() missing required argument {name!r}")
            out[name] = default
    return out


def as_int(fname: str, what: str, v: Any) -> int:
    if isinstance(v, Node) and v.value.size == 1 and v.value.dtype.kind in "iu":
        v = int(v.value)
    if (isinstance(v, bool) or not isinstance(v, (int, float))
            or (isinstance(v, float) and not math.isfinite(v)) or int(v) != v):
        raise ArgumentError(f"{fname}(): {what} must be an integer (got {_show(v)})")
    v = int(v)
    if not -2**63 <= v < 2**63:
        shown = v if v.bit_length() < 200 else f"a {len(str(abs(v)))}-digit integer"
        raise ArgumentError(f"{fname}(): {what} must fit in 64 bits (got {shown}): Overflow "
                            "when unpacking long long")
    return v


def as_float(fname: str, what: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ArgumentError(f"{fname}(): {what} must be a number (got {_show(v)})")
    return float(v)


def _show(v: Any) -> str:
    if isinstance(v, Node):
        return f"a tensor of shape {list(v.value.shape)}"
    if isinstance(v, (list, tuple)):
        return "a list"
    return repr(v)


def norm_dim(fname: str, dim: Any, ndim: int) -> int:
    d = as_int(fname, "dim", dim)
    top = max(ndim, 1)
    if not -top <= d < top:
        raise ShapeError(f"{fname}(): dim {d} is out of range for a tensor with {ndim} "
                         f"dimension{'s' if ndim != 1 else ''}")
    return d % top


def norm_dims(fname: str, dim: Any, ndim: int) -> tuple[int, ...]:
    dims = dim if isinstance(dim, (list, tuple)) else [dim]
    out = tuple(norm_dim(fname, d, ndim) for d in dims)
    if len(set(out)) != len(out):
        raise ArgumentError(f"{fname}(): dim {list(dims)} names a dimension twice")
    return out


def shape_args(fname: str, sizes: list) -> tuple[int, ...]:
    """Sizes given as varargs (2, 3) or as one tuple/list ((2, 3))."""
    if len(sizes) == 1 and isinstance(sizes[0], (list, tuple)):
        sizes = list(sizes[0])
    return tuple(as_int(fname, "a size", s) for s in sizes)


def size_args(fname: str, sizes: list) -> tuple[int, ...]:
    """The shape of a new tensor: sizes as shape_args takes them, each non-negative, and
    a storage size that fits in 64 bits."""
    shape = shape_args(fname, sizes)
    n = 1
    for d in shape:  # in order, as PyTorch does: a 0 after an overflow does not save it
        if d < 0:
            raise ArgumentError(f"{fname}(): Trying to create tensor with negative dimension "
                                f"{d}: {list(shape)}")
        n *= d
        if n >= 2**63:
            raise ArgumentError(f"{fname}(): Storage size calculation overflowed with "
                                f"sizes={list(shape)}")
    return shape


# ------------------------------------------------------------------ resolvers

Resolver = Callable[..., Any]
FUNCTIONS: dict[str, Resolver] = {}


def function(*names: str) -> Callable[[Resolver], Resolver]:
    def register(f: Resolver) -> Resolver:
        for n in names:
            FUNCTIONS[n] = f
        return f
    return register


def _unary(key: str, extra: list[tuple[str, Any]] = ()) -> Resolver:
    numeric = {k for k, d in extra if type(d) in (int, float)}

    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), *extra])
        x = ev.operand(p.pop("input"))
        params = {k: v for k, v in p.items()}
        for k, v in params.items():
            if k in numeric and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ArgumentError(f"{name}(): argument '{k}' must be a number (got "
                                    f"{_show(v)})")
            if k in numeric:
                check_int_operand(v)
        if kind(x) == N:
            from .ops import REGISTRY
            with np.errstate(all="ignore"):
                return float(REGISTRY[key].forward(np.float64(x), **params))
        return ev.apply(key, (x,), params)
    return resolve


for _key in ["exp", "exp2", "log", "log2", "log10", "log1p", "sqrt", "abs", "sign", "sin", "cos",
             "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf",
             "floor", "ceil", "round", "silu", "reciprocal"]:
    FUNCTIONS[_key] = _unary(_key)
FUNCTIONS.update(arcsin=FUNCTIONS["asin"], arccos=FUNCTIONS["acos"], arctan=FUNCTIONS["atan"],
                 absolute=FUNCTIONS["abs"], expit=FUNCTIONS["sigmoid"])
FUNCTIONS["softplus"] = _unary("softplus", [("beta", 1.0), ("threshold", 20.0)])
FUNCTIONS["leaky_relu"] = _unary("leaky_relu", [("negative_slope", 0.01)])
FUNCTIONS["elu"] = _unary("elu", [("alpha", 1.0)])
FUNCTIONS["celu"] = _unary("celu", [("alpha", 1.0)])
FUNCTIONS["hardtanh"] = _unary("hardtanh", [("min_val", -1.0), ("max_val", 1.0)])
FUNCTIONS["threshold"] = _unary("threshold", [("threshold", REQUIRED), ("value", REQUIRED)])
for _key in ["logsigmoid", "hardsigmoid", "hardswish", "mish", "expm1", "rsqrt", "trunc", "frac",
             "sgn", "logit"]:
    FUNCTIONS[_key] = _unary(_key)
FUNCTIONS["fix"] = FUNCTIONS["trunc"]


@function("selu")
def _selu(ev, name, args, kwargs):
    x = ev.operand(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    return ev.apply("elu", (ev.tensor(x),), {"alpha": 1.6732632423543772848170429916717,
                                             "scale": 1.0507009873554804934193349852946})


@function("relu6")
def _relu6(ev, name, args, kwargs):
    x = bind(name, args, kwargs, [("input", REQUIRED)])["input"]
    return FUNCTIONS["hardtanh"](ev, name, [x], {"min_val": 0.0, "max_val": 6.0})


@function("softsign")
def _softsign(ev, name, args, kwargs):  # x / (1 + |x|), recorded as PyTorch computes it
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    return ev.apply("div", (x, ev.apply("add", (ev.apply("abs", (x,)), 1))))


@function("tanhshrink")
def _tanhshrink(ev, name, args, kwargs):  # x - tanh(x)
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    return ev.apply("sub", (x, ev.apply("tanh", (x,))))


@function("softmin")
def _softmin(ev, name, args, kwargs):  # softmax(-x)
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None)])
    x = ev.tensor(p["input"])
    dim = p["dim"] if p["dim"] is not None else implicit_dim(ev, name, x.value.ndim)
    return FUNCTIONS["softmax"](ev, name, [ev.apply("neg", (x,))], {"dim": dim})
FUNCTIONS["gelu"] = _unary("gelu", [("approximate", "none")])


@function("neg", "negative")
def _neg(ev, name, args, kwargs):
    return unary_minus(ev, bind(name, args, kwargs, [("input", REQUIRED)])["input"])


def _binop(symbol: str, first: str = "input", second: str = "other") -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [(first, REQUIRED), (second, REQUIRED)])
        a, b = ev.operand(p[first]), ev.operand(p[second])
        if symbol in "-/" and kind(a) == N and kind(b) == T:
            # torch.sub(2, x), torch.div(2, x): the number is wrapped as a tensor, so the
            # node is the tensor-tensor op (SubBackward0, DivBackward0), not 2 - x's
            a = ev.constant(np.asarray(a, dtype=_wrapped_dtype(ev, a, b)))
        return binary(ev, symbol, a, b)
    return resolve


def _wrapped_dtype(ev, number, x: Node):
    """A Python number's dtype beside tensor `x`, as PyTorch's wrapped numbers promote."""
    if x.value.dtype.kind == "f":
        return x.value.dtype
    if isinstance(number, float):
        return ev.graph.dtype
    return x.value.dtype if x.value.dtype.kind in "iu" else np.int64


FUNCTIONS.update(add=_binop("+"), sub=_binop("-"), subtract=_binop("-"), mul=_binop("*"),
                 multiply=_binop("*"), div=_binop("/"), divide=_binop("/"),
                 true_divide=_binop("/"), pow=_binop("**", "input", "exponent"),
                 matmul=_binop("@"))


@function("square")
def _square(ev, name, args, kwargs):
    return binary(ev, "**", bind(name, args, kwargs, [("input", REQUIRED)])["input"], 2)


def _elementwise2(key: str) -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
        for i, what in enumerate(("input", "other")):
            v = ev.operand(p[what])
            if not isinstance(v, Node):
                raise ArgumentError(f"{name}(): argument '{what}' (position {i + 1}) must be "
                                    f"Tensor, not {type(v).__name__}")
        a, b = ev.tensor(p["input"]), ev.tensor(p["other"])
        ev.check_broadcast(name, a.value.shape, b.value.shape)
        return ev.apply(key, (a, b))
    return resolve


for _key in ["maximum", "minimum", "atan2", "hypot"]:
    FUNCTIONS[_key] = _elementwise2(_key)
FUNCTIONS["arctan2"] = FUNCTIONS["atan2"]


@function("mm")
def _mm(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("mat2", REQUIRED)])
    return mm(ev, p["input"], p["mat2"])


@function("mv")
def _mv(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("vec", REQUIRED)])
    return mv(ev, p["input"], p["vec"])


@function("bmm")
def _bmm(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("mat2", REQUIRED)])
    a, b = ev.tensor(p["input"]), ev.tensor(p["mat2"])
    _need_ndim("bmm", a, (3,), "the first argument")
    _need_ndim("bmm", b, (3,), "the second argument")
    if a.value.shape[0] != b.value.shape[0]:
        raise ShapeError(f"bmm: batch sizes {a.value.shape[0]} and {b.value.shape[0]} differ")
    _inner("bmm", a, b, 2, 1)
    check_flops(ev, "bmm", a, b)
    ev.graph.check_size((a.value.shape[0], a.value.shape[1], b.value.shape[2]),
                        "the result of bmm")
    return ev.apply("bmm", (a, b))


@function("dot")
def _dot(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    return dot(ev, p["input"], p["other"])


@function("inner")
def _inner_product(ev, name, args, kwargs):
    """torch.inner as PyTorch computes it: a product for a 0-d operand, otherwise
    tensordot over the last dims (permute, reshape, mm, reshape; dot when nothing is left
    uncontracted)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = ev.tensor(p["input"]), ev.tensor(p["other"])
    if a.value.ndim == 0 or b.value.ndim == 0:
        return binary(ev, "*", a, b)
    sa, sb = a.value.shape, b.value.shape
    if sa[-1] != sb[-1]:
        raise ShapeError(f"inner() the last dimension must match on both input tensors but got "
                         f"shapes {list(sa)} and {list(sb)}")
    if a.value.dtype != b.value.dtype:
        raise ShapeError("both inputs should have same dtype")
    t1, t2, csize = a, b, sa[-1]
    if sb[-1] == 1:  # size-1 contracted dims are summed right away
        t1 = ev.apply("sum_dim", (t1,), {"dim": (a.value.ndim - 1,), "keepdim": True})
    elif sa[-1] == 1:
        t2 = ev.apply("sum_dim", (t2,), {"dim": (b.value.ndim - 1,), "keepdim": True})
    if sb[-1] == 1 or sa[-1] == 1:
        csize = 1
    size1, size2 = math.prod(sa[:-1]), math.prod(sb[:-1])
    rsizes = (*sa[:-1], *sb[:-1])
    p1 = tuple(range(a.value.ndim))
    p2 = (b.value.ndim - 1, *range(b.value.ndim - 1))
    t1 = ev.apply("permute", (t1,), {"dims": p1})
    t2 = ev.apply("permute", (t2,), {"dims": p2})
    if size1 != 1 or size2 != 1:
        t1 = reshape(ev, "reshape", t1, (size1, csize))
        t2 = reshape(ev, "reshape", t2, (csize, size2))
        return reshape(ev, "reshape", ev.apply("mm", (t1, t2)), rsizes)
    if t1.value.flags.c_contiguous and t2.value.flags.c_contiguous:
        f1 = t1 if t1.value.ndim == 1 else reshape(ev, "flatten", t1, (t1.value.size,))
        f2 = t2 if t2.value.ndim == 1 else reshape(ev, "flatten", t2, (t2.value.size,))
        return reshape(ev, "reshape", ev.apply("dot", (f1, f2)), rsizes)
    prod = binary(ev, "*", ev.apply("squeeze", (t1,)), ev.apply("squeeze", (t2,)))
    return reshape(ev, "reshape", ev.apply("sum", (prod,)), rsizes)


@function("outer", "ger")
def _outer(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("vec2", REQUIRED)])
    return outer(ev, p["input"], p["vec2"])


@function("linear")
def _linear(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("weight", REQUIRED), ("bias", None)])
    return linear(ev, p["input"], p["weight"], p["bias"])


@function("trace", "det")
def _matrix_fn(ev, name, args, kwargs):
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    _need_ndim(name, x, (2,), "the input")
    if name != "trace" and x.value.shape[0] != x.value.shape[1]:
        raise ShapeError(f"{name}: the input must be a square matrix "
                         f"(got shape {list(x.value.shape)})")
    return ev.apply(name, (x,))


# reductions ---------------------------------------------------------------------------


def _reduction(whole: str, by_dim: str) -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None), ("keepdim", False)])
        x = ev.tensor(p["input"])
        if p["dim"] is None:
            return ev.apply(whole, (x,))
        dims = norm_dims(name, p["dim"], x.value.ndim)
        return ev.apply(by_dim, (x,), {"dim": dims, "keepdim": bool(p["keepdim"])})
    return resolve


FUNCTIONS["sum"] = _reduction("sum", "sum_dim")
FUNCTIONS["mean"] = _reduction("mean", "mean_dim")


@function("prod")
def _prod(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None), ("keepdim", False)])
    x = ev.tensor(p["input"])
    if p["dim"] is None:
        return ev.apply("prod", (x,))
    if x.value.ndim == 0:
        return ev.apply("prod", (x,))
    d = norm_dim(name, p["dim"], x.value.ndim)
    return ev.apply("prod_dim", (x,), {"dim": d, "keepdim": bool(p["keepdim"])})


def _extreme(which: str) -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None), ("keepdim", False)])
        x = ev.tensor(p["input"])
        if isinstance(p["dim"], Node):  # torch.max(x, y): the elementwise maximum
            other = p["dim"]
            ev.check_broadcast(name, x.value.shape, other.value.shape)
            return ev.apply("maximum" if which == "max" else "minimum", (x, other))
        if p["dim"] is None:
            if x.value.size == 0:
                raise ShapeError(f"{name}(): the input is empty")
            return ev.apply(which, (x,))
        if isinstance(p["dim"], float):
            raise ArgumentError(f"{name}() received an invalid combination of arguments - got "
                                "(Tensor, float), but expected one of: (Tensor input), "
                                "(Tensor input, Tensor other), (Tensor input, int dim, "
                                "bool keepdim)")
        d = norm_dim(name, p["dim"], x.value.ndim)
        if x.value.ndim == 0:
            pair = NamedPair((ev.apply("clone", (x,)), ev.constant(np.asarray(0))))
            pair.kind = which
            return pair
        params = {"dim": d, "keepdim": bool(p["keepdim"])}
        values = ev.apply(f"{which}_dim", (x,), params)
        idx = (np.argmax if which == "max" else np.argmin)(x.value, axis=d)
        if params["keepdim"]:
            idx = np.expand_dims(idx, d)
        pair = NamedPair((values, ev.constant(np.asarray(idx, dtype=np.int64))))
        pair.kind = which
        return pair
    return resolve


FUNCTIONS["max"] = _extreme("max")
FUNCTIONS["min"] = _extreme("min")


@function("logsumexp")
def _logsumexp(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("keepdim", False)])
    x = ev.tensor(p["input"])
    dims = norm_dims(name, p["dim"], x.value.ndim)
    return ev.apply("logsumexp", (x,), {"dim": dims, "keepdim": bool(p["keepdim"])})


def _softmax(key: str) -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None)])
        x = ev.tensor(p["input"])
        if p["dim"] is None:
            if not getattr(ev, "functional_call", False):  # torch.softmax(x), x.softmax()
                raise ArgumentError(f'{name}() missing 1 required positional arguments: "dim"')
            p["dim"] = implicit_dim(ev, name, x.value.ndim)
        return ev.apply(key, (x,), {"dim": norm_dim(name, p["dim"], x.value.ndim)})
    return resolve


def implicit_dim(ev, name: str, ndim: int) -> int:
    """PyTorch's _get_softmax_dim (dim 0 for 0-, 1- and 3-D input, else 1), with its
    deprecation warning."""
    out = getattr(ev, "warnings_out", None)
    if out is not None:
        msg = (f"UserWarning: Implicit dimension choice for {name} has been deprecated. "
               "Change the call to include dim=X as an argument.")
        if msg not in out:
            out.append(msg)
    return 0 if ndim in (0, 1, 3) else 1


FUNCTIONS["softmax"] = _softmax("softmax")
FUNCTIONS["log_softmax"] = _softmax("log_softmax")


@function("norm", "vector_norm")
def _norm(ev, name, args, kwargs):
    if "ord" in kwargs:  # torch.linalg.vector_norm(x, ord=1)
        kwargs = {("p" if k == "ord" else k): v for k, v in kwargs.items()}
    p = bind(name, args, kwargs, [("input", REQUIRED), ("p", 2.0), ("dim", None),
                                  ("keepdim", False)])
    x = ev.tensor(p["input"])
    order = p["p"]
    if order in ("fro", None):
        order = 2.0
    order = as_float(name, "p", order)
    dim = None if p["dim"] is None else norm_dims(name, p["dim"], x.value.ndim)
    return ev.apply("norm", (x,), {"p": order, "dim": dim, "keepdim": bool(p["keepdim"])})


@function("dist")
def _dist(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED), ("p", 2.0)])
    a, b = ev.tensor(p["input"]), ev.tensor(p["other"])
    ev.check_broadcast(name, a.value.shape, b.value.shape)
    return ev.apply("dist", (a, b), {"p": as_float(name, "p", p["p"])})


def _spread(key: str) -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None), ("unbiased", True),
                                      ("keepdim", False), ("correction", None)])
        x = ev.tensor(p["input"])
        corr = p["correction"] if p["correction"] is not None else int(bool(p["unbiased"]))
        dim = None if p["dim"] is None else norm_dims(name, p["dim"], x.value.ndim)
        return ev.apply(key, (x,), {"dim": dim, "correction": corr, "keepdim": bool(p["keepdim"])})
    return resolve


FUNCTIONS["var"] = _spread("var")
FUNCTIONS["std"] = _spread("std")


@function("cumsum")
def _cumsum(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED)])
    x = ev.tensor(p["input"])
    return ev.apply("cumsum", (x,), {"dim": norm_dim(name, p["dim"], x.value.ndim)})


# elementwise with extra operands -------------------------------------------------------


@function("clamp", "clip")
def _clamp(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("min", None), ("max", None)])
    x = ev.tensor(p["input"])
    lo, hi = p["min"], p["max"]
    if lo is None and hi is None:
        raise ArgumentError(f"{name}(): at least one of min and max must be given")
    if isinstance(lo, Node) or isinstance(hi, Node):
        lo_t = ev.tensor(lo if lo is not None else -math.inf)
        hi_t = ev.tensor(hi if hi is not None else math.inf)
        bounds = "both" if lo is not None and hi is not None else "one"
        return ev.apply("clamp_tensor", (x, lo_t, hi_t), {"bounds": bounds})
    return ev.apply("clamp", (x,), {"min": None if lo is None else as_float(name, "min", lo),
                                    "max": None if hi is None else as_float(name, "max", hi)})


def _clamp_one(which: str) -> Resolver:
    """torch.clamp_min / clamp_max: nodes of their own (ClampMinBackward0, and ...1 for a
    tensor bound)."""
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), (which, REQUIRED)])
        x, bound = ev.tensor(p["input"]), ev.operand(p[which])
        key = "clamp_min" if which == "min" else "clamp_max"
        if isinstance(bound, Node):
            ev.check_broadcast(name, x.value.shape, bound.value.shape)
            return ev.apply(f"{key}_tensor", (x, bound))
        return ev.apply(key, (x,), {which: as_float(name, which, bound)})
    return resolve


FUNCTIONS["clamp_min"] = _clamp_one("min")
FUNCTIONS["clamp_max"] = _clamp_one("max")


@function("where")
def _where(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("condition", REQUIRED), ("input", None), ("other", None)])
    if p["input"] is None and p["other"] is None and len(args) + len(kwargs) == 1:
        from .tensorfns import where_condition  # torch.where(condition): its nonzero indices

        return where_condition(ev, p["condition"])
    if p["input"] is None or p["other"] is None:
        raise ArgumentError("where() expected 1 or 3 arguments: where(condition) or "
                            "where(condition, input, other)")
    cond = ev.operand(p["condition"])
    if isinstance(cond, Node) and cond.value.dtype != np.bool_:
        raise ArgumentError(f"{name}(): the condition must be a comparison such as x > 0 "
                            f"(got a tensor of {cond.value.dtype})")
    cond = ev.tensor(cond)
    a, b = ev.operand(p["input"]), ev.operand(p["other"])
    shapes = [np.shape(v.value if isinstance(v, Node) else v) for v in (cond, a, b)]
    ev.check_broadcast(name, *shapes)
    if kind(a) == N and kind(b) == N:
        a = ev.tensor(a)
    return ev.apply("where", (cond, a, b))


# movement ------------------------------------------------------------------------------


@function("t")
def _t(ev, name, args, kwargs):
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    if x.value.ndim > 2:
        raise ShapeError(f"t() expects a tensor with at most 2 dimensions "
                         f"(got shape {list(x.value.shape)})", hint="use transpose(dim0, dim1)")
    return ev.apply("t", (x,))


@function("T")
def _T(ev, name, args, kwargs):
    x = ev.tensor(args[0])
    return ev.apply("permute", (x,), {"dims": tuple(reversed(range(x.value.ndim)))})


@function("mT")
def _mT_attr(ev, name, args, kwargs):
    x = ev.tensor(args[0])
    if x.value.ndim < 2:
        raise ShapeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                         f"Got {x.value.ndim}-D tensor.")
    return _mT(ev, x)


@function("permute")
def _permute(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="dims")
    x = ev.tensor(p["input"])
    dims = p["dims"] if "dims" not in kwargs else [kwargs["dims"]]
    dims = norm_dims(name, list(shape_args(name, dims)), x.value.ndim)
    if len(dims) != x.value.ndim:
        raise ShapeError(f"permute(): {len(dims)} dims given for a tensor with "
                         f"{x.value.ndim} dimensions")
    return ev.apply("permute", (x,), {"dims": dims})


@function("transpose", "swapaxes", "swapdims")
def _transpose(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim0", REQUIRED), ("dim1", REQUIRED)])
    x = ev.tensor(p["input"])
    nd = x.value.ndim
    return ev.apply("transpose", (x,), {"dim0": norm_dim(name, p["dim0"], nd),
                                        "dim1": norm_dim(name, p["dim1"], nd)})


def _target_shape(name: str, x: Node, shape: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return _infer(x.value.size, shape)
    except ValueError:
        raise ShapeError(f"{name}(): shape {list(shape)} is invalid for a tensor of "
                         f"{x.value.size} elements (shape {list(x.value.shape)})") from None


def _infer(size: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    if shape.count(-1) > 1 or any(s < -1 for s in shape):
        raise ValueError
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or size % known:
            raise ValueError
        shape = tuple(size // known if s == -1 else s for s in shape)
    if math.prod(shape) != size:
        raise ValueError
    return shape


def reshape(ev, name: str, x: Node, shape: tuple[int, ...]) -> Node:
    """reshape/view/flatten as PyTorch records them: a view of a contiguous tensor; of a
    non-contiguous one whose strides still allow it, a reshape alias (view() records a
    view); otherwise a copy (clone, then an unsafe view), which view() refuses."""
    shape = _target_shape(name, x, shape)
    if x.value.flags.c_contiguous:
        return ev.apply("view", (x,), {"shape": shape})
    if _viewable(x.value, shape):
        return ev.apply("view" if name == "view" else "reshape_alias", (x,), {"shape": shape})
    if name == "view":
        raise ShapeError("view size is not compatible with the tensor's size and stride (it is "
                         "a transpose, slice or expansion)", hint="use .reshape(...)")
    copy = ev.apply("clone", (x,), {"contiguous": True})
    return ev.apply("unsafe_view", (copy,), {"shape": shape})


def _viewable(value: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether `value` can take `shape` without copying (NumPy's test is PyTorch's)."""
    try:
        np.reshape(value, shape, copy=False)
        return True
    except ValueError:
        return False


@function("reshape", "view")
def _reshape(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="shape")
    x = ev.tensor(p["input"])
    sizes = p["shape"] if "shape" not in kwargs else [kwargs["shape"]]
    return reshape(ev, name, x, shape_args(name, sizes))


@function("flatten")
def _flatten(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("start_dim", 0), ("end_dim", -1)])
    x = ev.tensor(p["input"])
    if x.value.ndim == 0:
        return reshape(ev, name, x, (1,))
    s = norm_dim(name, p["start_dim"], x.value.ndim)
    e = norm_dim(name, p["end_dim"], x.value.ndim)
    if s == e:
        return x
    shp = x.value.shape
    return reshape(ev, name, x, (*shp[:s], math.prod(shp[s:e + 1]), *shp[e + 1:]))


@function("unsqueeze")
def _unsqueeze(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED)])
    x = ev.tensor(p["input"])
    return ev.apply("unsqueeze", (x,), {"dim": norm_dim(name, p["dim"], x.value.ndim + 1)})


@function("squeeze")
def _squeeze(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None)])
    x = ev.tensor(p["input"])
    if p["dim"] is None:
        return ev.apply("squeeze", (x,))
    if isinstance(p["dim"], (list, tuple)):
        dims = tuple(d for d in norm_dims(name, p["dim"], x.value.ndim) if x.value.shape[d] == 1)
        return ev.apply("squeeze_tuple", (x,), {"dims": dims})
    return ev.apply("squeeze_dim", (x,), {"dim": norm_dim(name, p["dim"], x.value.ndim)})


@function("flip")
def _flip(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="dims")
    x = ev.tensor(p["input"])
    dims = p["dims"] if "dims" not in kwargs else [kwargs["dims"]]
    return ev.apply("flip", (x,), {"dims": norm_dims(name, list(shape_args(name, dims)),
                                                     x.value.ndim)})


@function("roll")
def _roll(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("shifts", REQUIRED), ("dims", None)])
    x = ev.tensor(p["input"])
    if p["dims"] is None:
        return ev.apply("roll", (x,), {"shifts": as_int(name, "shifts", p["shifts"]),
                                       "dims": None})
    dims = norm_dims(name, p["dims"], x.value.ndim)
    shifts = p["shifts"] if isinstance(p["shifts"], (list, tuple)) else [p["shifts"]]
    if len(shifts) != len(dims):
        raise ArgumentError(f"{name}(): {len(shifts)} shifts for {len(dims)} dims")
    return ev.apply("roll", (x,), {"shifts": tuple(as_int(name, "shifts", k) for k in shifts),
                                   "dims": dims})


def _triangle(key: str) -> Resolver:
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("diagonal", 0)])
        x = ev.tensor(p["input"])
        _need_ndim(name, x, (2,), "the input")
        return ev.apply(key, (x,), {"diagonal": as_int(name, "diagonal", p["diagonal"])})
    return resolve


FUNCTIONS["tril"] = _triangle("tril")
FUNCTIONS["triu"] = _triangle("triu")


@function("diag")
def _diag(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("diagonal", 0)])
    x = ev.tensor(p["input"])
    _need_ndim(name, x, (1, 2), "the input")
    k = as_int(name, "diagonal", p["diagonal"])
    if x.value.ndim == 1:
        side = x.value.shape[0] + abs(k)
        ev.graph.check_size((side, side), f"{name}()")
    return ev.apply("diag_embed" if x.value.ndim == 1 else "diagonal_copy", (x,), {"offset": k})


@function("diagonal")
def _diagonal(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("offset", 0)])
    x = ev.tensor(p["input"])
    _need_ndim(name, x, (2,), "the input")
    return ev.apply("diagonal", (x,), {"offset": as_int(name, "offset", p["offset"])})


@function("repeat")
def _repeat(ev, name, args, kwargs):
    """x.repeat(*sizes): np.tile; as many sizes as dims at least (PyTorch's rule)."""
    p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="repeats")
    x = ev.tensor(p["input"])
    reps = shape_args(name, p["repeats"])
    if len(reps) < x.value.ndim:
        raise ShapeError("Number of dimensions of repeat dims can not be smaller than number "
                         "of dimensions of tensor")
    padded = (1,) * (len(reps) - x.value.ndim) + x.value.shape
    ev.graph.check_size(tuple(r * s for r, s in zip(reps, padded)), "repeat()")
    return ev.apply("repeat", (x,), {"repeats": tuple(reps)})


@function("expand")
def _expand(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="size")
    x = ev.tensor(p["input"])
    sizes = shape_args(name, p["size"])
    lead = len(sizes) - x.value.ndim
    if lead < 0:
        raise ShapeError(f"expand(): {len(sizes)} sizes given for a tensor with "
                         f"{x.value.ndim} dimensions")
    shape = tuple(x.value.shape[i - lead] if s == -1 and i >= lead else s
                  for i, s in enumerate(sizes))
    ev.check_broadcast(name, x.value.shape, shape)
    if np.broadcast_shapes(x.value.shape, shape) != shape:
        raise ShapeError(f"expand(): cannot expand shape {list(x.value.shape)} to {list(shape)}")
    ev.graph.check_size(shape, "expand()")
    return ev.apply("expand", (x,), {"shape": shape})


@function("clone")
def _clone(ev, name, args, kwargs):
    return ev.apply("clone", (ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"]),))


@function("contiguous")
def _contiguous(ev, name, args, kwargs):
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    return x if x.value.flags.c_contiguous else ev.apply("clone", (x,), {"contiguous": True})


@function("detach")
def _detach(ev, name, args, kwargs):
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    return ev.constant(x.value)


@function("item")
def _item(ev, name, args, kwargs):
    x = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    if x.value.size != 1:
        raise ShapeError(f"item(): only a tensor with one element can be converted to a number "
                         f"(got shape {list(x.value.shape)})")
    v = x.value.reshape(()).item()
    return v


@function("stack", "cat", "concat", "concatenate")
def _stack(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("tensors", REQUIRED), ("dim", 0)])
    items = p["tensors"]
    if not isinstance(items, (list, tuple)) or not items:
        raise ArgumentError(f"{name}() expects a non-empty list of tensors, e.g. {name}([x, y])")
    xs = tuple(ev.tensor(v) for v in items)
    ev.graph.check_size((sum(x.value.size for x in xs),), f"the result of {name}")
    key = "stack" if name == "stack" else "cat"
    nd = xs[0].value.ndim + (1 if key == "stack" else 0)
    d = norm_dim(name, p["dim"], nd)
    shapes = [list(x.value.shape) for x in xs]
    if key == "stack" and any(s != shapes[0] for s in shapes):
        raise ShapeError(f"stack(): all tensors must have the same shape (got {shapes})")
    if key == "cat":
        if any(len(s) != len(shapes[0]) or len(s) == 0 for s in shapes) or any(
                s[:d] + s[d + 1:] != shapes[0][:d] + shapes[0][d + 1:] for s in shapes):
            raise ShapeError(f"cat(): shapes {shapes} do not match outside dimension {d}")
    return ev.apply(key, xs, {"dim": d})


# losses --------------------------------------------------------------------------------


def _reduction_word(name: str, v: Any) -> str:
    if v not in ("mean", "sum", "none"):
        raise ArgumentError(f"{name}(): reduction must be 'mean', 'sum' or 'none' (got {v!r})")
    return v


@function("mse_loss")
def _mse(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("reduction", "mean")])
    a, b = ev.tensor(p["input"]), ev.tensor(p["target"])
    if a.value.shape != b.value.shape:
        ev.check_broadcast(name, a.value.shape, b.value.shape)
        shape = np.broadcast_shapes(a.value.shape, b.value.shape)
        if a.value.shape != shape:
            a = ev.apply("expand", (a,), {"shape": shape})
        if b.value.shape != shape:
            b = ev.apply("expand", (b,), {"shape": shape})
    return ev.apply("mse_loss", (a, b), {"reduction": _reduction_word(name, p["reduction"])})


def _pair(name: str, what: str, v: Any) -> tuple[int, int]:
    t = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(t) != 2 or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                              for i in t):
        raise ArgumentError(f"{name}(): {what} must be an int or a pair of ints (got {v!r})")
    return t  # type: ignore[return-value]


@function("conv2d")
def _conv2d(ev, name, args, kwargs):
    """F.conv2d(input, weight, bias=None, stride=1, padding=0): ConvolutionBackward0
    (no dilation, one group)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("weight", REQUIRED), ("bias", None),
                                  ("stride", 1), ("padding", 0), ("dilation", 1),
                                  ("groups", 1)])
    x, w = ev.tensor(p["input"]), ev.tensor(p["weight"])
    if _pair(name, "dilation", p["dilation"]) != (1, 1) or p["groups"] != 1:
        raise ArgumentError(f"{name}(): dilation and groups other than 1 are not supported")
    stride = _pair(name, "stride", p["stride"])
    padding = _pair(name, "padding", p["padding"])
    if 0 in stride:
        raise ProgramError("non-positive stride is not supported")
    if x.value.ndim != 4 or w.value.ndim != 4:
        raise ShapeError(f"{name}(): expected a 4-D input (N, C, H, W) and a 4-D weight, got "
                         f"input of size {list(x.value.shape)}")
    if x.value.shape[1] != w.value.shape[1]:
        raise ProgramError(f"Given groups=1, weight of size {list(w.value.shape)}, expected "
                           f"input{list(x.value.shape)} to have {w.value.shape[1]} channels, "
                           f"but got {x.value.shape[1]} channels instead")
    h, wd = x.value.shape[2] + 2 * padding[0], x.value.shape[3] + 2 * padding[1]
    if h < w.value.shape[2] or wd < w.value.shape[3]:
        raise ProgramError(f"Calculated padded input size per channel: ({h} x {wd}). Kernel "
                           f"size: ({w.value.shape[2]} x {w.value.shape[3]}). Kernel size "
                           "can't be greater than actual input size")
    b = ev.tensor(p["bias"]) if p["bias"] is not None else \
        ev.constant(np.zeros(w.value.shape[0], dtype=w.value.dtype))
    ho = (h - w.value.shape[2]) // stride[0] + 1
    wo = (wd - w.value.shape[3]) // stride[1] + 1
    n, cout, cin, kh, kw = x.value.shape[0], *w.value.shape
    ev.graph.check_size((n, cout, ho, wo), name)
    ev.graph.check_size((n, cin, ho, wo, kh, kw), f"{name}'s windows")
    ev.graph.check_flops(2 * n * cout * ho * wo * cin * kh * kw,
                         f"{name} of input {list(x.value.shape)} and weight "
                         f"{list(w.value.shape)}")
    return ev.apply("conv2d", (x, w, b), {"stride": stride, "padding": padding})


@function("max_pool2d")
def _max_pool2d(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("kernel_size", REQUIRED),
                                  ("stride", None), ("padding", 0), ("dilation", 1),
                                  ("ceil_mode", False), ("return_indices", False)])
    x = ev.tensor(p["input"])
    kernel = _pair(name, "kernel_size", p["kernel_size"])
    stride = kernel if p["stride"] in (None, (), []) else _pair(name, "stride", p["stride"])
    padding = _pair(name, "padding", p["padding"])
    if _pair(name, "dilation", p["dilation"]) != (1, 1) or p["ceil_mode"] or \
            p["return_indices"]:
        raise ArgumentError(f"{name}(): dilation, ceil_mode and return_indices are not "
                            "supported")
    if 0 in stride or 0 in kernel:
        raise ProgramError("max_pool2d: kernel_size and stride must be greater than zero")
    if x.value.ndim != 4:
        raise ShapeError(f"{name}(): expected a 4-D input (N, C, H, W), got "
                         f"{list(x.value.shape)}")
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        raise ProgramError("pad should be at most half of effective kernel size")
    return ev.apply("max_pool2d", (x,), {"kernel": kernel, "stride": stride,
                                         "padding": padding})


@function("embedding")
def _embedding(ev, name, args, kwargs):
    """F.embedding(input, weight): rows of weight (EmbeddingBackward0)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("weight", REQUIRED),
                                  ("padding_idx", None), ("max_norm", None),
                                  ("norm_type", 2.0), ("scale_grad_by_freq", False),
                                  ("sparse", False)])
    idx, w = ev.tensor(p["input"]), ev.tensor(p["weight"])
    if idx.value.dtype.kind not in "iu":
        raise ProgramError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got torch.FloatTensor "
                           "instead (while checking arguments for embedding)")
    n = w.value.shape[0]
    if idx.value.size and (idx.value.min() < -n or idx.value.max() >= n):
        raise ProgramError("index out of range in self", "IndexError")
    ev.graph.check_size(idx.value.shape + w.value.shape[1:], name)
    return ev.apply("embedding", (w, idx), {})


@function("l1_loss")
def _l1(ev, name, args, kwargs):
    """F.l1_loss: PyTorch composes it, |input - target| then the mean (MeanBackward0)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("reduction", "mean")])
    a, b = ev.tensor(p["input"]), ev.tensor(p["target"])
    ev.check_broadcast(name, a.value.shape, b.value.shape)
    d = ev.apply("abs", (ev.apply("sub", (a, b), {}),), {})
    reduction = _reduction_word(name, p["reduction"])
    return d if reduction == "none" else ev.apply(reduction, (d,), {})


@function("binary_cross_entropy")
def _bce(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("weight", None), ("reduction", "mean")])
    a, b = ev.tensor(p["input"]), ev.tensor(p["target"])
    params = {"reduction": _reduction_word(name, p["reduction"])}
    if p["weight"] is not None:
        if isinstance(p["weight"], Node) and p["weight"].requires_grad and ev.graph.grad_enabled:
            raise ArgumentError("The function 'binary_cross_entropy' is not differentiable with "
                                "respect to argument 'weight'. This input cannot have "
                                "requires_grad True.")
        w = ev.tensor(p["weight"]).value
        try:
            params["weight"] = np.broadcast_to(w, a.value.shape)
        except ValueError:
            raise ShapeError(f"{name}(): weight of shape {list(w.shape)} does not broadcast to "
                             f"the input's shape {list(a.value.shape)}") from None
    if a.value.shape != b.value.shape:
        raise ShapeError(f"{name}(): input shape {list(a.value.shape)} and target shape "
                         f"{list(b.value.shape)} must be equal")
    if not np.all((a.value >= 0) & (a.value <= 1)):
        raise ArgumentError(f"{name}(): all input values must be between 0 and 1",
                            hint="apply sigmoid first, or use a probability")
    if not np.all((b.value >= 0) & (b.value <= 1)):
        raise ProgramError("all elements of target should be between 0 and 1")
    return ev.apply("binary_cross_entropy", (a, b), params)


@function("binary_cross_entropy_with_logits")
def _bce_logits(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("weight", None), ("size_average", None), ("reduce", None),
                                  ("reduction", "mean"), ("pos_weight", None)])
    a, b = ev.tensor(p["input"]), ev.tensor(p["target"])
    if a.value.shape != b.value.shape:
        raise ShapeError(f"Target size (torch.Size({list(b.value.shape)})) must be the same "
                         f"as input size (torch.Size({list(a.value.shape)}))")
    params = {"reduction": _reduction_word(name, legacy_reduction(p))}
    for key in ("weight", "pos_weight"):  # constants broadcast to the input's shape
        if p[key] is not None:
            w = ev.tensor(p[key])
            if w.requires_grad and ev.graph.grad_enabled:
                raise ArgumentError(f"{name}(): a {key} that requires grad is not supported")
            try:
                params[key] = np.broadcast_to(w.value, a.value.shape).astype(a.value.dtype)
            except ValueError:
                raise ShapeError(f"{name}(): {key} of shape {list(w.value.shape)} does not "
                                 f"broadcast to the input's shape {list(a.value.shape)}") from None
    return ev.apply("binary_cross_entropy_with_logits", (a, b), params)


def legacy_reduction(p: dict) -> str:
    """reduction, or what the legacy size_average=/reduce= ask for when given."""
    sa, red = p.get("size_average"), p.get("reduce")
    if sa is None and red is None:
        return p["reduction"]
    sa = True if sa is None else sa
    red = True if red is None else red
    return "mean" if sa and red else "sum" if red else "none"


def _labels(name: str, ev, target: Any, x: Node) -> Node:
    t = ev.tensor(target)
    v = t.value
    if v.dtype.kind == "f" and np.all(v == np.round(v)):
        v = v.astype(np.int64)
    if v.dtype.kind not in "iu":
        raise ArgumentError(f"{name}(): the target must hold class indices (integers); "
                            "class probabilities are not supported yet")
    classes = x.value.shape[-1]
    expected = x.value.shape[:-1] if x.value.ndim > 1 else ()
    if v.shape != expected:
        raise ShapeError(f"{name}(): target shape {list(v.shape)} does not match input shape "
                         f"{list(x.value.shape)} (expected {list(expected)})")
    if v.size and (v.min() < 0 or v.max() >= classes):
        raise ArgumentError(f"{name}(): target {int(v.max() if v.max() >= classes else v.min())} "
                            f"is out of bounds for {classes} classes")
    return t if v is t.value else ev.constant(v)


@function("nll_loss")
def _nll(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("reduction", "mean")])
    x = ev.tensor(p["input"])
    if x.value.ndim not in (1, 2):
        raise ShapeError(f"{name}(): the input must be 1-D or 2-D (got {list(x.value.shape)})")
    labels = _labels(name, ev, p["target"], x)
    return ev.apply("nll_loss", (x, labels), {"reduction": _reduction_word(name, p["reduction"])})


@function("cross_entropy")
def _cross_entropy(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("reduction", "mean"), ("label_smoothing", 0.0)])
    x = ev.tensor(p["input"])
    if x.value.ndim not in (1, 2):
        raise ShapeError(f"{name}(): the input must be 1-D or 2-D (got {list(x.value.shape)})")
    reduction = _reduction_word(name, p["reduction"])
    eps = as_float(name, "label_smoothing", p["label_smoothing"])
    if not 0.0 <= eps <= 1.0:
        raise ProgramError(f"label_smoothing must be between 0.0 and 1.0. Got: {eps}")
    target = ev.tensor(p["target"])
    if target.value.dtype.kind == "f" and target.value.shape == x.value.shape:
        if eps:
            raise ArgumentError(f"{name}(): label_smoothing with probability targets is not "
                                "supported")
        return _cross_entropy_probabilities(ev, x, target, reduction)
    labels = _labels(name, ev, target, x)
    dim = x.value.ndim - 1
    lsm = ev.apply("log_softmax", (x,), {"dim": dim}, expr=f"log_softmax({ev.text_of(x)})")
    nll = ev.apply("nll_loss", (lsm, labels), {"reduction": reduction})
    if not eps:
        return nll
    # PyTorch's label smoothing: (1 - eps) * nll + eps / C * (-sum of log-probabilities),
    # that sum averaged over the rows for 'mean'
    smooth = ev.apply("neg", (ev.apply("sum_dim", (lsm,), {"dim": (dim,), "keepdim": False}),))
    if reduction == "mean":
        rows = smooth.value.size
        smooth = ev.apply("div", (ev.apply("sum", (smooth,)),
                                  ev.constant(np.asarray(rows, dtype=x.value.dtype))))
    elif reduction == "sum":
        smooth = ev.apply("sum", (smooth,))
    classes = x.value.shape[-1]
    return ev.apply("add", (ev.apply("mul_scalar", (nll, 1 - eps)),
                            ev.apply("mul_scalar", (smooth, eps / classes))))


def _cross_entropy_probabilities(ev, x: Node, target: Node, reduction: str) -> Node:
    """Class-probability targets, recorded as PyTorch computes them:
    -(log_softmax(x) * target).sum(...), divided by the batch size for 'mean'."""
    dim = x.value.ndim - 1
    lsm = ev.apply("log_softmax", (x,), {"dim": dim}, expr=f"log_softmax({ev.text_of(x)})")
    prod = ev.apply("mul", (lsm, target))
    if reduction == "none":
        return ev.apply("neg", (ev.apply("sum_dim", (prod,), {"dim": (dim,), "keepdim": False}),))
    total = ev.apply("neg", (ev.apply("sum", (prod,)),))
    if reduction == "sum":
        return total
    batch = x.value.shape[0] if x.value.ndim > 1 else 1
    return ev.apply("div_scalar", (total, batch))


# methods that only exist as methods, or differ from the function of the same name
# functions whose meaning depends on their module: (module, name) -> the FUNCTIONS entry
QUALIFIED: dict[tuple[str, str], str] = {}
METHOD_ONLY = {"item", "view", "expand", "contiguous", "T", "mT", "repeat"}  # x.view(...) but no torch.view


from . import dispatch_more  # noqa: E402,F401  (registers more of FUNCTIONS)
