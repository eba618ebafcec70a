"""More of PyTorch's tensor API: comparisons and tests, selection, masking, sorting,
splitting and joining, and tensors made like another one.

Each name works as ``torch.name(x, ...)`` and as ``x.name(...)`` (registered in
``dispatch.FUNCTIONS``). Results that PyTorch does not differentiate (comparisons, indices,
masks, counts) are new tensors with no grad_fn; the others are nodes of the registry's ops
with PyTorch's grad_fn names (SortBackward0, GatherBackward0, SplitBackward0, ...) or are
made of existing ops as PyTorch makes them (view_as is a view, tile a repeat, hstack a
cat).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .dispatch import (COMPARE, FUNCTIONS, REQUIRED, NamedPair, as_float, bind, binary, compare,
                       function, norm_dim, shape_args)
from .engine import Node
from .errors import ArgumentError, ProgramError, ShapeError

INT64 = np.int64


class ReturnTypes(NamedPair):
    """torch.return_types.sort / topk / kthvalue / ... : (values, indices)."""

    def __new__(cls, kind: str, values: Any, indices: Any) -> "ReturnTypes":
        t = super().__new__(cls, (values, indices))
        t.kind = kind
        return t


def _tensor(ev, v: Any) -> Node:
    return ev.tensor(v)


def _dim(name: str, dim: Any, x: Node) -> int:
    return norm_dim(name, dim, max(x.value.ndim, 1))


def _const(ev, value: Any, dtype: Any = None) -> Node:
    return ev.constant(np.asarray(value, dtype=dtype))


def _int_index(name: str, t: Any, what: str = "index") -> np.ndarray:
    if not isinstance(t, Node) or t.value.dtype.kind not in "iu":
        raise ArgumentError(f"{name}(): {what} must be a tensor of integers (torch.long), "
                            f"e.g. torch.tensor([0, 2])")
    return t.value.astype(INT64)


def _mask(name: str, t: Any) -> np.ndarray:
    if not isinstance(t, Node) or t.value.dtype != np.bool_:
        raise ArgumentError(f"{name}(): the mask must be a tensor of booleans (a comparison "
                            f"such as x > 0)")
    return t.value


# ------------------------------------------------------------------ comparisons and tests

_SYMBOLS = {"eq": "==", "ne": "!=", "not_equal": "!=", "lt": "<", "less": "<", "le": "<=",
            "less_equal": "<=", "gt": ">", "greater": ">", "ge": ">=", "greater_equal": ">="}


def _comparison(symbol: str):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
        out = compare(ev, symbol, _tensor(ev, p["input"]), p["other"])
        return out
    return resolve


for _name, _symbol in _SYMBOLS.items():
    assert _symbol in COMPARE
    FUNCTIONS[_name] = _comparison(_symbol)


def _test(fn):
    def resolve(ev, name, args, kwargs):
        x = _tensor(ev, bind(name, args, kwargs, [("input", REQUIRED)])["input"])
        with np.errstate(all="ignore"):
            return _const(ev, fn(x.value), np.bool_)
    return resolve


FUNCTIONS.update(isnan=_test(np.isnan), isinf=_test(np.isinf), isfinite=_test(np.isfinite),
                 isposinf=_test(np.isposinf), isneginf=_test(np.isneginf),
                 isreal=_test(lambda v: np.ones(np.shape(v), dtype=bool)),
                 logical_not=_test(np.logical_not), signbit=_test(np.signbit))


def _logical(fn):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
        a, b = _tensor(ev, p["input"]), _tensor(ev, p["other"])
        ev.check_broadcast(name, a.value.shape, b.value.shape)
        return _const(ev, fn(a.value, b.value), np.bool_)
    return resolve


FUNCTIONS.update(logical_and=_logical(np.logical_and), logical_or=_logical(np.logical_or),
                 logical_xor=_logical(np.logical_xor))


@function("isclose")
def _isclose(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED), ("rtol", 1e-05),
                                  ("atol", 1e-08), ("equal_nan", False)])
    a, b = _tensor(ev, p["input"]), _tensor(ev, p["other"])
    ev.check_broadcast(name, a.value.shape, b.value.shape)
    return _const(ev, np.isclose(a.value, b.value, rtol=float(p["rtol"]),
                                 atol=float(p["atol"]), equal_nan=bool(p["equal_nan"])), np.bool_)


@function("nonzero", "argwhere")
def _nonzero(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("as_tuple", False)])
    x = _tensor(ev, p["input"])
    v = np.atleast_1d(x.value)
    if p["as_tuple"] and name == "nonzero":
        return tuple(_const(ev, i, INT64) for i in np.nonzero(v))
    return _const(ev, np.argwhere(x.value).astype(INT64).reshape(-1, x.value.ndim), INT64)


@function("count_nonzero")
def _count_nonzero(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None)])
    x = _tensor(ev, p["input"])
    dim = p["dim"]
    axis = None if dim is None else (tuple(norm_dim(name, d, x.value.ndim) for d in dim)
                                     if isinstance(dim, (list, tuple))
                                     else norm_dim(name, dim, x.value.ndim))
    return _const(ev, np.count_nonzero(x.value, axis=axis), INT64)


# ------------------------------------------------------------------ sorting


def _order(v: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """PyTorch's sort order along dim (stable; NaN last ascending, first descending)."""
    if v.ndim == 0:
        return np.zeros((), dtype=INT64)
    if descending:
        key = -v if v.dtype.kind == "f" else (~v if v.dtype == np.bool_ else -v.astype(INT64))
        if v.dtype.kind == "f":
            key = np.where(np.isnan(v), -np.inf, key)
            order = np.argsort(key, axis=dim, kind="stable")
            return order.astype(INT64)
        return np.argsort(key, axis=dim, kind="stable").astype(INT64)
    return np.argsort(v, axis=dim, kind="stable").astype(INT64)


@function("sort")
def _sort(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", -1), ("descending", False),
                                  ("stable", False)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    idx = _order(x.value, d, bool(p["descending"]))
    values = ev.apply("sort", (x,), {"dim": d, "indices": idx})
    return ReturnTypes("sort", values, _const(ev, idx, INT64))


@function("argsort")
def _argsort(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", -1), ("descending", False),
                                  ("stable", False)])
    x = _tensor(ev, p["input"])
    return _const(ev, _order(x.value, _dim(name, p["dim"], x), bool(p["descending"])), INT64)


@function("topk")
def _topk(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("k", REQUIRED), ("dim", -1),
                                  ("largest", True), ("sorted", True)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    k = p["k"]
    n = x.value.shape[d] if x.value.ndim else 1
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k <= n:
        raise ShapeError(f"selected index k out of range (k={k}, size {n} along dim {d})")
    order = _order(x.value, d, bool(p["largest"]))
    idx = np.take(order, np.arange(k), axis=d) if x.value.ndim else order
    values = ev.apply("topk", (x,), {"dim": d, "indices": idx})
    return ReturnTypes("topk", values, _const(ev, idx, INT64))


def _kth(kind: str):
    def resolve(ev, name, args, kwargs):
        spec = [("input", REQUIRED), ("k", REQUIRED)] if kind == "kthvalue" else [
            ("input", REQUIRED)]
        p = bind(name, args, kwargs, [*spec, ("dim", None if kind == "median" else -1),
                                      ("keepdim", False)])
        x = _tensor(ev, p["input"])
        if kind == "median" and p["dim"] is None:  # the lower middle value, a 0-d tensor
            flat = x.value.reshape(-1)
            if not flat.size:
                raise ShapeError("median() input tensor cannot be empty")
            pick = int(_order(flat, 0, False)[(flat.size - 1) // 2])
            return ev.apply("median", (x,), {"index": pick})
        d = _dim(name, p["dim"], x)
        order = _order(x.value, d, False)
        n = x.value.shape[d] if x.value.ndim else 1
        if kind == "kthvalue":
            k = p["k"]
            if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n:
                raise ShapeError(f"kthvalue(): selected number k out of range for dimension "
                                 f"{d}")
            pos = k - 1
        else:  # median: the lower of the two middle values
            pos = (n - 1) // 2
        idx = np.take(order, [pos], axis=d) if x.value.ndim else order.reshape(1)
        keep = bool(p["keepdim"]) or not x.value.ndim
        v = ev.apply("kthvalue" if kind == "kthvalue" else "median_dim", (x,),
                     {"dim": d, "indices": idx, "keepdim": keep})
        if not keep:
            idx = np.squeeze(idx, axis=d)
        return ReturnTypes(kind, v, _const(ev, idx.reshape(v.value.shape), INT64))
    return resolve


FUNCTIONS["kthvalue"] = _kth("kthvalue")
FUNCTIONS["median"] = _kth("median")


@function("unique")
def _unique(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("sorted", True),
                                  ("return_inverse", False), ("return_counts", False),
                                  ("dim", None)])
    x = _tensor(ev, p["input"])
    if p["dim"] is not None:
        raise ArgumentError("unique(dim=...) is not supported yet: gradcli finds unique "
                            "elements")
    values, inverse, counts = np.unique(x.value, return_inverse=True, return_counts=True)
    out = [_const(ev, values, x.value.dtype)]
    if p["return_inverse"]:
        out.append(_const(ev, inverse.reshape(x.value.shape), INT64))
    if p["return_counts"]:
        out.append(_const(ev, counts, INT64))
    return out[0] if len(out) == 1 else tuple(out)


@function("bincount")
def _bincount(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("weights", None), ("minlength", 0)])
    v = _int_index(name, p["input"], "input")
    if v.ndim != 1 or (v.size and v.min() < 0):
        raise ArgumentError("bincount only supports 1-d non-negative integral inputs.")
    w = None if p["weights"] is None else _tensor(ev, p["weights"]).value
    out = np.bincount(v, weights=w, minlength=int(p["minlength"]))
    return _const(ev, out, INT64 if w is None else w.dtype)


@function("bucketize")
def _bucketize(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("boundaries", REQUIRED),
                                  ("out_int32", False), ("right", False)])
    x, b = _tensor(ev, p["input"]), _tensor(ev, p["boundaries"])
    side = "right" if p["right"] else "left"
    return _const(ev, np.searchsorted(b.value, x.value, side=side),
                  np.int32 if p["out_int32"] else INT64)


@function("searchsorted")
def _searchsorted(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("sorted_sequence", REQUIRED), ("input", REQUIRED),
                                  ("out_int32", False), ("right", False), ("side", None),
                                  ("sorter", None)])
    seq, x = _tensor(ev, p["sorted_sequence"]), _tensor(ev, p["input"])
    side = p["side"] or ("right" if p["right"] else "left")
    if seq.value.ndim != 1:
        raise ArgumentError("searchsorted(): gradcli supports a 1-D sorted_sequence")
    return _const(ev, np.searchsorted(seq.value, x.value, side=side),
                  np.int32 if p["out_int32"] else INT64)


@function("histc")
def _histc(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("bins", 100), ("min", 0), ("max", 0)])
    x = _tensor(ev, p["input"])
    lo, hi = float(p["min"]), float(p["max"])
    if lo == hi:
        lo, hi = (float(x.value.min()), float(x.value.max())) if x.value.size else (0.0, 0.0)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(x.value, bins=int(p["bins"]), range=(lo, hi))
    return _const(ev, counts, x.value.dtype)


# ------------------------------------------------------------------ selecting and masking


@function("gather")
def _gather(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED),
                                  ("sparse_grad", False)])
    x = _tensor(ev, p["input"])
    idx = _int_index(name, p["index"])
    d = _dim(name, p["dim"], x)
    if idx.ndim != max(x.value.ndim, 1):
        raise ShapeError("Index tensor must have the same number of dimensions as input "
                         "tensor")
    n = x.value.shape[d] if x.value.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise ShapeError(f"index {int(idx.max())} is out of bounds for dimension {d} with "
                         f"size {n}")
    return ev.apply("gather", (x,), {"dim": d, "index": idx % max(n, 1)})


@function("take_along_dim")
def _take_along_dim(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("indices", REQUIRED), ("dim", None)])
    x = _tensor(ev, p["input"])
    if p["dim"] is None:
        flat = FUNCTIONS["reshape"](ev, "reshape", [x, -1], {})
        ind = _int_index(name, p["indices"]).reshape(-1)
        return ev.apply("gather", (flat,), {"dim": 0, "index": ind})
    d = _dim(name, p["dim"], x)
    ind = _int_index(name, p["indices"])
    # PyTorch broadcasts the input and the indices (outside dim) before gathering
    shape = list(np.broadcast_shapes(x.value.shape[:d] + (1,) + x.value.shape[d + 1:],
                                     ind.shape[:d] + (1,) + ind.shape[d + 1:]))
    xs, ishape = list(shape), list(shape)
    xs[d], ishape[d] = x.value.shape[d], ind.shape[d]
    x = FUNCTIONS["expand"](ev, "expand", [x, *xs], {})
    return _gather(ev, "gather", [x, d, ev.constant(np.broadcast_to(ind, ishape).copy())], {})


@function("index_select")
def _index_select(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED)])
    x = _tensor(ev, p["input"])
    idx = _int_index(name, p["index"])
    if idx.ndim > 1:
        raise ShapeError("index_select(): Index is supposed to be a vector")
    d = _dim(name, p["dim"], x)
    n = x.value.shape[d] if x.value.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ShapeError(f"index out of range in self (index {int(idx.max())}, size {n})")
    return ev.apply("index_select", (x,), {"dim": d, "index": idx.reshape(-1)})


@function("take")
def _take(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("index", REQUIRED)])
    x = _tensor(ev, p["input"])
    idx = _int_index(name, p["index"])
    n = x.value.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise ShapeError(f"out of range: tried to access index {int(idx.max())} on a tensor "
                         f"of {n} elements.")
    return ev.apply("take", (x,), {"index": idx % max(n, 1)})


@function("masked_fill")
def _masked_fill(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("mask", REQUIRED), ("value", REQUIRED)])
    x = _tensor(ev, p["input"])
    mask = _mask(name, p["mask"])
    if np.broadcast_shapes(x.value.shape, mask.shape) != x.value.shape:
        raise ShapeError(f"masked_fill(): the mask of shape {list(mask.shape)} must broadcast "
                         f"to the input's shape {list(x.value.shape)}")
    v = p["value"]
    if isinstance(v, Node):
        if v.value.ndim:
            raise ArgumentError("masked_fill_ only supports a 0-dimensional value tensor, but "
                                f"got tensor with {v.value.ndim} dimension(s).")
        return ev.apply("masked_fill_tensor", (x, v), {"mask": mask})
    return ev.apply("masked_fill", (x,), {"mask": mask, "value": as_float(name, "value", v)})


@function("masked_select")
def _masked_select(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("mask", REQUIRED)])
    x = _tensor(ev, p["input"])
    mask = _mask(name, p["mask"])
    ev.check_broadcast(name, x.value.shape, mask.shape)
    return ev.apply("masked_select", (x,), {"mask": mask})


# ------------------------------------------------------------------ reductions and scans


@function("cumprod")
def _cumprod(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("dtype", None)])
    x = _tensor(ev, p["input"])
    return ev.apply("cumprod", (x,), {"dim": _dim(name, p["dim"], x)})


def _amax(key: str):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", ()), ("keepdim", False)])
        x = _tensor(ev, p["input"])
        dim = p["dim"]
        dims = tuple(range(x.value.ndim)) if dim in ((), [], None) else (
            tuple(norm_dim(name, d, x.value.ndim) for d in dim)
            if isinstance(dim, (list, tuple)) else (norm_dim(name, dim, x.value.ndim),))
        if x.value.size == 0:
            raise ShapeError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        return ev.apply(key, (x,), {"dim": dims, "keepdim": bool(p["keepdim"])})
    return resolve


FUNCTIONS["amax"] = _amax("amax")
FUNCTIONS["amin"] = _amax("amin")


@function("aminmax")
def _aminmax(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", None), ("keepdim", False)])
    x = _tensor(ev, p["input"])
    dims = tuple(range(x.value.ndim)) if p["dim"] is None else (
        norm_dim(name, p["dim"], x.value.ndim),)
    kd = bool(p["keepdim"])
    lo = np.min(x.value, axis=dims, keepdims=kd)
    hi = np.max(x.value, axis=dims, keepdims=kd)
    r = ReturnTypes("aminmax", _const(ev, lo, x.value.dtype), _const(ev, hi, x.value.dtype))
    r.fields = ("min", "max")
    return r


@function("logaddexp")
def _logaddexp(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = _tensor(ev, p["input"]), _tensor(ev, p["other"])
    ev.check_broadcast(name, a.value.shape, b.value.shape)
    return ev.apply("logaddexp", (a, b))


@function("lerp")
def _lerp(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("end", REQUIRED), ("weight", REQUIRED)])
    x, end = _tensor(ev, p["input"]), _tensor(ev, p["end"])
    ev.check_broadcast(name, x.value.shape, end.value.shape)
    w = p["weight"]
    if isinstance(w, Node):
        return ev.apply("lerp_tensor", (x, end, w))
    return ev.apply("lerp", (x, end), {"weight": as_float(name, "weight", w)})


def _addc(key: str):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("tensor1", REQUIRED),
                                      ("tensor2", REQUIRED), ("value", 1)])
        xs = [_tensor(ev, p[k]) for k in ("input", "tensor1", "tensor2")]
        ev.check_broadcast(name, *(t.value.shape for t in xs))
        return ev.apply(key, tuple(xs), {"value": as_float(name, "value", p["value"])})
    return resolve


FUNCTIONS["addcmul"] = _addc("addcmul")
FUNCTIONS["addcdiv"] = _addc("addcdiv")


@function("diff")
def _diff(ev, name, args, kwargs):
    """x[1:] - x[:-1] along dim (n times), as PyTorch builds it: two narrows and a sub."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("n", 1), ("dim", -1),
                                  ("prepend", None), ("append", None)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    parts = [v for v in (p["prepend"], x, p["append"]) if v is not None]
    if len(parts) > 1:
        x = FUNCTIONS["cat"](ev, "cat", [[_tensor(ev, v) for v in parts]], {"dim": d})
    for _ in range(int(p["n"])):
        size = x.value.shape[d]
        hi = _narrow(ev, x, d, 1, max(size - 1, 0))
        lo = _narrow(ev, x, d, 0, max(size - 1, 0))
        x = ev.apply("sub", (hi, lo))
    return x


# ------------------------------------------------------------------ shape and joining


def _narrow(ev, x: Node, dim: int, start: int, length: int) -> Node:
    return ev.apply("slice", (x,), {"dim": dim, "start": start, "stop": start + length,
                                    "step": 1})


@function("select")
def _select(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED)])
    x = _tensor(ev, p["input"])
    if x.value.ndim == 0:
        raise ArgumentError("select() cannot be applied to a 0-dim tensor.")
    dim = _dim(name, p["dim"], x)
    index = p["index"]
    if isinstance(index, Node) and index.value.ndim == 0 and index.value.dtype.kind in "iu":
        index = int(index.value)
    if isinstance(index, bool) or not isinstance(index, int):
        raise ArgumentError("select(): argument 'index' must be an int")
    size = x.value.shape[dim]
    if not -size <= index < size:
        raise ProgramError(f"select(): index {index} out of range for tensor of size "
                           f"{list(x.value.shape)} at dimension {dim}", "IndexError")
    return ev.apply("select", (x,), {"dim": dim, "index": index % size})


@function("narrow")
def _narrow_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("start", REQUIRED),
                                  ("length", REQUIRED)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    n = x.value.shape[d]
    start = int(p["start"])
    start = start + n if start < 0 else start
    length = int(p["length"])
    if not (0 <= start <= n and 0 <= length and start + length <= n):
        raise ShapeError(f"start ({p['start']}) + length ({length}) exceeds dimension size "
                         f"({n}).")
    return _narrow(ev, x, d, start, length)


def _pieces(ev, key: str, x: Node, d: int, bounds: list[tuple[int, int]]) -> tuple:
    return tuple(ev.apply(key, (x,), {"dim": d, "start": a, "stop": b}) for a, b in bounds)


@function("split")
def _split(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("split_size_or_sections", REQUIRED),
                                  ("dim", 0)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    n = x.value.shape[d]
    s = p["split_size_or_sections"]
    if isinstance(s, (list, tuple)):
        sizes = [int(v) for v in s]
        if sum(sizes) != n or any(v < 0 for v in sizes):
            raise ShapeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                             f"(input tensor's size at dimension {d}), but got "
                             f"split_sizes={sizes}")
        starts = np.cumsum([0, *sizes])
        return _pieces(ev, "split_with_sizes", x, d,
                       [(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])])
    size = int(s)
    if size <= 0 and n:
        raise ShapeError(f"split_size can only be 0 if dimension size is 0, but got "
                         f"dimension size of {n}")
    bounds = [(a, min(a + size, n)) for a in range(0, n, size)] if n else [(0, 0)]
    return _pieces(ev, "split", x, d, bounds)


@function("chunk")
def _chunk(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("chunks", REQUIRED), ("dim", 0)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    chunks = int(p["chunks"])
    if chunks <= 0:
        raise ArgumentError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x.value.shape[d]
    size = -(-n // chunks) if n else 0
    return _split(ev, "split", [x, max(size, 1) if n else 1, d], {})


@function("tensor_split")
def _tensor_split(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("indices_or_sections", REQUIRED),
                                  ("dim", 0)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    n = x.value.shape[d]
    s = p["indices_or_sections"]
    if isinstance(s, (list, tuple)):
        cuts = [min(max(int(v) + (n if int(v) < 0 else 0), 0), n) for v in s]
        edges = [0, *cuts, n]
        bounds = [(a, max(a, b)) for a, b in zip(edges[:-1], edges[1:])]
    else:
        k = int(s)
        base, extra = divmod(n, k)
        sizes = [base + (1 if i < extra else 0) for i in range(k)]
        starts = np.cumsum([0, *sizes])
        bounds = [(int(a), int(b)) for a, b in zip(starts[:-1], starts[1:])]
    return tuple(_narrow(ev, x, d, a, b - a) for a, b in bounds)


@function("movedim", "moveaxis")
def _movedim(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("source", REQUIRED),
                                  ("destination", REQUIRED)])
    x = _tensor(ev, p["input"])
    nd = x.value.ndim
    src = p["source"] if isinstance(p["source"], (list, tuple)) else [p["source"]]
    dst = p["destination"] if isinstance(p["destination"], (list, tuple)) else [p["destination"]]
    src = [norm_dim(name, s, nd) for s in src]
    dst = [norm_dim(name, s, nd) for s in dst]
    order = [i for i in range(nd) if i not in src]
    for s, t in sorted(zip(dst, src)):
        order.insert(s, t)
    return ev.apply("permute", (x,), {"dims": tuple(order)})


@function("tile")
def _tile(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="dims")
    x = _tensor(ev, p["input"])
    dims = list(shape_args(name, p["dims"]))
    dims = [1] * (x.value.ndim - len(dims)) + dims
    return FUNCTIONS["repeat"](ev, "repeat", [x, *dims], {})


@function("unflatten")
def _unflatten(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("sizes", REQUIRED)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    sizes = list(p["sizes"])
    shape = list(x.value.shape[:d]) + sizes + list(x.value.shape[d + 1:])
    return FUNCTIONS["view"](ev, "view", [x, *shape], {})


@function("view_as")
def _view_as(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    return FUNCTIONS["view"](ev, "view", [_tensor(ev, p["input"]),
                                          *_tensor(ev, p["other"]).value.shape], {})


@function("reshape_as")
def _reshape_as(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    return FUNCTIONS["reshape"](ev, "reshape", [_tensor(ev, p["input"]),
                                                *_tensor(ev, p["other"]).value.shape], {})


def _atleast(ev, x: Node, nd: int) -> Node:
    if x.value.ndim >= nd:
        return x
    if nd == 2 and x.value.ndim == 1:
        return FUNCTIONS["unsqueeze"](ev, "unsqueeze", [x, 0], {})
    shape = {1: (1,), 2: (1, 1), 3: (1, 1, 1)}[nd] if x.value.ndim == 0 else (
        (1, *x.value.shape, 1) if x.value.ndim == 1 else (*x.value.shape, 1))
    return FUNCTIONS["view"](ev, "view", [x, *shape], {})


def _stacker(kind: str):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("tensors", REQUIRED)])
        items = p["tensors"]
        if not isinstance(items, (list, tuple)) or not items:
            raise ArgumentError(f"{name}() expects a non-empty list of tensors")
        xs = [_tensor(ev, v) for v in items]
        if kind == "h":
            xs = [_atleast(ev, t, 1) for t in xs]
            d = 0 if xs[0].value.ndim == 1 else 1
        elif kind == "v":
            xs, d = [_atleast(ev, t, 2) for t in xs], 0
        elif kind == "d":
            xs, d = [_atleast(ev, t, 3) for t in xs], 2
        else:  # column_stack: 0-d and 1-d tensors become columns
            xs = [FUNCTIONS["view"](ev, "view", [t, t.value.size, 1], {})
                  if t.value.ndim <= 1 else t for t in xs]
            d = 1
        return FUNCTIONS["cat"](ev, "cat", [xs], {"dim": d})
    return resolve


FUNCTIONS.update(hstack=_stacker("h"), vstack=_stacker("v"), row_stack=_stacker("v"),
                 dstack=_stacker("d"), column_stack=_stacker("c"))


@function("repeat_interleave")
def _repeat_interleave(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("repeats", None), ("dim", None),
                                  ("output_size", None)])
    x = _tensor(ev, p["input"])
    reps = p["repeats"]
    if reps is None:  # repeat_interleave(repeats): indices repeated by their own counts
        counts = _int_index(name, x, "repeats")
        return _const(ev, np.repeat(np.arange(counts.size), counts), INT64)
    if p["dim"] is None:
        x = FUNCTIONS["reshape"](ev, "reshape", [x, -1], {})
        d = 0
    else:
        d = _dim(name, p["dim"], x)
    if isinstance(reps, Node):  # a tensor of repeats: an index_select
        n = x.value.shape[d]
        counts = _int_index(name, reps, "repeats").reshape(-1)
        if counts.size not in (1, n):
            raise ShapeError(f"repeats must have the same size as input along dim, but got "
                             f"repeats.size(0) = {counts.size} and input.size({d}) = {n}")
        index = np.repeat(np.arange(n), np.broadcast_to(counts, (n,)))
        return ev.apply("index_select", (x,), {"dim": d, "index": index})
    r = int(reps)
    # PyTorch: unsqueeze after dim, expand, copy, and view the two dims as one
    u = FUNCTIONS["unsqueeze"](ev, "unsqueeze", [x, d + 1], {})
    shape = list(u.value.shape)
    shape[d + 1] = r
    e = FUNCTIONS["expand"](ev, "expand", [u, *shape], {})
    c = ev.apply("clone", (e,), {"contiguous": True})
    out = list(x.value.shape)
    out[d] *= r
    return FUNCTIONS["view"](ev, "view", [c, *out], {})


@function("meshgrid")
def _meshgrid(ev, name, args, kwargs):
    items = list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)
    indexing = kwargs.get("indexing", "ij")
    xs = [_tensor(ev, v) for v in items]
    if indexing not in ("ij", "xy"):
        raise ArgumentError(f"meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                            f"received: {indexing}")
    swap = indexing == "xy" and len(xs) >= 2
    if swap:
        xs[0], xs[1] = xs[1], xs[0]
    shape = [t.value.size for t in xs]
    out = []
    for i, t in enumerate(xs):
        view = [1] * len(xs)
        view[i] = -1
        v = FUNCTIONS["view"](ev, "view", [t, *view], {})
        out.append(FUNCTIONS["expand"](ev, "expand", [v, *shape], {}))
    if swap:
        out = [FUNCTIONS["transpose"](ev, "transpose", [o, 0, 1], {}) for o in out]
        out[0], out[1] = out[1], out[0]
    return tuple(out)


# ------------------------------------------------------------------ new tensors like another


def _new(fill: Any):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED)], varargs="size")
        x = _tensor(ev, p["input"])
        rest = dict(kwargs)
        dtype = rest.pop("dtype", None)
        rg = bool(rest.pop("requires_grad", False))
        value = rest.pop("fill_value", None)
        size = p["size"]
        if fill == "full":
            if value is None:
                if len(size) < 2:
                    raise ArgumentError("new_full() missing required argument 'fill_value'")
                size, value = size[:-1], size[-1]
        shape = shape_args(name, list(size))
        dt = np.dtype(dtype.np) if dtype is not None else x.value.dtype
        v = value if fill == "full" else fill
        ev.graph.check_size(shape, f"{name}()")
        return ev.constant(np.full(shape, v, dtype=dt), requires_grad=rg)
    return resolve


FUNCTIONS.update(new_zeros=_new(0), new_ones=_new(1), new_empty=_new(0), new_full=_new("full"))


@function("new_tensor")
def _new_tensor(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("data", REQUIRED), ("dtype", None),
                                  ("device", None), ("requires_grad", False)])
    x = _tensor(ev, p["input"])
    data = p["data"]
    value = data.value if isinstance(data, Node) else ev.list_value(data, float_default=True)
    dt = np.dtype(p["dtype"].np) if p["dtype"] is not None else x.value.dtype
    return ev.constant(np.array(value, dtype=dt), requires_grad=bool(p["requires_grad"]))


@function("full_like")
def _full_like(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("fill_value", REQUIRED), ("dtype", None),
                                  ("requires_grad", False), ("device", None), ("layout", None),
                                  ("memory_format", None)])
    x = _tensor(ev, p["input"])
    dt = np.dtype(p["dtype"].np) if p["dtype"] is not None else x.value.dtype
    return ev.constant(np.full(x.value.shape, p["fill_value"], dtype=dt),
                       requires_grad=bool(p["requires_grad"]))


@function("logspace")
def _logspace(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("start", REQUIRED), ("end", REQUIRED), ("steps", REQUIRED),
                                  ("base", 10.0), ("dtype", None), ("requires_grad", False)])
    dt = np.dtype(p["dtype"].np) if p["dtype"] is not None else ev.graph.dtype
    steps = int(p["steps"])
    ev.graph.check_size((steps,), "logspace()")
    v = np.logspace(float(p["start"]), float(p["end"]), steps, base=float(p["base"]))
    return ev.constant(v.astype(dt), requires_grad=bool(p["requires_grad"]))


def _tri_indices(lower: bool):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("row", REQUIRED), ("col", REQUIRED), ("offset", 0),
                                      ("dtype", None)])
        r, c = int(p["row"]), int(p["col"])
        f = np.tril_indices if lower else np.triu_indices
        return _const(ev, np.stack(f(r, int(p["offset"]), c)), INT64)
    return resolve


FUNCTIONS["tril_indices"] = _tri_indices(True)
FUNCTIONS["triu_indices"] = _tri_indices(False)

_ = math


_ROUND = FUNCTIONS["round"]


@function("round")
def _round(ev, name, args, kwargs):
    """round(x) or round(x, decimals=d) (RoundBackward1)."""
    kwargs = dict(kwargs)
    decimals = kwargs.pop("decimals", None)
    if decimals is None and len(args) == 2:
        args, decimals = args[:1], args[1]
    if decimals is None or decimals == 0 and not isinstance(args[0], Node):
        return _ROUND(ev, name, args, kwargs)
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise ArgumentError("round(): argument 'decimals' must be int")
    x = _tensor(ev, bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    return ev.apply("round_decimals", (x,), {"decimals": decimals})


def _scan_pick(key: str):
    """cummax/cummin along dim: (values, indices); the values are nodes of their own."""
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED)])
        x = _tensor(ev, p["input"])
        d = _dim(name, p["dim"], x)
        v = np.atleast_1d(x.value)
        better = np.greater_equal if key == "cummax" else np.less_equal
        vm = np.moveaxis(v, d, -1)
        idx = np.zeros(vm.shape, dtype=INT64)
        best = vm[..., 0].copy()
        for i in range(1, vm.shape[-1]):
            cur = vm[..., i]
            take = better(cur, best) | np.isnan(cur)
            best = np.where(take, cur, best)
            idx[..., i] = np.where(take, i, idx[..., i - 1])
        idx = np.moveaxis(idx, -1, d).reshape(np.shape(x.value) or (1,))
        values = ev.apply(key, (x,), {"dim": d, "indices": idx})
        return ReturnTypes(key, values, _const(ev, idx.reshape(values.value.shape), INT64))
    return resolve


FUNCTIONS["cummax"] = _scan_pick("cummax")
FUNCTIONS["cummin"] = _scan_pick("cummin")


@function("mode")
def _mode(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", -1), ("keepdim", False)])
    x = _tensor(ev, p["input"])
    d = _dim(name, p["dim"], x)
    vm = np.moveaxis(np.atleast_1d(x.value), d, -1)
    flat = vm.reshape(-1, vm.shape[-1])
    pick = np.zeros(flat.shape[0], dtype=INT64)
    for r, row in enumerate(flat):  # the smallest most frequent value, its last index
        vals, counts = np.unique(row, return_counts=True)
        best = vals[np.argmax(counts)]
        pick[r] = np.nonzero(row == best)[0][-1]
    idx = np.expand_dims(pick.reshape(vm.shape[:-1]), d)
    keep = bool(p["keepdim"]) or not x.value.ndim
    v = ev.apply("mode", (x,), {"dim": d, "indices": idx, "keepdim": keep})
    return ReturnTypes("mode", v, _const(ev, idx.reshape(v.value.shape), INT64))


@function("remainder")
def _remainder(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = ev.operand(p["input"]), ev.operand(p["other"])
    if not isinstance(a, Node):
        a = ev.tensor(a)
    if isinstance(b, Node):
        ev.check_broadcast(name, a.value.shape, b.value.shape)
        return ev.apply("remainder_tensor", (a, b))
    return ev.apply("remainder", (a, b))


@function("fmod")
def _fmod(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = _tensor(ev, p["input"]), ev.operand(p["other"])
    if isinstance(b, Node):
        ev.check_broadcast(name, a.value.shape, b.value.shape)
        return ev.apply("fmod_tensor", (a, b))
    return ev.apply("fmod", (a, b))


@function("floor_divide")
def _floor_divide(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = _tensor(ev, p["input"]), ev.operand(p["other"])
    bv = b.value if isinstance(b, Node) else b
    with np.errstate(all="ignore"):
        out = np.floor_divide(a.value, bv)
    return _const(ev, out, np.result_type(a.value, bv) if isinstance(b, Node) else a.value.dtype)


@function("nan_to_num")
def _nan_to_num(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("nan", 0.0), ("posinf", None),
                                  ("neginf", None)])
    x = _tensor(ev, p["input"])
    info = np.finfo(x.value.dtype) if x.value.dtype.kind == "f" else None
    if info is None:
        return x
    pos = float(info.max) if p["posinf"] is None else float(p["posinf"])
    neg = float(info.min) if p["neginf"] is None else float(p["neginf"])
    return ev.apply("nan_to_num", (x,), {"nan": float(p["nan"]), "posinf": pos, "neginf": neg})


@function("type_as")
def _type_as(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    x, o = _tensor(ev, p["input"]), _tensor(ev, p["other"])
    if x.value.dtype == o.value.dtype:
        return x
    return ev.apply("to_copy", (x,), {"dtype": o.value.dtype.name})


@function("addmm")
def _addmm(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("mat1", REQUIRED), ("mat2", REQUIRED),
                                  ("beta", 1), ("alpha", 1)])
    c, a, b = (_tensor(ev, p[k]) for k in ("input", "mat1", "mat2"))
    if a.value.ndim != 2 or b.value.ndim != 2:
        raise ShapeError("addmm(): mat1 and mat2 must be matrices")
    if a.value.shape[1] != b.value.shape[0]:
        raise ShapeError(f"mat1 and mat2 shapes cannot be multiplied ({a.value.shape[0]}x"
                         f"{a.value.shape[1]} and {b.value.shape[0]}x{b.value.shape[1]})")
    ev.check_broadcast(name, c.value.shape, (a.value.shape[0], b.value.shape[1]))
    if p["beta"] == 1 and p["alpha"] == 1:
        return ev.apply("addmm", (c, a, b))
    prod = FUNCTIONS["mm"](ev, "mm", [a, b], {})
    return binary(ev, "+", binary(ev, "*", c, p["beta"]), binary(ev, "*", prod, p["alpha"]))


def _spread_mean(which: str):
    def resolve(ev, name, args, kwargs):
        spread = FUNCTIONS[which](ev, which, args, kwargs)
        mean_kw = {k: v for k, v in kwargs.items() if k in ("dim", "keepdim")}
        mean_args = list(args[:2]) if len(args) > 1 and not isinstance(args[1], bool) else \
            list(args[:1])
        return spread, FUNCTIONS["mean"](ev, "mean", mean_args, mean_kw)
    return resolve


FUNCTIONS["std_mean"] = _spread_mean("std")
FUNCTIONS["var_mean"] = _spread_mean("var")


FUNCTIONS["deg2rad"] = lambda ev, name, args, kwargs: ev.apply(
    "deg2rad", (_tensor(ev, bind(name, args, kwargs, [("input", REQUIRED)])["input"]),))
FUNCTIONS["rad2deg"] = lambda ev, name, args, kwargs: ev.apply(
    "rad2deg", (_tensor(ev, bind(name, args, kwargs, [("input", REQUIRED)])["input"]),))


@function("einsum")
def _einsum(ev, name, args, kwargs):
    """einsum by broadcasting products and sums of the registry's ops (the values and
    gradients are einsum's; PyTorch's own graph may name other nodes)."""
    if not args or not isinstance(args[0], str):
        raise ArgumentError("einsum(equation, *operands): the equation comes first")
    eq = args[0].replace(" ", "")
    ops = list(args[1]) if len(args) == 2 and isinstance(args[1], (list, tuple)) else \
        list(args[1:])
    xs = [_tensor(ev, v) for v in ops]
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs = eq
        letters = lhs.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    terms = lhs.split(",")
    if len(terms) != len(xs) or "." in eq:
        raise ArgumentError(f"einsum(): the equation {args[0]!r} does not match "
                            f"{len(xs)} operand(s) (ellipses are not supported)")
    letters = []
    for t in terms:
        for c in t:
            if c not in letters:
                letters.append(c)
    sizes: dict[str, int] = {}
    expanded = []
    for t, x in zip(terms, xs):
        if len(t) != x.value.ndim:
            raise ShapeError(f"einsum(): the subscript {t!r} has {len(t)} letters for an "
                             f"operand of shape {list(x.value.shape)}")
        for c, s in zip(t, x.value.shape):
            if sizes.setdefault(c, s) != s and s != 1 and sizes[c] != 1:
                raise ShapeError(f"einsum(): subscript {c} has size {s} for an operand which "
                                 f"does not broadcast with previously seen size {sizes[c]}")
        if len(set(t)) != len(t):
            raise ArgumentError("einsum(): a repeated subscript within one operand (a "
                                "diagonal) is not supported yet")
        order = sorted(range(len(t)), key=lambda i: letters.index(t[i]))
        if order != list(range(len(t))):
            x = ev.apply("permute", (x,), {"dims": tuple(order)})
        t = "".join(t[i] for i in order)
        shape = [x.value.shape[t.index(c)] if c in t else 1 for c in letters]
        expanded.append(FUNCTIONS["reshape"](ev, "reshape", [x, *shape], {}))
    prod = expanded[0]
    for e in expanded[1:]:
        prod = binary(ev, "*", prod, e)
    summed = tuple(i for i, c in enumerate(letters) if c not in out)
    if summed:
        prod = FUNCTIONS["sum"](ev, "sum", [prod], {"dim": summed})
    remaining = [c for c in letters if c in out]
    if remaining != list(out):
        prod = ev.apply("permute", (prod,), {"dims": tuple(remaining.index(c) for c in out)})
    return prod


# special functions, linear algebra, more of torch.nn.functional and of torch's functions
from . import linalg, nnfunctional, tensorfns  # noqa: E402,F401
