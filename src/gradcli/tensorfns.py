"""More of torch's tensor functions lessons use: scatter, torch.where(condition),
matrix_power, slogdet/logdet, trapezoid, isin, cartesian_prod, and
nn.utils.parameters_to_vector / vector_to_parameters.

Where ATen composes a function from other operations (matrix_power, logdet, trapezoid,
cartesian_prod) gradcli runs the same operations, so the graph and the grad_fn names are
PyTorch's; scatter and slogdet are ops with their own backward, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from .dispatch import FUNCTIONS, QUALIFIED, REQUIRED, NamedPair, bind, function, norm_dim
from .dispatch_more import _int_index
from .engine import Node
from .errors import ProgramError, ShapeError
from .linalg import gather_into
from .ops import _along, op


def _f(ev, name: str, *args, **kwargs) -> Any:
    return FUNCTIONS[name](ev, name, list(args), kwargs)


# ------------------------------------------------------------------ scatter


def _scatter(x, src, dim, index):
    out = np.array(x, copy=True)
    out[_along(index, dim)] = np.asarray(src)[tuple(slice(0, n) for n in index.shape)]
    return out


def _scatter_value(x, dim, index, value):
    out = np.array(x, copy=True)
    out[_along(index, dim)] = np.asarray(value, dtype=x.dtype)
    return out


def _zero_at(g, dim, index):
    out = np.array(g, copy=True)
    out[_along(index, dim)] = 0
    return out


op("scatter", "ScatterBackward0", _scatter,
   lambda g, y, x, src, dim, index: _zero_at(g, dim, index),
   lambda g, y, x, src, dim, index: gather_into(g, src.shape, dim, index, "ScatterBackward0"))
op("scatter_value", "ScatterBackward1", _scatter_value,
   lambda g, y, x, dim, index, value: _zero_at(g, dim, index))


@function("scatter")
def _scatter_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED),
                                  ("src", None), ("value", None), ("reduce", None)])
    if p["reduce"] is not None:
        raise ProgramError("scatter(reduce=...) is not supported yet", "NotImplementedError")
    x = ev.tensor(p["input"])
    src = p["src"] if p["src"] is not None else p["value"]
    if src is None:
        raise ProgramError("scatter() missing 1 required positional argument: 'src'",
                           "TypeError")
    index = _int_index(name, p["index"])
    dim = norm_dim(name, p["dim"], max(x.value.ndim, 1))
    if index.ndim != x.value.ndim:
        raise ShapeError("Index tensor must have the same number of dimensions as self tensor")
    for d in range(index.ndim):
        if d != dim and index.shape[d] > x.value.shape[d]:
            raise ShapeError(f"Size does not match at dimension {d} expected index "
                             f"{list(index.shape)} to be no larger than self "
                             f"{list(x.value.shape)} apart from dimension {dim}")
    if index.size and (index.min() < -x.value.shape[dim] or index.max() >= x.value.shape[dim]):
        raise ShapeError(f"index {int(index.max())} is out of bounds for dimension {dim} with "
                         f"size {x.value.shape[dim]}")
    index = index % max(x.value.shape[dim], 1)
    if isinstance(src, Node):
        if src.value.ndim != x.value.ndim or any(
                index.shape[d] > src.value.shape[d] for d in range(index.ndim)):
            raise ShapeError(f"Expected index {list(index.shape)} to be no larger than src "
                             f"{list(src.value.shape)}")
        return ev.apply("scatter", (x, src), {"dim": dim, "index": index})
    return ev.apply("scatter_value", (x,), {"dim": dim, "index": index, "value": float(src)})


# ------------------------------------------------------------------ where(condition)


def where_condition(ev, cond: Any) -> tuple:
    """torch.where(condition): condition.nonzero(as_tuple=True)."""
    c = ev.tensor(cond).value
    idx = np.nonzero(np.atleast_1d(c))
    return tuple(ev.constant(np.asarray(i, dtype=np.int64)) for i in idx)


# ------------------------------------------------------------------ matrix_power


@function("matrix_power", "linalg_matrix_power")
def _matrix_power(ev, name, args, kwargs):
    """ATen's linalg_matrix_power: identity, a clone, one or two products, or products by
    the binary decomposition of n (an inverse first for negative n)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("n", REQUIRED)])
    a = ev.tensor(p["input"])
    n = p["n"]
    if isinstance(n, bool) or not isinstance(n, int):
        raise ProgramError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}",
                           "TypeError")
    if a.value.ndim < 2 or a.value.shape[-1] != a.value.shape[-2]:
        raise ShapeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                         f"are {a.value.shape[-2] if a.value.ndim >= 2 else 1} by "
                         f"{a.value.shape[-1] if a.value.ndim else 1} matrices")
    if n == 0:  # the identity copied into a's clone (CopyBackwards, zero gradient)
        eye = np.broadcast_to(np.eye(a.value.shape[-1], dtype=a.value.dtype), a.value.shape)
        return ev.apply("copy_from", (_f(ev, "clone", a), ev.constant(np.array(eye))))
    if n < 0:
        a = _f(ev, "inverse", a)
        n = -n
    if n == 1:
        return _f(ev, "clone", a)
    if n == 2:
        return _f(ev, "matmul", a, a)
    if n == 3:
        return _f(ev, "matmul", _f(ev, "matmul", a, a), a)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = a if z is None else _f(ev, "matmul", z, z)
        if bit == 1:
            result = z if result is None else _f(ev, "matmul", result, z)
    return result


# ------------------------------------------------------------------ slogdet / logdet


def _slogdet_value(x):
    return np.linalg.slogdet(x)[1].astype(x.dtype)


def _slogdet_grad(g, y, x):
    inv = np.linalg.inv(x)
    return np.expand_dims(np.expand_dims(g, -1), -1) * np.swapaxes(inv, -1, -2)


op("slogdet", "LinalgSlogdetBackward0", _slogdet_value, _slogdet_grad)
# the sign: the node's other output (no gradient flows through it)
op("slogdet_sign", "LinalgSlogdetBackward0",
   lambda x: np.linalg.slogdet(x)[0].astype(x.dtype), lambda g, y, x: np.zeros_like(x))


class SlogdetResult(NamedPair):
    kind = "slogdet"
    fields = ("sign", "logabsdet")

    def repr_with(self, r) -> str:
        return (f"torch.return_types.{self.kind}(\nsign={r(self[0])},\n"
                f"logabsdet={r(self[1])})")


def _square(name: str, a: Node) -> None:
    if a.value.ndim < 2 or a.value.shape[-1] != a.value.shape[-2]:
        raise ShapeError(f"{name}: A must be batches of square matrices, but they are "
                         f"{a.value.shape[-2] if a.value.ndim >= 2 else 1} by "
                         f"{a.value.shape[-1] if a.value.ndim else 1} matrices")


@function("slogdet", "linalg_slogdet")
def _slogdet(ev, name, args, kwargs):
    a = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    _square("linalg.slogdet", a)
    return SlogdetResult((ev.apply("slogdet_sign", (a,)), ev.apply("slogdet", (a,))))


@function("logdet")
def _logdet(ev, name, args, kwargs):
    """ATen's logdet: where(sign == -1, nan, logabsdet)."""
    a = ev.tensor(bind(name, args, kwargs, [("input", REQUIRED)])["input"])
    _square("logdet", a)
    sign, logabsdet = _slogdet(ev, "slogdet", [a], {})
    return _f(ev, "where", _f(ev, "eq", sign, -1.0), float("nan"), logabsdet)


QUALIFIED.update({("linalg", "slogdet"): "linalg_slogdet",
                  ("linalg", "matrix_power"): "linalg_matrix_power"})


# ------------------------------------------------------------------ trapezoid


@function("trapezoid", "trapz")
def _trapezoid(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("y", REQUIRED), ("x", None), ("dx", None), ("dim", -1)])
    y = ev.tensor(p["y"])
    dim = norm_dim(name, p["dim"], max(y.value.ndim, 1))
    n = y.value.shape[dim] if y.value.ndim else 1
    if isinstance(p["x"], Node):  # spacing from the sample points: x.diff(dim)
        x = p["x"]
        dxs = _f(ev, "diff", x, dim=-1 if x.value.ndim == 1 else dim)
        if n == 0:
            return _f(ev, "sum", y, dim)
        pair = _f(ev, "add", _f(ev, "narrow", y, dim, 1, n - 1),
                  _f(ev, "narrow", y, dim, 0, n - 1))
        return ev.apply("div_scalar", (_f(ev, "sum", _f(ev, "mul", dxs, pair), dim), 2.0))
    dx = p["dx"] if p["dx"] is not None else (p["x"] if p["x"] is not None else 1)
    if n == 0:
        return _f(ev, "sum", y, dim)
    # (y.sum(dim) - (y.select(dim, 0) + y.select(dim, -1)) * 0.5) * dx, numbers from C++
    ends = _f(ev, "add", _f(ev, "select", y, dim, 0), _f(ev, "select", y, dim, -1))
    body = _f(ev, "sub", _f(ev, "sum", y, dim), ev.apply("mul_scalar", (ends, 0.5)))
    return ev.apply("mul_scalar", (body, float(dx)))


# ------------------------------------------------------------------ isin, cartesian_prod


@function("isin")
def _isin(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("elements", REQUIRED), ("test_elements", REQUIRED),
                                  ("assume_unique", False), ("invert", False)])
    e = ev.tensor(p["elements"]).value
    t = p["test_elements"]
    t = t.value if isinstance(t, Node) else np.asarray(t)
    return ev.constant(np.isin(e, t, invert=bool(p["invert"])))


@function("cartesian_prod")
def _cartesian_prod(ev, name, args, kwargs):
    tensors = [ev.tensor(t) for t in args]
    if kwargs:
        raise ProgramError("cartesian_prod() takes no keyword arguments", "TypeError")
    if len(tensors) == 1:
        return tensors[0]
    grids = _f(ev, "meshgrid", *tensors, indexing="ij")
    return _f(ev, "stack", [_f(ev, "flatten", g) for g in grids], 1)


# ------------------------------------------------------------------ index_copy


def _at_indices(dim: int, index: np.ndarray) -> tuple:
    return (slice(None),) * dim + (index,)


def _index_copy(x, src, dim, index):
    out = np.array(x, copy=True)
    out[_at_indices(dim, index)] = src
    return out


def _index_zeroed(g, dim, index):
    out = np.array(g, copy=True)
    out[_at_indices(dim, index)] = 0
    return out


op("index_copy", "IndexCopyBackward0", _index_copy,
   lambda g, y, x, src, dim, index: _index_zeroed(g, dim, index),
   lambda g, y, x, src, dim, index: np.take(g, index, axis=dim).reshape(src.shape))


@function("index_copy")
def _index_copy_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED),
                                  ("source", REQUIRED)])
    x, src = ev.tensor(p["input"]), ev.tensor(p["source"])
    index = _int_index(name, p["index"]).reshape(-1)
    dim = norm_dim(name, p["dim"], max(x.value.ndim, 1))
    want = x.value.shape[:dim] + (len(index),) + x.value.shape[dim + 1:]
    if src.value.shape != want and not (src.value.ndim == 0 and len(index) == 1):
        raise ShapeError(f"index_copy_(): Source/destination tensor must have same slice "
                         f"shapes. Destination slice shape: {list(want)} at dimension {dim} "
                         f"and source slice shape: {list(src.value.shape)} at dimension {dim}.")
    n = x.value.shape[dim] if x.value.ndim else 1
    if index.size and (index.min() < -n or index.max() >= n):
        raise ShapeError(f"index_copy_(): index {int(index.max())} is out of bounds for "
                         f"dimension {dim} with size {n}")
    return ev.apply("index_copy", (x, src), {"dim": dim, "index": index % max(n, 1)})


# ------------------------------------------------------------------ rot90, addmv, unfold


op("rot90", "Rot90Backward0", lambda x, k, dims: np.rot90(x, k, dims).copy(),
   lambda g, y, x, k, dims: np.rot90(g, -k, dims).copy())


@function("rot90")
def _rot90(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("k", 1), ("dims", (0, 1))])
    x = ev.tensor(p["input"])
    dims = tuple(p["dims"])
    if len(dims) != 2:
        raise ProgramError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.value.ndim < 2:
        raise ProgramError(f"expected total dims >= 2, but got total dims = {x.value.ndim}")
    d0, d1 = (norm_dim(name, d, x.value.ndim) for d in dims)
    if d0 == d1:
        raise ProgramError(f"expected rotation dims to be different, but got dim0 = {d0} "
                           f"and dim1 = {d1}")
    return ev.apply("rot90", (x,), {"k": int(p["k"]) % 4, "dims": (d0, d1)})


op("addmv", "AddmvBackward0",
   lambda c, a, v, beta, alpha: (beta * c if beta != 1 else c) + alpha * (a @ v)
   if beta != 0 else alpha * (a @ v),
   lambda g, y, c, a, v, beta, alpha: g * beta,
   lambda g, y, c, a, v, beta, alpha: np.outer(g, v) * alpha,
   lambda g, y, c, a, v, beta, alpha: (a.T @ g) * alpha)


@function("addmv")
def _addmv(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("mat", REQUIRED), ("vec", REQUIRED),
                                  ("beta", 1), ("alpha", 1)])
    c, a, v = ev.tensor(p["input"]), ev.tensor(p["mat"]), ev.tensor(p["vec"])
    if a.value.ndim != 2 or v.value.ndim != 1:
        raise ShapeError(f"vector + matrix @ vector expected, got {c.value.ndim}, "
                         f"{a.value.ndim}, {v.value.ndim}")
    if a.value.shape[1] != v.value.shape[0]:
        raise ShapeError(f"size mismatch, got input ({c.value.shape[0] if c.value.ndim else 1})"
                         f", mat ({a.value.shape[0]}x{a.value.shape[1]}), vec "
                         f"({v.value.shape[0]})")
    c = c if c.value.shape == (a.value.shape[0],) else _f(ev, "expand", c, (a.value.shape[0],))
    return ev.apply("addmv", (c, a, v), {"beta": float(p["beta"]), "alpha": float(p["alpha"])})


def _unfold(x, dim, size, step):
    n = (x.shape[dim] - size) // step + 1
    windows = [np.take(x, np.arange(i * step, i * step + size), axis=dim) for i in range(n)]
    # each window's elements become a new last dimension
    return np.stack([np.moveaxis(w, dim, -1) for w in windows], axis=dim).copy()


def _unfold_grad(g, y, x, dim, size, step):
    out = np.zeros_like(x)
    n = g.shape[dim]
    for i in range(n):
        piece = np.moveaxis(np.take(g, i, axis=dim), -1, dim)
        idx = (slice(None),) * dim + (slice(i * step, i * step + size),)
        out[idx] += piece
    return out


op("unfold", "UnfoldBackward0", _unfold, _unfold_grad)


@function("unfold")
def _unfold_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dimension", REQUIRED),
                                  ("size", REQUIRED), ("step", REQUIRED)])
    x = ev.tensor(p["input"])
    dim = norm_dim(name, p["dimension"], max(x.value.ndim, 1))
    size, step = int(p["size"]), int(p["step"])
    n = x.value.shape[dim] if x.value.ndim else 1
    if size > n:
        raise ProgramError(f"maximum size for tensor at dimension {dim} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise ProgramError(f"step is {step} but must be > 0")
    ev.graph.check_size(x.value.shape[:dim] + ((n - size) // step + 1,)
                        + x.value.shape[dim + 1:] + (size,), "unfold")
    return ev.apply("unfold", (x,), {"dim": dim, "size": size, "step": step})
