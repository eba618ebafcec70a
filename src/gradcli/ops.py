"""The op registry: one table, every formula in one place.

Each entry gives PyTorch 2.13's grad_fn name, the NumPy forward, one vector-Jacobian
product per argument (as PyTorch's derivatives.yaml gives one formula per input), and for
scalar ops its symbolic rule. A VJP is called as ``vjp(g, result, *args, **params)`` with
the upstream gradient ``g``; the engine sums it back to the argument's shape.

Which op a spelling such as ``2 - x`` or ``x.sum(0)`` picks is not decided here but in
``dispatch.py``, from the kinds of its operands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import sleef, torchsum


@dataclass(frozen=True)
class Op:
    key: str
    grad_fn: str
    forward: Callable
    vjp: tuple[Callable, ...]
    sym: Callable | None = None  # (sympy, *args, **params) -> expression; scalar ops only
    differentiable: bool = True


REGISTRY: dict[str, Op] = {}


def op(key: str, grad_fn: str, forward: Callable, *vjp: Callable,
       sym: Callable | None = None) -> None:
    REGISTRY[key] = Op(key, grad_fn, forward, tuple(vjp), sym)


def _none(g, y, *a, **k):  # a constant argument (a Python number, labels, a mask)
    return np.zeros(())


LN2, LN10 = math.log(2.0), math.log(10.0)
# PyTorch's hardsigmoid backward multiplies by 1/6 computed in float32, also for float64.
ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))
_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    return np.asarray(_erf(x), dtype=np.result_type(x, np.float32))


def wide(fn):
    """`fn` computed in float64 for a float32 input, then rounded to float32: what PyTorch's
    float32 kernels give far more often than NumPy's float32 ones (tanh: 99.95% of inputs
    against 71%, exp 99% against 61%), so printed digits agree."""
    def f(x):
        if isinstance(x, (np.ndarray, np.float32)) and x.dtype == np.float32:
            return fn(x.astype(np.float64)).astype(np.float32)
        return fn(x)
    f.__name__ = getattr(fn, "__name__", "wide")
    return f


exp2, log, log2, log10, log1p, expm1 = (wide(f) for f in (
    np.exp2, np.log, np.log2, np.log10, np.log1p, np.expm1))
tan, asin, acos, atan = (wide(f) for f in (np.tan, np.arcsin, np.arccos, np.arctan))
sinh, cosh = (wide(f) for f in (np.sinh, np.cosh))


def _mkl(name: str):
    """PyTorch's `name` (tanh, sin, cos, exp): MKL's in float32 (vml.mkl_f32), NumPy's in
    float64."""
    fn64 = getattr(np, name)

    def f(x):
        if isinstance(x, (np.ndarray, np.float32)) and x.dtype == np.float32:
            from .vml import mkl_f32

            return mkl_f32(name, x)
        return fn64(x)
    f.__name__ = name
    return f


tanh, sin, cos, exp = (_mkl(name) for name in ("tanh", "sin", "cos", "exp"))


# float32 exp2, expm1, log1p, sinh, cosh, sigmoid, silu, mish, softplus and float64 expm1,
# log1p, sigmoid: PyTorch's SLEEF kernels, bit for bit (sleef.py).  tanh, sin, cos, exp run
# in Intel MKL: its results from recorded tables (`_mkl`); log, tan ... (not ported): `wide`.
exp2, expm1, log1p, sinh, cosh = (
    sleef.on_float32(sleef.torch_float32(k), f, f64) for k, f, f64 in (
        ("exp2", exp2, None), ("expm1", expm1, sleef.expm1_f64),
        ("log1p", log1p, sleef.log1p_f64), ("sinh", sinh, None), ("cosh", cosh, None)))


def _sigmoid(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1.0 + np.exp(-np.abs(x))))


sigmoid = sleef.on_float32(sleef.torch_float32("sigmoid"), _sigmoid, float64=sleef.sigmoid_f64)


# =========================================================================== arithmetic
#  key        grad_fn          forward                         d/d(arg0), d/d(arg1)
op("add", "AddBackward0", lambda a, b: a + b,
   lambda g, y, a, b: g,
   lambda g, y, a, b: g,
   sym=lambda sp, a, b: a + b)
op("sub", "SubBackward0", lambda a, b: a - b,
   lambda g, y, a, b: g,
   lambda g, y, a, b: -g,
   sym=lambda sp, a, b: a - b)
op("rsub", "RsubBackward1", lambda x, c: c - x,           # c - x, c a number
   lambda g, y, x, c: -g, _none,
   sym=lambda sp, x, c: c - x)
op("mul", "MulBackward0", lambda a, b: a * b,
   lambda g, y, a, b: g * b,
   lambda g, y, a, b: g * a,
   sym=lambda sp, a, b: a * b)
op("div", "DivBackward0", lambda a, b: a / b,
   lambda g, y, a, b: g / b,
   lambda g, y, a, b: -g * ((a / b) / b),
   sym=lambda sp, a, b: a / b)
op("div_scalar", "DivBackward1", lambda a, c: a / c,   # div(Tensor, Scalar) called from C++
   lambda g, y, a, c: g / c, _none,
   sym=lambda sp, a, c: a / c)
op("mul_scalar", "MulBackward1", lambda a, c: a * c,   # mul(Tensor, Scalar) from C++
   lambda g, y, a, c: g * c, _none)
op("neg", "NegBackward0", lambda x: -x,
   lambda g, y, x: -g,
   sym=lambda sp, x: -x)
op("reciprocal", "ReciprocalBackward0", lambda x: 1.0 / x,
   lambda g, y, x: -g * (y * y),
   sym=lambda sp, x: 1 / x)
op("pow", "PowBackward0", lambda x, p: _pow_scalar(x, p),  # tensor ** number
   lambda g, y, x, p: np.zeros_like(g * x) if p == 0 else g * (p * _pow_scalar(x, p - 1)),
   _none,
   sym=lambda sp, x, p: x ** p)
op("pow_tensor", "PowBackward1", lambda x, p: x ** p,     # tensor ** tensor
   lambda g, y, x, p: np.where(p == 0, 0.0, g * (p * x ** (p - 1))),
   lambda g, y, x, p: g * np.where((x == 0) & (p >= 0), 0.0, y * np.log(x)),
   sym=lambda sp, x, p: x ** p)
op("pow_base", "PowBackward2", lambda c, x: c ** x,       # number ** tensor
   _none,
   lambda g, y, c, x: g * np.where((c == 0) & (x >= 0), 0.0, y * np.log(c)),
   sym=lambda sp, c, x: c ** x)

# ====================================================================== unary elementwise
#  key         grad_fn             forward        d/dx  (g: upstream, y: result, x: input)
op("exp", "ExpBackward0", exp, lambda g, y, x: g * y, sym=lambda sp, x: sp.exp(x))
op("exp2", "Exp2Backward0", exp2, lambda g, y, x: g * y * LN2, sym=lambda sp, x: 2 ** x)
op("log", "LogBackward0", log, lambda g, y, x: g / x, sym=lambda sp, x: sp.log(x))
op("log2", "Log2Backward0", log2, lambda g, y, x: g / (x * LN2),
   sym=lambda sp, x: sp.log(x, 2))
op("log10", "Log10Backward0", log10, lambda g, y, x: g / (x * LN10),
   sym=lambda sp, x: sp.log(x, 10))
op("log1p", "Log1PBackward0", log1p, lambda g, y, x: g / (x + 1),
   sym=lambda sp, x: sp.log(1 + x))
def _sqrt(x):
    """torch.sqrt: in float32 MKL's rounding (vml.sqrt_f32), else NumPy's."""
    if isinstance(x, (np.ndarray, np.float32)) and x.dtype == np.float32:
        from .vml import sqrt_f32

        return sqrt_f32(x)
    return np.sqrt(x)


op("sqrt", "SqrtBackward0", _sqrt, lambda g, y, x: g / (2 * y), sym=lambda sp, x: sp.sqrt(x))
op("abs", "AbsBackward0", np.abs, lambda g, y, x: g * sign(x), sym=lambda sp, x: sp.Abs(x))
def sign(x):
    """np.sign, but 0 at NaN, as PyTorch (a traced value for second derivatives: np.sign)."""
    if not isinstance(x, (np.ndarray, np.generic)):
        return np.sign(x)
    return np.sign(np.where(np.isnan(x), 0, x))


op("sign", "SignBackward0", sign, lambda g, y, x: np.zeros_like(g * x),
   sym=lambda sp, x: sp.sign(x))
op("floor", "FloorBackward0", np.floor, lambda g, y, x: np.zeros_like(g * x),
   sym=lambda sp, x: sp.floor(x))
op("ceil", "CeilBackward0", np.ceil, lambda g, y, x: np.zeros_like(g * x),
   sym=lambda sp, x: sp.ceiling(x))
op("round", "RoundBackward0", np.round, lambda g, y, x: np.zeros_like(g * x))
op("sin", "SinBackward0", sin, lambda g, y, x: g * cos(x), sym=lambda sp, x: sp.sin(x))
op("cos", "CosBackward0", cos, lambda g, y, x: -g * sin(x), sym=lambda sp, x: sp.cos(x))
op("tan", "TanBackward0", tan, lambda g, y, x: g * (1 + y * y), sym=lambda sp, x: sp.tan(x))
op("asin", "AsinBackward0", asin, lambda g, y, x: g / np.sqrt(1 - x * x),
   sym=lambda sp, x: sp.asin(x))
op("acos", "AcosBackward0", acos, lambda g, y, x: -g / np.sqrt(1 - x * x),
   sym=lambda sp, x: sp.acos(x))
op("atan", "AtanBackward0", atan, lambda g, y, x: g / (1 + x * x),
   sym=lambda sp, x: sp.atan(x))
op("sinh", "SinhBackward0", sinh, lambda g, y, x: g * cosh(x), sym=lambda sp, x: sp.sinh(x))
op("cosh", "CoshBackward0", cosh, lambda g, y, x: g * sinh(x), sym=lambda sp, x: sp.cosh(x))
# tanh_backward and sigmoid_backward as PyTorch's kernels round them: g * fma(-y, y, 1)
# and (g * (1 - y)) * y.
op("tanh", "TanhBackward0", tanh, lambda g, y, x: g * sleef.fma(-y, y, 1),
   sym=lambda sp, x: sp.tanh(x))
op("sigmoid", "SigmoidBackward0", sigmoid, lambda g, y, x: g * (1 - y) * y,
   sym=lambda sp, x: 1 / (1 + sp.exp(-x)))
op("relu", "ReluBackward0", lambda x: np.maximum(x, 0.0),
   lambda g, y, x: np.where(y <= 0, 0.0, g), sym=lambda sp, x: sp.Max(x, 0))
op("erf", "ErfBackward0", erf, lambda g, y, x: g * (2 / math.sqrt(math.pi)) * np.exp(-x * x),
   sym=lambda sp, x: sp.erf(x))
op("softplus", "SoftplusBackward0",
   sleef.on_float32(sleef.softplus,
                    lambda x, beta=1.0, threshold=20.0: softplus(x, beta, threshold)),
   lambda g, y, x, beta=1.0, threshold=20.0: np.where(
       x * beta > threshold, g, g * (z := np.exp(np.minimum(x * beta, threshold))) / (z + 1)),
   sym=lambda sp, x, beta=1.0, threshold=20.0: sp.log(1 + sp.exp(beta * x)) / beta)
op("gelu", "GeluBackward0", lambda x, approximate="none": gelu(x, approximate),
   lambda g, y, x, approximate="none": g * gelu_grad(x, approximate),
   sym=lambda sp, x, approximate="none": x * (1 + sp.erf(x / sp.sqrt(2))) / 2)
op("leaky_relu", "LeakyReluBackward0",
   lambda x, negative_slope=0.01: np.where(x > 0, x, x * negative_slope),
   lambda g, y, x, negative_slope=0.01: np.where(x > 0, g, g * negative_slope))
op("elu", "EluBackward0",
   lambda x, alpha=1.0, scale=1.0: scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
   lambda g, y, x, alpha=1.0, scale=1.0:
       np.where(x <= 0, g * alpha * scale * np.exp(np.minimum(x, 0)), g * scale))
op("celu", "CeluBackward0",
   lambda x, alpha=1.0: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha)),
   lambda g, y, x, alpha=1.0: np.where(x <= 0, g * np.exp(np.minimum(x, 0) / alpha), g))
op("logsigmoid", "LogSigmoidBackward0",
   lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
   lambda g, y, x: g * sigmoid(-x), sym=lambda sp, x: -sp.log(1 + sp.exp(-x)))
op("hardtanh", "HardtanhBackward0",
   lambda x, min_val=-1.0, max_val=1.0: np.clip(x, min_val, max_val),
   lambda g, y, x, min_val=-1.0, max_val=1.0: _hardtanh_grad(g, x, min_val, max_val))


def _hardtanh_grad(g, x, lo, hi):
    """PyTorch's hardtanh_backward: 0 at and beyond the bounds. At NaN its two loops
    differ: the vectorised one (blocks of two AVX2 vectors: 8 float64 / 16 float32, in
    memory order) gives 0, the scalar tail passes the gradient."""
    scalar = np.where((x <= lo) | (x >= hi), 0.0, g)
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f" or not np.isnan(x).any():
        return scalar
    block = 16 if x.dtype == np.float32 else 8
    vector_part = np.arange(x.size).reshape(x.shape) < (x.size // block) * block
    return np.where(vector_part & np.isnan(x), 0.0, scalar)
op("hardsigmoid", "HardsigmoidBackward0", lambda x: np.clip(x / 6 + 0.5, 0.0, 1.0),
   lambda g, y, x: np.where((x > -3) & (x < 3), g * ONE_SIXTH_F32, 0.0))
op("hardswish", "HardswishBackward0", lambda x: x * np.clip(x + 3, 0.0, 6.0) / 6,
   lambda g, y, x: np.where(x <= -3, 0.0, np.where(x < 3, g * (x / 3 + 0.5), g)))
op("mish", "MishBackward0",
   sleef.on_float32(sleef.torch_float32("mish"), lambda x: x * np.tanh(softplus(x, 1.0, 20.0))),
   lambda g, y, x: g * ((t := np.tanh(softplus(x, 1.0, 20.0))) + x * sigmoid(x) * (1 - t * t)),
   sym=lambda sp, x: x * sp.tanh(sp.log(1 + sp.exp(x))))
# x <= threshold picks value (a NaN input stays NaN and passes its gradient), as PyTorch
op("threshold", "ThresholdBackward0", lambda x, threshold, value: np.where(x <= threshold, value, x),
   lambda g, y, x, threshold, value: np.where(x <= threshold, 0.0, g))
op("expm1", "Expm1Backward0", expm1, lambda g, y, x: g * (y + 1), sym=lambda sp, x: sp.exp(x) - 1)
op("rsqrt", "RsqrtBackward0", lambda x: 1 / np.sqrt(x), lambda g, y, x: -0.5 * g * y ** 3,
   sym=lambda sp, x: 1 / sp.sqrt(x))
op("trunc", "TruncBackward0", np.trunc, lambda g, y, x: np.zeros_like(g * x))
op("frac", "FracBackward0", lambda x: x - np.trunc(x), lambda g, y, x: g)
# sgn's gradient (real input) is PyTorch's ZeroTensor (engine.ZeroGrad)
op("sgn", "SgnBackward0", sign, lambda g, y, x: _zero_tensor(np.zeros_like(g * x)))


def _zero_tensor(z):
    from .engine import ZeroGrad

    return z.view(ZeroGrad) if type(z) is np.ndarray else z
op("logit", "LogitBackward0", lambda x: np.log(x / (1 - x)),
   lambda g, y, x: np.where((x < 0) | (x > 1), np.nan,
                            np.where((x == 0) | (x == 1), g * np.inf, g / (x * (1 - x)))),
   sym=lambda sp, x: sp.log(x / (1 - x)))
op("silu", "SiluBackward0", sleef.on_float32(sleef.torch_float32("silu"), lambda x: x * sigmoid(x)),
   lambda g, y, x: g * (s := sigmoid(x)) * sleef.fma(x, 1 - s, 1),
   sym=lambda sp, x: x / (1 + sp.exp(-x)))
# clone() keeps the layout, as PyTorch's preserve_format; contiguous() and reshape's copy
# ask for C order.
op("clone", "CloneBackward0",
   lambda x, contiguous=False: np.array(x, order="C" if contiguous else "K", copy=True),
   lambda g, y, x, contiguous=False: g, sym=lambda sp, x, contiguous=False: x)
op("alias", "AliasBackward0", lambda x: x, lambda g, y, x: g, sym=lambda sp, x: x)


def softplus(x, beta, threshold):
    bx = x * beta
    return np.where(bx > threshold, x, np.log1p(np.exp(np.minimum(bx, threshold))) / beta)


def gelu(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + np.tanh(k * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def gelu_grad(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = k * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
    return cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


# ===================================================================== binary elementwise
op("atan2", "Atan2Backward0", np.arctan2,
   lambda g, y, a, b: g * b * _recip0(a * a + b * b),
   lambda g, y, a, b: g * -a * _recip0(a * a + b * b),
   sym=lambda sp, a, b: sp.atan2(a, b))
op("hypot", "HypotBackward0", np.hypot,
   lambda g, y, a, b: g * a / y,
   lambda g, y, a, b: g * b / y,
   sym=lambda sp, a, b: sp.sqrt(a * a + b * b))
op("maximum", "MaximumBackward0", np.maximum,
   lambda g, y, a, b: np.where(a == b, g / 2, np.where(a < b, 0.0, g)),
   lambda g, y, a, b: np.where(a == b, g / 2, np.where(a > b, 0.0, g)),
   sym=lambda sp, a, b: sp.Max(a, b))
op("minimum", "MinimumBackward0", np.minimum,
   lambda g, y, a, b: np.where(a == b, g / 2, np.where(a > b, 0.0, g)),
   lambda g, y, a, b: np.where(a == b, g / 2, np.where(a < b, 0.0, g)),
   sym=lambda sp, a, b: sp.Min(a, b))
# Gradients through clamps are selected (where), never multiplied by a mask: an infinite
# upstream gradient stays 0 where the input was clamped, as in PyTorch.
op("clamp", "ClampBackward1", lambda x, min=None, max=None: np.clip(x, min, max),
   lambda g, y, x, min=None, max=None: np.where(_within(x, min, max), g, 0.0))
op("clamp_min", "ClampMinBackward0", lambda x, min: np.maximum(x, min),
   lambda g, y, x, min: np.where(x >= min, g, 0.0))
op("clamp_max", "ClampMaxBackward0", lambda x, max: np.minimum(x, max),
   lambda g, y, x, max: np.where(x <= max, g, 0.0))
op("clamp_min_tensor", "ClampMinBackward1", lambda x, lo: np.maximum(x, lo),
   lambda g, y, x, lo: np.where(x >= lo, g, 0.0),
   lambda g, y, x, lo: np.where(x < lo, g, 0.0))
op("clamp_max_tensor", "ClampMaxBackward1", lambda x, hi: np.minimum(x, hi),
   lambda g, y, x, hi: np.where(x <= hi, g, 0.0),
   lambda g, y, x, hi: np.where(x > hi, g, 0.0))
# min(max(x, lo), hi), PyTorch's clamp_backward_min_max: lo gets the gradient where x < lo
# < hi, hi where x > hi or hi < lo (with lo > hi every element is hi; with lo == hi below
# x nobody gets it)
# (a bound not given is +-inf and takes no part in the other bound's test)
op("clamp_tensor", "ClampBackward0",
   lambda x, lo, hi, bounds="both": np.minimum(np.maximum(x, lo), hi),
   lambda g, y, x, lo, hi, bounds="both": np.where((x >= lo) & (x <= hi), g, 0.0),
   lambda g, y, x, lo, hi, bounds="both":
       np.where((x < lo) & ((lo < hi) if bounds == "both" else True), g, 0.0),
   lambda g, y, x, lo, hi, bounds="both":
       np.where((x > hi) | ((hi < lo) if bounds == "both" else False), g, 0.0))
op("where", "WhereBackward0", lambda c, a, b: np.where(c, a, b),
   _none,
   lambda g, y, c, a, b: np.where(c, g, 0.0),
   lambda g, y, c, a, b: np.where(c, 0.0, g))


# Ops whose every output element depends only on the same element of each input:
# a graph of these can be evaluated for many rows at once along a batch axis.
ELEMENTWISE = {
    "celu", "logsigmoid", "hardtanh", "hardsigmoid", "hardswish", "mish", "threshold", "expm1",
    "rsqrt", "trunc", "frac", "sgn", "logit",
    "add", "sub", "rsub", "mul", "div", "div_scalar", "neg", "reciprocal", "pow", "pow_tensor", "pow_base",
    "exp", "exp2", "log", "log2", "log10", "log1p", "sqrt", "abs", "sign", "floor", "ceil",
    "round", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid",
    "relu", "erf", "softplus", "gelu", "leaky_relu", "elu", "silu", "clone", "alias", "atan2",
    "hypot", "maximum", "minimum", "clamp", "clamp_tensor", "where", "clamp_min", "clamp_max",
    "clamp_min_tensor", "clamp_max_tensor", "logaddexp", "addcmul", "addcdiv", "lerp",
    "lerp_tensor", "masked_fill", "deg2rad", "rad2deg", "remainder", "remainder_tensor",
    "fmod", "fmod_tensor", "nan_to_num", "round_decimals", "mul_scalar",
}


def _recip0(d):
    """1 / d, 0 where d is 0 (atan2's backward at the origin, as PyTorch)."""
    with np.errstate(divide="ignore"):
        return np.where(d == 0, 0.0, 1.0 / d)


def _within(x, lo, hi):
    ok = np.ones(np.shape(x), dtype=bool)
    if lo is not None:
        ok &= x >= lo
    if hi is not None:
        ok &= x <= hi
    return ok


# ============================================================================ reductions
def expand_back(g, shape, dim, keepdim):
    """Broadcast a reduced gradient back over the reduced dims of `shape`."""
    if not keepdim and dim is not None:
        g = np.expand_dims(g, dim)
    return np.broadcast_to(g, shape)


def _count(shape, dim):
    if dim is None:
        return math.prod(shape)
    return math.prod(shape[d] for d in dim)


op("sum", "SumBackward0", lambda x: _sum(x),
   lambda g, y, x: np.broadcast_to(g, np.shape(x)))
op("sum_dim", "SumBackward1", lambda x, dim, keepdim=False: _sum(x, dim, keepdim),
   lambda g, y, x, dim, keepdim=False: expand_back(g, x.shape, dim, keepdim))
op("mean", "MeanBackward0", lambda x: _sum(x, mean=True),
   lambda g, y, x: np.broadcast_to(g / max(np.size(x), 1), np.shape(x)))
op("mean_dim", "MeanBackward1",
   lambda x, dim, keepdim=False: _sum(x, dim, keepdim, mean=True),
   lambda g, y, x, dim, keepdim=False: expand_back(g / _count(x.shape, dim), x.shape, dim, keepdim))
# PyTorch passes the gradient straight through the product of a 0-d tensor, even where
# its element is NaN or infinite
op("prod", "ProdBackward0", lambda x: np.prod(x),
   lambda g, y, x: g if np.ndim(x) == 0 else g * y / x if not np.any(x == 0)
   else np.zeros_like(g * x) if isinstance(x, np.ndarray) and np.count_nonzero(x == 0) > 1
   # (PyTorch: with two zeros the gradient is 0 everywhere)
   else g * _prod_others(x.reshape(-1), 0).reshape(x.shape))
op("prod_dim", "ProdBackward1", lambda x, dim, keepdim=False: np.prod(x, axis=dim, keepdims=keepdim),
   lambda g, y, x, dim, keepdim=False:
       expand_back(g, x.shape, (dim,), keepdim) * expand_back(y, x.shape, (dim,), keepdim) / x
       if not np.any(x == 0)
       else expand_back(g, x.shape, (dim,), keepdim) * _prod_others(x, dim))
op("max", "MaxBackward1", lambda x: np.max(x),
   lambda g, y, x: _evenly(g, x, y))
op("min", "MinBackward1", lambda x: np.min(x),
   lambda g, y, x: _evenly(g, x, y))
op("max_dim", "MaxBackward0", lambda x, dim, keepdim=False: np.max(x, axis=dim, keepdims=keepdim),
   lambda g, y, x, dim, keepdim=False: _select_first(g, np.argmax(x, axis=dim), x.shape, dim, keepdim))
op("min_dim", "MinBackward0", lambda x, dim, keepdim=False: np.min(x, axis=dim, keepdims=keepdim),
   lambda g, y, x, dim, keepdim=False: _select_first(g, np.argmin(x, axis=dim), x.shape, dim, keepdim))
def lifted(f):
    """`f` over a dim, also for a 0-d tensor (PyTorch treats it as one element along dim 0):
    0-d arguments are lifted to one element and the result brought back to 0-d."""
    def g(*args, **params):
        if all(np.ndim(a) for a in args):
            return f(*args, **params)
        out = f(*(np.reshape(a, (1,)) if np.ndim(a) == 0 else a for a in args), **params)
        return np.reshape(out, ()) if np.size(out) == 1 else out
    return g


op("logsumexp", "LogsumexpBackward0",
   lifted(lambda x, dim, keepdim=False: logsumexp(x, dim, keepdim if np.ndim(x) else False)),
   lambda g, y, x, dim, keepdim=False:
       expand_back(g, x.shape, dim if x.ndim else None, keepdim)
       * np.exp(x - expand_back(y, x.shape, dim if x.ndim else None, keepdim)))
op("softmax", "SoftmaxBackward0", lifted(lambda x, dim: softmax(x, dim)),
   lifted(lambda g, y, x, dim: _softmax_grad(g, y, dim)))
op("log_softmax", "LogSoftmaxBackward0", lifted(lambda x, dim: log_softmax(x, dim)),
   lifted(lambda g, y, x, dim: _log_softmax_grad(g, y, dim)))
op("norm", "LinalgVectorNormBackward0",
   lambda x, p=2.0, dim=None, keepdim=False: vector_norm(x, p, dim, keepdim),
   lambda g, y, x, p=2.0, dim=None, keepdim=False: _norm_grad(g, y, x, p, dim, keepdim))
# at::norm(x, p, dim) called from ATen's own code (pairwise_distance)
op("norm_aten", "NormBackward1",
   lambda x, p=2.0, dim=None, keepdim=False: vector_norm(x, p, dim, keepdim),
   lambda g, y, x, p=2.0, dim=None, keepdim=False: _norm_grad(g, y, x, p, dim, keepdim))
op("dist", "DistBackward0", lambda a, b, p=2.0: vector_norm(a - b, p, None, False),
   lambda g, y, a, b, p=2.0: _norm_grad(g, y, a - b, p, None, False),
   lambda g, y, a, b, p=2.0: -_norm_grad(g, y, a - b, p, None, False))
op("var", "VarBackward0", lambda x, dim=None, correction=1, keepdim=False:
       _var(x, dim, correction, keepdim),
   lambda g, y, x, dim=None, correction=1, keepdim=False: _var_grad(g, x, dim, correction, keepdim))
op("std", "StdBackward0", lambda x, dim=None, correction=1, keepdim=False:
       np.sqrt(_var(x, dim, correction, keepdim)),
   lambda g, y, x, dim=None, correction=1, keepdim=False:
       _var_grad(np.where(y == 0, 0.0, g / (y * 2)), x, dim, correction, keepdim))
op("cumsum", "CumsumBackward0", lifted(lambda x, dim: np.cumsum(x, axis=dim)),
   lifted(lambda g, y, x, dim: np.flip(np.cumsum(np.flip(g, dim), axis=dim), dim)))
op("trace", "TraceBackward0", np.trace,
   lambda g, y, x: g * np.eye(*x.shape, dtype=x.dtype)
   if not isinstance(g, (np.ndarray, np.generic))
   else np.where(np.eye(*x.shape, dtype=bool), g, 0.0).astype(x.dtype))  # NaN g: diagonal


def _var(x, dim, correction, keepdim):
    """The sum of squared deviations over max(0, N - correction), as PyTorch (inf or NaN
    when the correction leaves no degrees of freedom)."""
    dof = max(0, _count(x.shape, dim) - correction)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and np.size(x) and (
            dim is None or math.prod(s for i, s in enumerate(x.shape) if i not in dim) == 1):
        # one output element: PyTorch's std_var_all_cpu, two passes -- its mean, then a
        # sequential sum of squared deviations in double
        dev = x.astype(np.float64) - float(_sum(np.ascontiguousarray(x).reshape(-1), mean=True))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.cumsum((dev * dev).reshape(-1))[-1] / dof
        shape = np.shape(np.sum(x, axis=dim, keepdims=keepdim))
        return np.full(shape, out, dtype=x.dtype)
    if isinstance(x, np.ndarray) and x.dtype.kind == "f" and np.size(x):
        return _welford_var(x, dim, keepdim, dof)
    if not np.size(x):
        first = 0.0
    elif dim is None:
        first = np.reshape(x, (-1,))[:1].reshape((1,) * np.ndim(x))
    else:
        first = x[tuple(slice(0, 1) if i in dim else slice(None) for i in range(np.ndim(x)))]
    with np.errstate(invalid="ignore"):
        dev = x - (first + np.mean(x - first, axis=dim, keepdims=True))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(dev * dev, axis=dim, keepdims=keepdim) / dof


def _welford_var(x, dim, keepdim, dof):
    """PyTorch's std_var_kernel: Welford's update in double, element by element along the
    reduced dims (exactly 0 for a constant slice), m2 / max(0, N - correction)."""
    rest = [i for i in range(x.ndim) if i not in dim]
    xs = np.transpose(x, rest + list(dim)).reshape(
        *[x.shape[i] for i in rest], -1).astype(np.float64)
    mean = np.zeros(xs.shape[:-1])
    m2 = np.zeros(xs.shape[:-1])
    with np.errstate(invalid="ignore", over="ignore"):
        for k in range(xs.shape[-1]):
            v = xs[..., k]
            delta = v - mean
            mean = mean + delta / float(k + 1)
            m2 = m2 + delta * (v - mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (m2 / dof).astype(x.dtype)
    if keepdim:
        out = out.reshape([1 if i in dim else s for i, s in enumerate(x.shape)])
    return out


def _var_grad(g, x, dim, correction, keepdim):
    """PyTorch's var_backward: 2 / (N - correction) * g * (x - mean); over the whole tensor
    with no degrees of freedom left, g * (NaN where x is the mean, else inf)."""
    dev = x - np.mean(x, axis=dim, keepdims=True)
    n = _count(x.shape, dim)
    with np.errstate(divide="ignore", invalid="ignore"):
        if (dim is None or np.ndim(x) == 0) and n - correction <= 0:
            return g * np.where(x == np.mean(x), np.nan, np.inf)
        scale = 2.0 / (n - correction) if n != correction else np.inf
        return scale * expand_back(g, x.shape, dim, keepdim) * dev


def logsumexp(x, dim, keepdim):
    m = np.max(x, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def _lastdim(x, dim) -> bool:
    """Whether (log_)softmax over dim runs PyTorch's last-dimension kernel (vectorised
    rows, summed by torchsum.reduce_all_rows) for this float array."""
    return (x.dtype in (np.float32, np.float64) and x.ndim >= 1
            and dim % x.ndim == x.ndim - 1 and x.shape[-1] > 0)


def _row_exp(v):
    """Vectorized<T>::exp(): SLEEF's expf / exp."""
    return sleef.exp(v) if v.dtype == np.float32 else sleef.exp_f64(v)


def _row_log(v):
    return sleef.log(v) if v.dtype == np.float32 else np.log(v)


def log_softmax(x, dim):
    """x - max - log(sum(exp(x - max))), as PyTorch's kernel: an infinite max gives NaN."""
    with np.errstate(invalid="ignore", over="ignore"):
        if _lastdim(x, dim):
            rows = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
            m = np.max(rows, axis=1, keepdims=True)
            shifted = rows - m
            s = torchsum.reduce_all_rows(_row_exp(shifted))
            return (shifted - _row_log(s)[:, None]).reshape(x.shape)
        shifted = x - np.max(x, axis=dim, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


def softmax(x, dim):
    with np.errstate(invalid="ignore", over="ignore"):
        if _lastdim(x, dim):
            rows = np.ascontiguousarray(x).reshape(-1, x.shape[-1])
            e = _row_exp(rows - np.max(rows, axis=1, keepdims=True))
            inv = x.dtype.type(1) / torchsum.reduce_all_rows(e)
            return (e * inv[:, None]).reshape(x.shape)
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        return e / np.sum(e, axis=dim, keepdims=True)


def _kernel_args(g, y, dim) -> bool:
    """Whether a (log_)softmax backward runs PyTorch's last-dimension kernel on arrays (a
    traced gradient for create_graph uses the formula as graph ops)."""
    return (type(g) is np.ndarray and type(y) is np.ndarray and _lastdim(y, dim)
            and g.shape == y.shape and g.dtype == y.dtype)


def _softmax_grad(g, y, dim):
    """(g - sum(g * y)) * y; the last-dimension kernel sums the products row by row."""
    if _kernel_args(g, y, dim):
        gy = (g * y).reshape(-1, y.shape[-1])
        s = torchsum.reduce_all_rows(np.ascontiguousarray(gy)).reshape(*y.shape[:-1], 1)
        return (g - s) * y
    return y * (g - np.sum(g * y, axis=dim, keepdims=True))


def _log_softmax_grad(g, y, dim):
    """g - exp(y) * sum(g); the last-dimension kernel sums g row by row."""
    if _kernel_args(g, y, dim):
        s = torchsum.reduce_all_rows(np.ascontiguousarray(g).reshape(-1, y.shape[-1]))
        # the compiler fuses the multiply into the subtraction (measured)
        return sleef.fma(-_row_exp(y), s.reshape(*y.shape[:-1], 1), g)
    return g - np.exp(y) * np.sum(g, axis=dim, keepdims=True)


def _norm2_rows_f32(rows):
    """The 2-norm of each row of a float32 matrix as PyTorch's last-dimension kernel adds
    it (ReduceOpsKernel.cpp, norm_kernel_tensor_iterator_impl): squares into 8 lanes, the
    lanes folded left to right, then the remaining size mod 8 squares -- the first four
    added as they are, the others by fused multiply-adds (the compiled loop's split, found
    against PyTorch 2.13 bit for bit on every length tried) -- and the square root."""
    m, n = rows.shape
    full = n - n % 8
    sq = rows[:, :full] * rows[:, :full]
    total = np.zeros(m, dtype=np.float32)
    if full:
        lanes = np.add.accumulate(sq.reshape(m, -1, 8), axis=1)[:, -1, :]
        total = np.add.accumulate(lanes, axis=1)[:, -1]
    k = full
    if n - full >= 4:
        for _ in range(4):
            total = total + rows[:, k] * rows[:, k]
            k += 1
    for j in range(k, n):
        total = sleef.fma(rows[:, j], rows[:, j], total)
    return np.sqrt(total)


def vector_norm(x, p, dim, keepdim):
    if p == 2 and type(x) is np.ndarray and x.dtype == np.float32 and x.size:
        if dim is None or tuple(dim) == tuple(range(x.ndim)):
            r = _norm2_rows_f32(np.ravel(x, order="K")[None, :])[0]
            return r.reshape((1,) * x.ndim) if keepdim else r
        if tuple(d % x.ndim for d in dim) == (x.ndim - 1,) and x.flags.c_contiguous:
            r = _norm2_rows_f32(x.reshape(-1, x.shape[-1])).reshape(x.shape[:-1])
            return r[..., None] if keepdim else r
    a = np.abs(x)
    if p == math.inf:
        return np.max(a, axis=dim, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=dim, keepdims=keepdim)
    return np.sum(a ** p, axis=dim, keepdims=keepdim) ** (1.0 / p)


def _norm_grad(g, y, x, p, dim, keepdim):
    g = expand_back(g, x.shape, dim, keepdim)
    n = expand_back(y, x.shape, dim, keepdim)
    if p == 1:
        return g * sign(x)
    if p == math.inf:
        mask = np.abs(x) == n
        count = np.sum(mask, axis=dim, keepdims=True)
        return g * np.sign(x) * mask / count
    if p == 2:  # g * (x / n) with 0 where n is 0 (an infinite g there gives NaN, as PyTorch)
        return g * np.where(n == 0, 0.0, x / n)
    scale = np.where(n == 0, 0.0, g / n ** (p - 1))
    if p < 2:
        return np.where(x == 0, 0.0, np.sign(x) * np.abs(x) ** (p - 1)) * scale
    return x * np.abs(x) ** (p - 2) * scale


def _evenly(g, x, y):
    nan = isinstance(y, (np.ndarray, np.generic)) and bool(np.isnan(y))
    mask = np.isnan(x) if nan else x == y  # a NaN extreme: the NaNs share it
    return np.where(mask, g / np.sum(mask), 0.0)


def _select_first(g, idx, shape, dim, keepdim):
    """Route a max/min-over-dim gradient to the first extreme element only."""
    out = np.zeros(shape, dtype=np.result_type(g, np.float32))
    gk = g if keepdim else np.expand_dims(g, dim)
    ik = np.expand_dims(idx, dim)
    np.put_along_axis(out, ik, gk, axis=dim)
    return out


def _prod_others(x, dim):
    """Product of all other elements along `dim`, exact when some are zero (without zeros
    the VJPs above use y / x, which second derivatives can trace).

    On NumPy arrays: products of the elements before and after each one (cumulative
    products, O(n)). On traced values (a Hessian differentiates this formula again):
    row i of an n x n copy of x with its diagonal set to 1, multiplied out -- only
    registry ops (expand, where, prod over a dim), O(n^2) along `dim`."""
    if not isinstance(x, np.ndarray):
        n = x.shape[dim]
        rows = list(x.shape)
        rows.insert(dim, n)  # axis dim picks the row i, axis dim + 1 runs over the elements
        copies = np.broadcast_to(np.expand_dims(x, dim), tuple(rows))
        diagonal = np.eye(n, dtype=bool).reshape([n, n] + [1] * (x.ndim - dim - 1))
        return np.prod(np.where(diagonal, 1.0, copies), axis=dim + 1)
    ones_shape = list(x.shape)
    ones_shape[dim] = 1
    one = np.ones(ones_shape, dtype=x.dtype)
    left = np.cumprod(np.concatenate([one, np.take(x, range(x.shape[dim] - 1), axis=dim)], dim), dim)
    rx = np.flip(x, dim)
    right = np.cumprod(np.concatenate([one, np.take(rx, range(x.shape[dim] - 1), axis=dim)], dim), dim)
    return left * np.flip(right, dim)


# ======================================================================= linear algebra
op("mm", "MmBackward0", lambda a, b: _mm(a, b),
   lambda g, y, a, b: _mm(g, b.T),
   lambda g, y, a, b: _mm(a.T, g))
def _mv(a, v):
    """torch.mv: in float32 with a's rows contiguous, MKL's single-column order."""
    if type(a) is np.ndarray and type(v) is np.ndarray and a.ndim == 2 and v.ndim == 1 and \
            a.dtype == np.float32 and v.dtype == np.float32 and a.shape[1] > 1 and \
            a.flags.c_contiguous:
        return _column_f32(a, v, _byte_offset(v))
    return np.matmul(a, v)


op("mv", "MvBackward0", _mv,
   lambda g, y, a, b: np.outer(g, b),
   lambda g, y, a, b: a.T @ g)
op("dot", "DotBackward0", np.dot,
   lambda g, y, a, b: g * b,
   lambda g, y, a, b: g * a)
op("bmm", "BmmBackward0", np.matmul,
   lambda g, y, a, b: g @ np.swapaxes(b, -1, -2),
   lambda g, y, a, b: np.swapaxes(a, -1, -2) @ g)
def _addmm(c, a, b):
    """c + a @ b; the bias starts the sum where the product adds blocks in order."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim == 2 and \
            type(c) is np.ndarray and c.dtype == a.dtype and _blocked_regime(a, b):
        return _blocked_with_split(a, b, c)
    return c + _mm(a, b)


def _blocked_with_split(a, b, c=None):
    """The blocked kernel, its last rows narrow where MKL's threads split the rows."""
    g = _split_rows(a.shape[0], b.shape[1], a.shape[1])
    if g == a.shape[0]:
        return _blocked_fma_f32(a, b, c)
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.float32)
    out[:g] = _blocked_fma_f32(a[:g], b, None if c is None else c)
    tail = a[g:]
    if _rows_dot_rows(a, b):  # x @ w.t(): the narrow vector loops
        t = _dots_f32(tail, b.T)
    else:  # the other layouts: products in k order
        t = np.add.accumulate(tail[:, :, None] * b[None, :, :], axis=1)[:, -1] + 0.0
    out[g:] = t if c is None else c + t
    return out


op("addmm", "AddmmBackward0", _addmm,
   lambda g, y, c, a, b: g,
   lambda g, y, c, a, b: _mm(g, b.T),
   lambda g, y, c, a, b: _mm(a.T, g))
op("det", "LinalgDetBackward0", np.linalg.det, lambda g, y, a: _det_grad(g, y, a))


def _det_grad(g, y, a):
    """g * det(A) * A^-T; for a singular matrix (det 0) PyTorch's gradient is zero, for
    one with a non-finite entry NaN (its solve fails)."""
    if not np.all(np.isfinite(a)):
        return np.full(np.shape(a), np.nan)
    if np.all(y != 0):
        try:
            return np.asarray(g * y)[..., None, None] * np.linalg.inv(a).swapaxes(-1, -2)
        except np.linalg.LinAlgError:
            pass
    return np.zeros_like(a) * np.asarray(g)[..., None, None]
op("inverse", "LinalgInvExBackward0", np.linalg.inv,
   lambda g, y, a: -(y.swapaxes(-1, -2) @ g @ y.swapaxes(-1, -2)))

# ============================================================================= movement
op("t", "TBackward0", lambda x: x.T, lambda g, y, x: g.T)
op("permute", "PermuteBackward0", lambda x, dims: np.transpose(x, dims),
   lambda g, y, x, dims: np.transpose(g, np.argsort(dims)))
op("transpose", "TransposeBackward0", lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
   lambda g, y, x, dim0, dim1: np.swapaxes(g, dim0, dim1))
# a float32 nn.LSTM layer's output, as PyTorch's oneDNN layer labels it
op("mkldnn_rnn_layer", "MkldnnRnnLayerBackward0", lambda x: x.copy(), lambda g, y, x: g)
# transpose_ on a tensor the program cannot see yet (nn.RNN's batch-first output)
op("transpose_fresh", "TransposeBackward1", lambda x, dim0, dim1: np.swapaxes(x, dim0, dim1),
   lambda g, y, x, dim0, dim1: np.swapaxes(g, dim0, dim1))
op("view", "ViewBackward0", lambda x, shape: np.reshape(x, shape),
   lambda g, y, x, shape: np.reshape(g, x.shape))
op("reshape_alias", "ReshapeAliasBackward0", lambda x, shape: np.reshape(x, shape),
   lambda g, y, x, shape: np.reshape(g, x.shape))
op("unsafe_view", "UnsafeViewBackward0", lambda x, shape: np.reshape(x, shape),
   lambda g, y, x, shape: np.reshape(g, x.shape))
op("unsqueeze", "UnsqueezeBackward0", lambda x, dim: np.expand_dims(x, dim),
   lambda g, y, x, dim: np.squeeze(g, dim))
op("squeeze", "SqueezeBackward0", lambda x: np.squeeze(x),
   lambda g, y, x: np.reshape(g, x.shape))
op("squeeze_dim", "SqueezeBackward1", lambda x, dim: np.squeeze(x, dim) if x.shape[dim] == 1 else x,
   lambda g, y, x, dim: np.reshape(g, x.shape))
op("squeeze_tuple", "SqueezeBackward2", lambda x, dims: np.squeeze(x, dims),
   lambda g, y, x, dims: np.reshape(g, x.shape))
op("squeeze_dims", "SqueezeBackward4", lambda x, dims: np.squeeze(x, dims),
   lambda g, y, x, dims: np.reshape(g, x.shape))
op("expand", "ExpandBackward0", lambda x, shape: np.broadcast_to(x, shape),
   lambda g, y, x, shape: g)  # the engine sums g back to x's shape
op("repeat", "RepeatBackward0", lambda x, repeats: np.tile(x, repeats),
   lambda g, y, x, repeats: _repeat_grad(g, x.shape, repeats))
op("select", "SelectBackward0", lambda x, dim, index: x[(slice(None),) * dim + (index,)],
   lambda g, y, x, dim, index: _scatter(g, x.shape, dim, index))
op("slice", "SliceBackward0",
   lambda x, dim, start, stop, step: x[(slice(None),) * dim + (slice(start, stop, step),)],
   lambda g, y, x, dim, start, stop, step: _scatter(g, x.shape, dim, slice(start, stop, step)))


op("index", "IndexBackward0", lambda x, index: x[index],
   lambda g, y, x, index: _index_add(g, x.shape, index))

# ------------------------------------------------- what lesson programs do to tensors
# Iterating a tensor unbinds it; each element is one output of PyTorch's UnbindBackward0.
op("unbind", "UnbindBackward0", lambda x, dim, index: np.take(x, index, axis=dim),
   lambda g, y, x, dim, index: _scatter(g, x.shape, dim, index))
# `x[index] = v` on a tensor in a graph: the tensor's new grad_fn is CopySlices.
op("index_put", "CopySlices", lambda x, v, index: _put(x, v, index),
   lambda g, y, x, v, index: _put(g, 0, index),
   lambda g, y, x, v, index: g[index])
# `x.copy_(src)`: the old value gets no gradient, src gets all of it.
op("copy_from", "CopyBackwards", lambda x, src: np.broadcast_to(src, np.shape(x)).astype(
    np.result_type(x)), _none, lambda g, y, x, src: g)
# `x.zero_()` / `x.fill_(v)` on a tensor in a graph: the old value gets no gradient.
op("zero_inplace", "ZeroBackward0", lambda x, value: np.broadcast_to(value, np.shape(x)),
   lambda g, y, x, value: np.zeros_like(g))
op("fill_inplace", "FillBackward2", lambda x, value: np.broadcast_to(value, np.shape(x)),
   lambda g, y, x, value: np.zeros_like(g))
# `.double()`, `.float()`, `.to(dtype)`: a real conversion; the gradient converts back.
op("to_copy", "ToCopyBackward0", lambda x, dtype: np.asarray(x).astype(dtype),
   lambda g, y, x, dtype: np.asarray(g).astype(np.result_type(x)))


def _index_add(g, shape, index):
    """Advanced indexing's backward: gradients of repeated indices add up."""
    out = np.zeros(shape, dtype=np.result_type(g, np.float32))
    np.add.at(out, index, g)
    return out


# The backward of select and slice as ops of their own, so that a gradient graph (for
# second derivatives) can record them; their own backward selects or slices again.
op("select_backward", "SelectBackwardBackward0",
   lambda g, shape, dim, index: _scatter(g, shape, dim, index),
   lambda gg, y, g, shape, dim, index: np.take(gg, index, axis=dim))
op("slice_backward", "SliceBackwardBackward0",
   lambda g, shape, dim, start, stop, step: _scatter(g, shape, dim, slice(start, stop, step)),
   lambda gg, y, g, shape, dim, start, stop, step:
       gg[(slice(None),) * dim + (slice(start, stop, step),)])
# The backward of max/min over a dim: the gradient scattered to the first extreme element
# (PyTorch records ScatterBackward0); its own backward gathers from there again.
op("scatter_first", "ScatterBackward0",
   lambda g, shape, dim, keepdim, index: _select_first(g, index, shape, dim, keepdim),
   lambda gg, y, g, shape, dim, keepdim, index: _gather_first(gg, index, dim, keepdim))
# Ops that only appear in gradient graphs, never in a program's own graph.
GRADIENT_ONLY = {"select_backward", "slice_backward", "scatter_first"}


def _gather_first(gg, index, dim, keepdim):
    picked = np.take_along_axis(gg, np.expand_dims(index, dim), axis=dim)
    return picked if keepdim else np.squeeze(picked, dim)


op("flip", "FlipBackward0", lambda x, dims: np.flip(x, dims).copy(), lambda g, y, x, dims: np.flip(g, dims))
op("roll", "RollBackward0", lambda x, shifts, dims: np.roll(x, shifts, dims),
   lambda g, y, x, shifts, dims: np.roll(g, tuple(-k for k in shifts) if dims is not None
                                         else -shifts, dims))
op("tril", "TrilBackward0", lambda x, diagonal=0: np.tril(x, diagonal),
   lambda g, y, x, diagonal=0: np.tril(g, diagonal))
op("triu", "TriuBackward0", lambda x, diagonal=0: np.triu(x, diagonal),
   lambda g, y, x, diagonal=0: np.triu(g, diagonal))
op("diag_embed", "DiagEmbedBackward0", lambda x, offset=0: np.diag(x, offset),
   lambda g, y, x, offset=0: np.diagonal(g, offset).copy())
op("diagonal", "DiagonalBackward0", lambda x, offset=0: np.diagonal(x, offset).copy(),
   lambda g, y, x, offset=0: _diagonal_back(g, x.shape, offset))
# torch.diag of a matrix copies its diagonal, and PyTorch names that node differently.
op("diagonal_copy", "DiagonalBackward0_copy", lambda x, offset=0: np.diagonal(x, offset).copy(),
   lambda g, y, x, offset=0: _diagonal_back(g, x.shape, offset))


def _diagonal_back(g, shape, offset):
    out = np.zeros(shape, dtype=g.dtype)
    n = len(g)
    rows = np.arange(n) + max(-offset, 0)
    cols = np.arange(n) + max(offset, 0)
    out[rows, cols] = g
    return out


_TORCHSUM = None
def _sum(x, axis=None, keepdims=False, mean=False):
    """Sums and means in PyTorch's order (gradcli.torchsum: bit for bit for float32 and
    float64 up to two dims), so printed losses agree to the last digit; NumPy's otherwise."""
    global _TORCHSUM
    if type(x) is np.ndarray and x.dtype.kind == "f" and x.dtype.itemsize in (4, 8) \
            and x.ndim <= 2 and x.size:
        if _TORCHSUM is None:
            from . import torchsum as _TORCHSUM_MODULE
            _TORCHSUM = _TORCHSUM_MODULE
        if axis is None and not keepdims and x.size <= _TORCHSUM.SMALL_SUM:  # the common case
            total = _TORCHSUM.small_sum(x.reshape(-1))
            return np.asarray(total / x.dtype.type(x.size) if mean else total)
        if type(axis) is tuple and len(axis) == 1:
            axis = axis[0]
        if x.ndim == 2 and type(axis) is int and -2 <= axis < 2 and x.shape[axis] < 4:
            # fewer than 4 values along the dim: PyTorch adds them left to right, from 0
            # (tests/test_torchsum.py checks this against the general path)
            r = x.shape[axis]
            total = np.add.accumulate(x, axis=axis).take(-1, axis=axis) + x.dtype.type(0)
            if mean:
                total = total / x.dtype.type(r)
            return np.expand_dims(total, axis) if keepdims else total
        try:
            f = _TORCHSUM.torch_mean if mean else _TORCHSUM.torch_sum
            return f(np.ascontiguousarray(x), axis, keepdims)
        except (NotImplementedError, TypeError, ValueError):
            pass
    f = np.mean if mean else np.sum
    return f(x, axis=axis, keepdims=keepdims)


def _sequential_gemm(a, b) -> bool:
    m, n = a.shape[0], b.shape[1]
    if m * n * a.shape[1] > 4_000_000:
        return False
    transposed = a.flags.f_contiguous and not a.flags.c_contiguous and b.flags.c_contiguous
    if a.dtype == np.float32:
        return (transposed and (min(m, n) <= 3 or max(m, n) <= 8)) or \
            (m == 1 and a.flags.c_contiguous and b.flags.c_contiguous)
    return (transposed or (a.flags.c_contiguous and b.flags.c_contiguous)) and m == 1 or \
        (transposed and n == 1)


def _repeat_grad(g, shape, repeats):
    """The gradient of x.repeat(*repeats): every copy's gradient, summed back."""
    padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    split = [d for r, s in zip(repeats, padded) for d in (r, s)]
    summed = np.asarray(g).reshape(split).sum(axis=tuple(range(0, 2 * len(repeats), 2)))
    return summed.reshape(shape)


def _pow_scalar(x, p):
    """x ** p for a number p as PyTorch's CPU kernel computes it: 0.5 and -0.5 as sqrt and
    rsqrt, 3 as x*x*x and -2 as 1/(x*x) (NumPy already takes 2 and -1 the same way),
    otherwise pow (in float32 SLEEF's, as PyTorch's vectorised loop)."""
    if isinstance(x, (np.ndarray, np.generic)) and not isinstance(p, bool):
        if p in (0.5, -0.5):  # sqrt (MKL's in float32) and rsqrt (NaN at -inf)
            with np.errstate(invalid="ignore", divide="ignore"):
                return _sqrt(x) if p == 0.5 else 1 / np.sqrt(x)
        if type(x) is np.ndarray and x.dtype.kind == "f":
            if p == 3:
                return x * x * x
            if p == -2:
                return 1 / (x * x)
            if x.dtype == np.float32 and p not in (0, 1, 2, -1) and np.isfinite(p):
                return sleef.pow_scalar_f32(x, p)  # SLEEF's powf, glibc's in the tail
    return x ** p


def _column_f32(a, w, w_at: int = 0):
    """a @ w for a float32 matrix a with contiguous rows and one column w (K,), each output
    summed in the order of PyTorch's BLAS (MKL's single-column kernel on AVX-512, found by
    reading the summation trees of PyTorch 2.13's results and checked bit for bit on random
    matrices up to 1000 x 784, one or two threads). Products and sums round one at a time
    (no fused multiply-add):
    - rows in groups of four: the first ((K-1) mod 4) + 1 products added in order, then
      four interleaved partial sums (the first starting from that head), combined as
      (s0 + s2) + (s1 + s3);
    - each of the last M mod 4 rows: the products up to w's next 16-byte boundary (four
      when w starts on one; `w_at` is w's byte offset in its memory) in order, then 8
      interleaved partial sums (the second such row: 4, over an even number of rounds),
      combined pairwise (s_j + s_{j+half}) down to one, then the remaining products in
      order; with no full round, every product in order."""
    m, k = a.shape
    p = a * w  # every product, rounded
    out = np.empty(m, dtype=np.float32)
    g = m - m % 4
    if g:
        h = (k - 1) % 4 + 1
        q = p[:g, h:].reshape(g, -1, 4)
        head = np.add.accumulate(p[:g, :h], axis=1)[:, -1]  # left to right
        lanes = [np.add.accumulate(np.concatenate([head[:, None], q[:, :, 0]], axis=1),
                                   axis=1)[:, -1]]
        lanes += [np.add.accumulate(q[:, :, j], axis=1)[:, -1] if q.shape[1] else
                  np.zeros(g, np.float32) for j in (1, 2, 3)]
        out[:g] = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
    for r, i in enumerate(range(g, m)):
        width, unroll = (4, 2) if r == 1 else (8, 1)
        row = p[i]
        head = min(4 - (w_at // 4) % 4, k)
        rounds = (k - head) // width
        rounds -= rounds % unroll
        if not rounds:
            out[i] = np.add.accumulate(row)[-1]
            continue
        acc = np.add.accumulate(row[:head])[-1]
        q = row[head:head + rounds * width].reshape(rounds, width)
        lanes = [np.add.accumulate(np.concatenate([[acc], q[:, 0]]))[-1]]
        lanes += [np.add.accumulate(q[:, j])[-1] for j in range(1, width)]
        while len(lanes) > 1:
            half = len(lanes) // 2
            lanes = [lanes[j] + lanes[j + half] for j in range(half)]
        out[i] = np.add.accumulate(np.concatenate([[lanes[0]],
                                                   row[head + rounds * width:]]))[-1]
    return out


def _blocked_fma_f32(a, b, c=None):
    """a @ b in float32 as MKL's kernel for at least 4 rows and 12 columns adds it (found
    from PyTorch 2.13's summation trees, checked bit for bit from 4x12 to 1000x1000 and
    on every operand layout, one thread): each output is a chain of fused multiply-adds
    over a block of the inner dimension -- all of K up to 192, two halves up to 384, else
    blocks of 192 and the rest -- and the blocks' sums are added in order (after the bias,
    for addmm)."""
    from .sleef import _fma

    m, k = a.shape
    kc = k if k <= 192 else (k // 2 if k <= 384 else 192)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    total = None if c is None else np.broadcast_to(c, (m, b.shape[1]))
    for lo in range(0, k, kc):
        acc = np.zeros((m, b.shape[1]), dtype=np.float32)
        for i in range(lo, min(lo + kc, k)):
            acc = _fma(a64[:, i:i + 1], b64[i:i + 1, :], acc)
        total = acc if total is None else total + acc
    return total


# The fused chains are computed one inner step at a time, about 5 ns per output and step
# plus 10 us per step: a product of more work than PRODUCT_WORK (k * (m * n + 2000); 64 x
# 1000 @ 1000 x 100 is 8.4 million, about 40 ms) is left to NumPy's BLAS, whose last bits
# may differ, and so is every product once a run has spent RUN_WORK (about 2.5 s) on
# them; FMA_WORK_LEFT counts down (gradcli.evaluate starts each run with a full budget).
PRODUCT_WORK = 20_000_000
RUN_WORK = 500_000_000
FMA_WORK_LEFT = RUN_WORK


def _blocked_regime(a, b) -> bool:
    global FMA_WORK_LEFT
    m, k = a.shape
    n = b.shape[1]
    if not (a.dtype == np.float32 and b.dtype == np.float32 and m >= 4 and n >= 12):
        return False
    work = k * (m * n + 2000)
    if work > PRODUCT_WORK or work > FMA_WORK_LEFT:
        return False
    FMA_WORK_LEFT -= work
    return True


def _mkl_threads() -> int:
    """How many threads PyTorch's MKL runs products on: PyTorch's default, the cores this
    process may use (GRADCLI_TORCH_THREADS overrides, e.g. 1 for torch.set_num_threads(1))."""
    import os

    v = os.environ.get("GRADCLI_TORCH_THREADS")
    if v and v.isdigit() and int(v) > 0:
        return int(v)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


MKL_THREADS = _mkl_threads()


def _split_rows(m: int, n: int, k: int) -> int:
    """With several threads MKL splits a product of 5 to 11 rows (not a multiple of 4, inner
    dimension at least 5, and more than 16 columns or inner steps) so that its last m mod 4
    rows take the narrow kernel: how many rows stay with the blocked one (m if none)."""
    if MKL_THREADS >= 2 and m in (5, 6, 7, 9, 10, 11) and k >= 5 and (n > 16 or k > 16):
        return m - m % 4
    return m


def _lanes_sum(p, head, width):
    """Sum over axis 1 of products p (rows, K, cols) as a vector loop adds them: the first
    `head` in order, then `width` interleaved partial sums over whole vectors (the first
    starting from the head's sum), combined pairwise, then the rest in order."""
    k = p.shape[1]
    acc = np.add.accumulate(p[:, :head], axis=1)[:, -1] if head else \
        np.zeros((p.shape[0], p.shape[2]), dtype=np.float32)
    rounds = (k - head) // width
    if not rounds:
        rest = p[:, head:]
    else:
        q = p[:, head:head + rounds * width].reshape(p.shape[0], rounds, width, p.shape[2])
        lanes = [np.add.accumulate(q[:, :, j], axis=1)[:, -1] for j in range(width)]
        if head:
            lanes[0] = np.add.accumulate(np.concatenate([acc[:, None], q[:, :, 0]], axis=1),
                                         axis=1)[:, -1]
        while len(lanes) > 1:
            half = len(lanes) // 2
            lanes = [lanes[j] + lanes[j + half] for j in range(half)]
        acc = lanes[0]
        rest = p[:, head + rounds * width:]
    if rest.shape[1]:
        acc = np.add.accumulate(np.concatenate([acc[:, None], rest], axis=1), axis=1)[:, -1]
    return acc


def _byte_offset(a) -> int:
    """Where a's data starts in its memory block (a tensor's storage starts 64-byte
    aligned in PyTorch; a view's rows start where they lie in it)."""
    base = a
    while isinstance(base.base, np.ndarray):
        base = base.base
    return a.__array_interface__["data"][0] - base.__array_interface__["data"][0]


def _dots_f32(a, w):
    """a @ w.T for float32 a (M, K) and w (N, K), both with contiguous rows, in MKL's
    order for a narrow product (fewer than 4 rows or 12 columns; measured bit for bit):
    each output is a vector loop over K along a's row -- products and sums rounded one at
    a time -- with a head up to the row's next 16-byte boundary, 4 lanes for the columns
    in whole groups of four and 8 for the last N mod 4 columns."""
    m, k = a.shape
    n = w.shape[0]
    out = np.empty((m, n), dtype=np.float32)
    start = _byte_offset(a)
    heads = ((16 - (start + np.arange(m) * a.strides[0]) % 16) % 16) // 4
    grouped = n - n % 4
    for h in np.unique(heads):
        rows = np.nonzero(heads == h)[0]
        p = a[rows][:, :, None] * w.T[None, :, :]
        hk = int(min(h, k))
        if grouped:
            out[np.ix_(rows, np.arange(grouped))] = _lanes_sum(p[:, :, :grouped], hk, 4)
        if grouped < n:
            out[np.ix_(rows, np.arange(grouped, n))] = _lanes_sum(p[:, :, grouped:], hk, 8)
    return out


def _rows_dot_rows(a, b) -> bool:
    """a @ b where b is the transpose of a matrix with contiguous rows (x @ w.t(), as
    F.linear makes it) and a's rows are contiguous, in float32."""
    return (a.dtype == np.float32 and b.dtype == np.float32 and b.shape[1] > 1
            and a.flags.c_contiguous and b.T.flags.c_contiguous
            and a.shape[0] * a.shape[1] * b.shape[1] <= 1 << 24)


def _one_column(a, b) -> bool:
    """Whether a @ b runs MKL's single-column kernel: float32, a's rows contiguous, b one
    column of more than 3 rows -- except a single row times a contiguous column, which
    PyTorch sums left to right."""
    return (b.shape[1] == 1 and a.dtype == np.float32 and b.dtype == np.float32
            and a.shape[1] > 3 and a.flags.c_contiguous
            and not (a.shape[0] == 1 and b.strides[1] == b.itemsize))


def _mm(a, b):
    """a @ b for 2-D a and b, rounded as PyTorch's CPU matrix product rounds it where its
    order is known: an inner dimension of 1 is an outer product (signed zeros kept); of 2 or
    3 the products are summed left to right, rounding each step, for narrow results and
    (in float32) with a fused multiply-add per step for wide ones; a float32 product with
    one column as MKL's kernel sums it (_column_f32)."""
    if type(a) is not np.ndarray or type(b) is not np.ndarray or a.ndim != 2 or b.ndim != 2:
        return a @ b
    k = a.shape[1]
    if k == 1:
        return a * b
    if a.dtype != b.dtype or a.dtype.kind != "f":
        return a @ b
    if _one_column(a, b):
        return _column_f32(a, b[:, 0], _byte_offset(b))[:, None]
    if _blocked_regime(a, b):
        return _blocked_with_split(a, b)
    if _rows_dot_rows(a, b) and not (a.shape[0] >= 4 and b.shape[1] >= 12):
        if a.shape[0] == 1:  # one row: MKL's single-column kernel over w's rows
            return _column_f32(np.ascontiguousarray(b.T), a[0], _byte_offset(a))[None, :]
        return _dots_f32(a, b.T)
    if k > 3:
        if a.dtype == np.float32 and not (a.shape[0] >= 4 and b.shape[1] >= 12) and \
                a.shape[0] * k * b.shape[1] <= 1 << 24:
            # MKL's narrow kernels for the other layouts (x @ w, a weight's gradient) add
            # each output's products in k order, rounding each step (measured: 97% of
            # outputs bit for bit; the rest take partial sums of four)
            return np.add.accumulate(a[:, :, None] * b[None, :, :], axis=1)[:, -1] + 0.0
        if _sequential_gemm(a, b):
            # one product per step, added in k order: the order PyTorch's BLAS takes for a
            # transposed left operand with a narrow result (a weight's gradient)
            # (+ 0.0: a sum that starts from zero has no negative zeros, as BLAS's)
            return np.cumsum(a.T[:, :, None] * b[:, None, :], axis=0)[-1] + 0.0
        return a @ b
    n, m = a.shape[0], b.shape[1]
    dt = a.dtype
    if m <= 8 or n <= 3:  # every product at once, then added left to right
        p = a[:, :, None] * b[None, :, :]
        c = p[:, 0] + p[:, 1]
        if k == 3:
            c = c + p[:, 2]
        return c + 0.0
    c = a[:, 0:1] * b[0:1, :]
    if dt == np.float32 and m >= 16:
        from .torchrandom import _fma32

        for i in range(1, k):
            c = _fma32(np.broadcast_to(a[:, i:i + 1], c.shape),
                       np.broadcast_to(b[i:i + 1, :], c.shape), c)
        return c
    return a @ b


def _put(x, v, index):
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _scatter(g, shape, dim, index):
    out = np.zeros(shape, dtype=g.dtype)
    out[(slice(None),) * dim + (index,)] = g
    return out


class _Piece:
    """The VJP of argument `i` of stack/cat: its part of the upstream gradient."""

    def __init__(self, kind: str, i: int):
        self.kind, self.i = kind, i

    def __call__(self, g, y, *xs, dim=0):
        if self.kind == "stack":
            return np.take(g, self.i, axis=dim)
        start = sum(x.shape[dim] for x in xs[: self.i])
        return np.take(g, range(start, start + xs[self.i].shape[dim]), axis=dim)


class _Pieces:
    """As many per-argument VJPs as stack/cat is given arguments."""

    def __init__(self, kind: str):
        self.kind = kind

    def __getitem__(self, i: int) -> _Piece:
        return _Piece(self.kind, i)


REGISTRY["stack"] = Op("stack", "StackBackward0", lambda *xs, dim=0: np.stack(xs, axis=dim),
                       _Pieces("stack"))  # type: ignore[arg-type]
REGISTRY["cat"] = Op("cat", "CatBackward0", lambda *xs, dim=0: np.concatenate(xs, axis=dim),
                     _Pieces("cat"))  # type: ignore[arg-type]

# ================================================================================ losses
op("mse_loss", "MseLossBackward0", lambda a, b, reduction="mean": _reduce((a - b) ** 2, reduction),
   lambda g, y, a, b, reduction="mean": _mse_grad(g, a, b, reduction),
   lambda g, y, a, b, reduction="mean": -_mse_grad(g, a, b, reduction))
op("binary_cross_entropy", "BinaryCrossEntropyBackward0",
   lambda p, t, weight=None, reduction="mean": _reduce(_weighted(_bce(p, t), weight),
                                                       reduction),
   lambda g, y, p, t, weight=None, reduction="mean": _per_element(_weighted(
       np.broadcast_to(g, p.shape) * (p - t) / np.maximum((1 - p) * p, BCE_EPSILON),
       weight), reduction),
   lambda g, y, p, t, weight=None, reduction="mean": _per_element(_weighted(
       np.broadcast_to(g, p.shape) * _bce_target_grad(p), weight), reduction))
# PyTorch's BCE backward clamps (1 - p) p at EPSILON = 1e-12 as a float (float32)
BCE_EPSILON = float(np.float32(1e-12))


def _bce(p, t):
    """(t - 1) max(log1p(-p), -100) - t max(log(p), -100), element by element as
    PyTorch's scalar kernel computes it: in float32 with glibc's log1pf and logf."""
    if p.dtype == np.float32 and np.result_type(p, t) == np.float32:
        t = np.asarray(t, dtype=np.float32)
        lo = np.float32(-100)
        return (t - np.float32(1)) * np.maximum(sleef.log1pf_glibc(-p), lo) \
            - t * np.maximum(sleef.logf_glibc(p), lo)
    if p.dtype == np.float64 and p.size <= 100_000:  # glibc's log and log1p (Python's math)
        with np.errstate(all="ignore"):
            lp = np.array([_math_log(v) for v in p.reshape(-1).tolist()]).reshape(p.shape)
            l1 = np.array([_math_log1p(-v) for v in p.reshape(-1).tolist()]).reshape(p.shape)
        return (t - 1) * np.maximum(l1, -100) - t * np.maximum(lp, -100)
    return (t - 1) * np.maximum(log1p(-p), -100) - t * np.maximum(log(p), -100)


def _math_log(v: float) -> float:
    if v > 0 or v != v:
        return math.log(v)
    return -math.inf if v == 0 else math.nan


def _math_log1p(v: float) -> float:
    if v > -1 or v != v:
        return math.log1p(v)
    return -math.inf if v == -1 else math.nan


def _bce_target_grad(p):
    """log(1 - p) - log(p) unclamped, as PyTorch: inf at p = 0, -inf at p = 1."""
    with np.errstate(divide="ignore"):
        return np.log1p(-p) - np.log(p)
op("nll_loss", "NllLossBackward0", lambda lp, labels, reduction="mean": _nll(lp, labels, reduction),
   lambda g, y, lp, labels, reduction="mean": _nll_grad(g, lp, labels, reduction), _none)


# (1 - t) x - logsigmoid(x), as PyTorch computes it (infinite where x is)
op("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
   lambda x, t, reduction="mean", weight=None, pos_weight=None: _reduce(_weighted(
       _bce_logits_loss(x, t, pos_weight), weight), reduction),
   lambda g, y, x, t, reduction="mean", weight=None, pos_weight=None: _per_element(
       _weighted(_bce_logits_grad(x, t, pos_weight), weight) * np.broadcast_to(g, x.shape),
       reduction),
   lambda g, y, x, t, reduction="mean", weight=None, pos_weight=None: _per_element(
       _weighted(-x if pos_weight is None else
                 _logsigmoid(-x) - _logsigmoid(x) * pos_weight, weight)
       * np.broadcast_to(g, x.shape), reduction))


def _bce_logits_loss(x, t, pos_weight):
    """(1 - t) * x - log_sigmoid(x) [* ...], as PyTorch runs it: in place on (1 - t), so
    each step is rounded to the target's dtype."""
    dt = np.result_type(t)
    first = ((1 - t) * x).astype(dt)
    return (first - _log_weighted(_logsigmoid(x), t, pos_weight)).astype(dt)


def _logsigmoid(x):
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def _log_weighted(lsx, t, pos_weight):
    """log_sigmoid(x) * ((pos_weight - 1) * t + 1), PyTorch's weighting of the positives."""
    return lsx if pos_weight is None else lsx * ((pos_weight - 1) * t + 1)


def _bce_logits_grad(x, t, pos_weight):
    if pos_weight is None:
        return sigmoid(x) - t
    pt = pos_weight * t
    return (pt + 1 - t) * sigmoid(x) - pt


def _reduce(v, reduction):
    """A loss's reduction: PyTorch's mean or sum (in its summation order), or none."""
    if reduction == "mean":
        return _sum(v, mean=True)
    if reduction == "sum":
        return _sum(v)
    return v


def _weighted(v, weight):
    return v if weight is None else v * weight


def _per_element(grad, reduction):
    """A loss's input gradient, element by element, divided by N for a mean afterwards (the
    order PyTorch's backward kernels round in)."""
    return grad / grad.dtype.type(grad.size) if reduction == "mean" else grad


def _mse_grad(g, a, b, reduction):
    """PyTorch's mse_loss_backward: norm * (a - b) * grad, norm = 2/N for a mean, else 2."""
    d = a - b
    norm = d.dtype.type(2.0 / d.size if reduction == "mean" else 2.0)
    return norm * d * np.broadcast_to(g, d.shape)


def _unreduce(g, like, reduction):
    if reduction == "mean":
        return np.broadcast_to(g / like.size, like.shape)
    return np.broadcast_to(g, like.shape)


def _nll(lp, labels, reduction):
    idx = labels.astype(np.int64)
    picked = -np.take_along_axis(lp.reshape(-1, lp.shape[-1]) if lp.ndim > 1 else lp[None],
                                 idx.reshape(-1, 1), axis=1)[:, 0]
    if reduction == "none":
        return picked[0] if lp.ndim == 1 else picked
    total = _cascade_sum(picked)
    return total / lp.dtype.type(len(picked)) if reduction == "mean" else total


def _cascade_sum(v):
    """nll_loss's sum of its batch (LossNLL.cpp): an 8-level cascade of running sums, each
    level adding 16 items of the level below before passing its sum up; element 0 goes
    straight to the top level, and the levels are added bottom to top at the end."""
    dt = v.dtype.type
    items, top = v[1:], v[0]
    levels = []
    for _ in range(7):
        k = len(items) // 16
        rest = items[16 * k:]
        levels.append(np.cumsum(rest)[-1] if len(rest) else dt(0))
        items = np.cumsum(items[:16 * k].reshape(k, 16), axis=1)[:, -1] if k else items[:0]
    for x in items:
        top = top + x
    out = dt(0)
    for p in (*levels, top):
        out = out + p
    return np.asarray(out)


def _nll_grad(g, lp, labels, reduction):
    idx = labels.astype(np.int64).reshape(-1)
    rows = lp.reshape(-1, lp.shape[-1]) if lp.ndim > 1 else lp[None]
    out = np.zeros_like(rows)
    scale = np.broadcast_to(np.asarray(g, dtype=rows.dtype).reshape(-1), (len(idx),))
    if reduction == "mean":
        scale = scale / len(idx)
    out[np.arange(len(idx)), idx] = -scale
    return out.reshape(lp.shape)


# ------------------------------------------------ selection, masking, sorting, splitting
# Ops lessons reach for beyond arithmetic. Index-like arguments (indices, masks) are
# parameters or non-differentiable tensor arguments, as in PyTorch. A gradient computed in
# a broadcast shape is summed back to the argument's shape by the engine.


def _put_along(g, shape, dim, index):
    """The VJP of gathering `index` along `dim`: g added back at the gathered places."""
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, _along(index, dim), g)
    return out


def _along(index, dim):
    """Fancy index equivalent to np.take_along_axis(., index, dim)."""
    idx = np.indices(index.shape, sparse=True)
    return tuple(index if d == dim else idx[d] for d in range(index.ndim))


def _index_select_grad(g, shape, dim, index):
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, (slice(None),) * dim + (index,), g)
    return out


op("gather", "GatherBackward0",
   lifted(lambda x, dim, index: np.take_along_axis(x, index, axis=dim)),
   lifted(lambda g, y, x, dim, index: _put_along(g, x.shape, dim, index)))
op("index_select", "IndexSelectBackward0",
   lifted(lambda x, dim, index: np.take(x, index, axis=dim)),
   lifted(lambda g, y, x, dim, index: _index_select_grad(g, x.shape, dim, index)))
# sort/topk: the values output; the indices come as a parameter (an int64 constant)
op("sort", "SortBackward0", lifted(lambda x, dim, indices: np.take_along_axis(x, indices, dim)),
   lifted(lambda g, y, x, dim, indices: _put_along(g, x.shape, dim, indices)))
op("topk", "TopkBackward0", lifted(lambda x, dim, indices: np.take_along_axis(x, indices, dim)),
   lifted(lambda g, y, x, dim, indices: _put_along(g, x.shape, dim, indices)))
op("masked_fill", "MaskedFillBackward0",
   lambda x, mask, value: np.where(mask, np.asarray(value, dtype=x.dtype), x),
   lambda g, y, x, mask, value: np.where(mask, 0, g))
op("masked_fill_tensor", "MaskedFillBackward1",
   lambda x, value, mask: np.where(mask, value.astype(x.dtype), x),
   lambda g, y, x, value, mask: np.where(mask, 0, g),
   lambda g, y, x, value, mask: np.asarray(np.sum(np.where(mask, g, 0))))
op("masked_select", "MaskedSelectBackward0",
   lambda x, mask: np.broadcast_to(x, np.broadcast_shapes(x.shape, mask.shape))[
       np.broadcast_to(mask, np.broadcast_shapes(x.shape, mask.shape))],
   lambda g, y, x, mask: _masked_select_grad(g, x, mask))


def _masked_select_grad(g, x, mask):
    shape = np.broadcast_shapes(x.shape, mask.shape)
    full = np.zeros(shape, dtype=g.dtype)
    full[np.broadcast_to(mask, shape)] = g
    return full


def _cumprod_grad(g, y, x, dim):
    """PyTorch's cumprod_backward: with no zero in x, sum_{k>=i} g_k y_k / x_i; with
    zeros, products of the elements between (computed directly)."""
    if not np.any(x == 0):
        rev = np.flip(np.cumsum(np.flip(g * y, dim), axis=dim), dim)
        return rev / x
    xm = np.moveaxis(x, dim, -1)
    gm = np.moveaxis(g, dim, -1)
    out = np.zeros_like(xm)
    n = xm.shape[-1]
    for i in range(n):
        for k in range(i, n):
            others = np.concatenate([xm[..., :i], xm[..., i + 1:k + 1]], axis=-1)
            out[..., i] += gm[..., k] * np.prod(others, axis=-1)
    return np.moveaxis(out, -1, dim)


op("cumprod", "CumprodBackward0", lifted(lambda x, dim: np.cumprod(x, axis=dim)),
   lifted(lambda g, y, x, dim: _cumprod_grad(g, y, x, dim)))


def _amax_grad(g, y, x, dim, keepdim, which):
    """amax/amin: the gradient shared evenly by the elements equal to the extreme."""
    yk = y if keepdim else np.expand_dims(y, dim)
    gk = g if keepdim else np.expand_dims(g, dim)
    hit = (x == yk)
    return np.where(hit, gk / np.sum(hit, axis=dim, keepdims=True), 0).astype(x.dtype)


op("amax", "AmaxBackward0",
   lambda x, dim, keepdim=False: np.max(x, axis=dim, keepdims=keepdim),
   lambda g, y, x, dim, keepdim=False: _amax_grad(g, y, x, dim, keepdim, "max"))
op("amin", "AminBackward0",
   lambda x, dim, keepdim=False: np.min(x, axis=dim, keepdims=keepdim),
   lambda g, y, x, dim, keepdim=False: _amax_grad(g, y, x, dim, keepdim, "min"))
# lerp(x, end, weight): x + weight * (end - x); a Python number weight is a parameter
op("lerp", "LerpBackward0",
   lambda x, end, weight: _lerp(x, end, weight),
   lambda g, y, x, end, weight: g * (1 - weight),
   lambda g, y, x, end, weight: g * weight)
op("lerp_tensor", "LerpBackward1",
   lambda x, end, weight: _lerp(x, end, weight),
   lambda g, y, x, end, weight: g * (1 - weight),
   lambda g, y, x, end, weight: g * weight,
   lambda g, y, x, end, weight: g * (end - x))


def _lerp(x, end, weight):
    """ATen's lerp: weight < 0.5 ? x + w (end - x) : end - (end - x)(1 - w), fused."""
    w = np.asarray(weight, dtype=np.result_type(x, end))
    d = end - x
    return np.where(np.abs(w) < 0.5, sleef.fma(w, d, x), sleef.fma(-d, 1 - w, end)).astype(
        np.result_type(x, end))


op("addcmul", "AddcmulBackward0",
   lambda x, t1, t2, value=1.0: x + value * t1 * t2,
   lambda g, y, x, t1, t2, value=1.0: g,
   lambda g, y, x, t1, t2, value=1.0: g * t2 * value,
   lambda g, y, x, t1, t2, value=1.0: g * t1 * value)
op("addcdiv", "AddcdivBackward0",
   lambda x, t1, t2, value=1.0: x + value * (t1 / t2),
   lambda g, y, x, t1, t2, value=1.0: g,
   lambda g, y, x, t1, t2, value=1.0: g * value / t2,
   lambda g, y, x, t1, t2, value=1.0: -g * value * t1 / (t2 * t2))
op("logaddexp", "LogaddexpBackward0",
   lambda a, b: np.logaddexp(a, b),
   lambda g, y, a, b: g / (1 + np.exp(b - a)),
   lambda g, y, a, b: g / (1 + np.exp(a - b)))
def _pick_along(x, dim, indices, keepdim):
    v = np.take_along_axis(np.atleast_1d(x), indices, dim)
    return v if keepdim else np.squeeze(v, axis=dim)


def _pick_along_grad(g, x, dim, indices, keepdim):
    g = g if keepdim else np.expand_dims(g, dim)
    return _put_along(np.asarray(g).reshape(indices.shape), np.atleast_1d(x).shape, dim,
                      indices).reshape(x.shape)


for _key, _name in (("kthvalue", "KthvalueBackward0"), ("median_dim", "MedianBackward1")):
    op(_key, _name, lambda x, dim, indices, keepdim: _pick_along(x, dim, indices, keepdim),
       lambda g, y, x, dim, indices, keepdim: _pick_along_grad(g, x, dim, indices, keepdim))
# median() of the whole tensor shares its gradient among the elements equal to it
op("median", "MedianBackward0", lambda x, index: np.asarray(x.reshape(-1)[index]),
   lambda g, y, x, index: _evenly(g, x, y))
op("take", "TakeBackward0", lambda x, index: x.reshape(-1)[index],
   lambda g, y, x, index: _index_add(g, (x.size,), index).reshape(x.shape).astype(x.dtype))
# deg2rad/rad2deg multiply by a double constant (rounded to the tensor's type)
op("deg2rad", "Deg2RadBackward0", lambda x: x * x.dtype.type(math.pi / 180.0),
   lambda g, y, x: g * x.dtype.type(math.pi / 180.0))
op("rad2deg", "Rad2DegBackward0", lambda x: x * x.dtype.type(180.0 / math.pi),
   lambda g, y, x: g * x.dtype.type(180.0 / math.pi))


def _round_decimals(x, decimals):
    """round(x, decimals=d): ATen scales by 10**|d| (a float of the tensor's type), rounds
    half to even, and scales back."""
    ten = x.dtype.type(10.0 ** abs(decimals))
    if decimals >= 0:
        return np.rint(x * ten) / ten
    return np.rint(x / ten) * ten


op("round_decimals", "RoundBackward1", lambda x, decimals: _round_decimals(x, decimals),
   lambda g, y, x, decimals: np.zeros_like(x))
for _key, _name in (("cummax", "CummaxBackward0"), ("cummin", "CumminBackward0"),
                    ("mode", "ModeBackward0")):
    op(_key, _name, lambda x, dim, indices, keepdim=True: _pick_along(x, dim, indices, keepdim),
       lambda g, y, x, dim, indices, keepdim=True: _pick_along_grad(g, x, dim, indices,
                                                                    keepdim))
op("remainder", "RemainderBackward0", lambda a, b: np.remainder(a, b), lambda g, y, a, b: g)
op("remainder_tensor", "RemainderBackward1", lambda a, b: np.remainder(a, b),
   lambda g, y, a, b: g,
   lambda g, y, a, b: -g * np.floor(np.asarray(a) / b))
op("fmod", "FmodBackward0", lambda a, b: np.fmod(a, b), lambda g, y, a, b: g)
op("fmod_tensor", "FmodBackward1", lambda a, b: np.fmod(a, b),
   lambda g, y, a, b: g,
   lambda g, y, a, b: -g * np.trunc(a / b))
op("nan_to_num", "NanToNumBackward0",
   lambda x, nan, posinf, neginf: np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf),
   lambda g, y, x, nan, posinf, neginf: np.where(np.isfinite(x), g, 0).astype(g.dtype))
# chunk/split: each piece is one output of PyTorch's SplitBackward0 (equal sizes) or
# SplitWithSizesBackward0 (a list of sizes)
for _key, _name in (("split", "SplitBackward0"), ("split_with_sizes", "SplitWithSizesBackward0")):
    op(_key, _name, lambda x, dim, start, stop: x[(slice(None),) * dim + (slice(start, stop),)],
       lambda g, y, x, dim, start, stop: _scatter(g, x.shape, dim, slice(start, stop)))


# ======================================================================== forward mode
# Each op's Jacobian-vector product, by the shape of its Jacobian. A rule is called as
# ``jvp(tangents, result, *args, **params)`` with one tangent per argument (None where
# the argument carries none) and returns the result's tangent.


def _elementwise_jvp(op: Op) -> Callable:
    """A diagonal Jacobian is its own transpose: the VJP applied to the tangent."""
    def rule(ts, y, *args, **params):
        out = None
        for i, t in enumerate(ts):
            if t is not None:
                c = op.vjp[i](t, y, *args, **params)
                out = c if out is None else out + c
        return out
    return rule


def _linear_jvp(op: Op) -> Callable:
    """A linear op maps tangents as it maps values."""
    def rule(ts, y, *args, **params):
        filled = [np.zeros_like(np.asarray(a, dtype=np.result_type(y))) if t is None else t
                  for t, a in zip(ts, args)]
        return op.forward(*filled, **params)
    return rule


def _reduction_jvp(op: Op, dim_param: str | None = "dim") -> Callable:
    """Each output element depends on its own slice: sum the VJP of ones times the tangent
    over the reduced dims (over everything for a full reduction or a scalar output)."""
    def rule(ts, y, *args, **params):
        out = None
        ones = np.ones_like(y)
        for i, t in enumerate(ts):
            if t is None:
                continue
            local = np.asarray(op.vjp[i](ones, y, *args, **params))
            prod = local * t  # the tangent broadcasts like its input did
            dim = params.get(dim_param) if dim_param else None
            if np.ndim(y) == 0 or dim is None:
                c = np.sum(prod)
            else:
                c = np.sum(prod, axis=dim if isinstance(dim, tuple) else (dim,),
                           keepdims=params.get("keepdim", False))
            c = np.reshape(c, np.shape(y))
            out = c if out is None else out + c
        return out
    return rule


def _bilinear(forward: Callable) -> Callable:
    def rule(ts, y, *args, **params):
        out = None
        for i, t in enumerate(ts):
            if t is not None:
                parts = list(args)
                parts[i] = t
                c = forward(*parts)
                out = c if out is None else out + c
        return out
    return rule


def _addmm_jvp(ts, y, c, a, b):
    out = np.zeros_like(y)
    if ts[0] is not None:
        out = out + ts[0]
    if ts[1] is not None:
        out = out + ts[1] @ b
    if ts[2] is not None:
        out = out + a @ ts[2]
    return out


JVP: dict[str, Callable] = {}
LINEAR = {"sum", "sum_dim", "mean", "mean_dim", "t", "permute", "transpose", "view",
          "unsafe_view", "unsqueeze", "squeeze", "squeeze_dim", "squeeze_dims", "squeeze_tuple",
          "expand",
          "select", "slice", "stack", "cat", "clone", "alias", "cumsum", "trace",
          "select_backward", "slice_backward", "index", "reshape_alias", "scatter_first",
          "flip", "roll", "tril", "triu", "diag_embed", "diagonal", "diagonal_copy",
          "unbind", "index_put", "copy_from", "to_copy", "gather", "index_select", "sort",
          "topk", "masked_select", "split", "split_with_sizes", "kthvalue", "median_dim",
          "mode", "cummax", "cummin", "take", "repeat"}
REDUCTIONS = {"prod": None, "max": None, "min": None, "prod_dim": "dim", "max_dim": "dim",
              "min_dim": "dim", "logsumexp": "dim", "norm": "dim", "var": "dim", "std": "dim",
              "dist": None, "median": None, "amax": "dim", "amin": "dim"}
for _key, _op in REGISTRY.items():
    if _key in ELEMENTWISE:
        JVP[_key] = _elementwise_jvp(_op)
    elif _key in LINEAR:
        JVP[_key] = _linear_jvp(_op)
    elif _key in REDUCTIONS:
        JVP[_key] = _reduction_jvp(_op, REDUCTIONS[_key])


def _masked_fill_tensor_jvp(ts, y, x, value, mask):
    out = np.zeros_like(y) if ts[0] is None else np.where(mask, 0, ts[0])
    if ts[1] is not None:
        out = np.where(mask, ts[1], out)
    return out


def _cumprod_jvp(ts, y, x, dim):
    """d cumprod(x)_k = sum_{i<=k} t_i prod_{j<=k, j!=i} x_j."""
    t = ts[0]
    x1, t1 = np.atleast_1d(x), np.broadcast_to(np.atleast_1d(t), np.atleast_1d(x).shape)
    xm, tm = np.moveaxis(x1, dim, -1), np.moveaxis(t1, dim, -1)
    out = np.zeros(xm.shape, dtype=np.result_type(x, t))
    for k in range(xm.shape[-1]):
        for i in range(k + 1):
            others = np.concatenate([xm[..., :i], xm[..., i + 1:k + 1]], axis=-1)
            out[..., k] += tm[..., i] * np.prod(others, axis=-1)
    return np.moveaxis(out, -1, dim).reshape(np.shape(y))


JVP["masked_fill_tensor"] = _masked_fill_tensor_jvp
JVP["cumprod"] = _cumprod_jvp


def _loss_jvp(op: Op, per_row: bool) -> Callable:
    """Losses: a full reduction unless reduction='none'; then each output element is its
    input element's (mse, bce: a diagonal Jacobian) or its row's (nll over the classes)."""
    whole = _reduction_jvp(op, None)
    diagonal = _elementwise_jvp(op)

    def rule(ts, y, *args, **params):
        if params.get("reduction", "mean") != "none":
            return whole(ts, y, *args, **params)
        if not per_row:
            return diagonal(ts, y, *args, **params)
        local = op.vjp[0](np.ones_like(y), y, *args, **params)
        return np.sum(local * ts[0], axis=-1) if ts[0] is not None else np.zeros_like(y)
    return rule


JVP["mse_loss"] = _loss_jvp(REGISTRY["mse_loss"], per_row=False)
JVP["binary_cross_entropy"] = _loss_jvp(REGISTRY["binary_cross_entropy"], per_row=False)
JVP["binary_cross_entropy_with_logits"] = _loss_jvp(
    REGISTRY["binary_cross_entropy_with_logits"], per_row=False)
JVP["zero_inplace"] = JVP["fill_inplace"] = lambda ts, y, *args, **params: np.zeros_like(y)
JVP["nll_loss"] = _loss_jvp(REGISTRY["nll_loss"], per_row=True)
JVP["mm"] = _bilinear(np.matmul)
JVP["mv"] = _bilinear(np.matmul)
JVP["dot"] = _bilinear(np.dot)
JVP["bmm"] = _bilinear(np.matmul)
JVP["addmm"] = _addmm_jvp
JVP["softmax"] = lambda ts, y, x, dim: y * (ts[0] - np.sum(y * ts[0], axis=dim, keepdims=True))
JVP["log_softmax"] = lambda ts, y, x, dim: ts[0] - np.sum(np.exp(y) * ts[0], axis=dim,
                                                          keepdims=True)
JVP["det"] = lambda ts, y, a: y * np.trace(np.linalg.solve(a, ts[0]))
JVP["inverse"] = lambda ts, y, a: -(y @ ts[0] @ y)


# ======================================================================= convolution
# conv2d and max_pool2d for the CNN lessons, on NumPy windows (no dilation, one group).


def _windows(x, kh, kw, stride):
    """(N, C, Ho, Wo, kh, kw) views of x's kh x kw windows, `stride` apart."""
    n, c, h, w = x.shape
    sh, sw = stride
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n, c, ho, wo, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2], s[3]),
        writeable=False)


def _pad(x, padding, value=0.0):
    ph, pw = padding
    if not ph and not pw:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=value)


def _conv2d(x, w, b, stride, padding):
    win = _windows(np.ascontiguousarray(_pad(x, padding)), w.shape[2], w.shape[3], stride)
    out = np.einsum("nchwij,ocij->nohw", win, w, optimize=True)
    # a new tensor is contiguous, as PyTorch's (x.view(-1) works on it)
    return np.ascontiguousarray((out + b.reshape(1, -1, 1, 1)).astype(np.result_type(x, w)))


def _conv2d_grad_x(g, x, w, stride, padding):
    ph, pw = padding
    n, c, h, wd = x.shape
    gx = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=np.result_type(g, w))
    sh, sw = stride
    ho, wo = g.shape[2], g.shape[3]
    for i in range(w.shape[2]):
        for j in range(w.shape[3]):
            gx[:, :, i:i + sh * ho:sh, j:j + sw * wo:sw] += np.einsum(
                "nohw,oc->nchw", g, w[:, :, i, j], optimize=True)
    return gx[:, :, ph:ph + h, pw:pw + wd]


def _conv2d_grad_w(g, x, w, stride, padding):
    win = _windows(np.ascontiguousarray(_pad(x, padding)), w.shape[2], w.shape[3], stride)
    return np.einsum("nchwij,nohw->ocij", win, g, optimize=True).astype(w.dtype)


op("conv2d", "ConvolutionBackward0",
   lambda x, w, b, stride=(1, 1), padding=(0, 0): _conv2d(x, w, b, stride, padding),
   lambda g, y, x, w, b, stride=(1, 1), padding=(0, 0): _conv2d_grad_x(g, x, w, stride, padding),
   lambda g, y, x, w, b, stride=(1, 1), padding=(0, 0): _conv2d_grad_w(g, x, w, stride, padding),
   lambda g, y, x, w, b, stride=(1, 1), padding=(0, 0): g.sum(axis=(0, 2, 3)))


def _max_pool_argmax(x, kernel, stride, padding):
    xp = np.ascontiguousarray(_pad(x, padding, -np.inf))
    win = _windows(xp, kernel[0], kernel[1], stride)
    flat = win.reshape(win.shape[:4] + (-1,))
    return flat, np.argmax(flat, axis=-1)  # the first maximum, as PyTorch picks


def _max_pool2d(x, kernel, stride, padding):
    flat, idx = _max_pool_argmax(x, kernel, stride, padding)
    return np.take_along_axis(flat, idx[..., None], axis=-1)[..., 0]


def _max_pool2d_grad(g, x, kernel, stride, padding):
    _, idx = _max_pool_argmax(x, kernel, stride, padding)
    ph, pw = padding
    n, c, h, w = x.shape
    gx = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=g.dtype)
    ho, wo = g.shape[2], g.shape[3]
    ii, jj = np.divmod(idx, kernel[1])
    rows = ii + (np.arange(ho) * stride[0])[:, None]
    cols = jj + (np.arange(wo) * stride[1])[None, :]
    nn_, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    np.add.at(gx, (nn_[..., None, None], cc[..., None, None], rows, cols), g)
    return gx[:, :, ph:ph + h, pw:pw + w]


op("max_pool2d", "MaxPool2DWithIndicesBackward0",
   lambda x, kernel=(2, 2), stride=(2, 2), padding=(0, 0): _max_pool2d(x, kernel, stride, padding),
   lambda g, y, x, kernel=(2, 2), stride=(2, 2), padding=(0, 0):
       _max_pool2d_grad(g, x, kernel, stride, padding))


def _embedding_grad(g, w, idx):
    out = np.zeros_like(w)
    np.add.at(out, idx.astype(np.int64), g)
    return out


op("embedding", "EmbeddingBackward0", lambda w, idx: w[idx.astype(np.int64)],
   lambda g, y, w, idx: _embedding_grad(g, w, idx), _none)


def _bn_axes(x):
    return (0,) + tuple(range(2, x.ndim))


def _bn_shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def _batch_norm(x, w, b, mean, var, eps, training):
    """x normalised per channel (dim 1): with the batch's mean and biased variance when
    training, else with the given running statistics."""
    axes = _bn_axes(x)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    invstd = 1 / np.sqrt(var + eps)
    s = _bn_shape(x)
    return ((x - mean.reshape(s)) * invstd.reshape(s) * w.reshape(s) + b.reshape(s)).astype(x.dtype)


def _batch_norm_grads(g, x, w, mean, var, eps, training):
    axes = _bn_axes(x)
    s = _bn_shape(x)
    if training:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    invstd = 1 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(s)) * invstd.reshape(s)
    gw = (g * xhat).sum(axis=axes)
    gb = g.sum(axis=axes)
    if training:
        n = x.size // x.shape[1]
        gx = (w * invstd).reshape(s) / n * (n * g - gb.reshape(s) - xhat * gw.reshape(s))
    else:
        gx = g * (w * invstd).reshape(s)
    return gx.astype(x.dtype), gw.astype(w.dtype), gb.astype(w.dtype)


op("batch_norm", "NativeBatchNormBackward0",
   lambda x, w, b, mean=None, var=None, eps=1e-5, training=True:
       _batch_norm(x, w, b, mean, var, eps, training),
   lambda g, y, x, w, b, mean=None, var=None, eps=1e-5, training=True:
       _batch_norm_grads(g, x, w, mean, var, eps, training)[0],
   lambda g, y, x, w, b, mean=None, var=None, eps=1e-5, training=True:
       _batch_norm_grads(g, x, w, mean, var, eps, training)[1],
   lambda g, y, x, w, b, mean=None, var=None, eps=1e-5, training=True:
       _batch_norm_grads(g, x, w, mean, var, eps, training)[2])
