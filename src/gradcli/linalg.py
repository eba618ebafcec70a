"""Special functions, linear algebra and a few more tensor functions lessons use.

Special functions (erfc, erfinv, lgamma, digamma, polygamma, sinc, xlogy) follow ATen's
own algorithms where PyTorch has them in C++ (``calc_digamma``, ``calc_trigamma``, the
Hurwitz ``zeta`` of polygamma), computed in float64 and rounded to the tensor's dtype.
Linear algebra (solve, cholesky, eigh, svdvals, cross, cdist) is LAPACK through NumPy
with the backward formulas of PyTorch's ``FunctionsManual.cpp``; functions PyTorch
builds from other ops (kron, tensordot, matrix_norm, cosine_similarity) are built here
from the same ops, so their graphs show PyTorch's grad_fn names.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .dispatch import (FUNCTIONS, QUALIFIED, REQUIRED, NamedPair, as_float, bind, function,
                       norm_dim)
from .dispatch_more import _int_index
from .engine import Node
from .errors import ArgumentError, ProgramError, ShapeError
from .ops import ELEMENTWISE, JVP, REGISTRY, _along, _elementwise_jvp, _linear_jvp, op

# ------------------------------------------------------------------ special functions


def _same(x, out):
    """`out` (float64) in the dtype of the float tensor `x`."""
    dt = np.result_type(x, np.float32)
    return np.asarray(out, dtype=dt)


def _vectorized(fn):
    u = np.frompyfunc(fn, 1, 1)

    def f(x):
        return _same(x, u(np.asarray(x, dtype=np.float64)).astype(np.float64))
    return f


def _lgamma1(v: float) -> float:
    if math.isnan(v):
        return v
    try:
        return math.lgamma(v)
    except (ValueError, OverflowError):
        return math.inf  # the poles (0, -1, -2, ...) and overflow


_PSI_10 = 2.25175258906672110764
_DIGAMMA_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2,
              7.57575757575757575758E-3, -4.16666666666666666667E-3,
              3.96825396825396825397E-3, -8.33333333333333333333E-3,
              8.33333333333333333333E-2)


def _digamma1(x: float) -> float:
    """ATen's calc_digamma (double)."""
    if x == 0:
        return math.copysign(math.inf, -x)
    if math.isnan(x):
        return x
    if x == -math.inf:
        return math.nan
    result = 0.0
    if x < 0:
        if x == math.trunc(x):
            return math.nan
        r = math.modf(x)[0]
        result = -math.pi / math.tan(math.pi * r)
        x = 1 - x
    while x < 10:
        result -= 1 / x
        x += 1
    if x == 10:
        return result + _PSI_10
    y = 0.0
    if x < 1.0e17:
        z = 1.0 / (x * x)
        p = 0.0
        for a in _DIGAMMA_A:
            p = p * z + a
        y = z * p
    return result + math.log(x) - (0.5 / x) - y


def _trigamma1(x: float) -> float:
    """ATen's calc_trigamma (double)."""
    if not math.isfinite(x):
        return 0.0 if x == math.inf else math.nan
    sign, result = 1.0, 0.0
    if x < 0.5:
        sign = -1.0
        s = math.sin(math.pi * x)
        if s == 0:
            return math.inf
        result -= (math.pi * math.pi) / (s * s)
        x = 1 - x
    for _ in range(6):
        result += 1 / (x * x)
        x += 1
    ixx = 1 / (x * x)
    result += (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x
    return sign * result


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042E-16


def _zeta1(x: float, q: float) -> float:
    """ATen's zeta(x, q) (the Hurwitz zeta function, Cephes' algorithm)."""
    if x == 1:
        return math.inf
    if x < 1 or math.isnan(q):
        return math.nan
    if q <= 0:
        if q == -math.inf or q == math.floor(q):
            return math.inf
        if x != math.floor(x):
            return math.nan
    try:
        s = q ** -x
    except ZeroDivisionError:
        return math.inf
    a, i, b = q, 0, 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a ** -x
        s += b
        if -_MACHEP * s < b < _MACHEP * s:
            return s
    w = a
    s += b * w / (x - 1)
    s -= 0.5 * b
    a, k = 1.0, 0.0
    for coef in _ZETA_A:
        a *= x + k
        b /= w
        t = a * b / coef
        s = s + t
        if abs(t / s) < _MACHEP:
            return s
        k += 1.0
        a *= x + k
        b /= w
        k += 1.0
    return s


def _polygamma1(n: int, x: float) -> float:
    if n >= 2 and x == math.inf:
        return 0.0
    if n == 0:
        return _digamma1(x)
    if n == 1:
        return _trigamma1(x)
    return (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * _zeta1(n + 1.0, x)


def _erfinv1(y: float) -> float:
    if math.isnan(y) or abs(y) > 1:
        return math.nan
    if abs(y) == 1:
        return math.copysign(math.inf, y)
    # Giles' approximation, then Newton steps on erf to double precision
    w = -math.log((1.0 - y) * (1.0 + y))
    if w < 5.0:
        w -= 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
            p = c + p * w
    else:
        w = math.sqrt(w) - 3.0
        p = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
            p = c + p * w
    x = p * y
    for _ in range(3):
        err = math.erf(x) - y
        x -= err / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
    return x


lgamma = _vectorized(_lgamma1)
digamma = _vectorized(_digamma1)
erfinv = _vectorized(_erfinv1)
erfc = _vectorized(math.erfc)


def polygamma(x, n):
    u = np.frompyfunc(lambda v: _polygamma1(n, v), 1, 1)
    return _same(x, u(np.asarray(x, dtype=np.float64)).astype(np.float64))


def sinc(x):
    """sin(pi x) / (pi x) as ATen computes it: pi x rounded to the tensor's dtype first."""
    x = np.asarray(x)
    dt = np.result_type(x, np.float32)
    with np.errstate(all="ignore"):
        px = dt.type(math.pi) * x.astype(dt)
        s = np.sin(px.astype(np.float64)).astype(dt)
        return np.where(x == 0, dt.type(1), s / px).astype(dt)


def _sinc_grad(g, x):
    x = np.asarray(x)
    dt = np.result_type(x, np.float32)
    with np.errstate(all="ignore"):
        px = dt.type(math.pi) * x.astype(dt)
        c = np.cos(px.astype(np.float64)).astype(dt)
        s = np.sin(px.astype(np.float64)).astype(dt)
        d = np.where(x == 0, dt.type(0), (px * c - s) / (px * x))
    return g * d


def xlogy(x, y):
    with np.errstate(all="ignore"):
        out = np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y))
    return np.asarray(out, dtype=np.result_type(x, y))


def _xlogy_x_grad(g, x, y):
    """log(y), but 0 where x and y are both 0 (as PyTorch's backward gives it)."""
    with np.errstate(all="ignore"):
        return g * np.where((x == 0) & (y == 0), 0.0, np.log(y)).astype(np.result_type(g, y))


op("erfc", "ErfcBackward0", erfc,
   lambda g, y, x: g * (-2 / math.sqrt(math.pi)) * np.exp(-x * x))
op("erfinv", "ErfinvBackward0", erfinv,
   lambda g, y, x: g * (0.5 * math.sqrt(math.pi)) * np.exp(y * y))
op("lgamma", "LgammaBackward0", lgamma, lambda g, y, x: g * digamma(x))
op("digamma", "DigammaBackward0", digamma, lambda g, y, x: g * polygamma(x, 1))
op("polygamma", "PolygammaBackward0", lambda x, n: polygamma(x, n),
   lambda g, y, x, n: g * polygamma(x, n + 1))
op("sinc", "SincBackward0", sinc, lambda g, y, x: _sinc_grad(g, x))
op("xlogy", "XlogyBackward0", xlogy,
   lambda g, y, a, b: _xlogy_x_grad(g, a, b),
   lambda g, y, a, b: g * a / b)
# xlogy(tensor, number) and xlogy(number, tensor): PyTorch's other two overloads
op("xlogy_scalar_other", "XlogyBackward2", lambda a, b: xlogy(a, np.asarray(b, a.dtype)),
   lambda g, y, a, b: _xlogy_x_grad(g, a, np.asarray(b, a.dtype)))
op("xlogy_scalar_self", "XlogyBackward1", lambda b, a: xlogy(np.asarray(a, b.dtype), b),
   lambda g, y, b, a: g * np.asarray(a, b.dtype) / b)

_SPECIAL = ("erfc", "erfinv", "lgamma", "digamma", "polygamma", "sinc", "xlogy",
            "xlogy_scalar_other", "xlogy_scalar_self")
ELEMENTWISE.update(_SPECIAL)
for _key in _SPECIAL:
    JVP[_key] = _elementwise_jvp(REGISTRY[_key])


def _unary_function(key: str):
    def resolve(ev, name, args, kwargs):
        x = bind(name, args, kwargs, [("input", REQUIRED)])["input"]
        if not isinstance(x, Node):
            x = ev.tensor(x)
        return ev.apply(key, (x,))
    return resolve


for _key in ("erfc", "erfinv", "lgamma", "digamma", "sinc"):
    FUNCTIONS[_key] = _unary_function(_key)
FUNCTIONS["psi"] = FUNCTIONS["digamma"]
FUNCTIONS["gammaln"] = FUNCTIONS["lgamma"]


@function("polygamma")
def _polygamma(ev, name, args, kwargs):
    if args and isinstance(args[0], Node) and len(args) >= 2 and not isinstance(args[1], Node):
        args = [args[1], args[0], *args[2:]]  # x.polygamma(n): the method's order
    p = bind(name, args, kwargs, [("n", REQUIRED), ("input", REQUIRED)])
    n = p["n"]
    if isinstance(n, bool) or not isinstance(n, int):
        raise ArgumentError("polygamma(): argument 'n' must be an int")
    if n < 0:
        raise ProgramError("polygamma(n, x) does not support negative n.", "RuntimeError")
    return ev.apply("polygamma", (ev.tensor(p["input"]),), {"n": n})


@function("xlogy")
def _xlogy(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = p["input"], p["other"]
    if isinstance(a, Node) and isinstance(b, Node):
        return ev.apply("xlogy", (a, b))
    if isinstance(a, Node):
        return ev.apply("xlogy_scalar_other", (a, as_float(name, "other", b)))
    if isinstance(b, Node):
        return ev.apply("xlogy_scalar_self", (b, as_float(name, "input", a)))
    return ev.apply("xlogy", (ev.tensor(a), ev.tensor(b)))


@function("heaviside")
def _heaviside(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("values", REQUIRED)])
    x, v = ev.tensor(p["input"]), ev.tensor(p["values"])
    if x.requires_grad or v.requires_grad:
        raise ProgramError("the derivative for 'heaviside' is not implemented.")
    out = np.heaviside(x.value, np.asarray(v.value, dtype=x.value.dtype))
    return ev.constant(np.asarray(out, dtype=np.result_type(x.value, v.value)))


# ------------------------------------------------------------------ cumulative


def _logcumsumexp(x, dim):
    x1 = np.atleast_1d(x)
    with np.errstate(all="ignore"):
        out = np.logaddexp.accumulate(x1, axis=dim)
    return out.reshape(np.shape(x))


def _logcumsumexp_grad(g, y, x, dim):
    """d/dx_j = sum over k >= j of g_k exp(x_j - y_k)."""
    x1, y1 = np.moveaxis(np.atleast_1d(x), dim, -1), np.moveaxis(np.atleast_1d(y), dim, -1)
    g1 = np.moveaxis(np.broadcast_to(np.atleast_1d(g), np.atleast_1d(x).shape), dim, -1)
    n = x1.shape[-1]
    with np.errstate(all="ignore"):
        w = np.exp(x1[..., :, None] - y1[..., None, :])
        w = np.where(np.triu(np.ones((n, n), dtype=bool)), w, 0.0)
        out = np.sum(w * g1[..., None, :], axis=-1)
    return np.moveaxis(out, -1, dim).reshape(np.shape(x)).astype(np.result_type(x))


op("logcumsumexp", "LogcumsumexpBackward0", _logcumsumexp,
   lambda g, y, x, dim: _logcumsumexp_grad(g, y, x, dim))


def _lcse_jvp(ts, y, x, dim):
    """d y_k = sum over j <= k of t_j exp(x_j - y_k)."""
    t = np.broadcast_to(np.atleast_1d(ts[0]), np.atleast_1d(x).shape)
    x1, y1 = np.moveaxis(np.atleast_1d(x), dim, -1), np.moveaxis(np.atleast_1d(y), dim, -1)
    t1 = np.moveaxis(t, dim, -1)
    n = x1.shape[-1]
    with np.errstate(all="ignore"):
        w = np.exp(x1[..., None, :] - y1[..., :, None])  # [k, j]
        w = np.where(np.tril(np.ones((n, n), dtype=bool)), w, 0.0)
        out = np.sum(w * t1[..., None, :], axis=-1)
    return np.moveaxis(out, -1, dim).reshape(np.shape(y)).astype(y.dtype)


JVP["logcumsumexp"] = _lcse_jvp


@function("logcumsumexp")
def _logcumsumexp_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED)])
    x = ev.tensor(p["input"])
    return ev.apply("logcumsumexp", (x,), {"dim": norm_dim(name, p["dim"],
                                                          max(x.value.ndim, 1))})


# ------------------------------------------------------------------ scatter_add, index_add


def _scatter_add(x, src, dim, index):
    out = np.array(x, copy=True)
    part = src[tuple(slice(0, s) for s in index.shape)]
    np.add.at(out, _along(index, dim), part)
    return out


def gather_into(g, src_shape, dim, index, node: str = "ScatterAddBackward0"):
    """A scatter's gradient for its src: grad.gather(dim, index), and PyTorch's error when
    src is larger than index (`node` names the backward node in it)."""
    if index.shape != tuple(src_shape):
        from .errors import BackwardError

        raise BackwardError(f"Function {node} returned an invalid gradient at "
                            f"index 1 - got {list(index.shape)} but expected shape compatible "
                            f"with {list(src_shape)}")
    return np.asarray(g)[_along(index, dim)]


def _index_add(x, src, dim, index, alpha):
    out = np.array(x, copy=True)
    where = (slice(None),) * dim + (index,)
    np.add.at(out, where, src * np.asarray(alpha, dtype=x.dtype) if alpha != 1 else src)
    return out


op("scatter_add", "ScatterAddBackward0", _scatter_add,
   lambda g, y, x, src, dim, index: g,
   lambda g, y, x, src, dim, index: gather_into(g, src.shape, dim, index))
op("index_add", "IndexAddBackward0", _index_add,
   lambda g, y, x, src, dim, index, alpha: g,
   lambda g, y, x, src, dim, index, alpha: (
       np.take(g, index, axis=dim) * (np.asarray(alpha, g.dtype) if alpha != 1 else 1)
   ).reshape(src.shape))
JVP["scatter_add"] = _linear_jvp(REGISTRY["scatter_add"])
JVP["index_add"] = _linear_jvp(REGISTRY["index_add"])


@function("scatter_add")
def _scatter_add_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED),
                                  ("src", REQUIRED)])
    x, src = ev.tensor(p["input"]), ev.tensor(p["src"])
    index = _int_index(name, p["index"])
    dim = norm_dim(name, p["dim"], max(x.value.ndim, 1))
    if index.ndim != x.value.ndim or src.value.ndim != x.value.ndim:
        raise ShapeError("Index tensor must have the same number of dimensions as self tensor")
    for d in range(index.ndim):
        if index.shape[d] > src.value.shape[d] or (d != dim and index.shape[d] > x.value.shape[d]):
            raise ShapeError(f"Size does not match at dimension {d} expected index "
                             f"{list(index.shape)} to be no larger than self "
                             f"{list(x.value.shape)} apart from dimension {dim} and to be no "
                             f"larger than src {list(src.value.shape)}")
    if index.size and (index.min() < -x.value.shape[dim] or index.max() >= x.value.shape[dim]):
        raise ShapeError(f"index {int(index.max())} is out of bounds for dimension {dim} with "
                         f"size {x.value.shape[dim]}")
    return ev.apply("scatter_add", (x, src), {"dim": dim, "index": index % x.value.shape[dim]})


@function("index_add")
def _index_add_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", REQUIRED), ("index", REQUIRED),
                                  ("source", REQUIRED), ("alpha", 1)])
    x, src = ev.tensor(p["input"]), ev.tensor(p["source"])
    index = _int_index(name, p["index"]).reshape(-1)
    dim = norm_dim(name, p["dim"], max(x.value.ndim, 1))
    want = x.value.shape[:dim] + (len(index),) + x.value.shape[dim + 1:]
    if src.value.shape != want and not (src.value.ndim == 0 and len(index) == 1):
        raise ShapeError(f"index_add_(): Source/destination tensor must have same slice "
                         f"shapes. Destination slice shape: {list(x.value.shape[:dim])+list(x.value.shape[dim+1:])} "
                         f"at dimension {dim} and source slice shape: "
                         f"{list(src.value.shape[:dim])+list(src.value.shape[dim+1:])} at "
                         f"dimension 0.")
    if index.size and (index.min() < 0 or index.max() >= x.value.shape[dim]):
        raise ProgramError("index out of range in self", "IndexError")
    return ev.apply("index_add", (x, src), {"dim": dim, "index": index,
                                            "alpha": as_float(name, "alpha", p["alpha"])})


# ------------------------------------------------------------------ cross, cdist


def _cross(a, b, dim):
    return np.cross(a, b, axis=dim)


op("cross", "LinalgCrossBackward0", _cross,
   lambda g, y, a, b, dim: _cross(b, g, dim),
   lambda g, y, a, b, dim: _cross(g, a, dim))
JVP["cross"] = lambda ts, y, a, b, dim: sum(
    _cross(*(t if j == i else v for j, v in enumerate((a, b))), dim)
    for i, t in enumerate(ts) if t is not None)


def _cross_fn(linalg: bool):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED),
                                      ("dim", -1 if linalg else None)])
        a, b = ev.tensor(p["input"]), ev.tensor(p["other"])
        dim = given = p["dim"]
        try:
            shape = np.broadcast_shapes(a.value.shape, b.value.shape)
        except ValueError:
            raise ShapeError(f"linalg.cross: the shapes {list(a.value.shape)} and "
                             f"{list(b.value.shape)} do not broadcast") from None
        if dim is None:  # torch.cross without dim: the first dimension of size 3
            dim = given = next((d for d, s in enumerate(shape) if s == 3), None)
            if dim is None:
                raise ShapeError("no dimension of size 3 in input")
        dim = norm_dim(name, dim, max(len(shape), 1))
        sizes = [x.value.shape[dim - len(shape) + x.value.ndim]
                 if dim - len(shape) + x.value.ndim >= 0 else 1 for x in (a, b)]
        if sizes != [3, 3]:
            raise ShapeError(f"linalg.cross: inputs dimension {given} must have length 3. "
                             f"Got {sizes[0]} and {sizes[1]}")
        return ev.apply("cross", (a, b), {"dim": dim})
    return resolve


FUNCTIONS["cross"] = _cross_fn(False)
FUNCTIONS["linalg_cross"] = _cross_fn(True)


def _cdist(x1, x2, p):
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    if p == 2:
        return np.sqrt(np.sum(diff * diff, axis=-1))
    if p == 1:
        return np.sum(np.abs(diff), axis=-1)
    if p == math.inf:
        return np.max(np.abs(diff), axis=-1, initial=0)
    if p == 0:
        return np.sum(diff != 0, axis=-1).astype(x1.dtype)
    return np.sum(np.abs(diff) ** p, axis=-1) ** (1 / p)


def _cdist_grad(g, d, x1, x2, p, which):
    full = g[..., None] * _cdist_local(d, x1, x2, p)
    out = full.sum(-2) if which == 0 else -full.sum(-3)
    return out.astype(x1.dtype)


op("cdist", "CdistBackward0", lambda x1, x2, p=2.0: _cdist(x1, x2, p),
   lambda g, y, x1, x2, p=2.0: _cdist_grad(g, y, x1, x2, p, 0),
   lambda g, y, x1, x2, p=2.0: _cdist_grad(g, y, x1, x2, p, 1))
def _cdist_local(d, x1, x2, p):
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    dd = d[..., None]
    with np.errstate(all="ignore"):
        if p == 2:
            return np.where(dd == 0, 0.0, diff / dd)
        if p == 1:
            return np.sign(diff)
        if p == math.inf:
            return np.sign(diff) * (np.abs(diff) == dd)
        if p == 0:
            return np.zeros_like(diff)
        return np.where(dd == 0, 0.0, diff * np.abs(diff) ** (p - 2) / dd ** (p - 1))


def _cdist_jvp(ts, y, x1, x2, p=2.0):
    local = _cdist_local(y, x1, x2, p)
    out = np.zeros_like(y)
    if ts[0] is not None:
        out = out + np.sum(local * ts[0][..., :, None, :], axis=-1)
    if ts[1] is not None:
        out = out - np.sum(local * ts[1][..., None, :, :], axis=-1)
    return out


JVP["cdist"] = _cdist_jvp


@function("cdist")
def _cdist_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED), ("p", 2.0),
                                  ("compute_mode", None)])
    x1, x2 = ev.tensor(p["x1"]), ev.tensor(p["x2"])
    a, b = x1.value, x2.value
    if a.ndim < 2 or b.ndim < 2:
        raise ShapeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                         f"X2: {b.shape[-1]}")
    pv = as_float(name, "p", p["p"])
    if pv < 0:
        raise ArgumentError("cdist only supports non-negative p values")
    return ev.apply("cdist", (x1, x2), {"p": pv})


# ------------------------------------------------------------------ linear algebra


def _square(name: str, a: np.ndarray) -> None:
    if a.ndim < 2:
        raise ShapeError(f"linalg.{name}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                         f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _mT(a):
    return np.swapaxes(a, -1, -2)


def _solve(a, b, vector):
    dt = np.result_type(a, b)
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if vector:
        return np.linalg.solve(a64, b64[..., None])[..., 0].astype(dt)
    return np.linalg.solve(a64, b64).astype(dt)


def _solve_grad_b(g, x, a, b, vector):
    return _solve(_mT(a), g, vector)


def _solve_grad_a(g, x, a, b, vector):
    gb = _solve(_mT(a), g, vector)
    return -gb[..., :, None] * x[..., None, :] if vector else -(gb @ _mT(x))


op("solve", "LinalgSolveExBackward0", lambda a, b, vector: _solve(a, b, vector),
   lambda g, y, a, b, vector: _solve_grad_a(g, y, a, b, vector),
   lambda g, y, a, b, vector: _solve_grad_b(g, y, a, b, vector))
JVP["solve"] = lambda ts, y, a, b, vector: _solve(a, (
    (ts[1] if ts[1] is not None else 0)
    - ((ts[0] @ y[..., None])[..., 0] if vector else ts[0] @ y) if ts[0] is not None
    else ts[1]), vector)


def _singular(name: str):
    return ProgramError(f"torch.linalg.{name}: The solver failed because the input matrix is "
                        "singular.", "_LinAlgError")


@function("solve")
def _solve_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("A", REQUIRED), ("B", REQUIRED), ("left", True)])
    a, b = ev.tensor(p["A"]), ev.tensor(p["B"])
    if not p["left"]:
        raise ArgumentError("linalg.solve: left=False is not supported")
    _square("solve", a.value)
    bv = b.value
    vector = bv.ndim == 1 or (bv.ndim == a.value.ndim - 1 and bv.shape == a.value.shape[:-1])
    if (bv.shape[-1] if vector else bv.shape[-2]) != a.value.shape[-1]:
        raise ShapeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                         f"AX = B ({a.value.shape[-2]}x{a.value.shape[-1]} and "
                         f"{bv.shape[-1] if vector else bv.shape[-2]}x"
                         f"{1 if vector else bv.shape[-1]})")
    a64 = a.value.astype(np.float64)
    if np.all(np.isfinite(a64)) and np.any(np.linalg.matrix_rank(a64) < a64.shape[-1]):
        raise _singular("solve")  # (LAPACK gives NaN for a matrix with NaN or inf, no error)
    return ev.apply("solve", (a, b), {"vector": vector})


def _zero_pivot(a: np.ndarray) -> int:
    """The 1-based column of the first zero pivot of LU with partial pivoting (LAPACK's
    getrf info) in any of the batch's matrices, or 0."""
    m = np.array(a, dtype=a.dtype).reshape(-1, a.shape[-2], a.shape[-1])
    n = m.shape[-1]
    first = 0
    for one in m:
        for k in range(n):
            p = k + int(np.argmax(np.abs(one[k:, k])))
            if one[p, k] == 0:
                first = k + 1 if not first else min(first, k + 1)
                break
            if p != k:
                one[[k, p]] = one[[p, k]]
            one[k + 1:, k] /= one[k, k]
            one[k + 1:, k + 1:] -= one[k + 1:, k:k + 1] * one[k:k + 1, k + 1:]
    return first


@function("inverse", "linalg_inv")
def _inv_fn(ev, name, args, kwargs):
    """torch.linalg.inv / torch.inverse (LinalgInvExBackward0), batches included."""
    arg = "input" if name == "inverse" else "A"
    a = ev.tensor(bind(name, args, kwargs, [(arg, REQUIRED)])[arg])
    _square("inv", a.value)
    if a.value.dtype.kind != "f":
        raise ProgramError(f"linalg.inv: Expected a floating point or complex tensor as input. "
                           f"Got {_TORCH_DTYPE.get(a.value.dtype.name, a.value.dtype.name)}")
    if np.all(np.isfinite(a.value)) and a.value.size:
        k = _zero_pivot(a.value)
        if k:
            raise ProgramError(f"linalg.inv: The diagonal element {k} is zero, the inversion "
                               "could not be completed because the input matrix is singular.",
                               "_LinAlgError")
    return ev.apply("inverse", (a,))


_TORCH_DTYPE = {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte"}


def _chol(a, upper):
    L = np.linalg.cholesky(np.asarray(a, dtype=np.float64)).astype(a.dtype)
    return _mT(L) if upper else L


def _chol_grad(g, y, a, upper):
    """PyTorch's cholesky_backward: L^-H Phi(L^H gL) L^-1, Phi = the lower part with half
    its diagonal, symmetrised."""
    L = _mT(y) if upper else y
    gL = _mT(g) if upper else g
    gA = np.tril(_mT(L) @ gL)
    gA = 0.5 * (gA + _mT(np.tril(gA, -1)))
    gA = np.linalg.solve(_mT(L), gA)  # L^-H gA
    gA = _mT(np.linalg.solve(_mT(L), _mT(gA)))  # ... L^-1
    return gA.astype(y.dtype)


op("cholesky", "LinalgCholeskyExBackward0", lambda a, upper=False: _chol(a, upper),
   lambda g, y, a, upper=False: _chol_grad(g, y, a, upper))
# torch.cholesky (deprecated) records its own node
op("cholesky_legacy", "CholeskyBackward0", lambda a, upper=False: _chol(a, upper),
   lambda g, y, a, upper=False: _chol_grad(g, y, a, upper))


def _chol_jvp(ts, y, a, upper=False):
    L = _mT(y) if upper else y
    Linv = np.linalg.inv(L)
    m = Linv @ ts[0] @ _mT(Linv)
    phi = np.tril(m, -1) + 0.5 * np.eye(m.shape[-1]) * m
    dL = L @ phi
    return _mT(dL) if upper else dL


JVP["cholesky"] = JVP["cholesky_legacy"] = _chol_jvp


def _cholesky_fn(linalg: bool):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("upper", False), ("out", None)])
        a = ev.tensor(p["input"])
        _square("cholesky", a.value)
        try:
            np.linalg.cholesky(a.value)
        except np.linalg.LinAlgError:
            n = a.value.shape[-1]
            order = next((k for k in range(1, n + 1) if not _pd(a.value[..., :k, :k])), n)
            raise ProgramError(f"linalg.cholesky: The factorization could not be completed "
                               f"because the input is not positive-definite (the leading "
                               f"minor of order {order} is not positive-definite).",
                               "_LinAlgError") from None
        return ev.apply("cholesky" if linalg else "cholesky_legacy", (a,),
                        {"upper": bool(p["upper"])})
    return resolve


def _pd(a) -> bool:
    try:
        np.linalg.cholesky(a)
        return True
    except np.linalg.LinAlgError:
        return False


FUNCTIONS["cholesky"] = _cholesky_fn(True)
FUNCTIONS["cholesky_legacy"] = _cholesky_fn(False)


class _Eigh(NamedPair):
    kind = "linalg_eigh"
    fields = ("eigenvalues", "eigenvectors")


def _eigh(a, uplo):
    """LAPACK in float64, rounded to the input's dtype (in float32 the eigenvectors of a
    symmetric matrix then come out as symmetric as PyTorch's)."""
    L, V = np.linalg.eigh(np.asarray(a, dtype=np.float64), UPLO=uplo)
    return L.astype(a.dtype), V.astype(a.dtype)


def _diag_embed(v):
    out = np.zeros(v.shape + v.shape[-1:], dtype=v.dtype)
    n = v.shape[-1]
    out[..., range(n), range(n)] = v
    return out


def _eigh_values_grad(g, y, a, uplo):
    _, V = _eigh(a, uplo)
    g = np.asarray(g, dtype=V.dtype)
    if V.shape[-1] <= 64:  # each product rounded, then summed (no fused multiply-add)
        return np.sum(V[..., :, None, :] * (V * g[..., None, :])[..., None, :, :], axis=-1)
    return V @ (_diag_embed(g) @ _mT(V))


def _eigh_vectors_grad(g, y, a, uplo):
    L, V = _eigh(a, uplo)
    VhgV = _mT(V) @ g
    VhgV = 0.5 * (VhgV - _mT(VhgV))
    E = L[..., None, :] - L[..., :, None]
    n = L.shape[-1]
    E[..., range(n), range(n)] = 1
    ret = VhgV / E
    ret[..., range(n), range(n)] = 0
    return V @ ret @ _mT(V)


op("eigh_values", "LinalgEighBackward0", lambda a, uplo="L": _eigh(a, uplo)[0],
   lambda g, y, a, uplo="L": _eigh_values_grad(g, y, a, uplo))
op("eigh_vectors", "LinalgEighBackward0", lambda a, uplo="L": _eigh(a, uplo)[1],
   lambda g, y, a, uplo="L": _eigh_vectors_grad(g, y, a, uplo))


def _eigh_values_jvp(ts, y, a, uplo="L"):
    _, V = _eigh(a, uplo)
    return np.einsum("...ji,...jk,...ki->...i", V, ts[0], V)


def _eigh_vectors_jvp(ts, y, a, uplo="L"):
    L, V = _eigh(a, uplo)
    n = L.shape[-1]
    E = L[..., None, :] - L[..., :, None]
    E[..., range(n), range(n)] = 1
    m = (_mT(V) @ ts[0] @ V) / E
    m[..., range(n), range(n)] = 0
    return V @ m


JVP["eigh_values"] = _eigh_values_jvp
JVP["eigh_vectors"] = _eigh_vectors_jvp


def _eigh_input(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("UPLO", "L")])
    a = ev.tensor(p["input"])
    _square(name, a.value)
    if p["UPLO"] not in ("L", "U"):
        raise ArgumentError(f"Expected UPLO argument to be 'L' or 'U', but got {p['UPLO']}")
    return a, {"uplo": p["UPLO"]}


@function("eigh")
def _eigh_fn(ev, name, args, kwargs):
    a, params = _eigh_input(ev, name, args, kwargs)
    return _Eigh((ev.apply("eigh_values", (a,), params), ev.apply("eigh_vectors", (a,), params)))


@function("eigvalsh")
def _eigvalsh_fn(ev, name, args, kwargs):
    a, params = _eigh_input(ev, name, args, kwargs)
    return ev.apply("eigh_values", (a,), params)


def _svd_grad(g, y, a):
    U, _, Vh = np.linalg.svd(np.asarray(a, dtype=np.float64), full_matrices=False)
    return ((U * g[..., None, :]) @ Vh).astype(a.dtype)


op("svdvals", "LinalgSvdBackward0",
   lambda a: np.linalg.svd(np.asarray(a, dtype=np.float64), compute_uv=False).astype(a.dtype),
   lambda g, y, a: _svd_grad(g, y, a))


def _svdvals_jvp(ts, y, a):
    U, _, Vh = np.linalg.svd(a, full_matrices=False)
    return np.einsum("...ji,...jk,...ik->...i", U, ts[0], Vh)


JVP["svdvals"] = _svdvals_jvp


@function("svdvals")
def _svdvals_fn(ev, name, args, kwargs):
    a = ev.tensor(bind(name, args, kwargs, [("A", REQUIRED)])["A"])
    if a.value.ndim < 2:
        raise ShapeError("linalg.svdvals: The input tensor A must have at least 2 dimensions.")
    _finite("svd", a)
    return ev.apply("svdvals", (a,))


def _finite(name: str, a: Node) -> None:
    if not np.all(np.isfinite(a.value)):
        raise ProgramError(f"linalg.{name}: The algorithm failed to converge because the input "
                           "matrix contained non-finite values.", "_LinAlgError")


@function("linalg_norm")
def _linalg_norm(ev, name, args, kwargs):
    """torch.linalg.norm: a vector norm, or a matrix norm for a 2-dim dim (or a matrix
    with an ord)."""
    p = bind(name, args, kwargs, [("A", REQUIRED), ("ord", None), ("dim", None),
                                  ("keepdim", False)])
    a = ev.tensor(p["A"])
    dim = p["dim"]
    matrix = (isinstance(dim, (tuple, list)) and len(dim) == 2) or (
        dim is None and p["ord"] is not None and a.value.ndim == 2)
    if matrix:
        return _matrix_norm(ev, "matrix_norm", [a], {
            "ord": "fro" if p["ord"] is None else p["ord"],
            "dim": tuple(dim) if dim is not None else (-2, -1), "keepdim": p["keepdim"]})
    return FUNCTIONS["vector_norm"](ev, "vector_norm", [a], {
        "p": 2 if p["ord"] is None else p["ord"], "dim": dim, "keepdim": p["keepdim"]})


@function("matrix_norm")
def _matrix_norm(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("A", REQUIRED), ("ord", "fro"), ("dim", (-2, -1)),
                                  ("keepdim", False)])
    a = ev.tensor(p["A"])
    if a.value.ndim < 2:
        raise ShapeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                         "dimensions.")
    ordv, dim = p["ord"], tuple(p["dim"])
    if ordv == "fro":
        return FUNCTIONS["vector_norm"](ev, "vector_norm", [a],
                                        {"ord": 2, "dim": dim, "keepdim": p["keepdim"]})
    if ordv in ("nuc", 2, -2) and not p["keepdim"] and dim in ((-2, -1), (a.value.ndim - 2,
                                                                        a.value.ndim - 1)):
        nd = a.value.ndim
        _finite("svd", a)
        moved = FUNCTIONS["permute"](ev, "permute", [a, tuple(range(nd))], {})
        s = ev.apply("svdvals", (moved,))
        if ordv == "nuc":
            return FUNCTIONS["sum"](ev, "sum", [s, -1], {})
        return FUNCTIONS["amax" if ordv == 2 else "amin"](ev, "amax", [s, -1], {})
    if ordv in (1, -1, math.inf, -math.inf) and not p["keepdim"] and dim == (-2, -1):
        # column (1) or row (inf) sums of absolute values as 1-norms, then their max/min
        sums = FUNCTIONS["vector_norm"](ev, "vector_norm", [a], {
            "p": 1, "dim": -2 if ordv in (1, -1) else -1})
        return FUNCTIONS["amax" if ordv > 0 else "amin"](ev, "amax", [sums, -1], {})
    raise ArgumentError(f"linalg.matrix_norm: ord={ordv!r} with dim={list(dim)} and "
                        f"keepdim={p['keepdim']} is not supported")


# ------------------------------------------------------------------ made of other ops


@function("kron")
def _kron(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("other", REQUIRED)])
    a, b = ev.tensor(p["input"]), ev.tensor(p["other"])
    nd = max(a.value.ndim, b.value.ndim)
    sa = (1,) * (nd - a.value.ndim) + a.value.shape
    sb = (1,) * (nd - b.value.ndim) + b.value.shape
    va = ev.apply("unsafe_view", (a,), {"shape": tuple(x for s in sa for x in (s, 1))})
    vb = ev.apply("unsafe_view", (b,), {"shape": tuple(x for s in sb for x in (1, s))})
    prod = ev.apply("mul", (va, vb))
    return ev.apply("unsafe_view", (prod,), {"shape": tuple(x * y for x, y in zip(sa, sb))})


@function("tensordot")
def _tensordot(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("a", REQUIRED), ("b", REQUIRED), ("dims", 2)])
    a, b = ev.tensor(p["a"]), ev.tensor(p["b"])
    dims = p["dims"]
    if isinstance(dims, Node):
        dims = dims.value.tolist()
    if isinstance(dims, int):
        if dims < 0 or dims > min(a.value.ndim, b.value.ndim):
            raise ArgumentError(f"tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a.value.ndim - dims, a.value.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    da = [norm_dim(name, d, a.value.ndim) for d in da]
    db = [norm_dim(name, d, b.value.ndim) for d in db]
    if len(da) != len(db):
        raise ArgumentError("both dimension lists should have same length")
    for x, y in zip(da, db):
        if a.value.shape[x] != b.value.shape[y]:
            raise ShapeError(f"contracted dimensions need to match, but first has size "
                             f"{a.value.shape[x]} in dim {x} and second has size "
                             f"{b.value.shape[y]} in dim {y}")
    fa = [d for d in range(a.value.ndim) if d not in da]
    fb = [d for d in range(b.value.ndim) if d not in db]
    m = math.prod(a.value.shape[d] for d in fa)
    k = math.prod(a.value.shape[d] for d in da)
    n = math.prod(b.value.shape[d] for d in fb)
    pa = FUNCTIONS["permute"](ev, "permute", [a, tuple(fa + da)], {})
    pb = FUNCTIONS["permute"](ev, "permute", [b, tuple(db + fb)], {})
    if not fa and not fb:  # everything contracted: a dot product
        out = FUNCTIONS["dot"](ev, "dot", [FUNCTIONS["reshape"](ev, "reshape", [pa, (k,)], {}),
                                           FUNCTIONS["reshape"](ev, "reshape", [pb, (k,)], {})],
                               {})
        return FUNCTIONS["view"](ev, "view", [out, ()], {})
    ra = FUNCTIONS["reshape"](ev, "reshape", [pa, (m, k)], {})
    rb = FUNCTIONS["reshape"](ev, "reshape", [pb, (k, n)], {})
    out = FUNCTIONS["mm"](ev, "mm", [ra, rb], {})
    shape = tuple(a.value.shape[d] for d in fa) + tuple(b.value.shape[d] for d in fb)
    return FUNCTIONS["view"](ev, "view", [out, shape], {})


@function("cosine_similarity")
def _cosine_similarity(ev, name, args, kwargs):
    """ATen's cosine_similarity: each input divided by its norm (clamped to eps without
    recording it), multiplied, summed over dim."""
    p = bind(name, args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED), ("dim", 1),
                                  ("eps", 1e-8)])
    x1, x2 = ev.tensor(p["x1"]), ev.tensor(p["x2"])
    try:
        shape = np.broadcast_shapes(x1.value.shape, x2.value.shape)
    except ValueError:
        raise ShapeError(f"The size of tensor a ({x1.value.shape[-1]}) must match the size "
                         f"of tensor b ({x2.value.shape[-1]}) at non-singleton dimension "
                         f"{len(x1.value.shape) - 1}") from None
    if x1.value.shape != shape:
        x1 = FUNCTIONS["expand"](ev, "expand", [x1, shape], {})
    if x2.value.shape != shape:
        x2 = FUNCTIONS["expand"](ev, "expand", [x2, shape], {})
    dim = norm_dim(name, p["dim"], max(len(shape), 1))
    eps = as_float(name, "eps", p["eps"])
    parts = []
    for x in (x1, x2):
        n = FUNCTIONS["vector_norm"](ev, "vector_norm", [x], {"p": 2, "dim": dim,
                                                               "keepdim": True})
        n = ev.apply("clone", (n,))
        n.value = np.maximum(n.value, np.asarray(eps, dtype=n.value.dtype))
        parts.append(ev.apply("div", (x, n)))
    prod = ev.apply("mul", (parts[0], parts[1]))
    return FUNCTIONS["sum"](ev, "sum", [prod, dim], {})


@function("normalize")
def _normalize(ev, name, args, kwargs):
    """F.normalize: input / norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("p", 2.0), ("dim", 1), ("eps", 1e-12),
                                  ("out", None)])
    x = ev.tensor(p["input"])
    n = FUNCTIONS["vector_norm"](ev, "vector_norm", [x], {"p": p["p"], "dim": p["dim"],
                                                           "keepdim": True})
    n = FUNCTIONS["clamp_min"](ev, "clamp_min", [n, as_float(name, "eps", p["eps"])], {})
    n = FUNCTIONS["expand"](ev, "expand", [n, x.value.shape], {})
    return ev.apply("div", (x, n))


QUALIFIED.update({("linalg", "cross"): "linalg_cross", ("linalg", "norm"): "linalg_norm",
                  ("linalg", "inv"): "linalg_inv",
                  ("torch", "cholesky"): "cholesky_legacy"})
