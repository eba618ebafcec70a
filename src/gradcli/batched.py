"""Forward mode for many tangents at once: Jacobians and Hessians in batched passes.

A Jacobian column is the tangent of the output along one input direction; a Hessian row
is the tangent of the gradient (its graph recorded by ``autodiff.gradient_graph``) along
one input direction (forward over reverse). Instead of one pass per direction, the
tangents of a chunk of directions travel together, with a leading batch axis, through
one pass over the graph: each op maps the stacked tangents of its arguments with its
batched rule. The rules are the ops' own JVP rules (``ops.JVP``) where those broadcast
over a leading axis (elementwise ops, matrix products), and a batched form of the linear
ops (sums, views, selections, joins); any other op maps the tangents one direction at a
time with its JVP rule, which is slower but the same arithmetic. One engine, one
registry: nothing here computes a value of its own.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .engine import Node
from .ops import ELEMENTWISE, JVP

# Elementwise ops whose VJP rule (applied to a tangent) is written with NumPy broadcasting
# only, so a leading batch axis passes through it (checked against the one-direction
# rules by tests/test_batched.py).
BATCH_ELEMENTWISE = ELEMENTWISE - {"where", "clamp_tensor", "masked_fill", "lerp_tensor",
                                   "addcmul", "addcdiv", "nan_to_num"}


def _lift(t: np.ndarray, ndim: int) -> np.ndarray:
    """A (B, *shape) tangent with its shape padded to `ndim` dims (as broadcasting would)."""
    extra = ndim - (t.ndim - 1)
    if extra <= 0:
        return t
    return t.reshape((t.shape[0],) + (1,) * extra + t.shape[1:])


def _elementwise(key: str) -> Callable:
    op_jvp = JVP[key]

    def rule(ts, y, *args, **params):
        nd = np.ndim(y)
        lifted = [None if t is None else _lift(t, nd) for t in ts]
        return op_jvp(lifted, y, *args, **params)
    return rule


def _axis(dim: Any, ndim: int) -> Any:
    """An op's dim (or dims; negative counts from the end) of an `ndim`-dim value, as an
    axis of its tangents, which have the batch axis in front."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        return tuple(d % max(ndim, 1) + 1 for d in dim)
    return dim % max(ndim, 1) + 1


def _reshaped(ts, y, *args, **params):
    return ts[0].reshape((ts[0].shape[0],) + np.shape(y))


def _sum(ts, y, x, **params):
    t = ts[0]
    return t.reshape(t.shape[0], -1).sum(axis=1).reshape((t.shape[0],) + np.shape(y))


def _sum_dim(ts, y, x, dim, keepdim=False, **params):
    if np.ndim(x) == 0:  # a 0-dim value's dim 0 (or -1): the tangent as it is
        return ts[0].reshape((ts[0].shape[0],) + np.shape(y))
    return ts[0].sum(axis=_axis(dim, np.ndim(x)), keepdims=keepdim).reshape(
        (ts[0].shape[0],) + np.shape(y))


def _mean(ts, y, x, **params):
    return _sum(ts, y, x) / max(np.size(x), 1)


def _mean_dim(ts, y, x, dim, keepdim=False, **params):
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    n = int(np.prod([np.shape(x)[d] for d in dims])) if np.ndim(x) else 1
    return _sum_dim(ts, y, x, dim, keepdim) / max(n, 1)


def _expand(ts, y, x, shape, **params):
    t = _lift(ts[0], len(np.shape(y)))
    return np.broadcast_to(t, (t.shape[0],) + np.shape(y))


def _permute(ts, y, x, dims, **params):
    return np.transpose(ts[0], (0, *_axis(tuple(dims), np.ndim(x))))


def _transpose(ts, y, x, dim0, dim1, **params):
    if np.ndim(x) == 0:
        return ts[0]
    return np.swapaxes(ts[0], _axis(dim0, np.ndim(x)), _axis(dim1, np.ndim(x)))


def _t(ts, y, x, **params):
    t = ts[0]
    return np.swapaxes(t, 1, 2) if t.ndim == 3 else t


def _select(ts, y, x, dim, index, **params):
    return np.take(ts[0], index, axis=_axis(dim, np.ndim(x)))


def _slice(ts, y, x, dim, start, stop, step, **params):
    return ts[0][(slice(None),) * _axis(dim, np.ndim(x)) + (slice(start, stop, step),)]


def _cat(kind: str):
    def rule(ts, y, *args, dim, **params):
        b = next(t.shape[0] for t in ts if t is not None)
        full = [np.zeros((b,) + np.shape(a), dtype=np.result_type(y)) if t is None else t
                for t, a in zip(ts, args)]
        if kind == "cat":
            return np.concatenate(full, axis=_axis(dim, np.ndim(y)))
        return np.stack(full, axis=_axis(dim, np.ndim(y)))
    return rule


def _same(ts, y, x, **params):
    return ts[0].astype(np.result_type(y), copy=False)


def _mm(ts, y, a, b, **params):
    out = 0
    if ts[0] is not None:
        out = out + np.matmul(ts[0], b)
    if ts[1] is not None:
        out = out + np.matmul(a, ts[1])
    return out


def _mv(ts, y, a, v, **params):
    out = 0
    if ts[0] is not None:
        out = out + np.matmul(ts[0], v)
    if ts[1] is not None:
        out = out + np.matmul(ts[1], np.transpose(a))
    return out


def _dot(ts, y, a, b, **params):
    out = 0
    if ts[0] is not None:
        out = out + (ts[0] * b).sum(axis=-1)
    if ts[1] is not None:
        out = out + (a * ts[1]).sum(axis=-1)
    return out


def _addmm(ts, y, c, a, b, **params):
    out = _mm(ts[1:], y, a, b)
    if ts[0] is not None:
        out = out + _lift(ts[0], np.ndim(y))
    return out


RULES: dict[str, Callable] = {key: _elementwise(key) for key in BATCH_ELEMENTWISE
                              if key in JVP}
RULES.update({
    "sum": _sum, "sum_dim": _sum_dim, "mean": _mean, "mean_dim": _mean_dim,
    "view": _reshaped, "reshape_alias": _reshaped, "unsafe_view": _reshaped,
    "unsqueeze": _reshaped, "squeeze": _reshaped, "squeeze_dim": _reshaped,
    "squeeze_dims": _reshaped, "squeeze_tuple": _reshaped, "expand": _expand,
    "permute": _permute, "transpose": _transpose, "t": _t, "select": _select,
    "slice": _slice, "cat": _cat("cat"), "stack": _cat("stack"), "clone": _same,
    "alias": _same, "to_copy": _same, "mm": _mm, "mv": _mv, "dot": _dot, "addmm": _addmm,
})


def _one_by_one(key: str) -> Callable:
    """Any other op: its JVP rule for each direction in turn."""
    rule = JVP.get(key)

    def each(ts, y, *args, **params):
        if rule is None:
            from .autodiff import AutodiffError
            raise AutodiffError(f"forward mode has no rule for {key}")
        b = next(t.shape[0] for t in ts if t is not None)
        out = np.empty((b,) + np.shape(y), dtype=np.result_type(y))
        for i in range(b):
            out[i] = rule([None if t is None else t[i] for t in ts], y, *args, **params)
        return out
    return each


def tangents(nodes: list[Node], seeds: dict[int, np.ndarray], wanted: set[int]
             ) -> dict[int, np.ndarray]:
    """The tangents (leading axis: the directions) of the `wanted` nodes, given stacked
    tangents of some leaves; tangents no later node needs are dropped as the pass goes."""
    last: dict[int, int] = {}
    for i, n in enumerate(nodes):
        if n.op is not None:
            for a in n.args:
                if isinstance(a, Node):
                    last[a.id] = i
    tan: dict[int, np.ndarray] = {}
    b = next(iter(seeds.values())).shape[0]
    with np.errstate(all="ignore"):
        for i, n in enumerate(nodes):
            if n.id in seeds:
                tan[n.id] = seeds[n.id]
            elif n.op is not None:
                ts = [tan.get(a.id) if isinstance(a, Node) else None for a in n.args]
                if any(t is not None for t in ts):
                    rule = RULES.get(n.op.key) or _one_by_one(n.op.key)
                    values = [a.value if isinstance(a, Node) else a for a in n.args]
                    try:
                        t = rule(ts, n.value, *values, **n.params)
                    except np.linalg.LinAlgError as e:  # the caller takes another way
                        from .autodiff import AutodiffError
                        raise AutodiffError(f"forward mode through {n.grad_fn}: {e}") from None
                    t = np.broadcast_to(np.asarray(t, dtype=n.value.dtype),
                                        (b,) + n.value.shape)
                    tan[n.id] = t
                for a in n.args:  # free what no later node reads
                    if isinstance(a, Node) and last.get(a.id) == i and a.id not in wanted:
                        tan.pop(a.id, None)
    return {k: tan[k] for k in wanted if k in tan}


def widest(nodes: list[Node]) -> int:
    """The largest tangent a pass carries: of a node that depends on a leaf."""
    return max((x.value.size for x in nodes if x.requires_grad), default=1) or 1


def chunk_size(total: int, widest: int, budget: int = 2**19) -> int:
    """How many directions to stack at once: tangent arrays of about `budget` bytes stay in
    the processor's cache between ops (measured: for a 1000-dimensional Hessian, 512 KiB
    chunks take 15 ms, one 8 MiB array per node 43 ms), and at least 8 directions."""
    return max(1, min(total, max(8, budget // max(8 * widest, 1))))
