"""More of torch.nn.functional: losses, layer_norm, prelu, shrinks and glu, pooling,
padding and the 1-d convolution.

smooth_l1_loss, huber_loss, layer_norm (``native_layer_norm``) and prelu (``_prelu_kernel``)
are nodes of their own in PyTorch (SmoothL1LossBackward0, HuberLossBackward0,
NativeLayerNormBackward0, PreluKernelBackward0), with the backward formulas of
``FunctionsManual.cpp``; kl_div is made of other ops, as ATen makes it.

avg_pool2d and adaptive_avg_pool2d add each window's elements one at a time in row order
and divide, as ATen's CPU kernels do (``sum / divide_factor``; ``sum / kh / kw``), and
their backward passes add each window's share in the order of the outputs. The 1-d pools
are the 2-d ones between an unsqueeze and a squeeze of dim -2, and an adaptive average
over everything is a mean, as in PyTorch's graphs.
"""

from __future__ import annotations

import numpy as np

from .dispatch import (FUNCTIONS, REQUIRED, _pair, _unary, as_float, bind, function,
                       norm_dim)
from .errors import ArgumentError, ProgramError, ShapeError
from .ops import (ELEMENTWISE, JVP, REGISTRY, _conv2d, _conv2d_grad_w, _conv2d_grad_x,
                  _elementwise_jvp, _linear_jvp, _loss_jvp, _pad, _per_element, _reduce, op)

_REDUCTIONS = ("none", "mean", "sum")


def _per(g, v, reduction):
    """An elementwise loss's local gradient `v` times the upstream gradient."""
    return _per_element(np.asarray(g, dtype=v.dtype) * v, reduction)


def _smooth_l1(x, t, beta):
    z = np.abs(x - t)
    if beta == 0:
        return z
    dt = np.result_type(x, t)
    return np.where(z < beta, dt.type(0.5) * z * z / dt.type(beta), z - dt.type(0.5 * beta))


def _smooth_l1_grad(x, t, beta):
    d = x - t
    if beta == 0:
        return np.sign(d)
    dt = d.dtype
    return np.where(np.abs(d) < beta, d / dt.type(beta), np.sign(d)).astype(dt)


def _huber(x, t, delta):
    z = np.abs(x - t)
    dt = np.result_type(x, t)
    return np.where(z < delta, dt.type(0.5) * z * z, dt.type(delta) * (z - dt.type(0.5 * delta)))


def _huber_grad(x, t, delta):
    d = x - t
    dt = d.dtype
    return np.where(d < -delta, -dt.type(delta),
                    np.where(d > delta, dt.type(delta), d)).astype(dt)


op("smooth_l1_loss", "SmoothL1LossBackward0",
   lambda x, t, reduction="mean", beta=1.0: _reduce(_smooth_l1(x, t, beta), reduction),
   lambda g, y, x, t, reduction="mean", beta=1.0: _per(g, _smooth_l1_grad(x, t, beta),
                                                       reduction),
   lambda g, y, x, t, reduction="mean", beta=1.0: -_per(g, _smooth_l1_grad(x, t, beta),
                                                        reduction))
op("huber_loss", "HuberLossBackward0",
   lambda x, t, reduction="mean", delta=1.0: _reduce(_huber(x, t, delta), reduction),
   lambda g, y, x, t, reduction="mean", delta=1.0: _per(g, _huber_grad(x, t, delta),
                                                        reduction),
   lambda g, y, x, t, reduction="mean", delta=1.0: -_per(g, _huber_grad(x, t, delta),
                                                         reduction))


JVP["smooth_l1_loss"] = _loss_jvp(REGISTRY["smooth_l1_loss"], per_row=False)
JVP["huber_loss"] = _loss_jvp(REGISTRY["huber_loss"], per_row=False)


def _pair_loss(key: str, extra: str, default: float):
    def resolve(ev, name, args, kwargs):
        p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                      ("size_average", None), ("reduce", None),
                                      ("reduction", "mean"), (extra, default)])
        from .nn import legacy_reduction

        reduction = legacy_reduction(p["size_average"], p["reduce"], p["reduction"])
        if reduction not in _REDUCTIONS:
            raise ArgumentError(f"{reduction} is not a valid value for reduction")
        x, t = ev.tensor(p["input"]), ev.tensor(p["target"])
        if x.value.shape != t.value.shape:
            raise ShapeError(f"{name}: the input's shape {list(x.value.shape)} and the "
                             f"target's {list(t.value.shape)} differ")
        value = as_float(name, extra, p[extra])
        if value < 0:
            raise ProgramError(f"{name} does not support negative values for {extra}.",
                               "RuntimeError")
        if key == "huber_loss" and value == 0:
            raise ProgramError("huber_loss does not support non-positive values for delta.",
                               "RuntimeError")
        if key == "smooth_l1_loss" and value == 0:  # ATen falls back to l1_loss
            return FUNCTIONS["l1_loss"](ev, "l1_loss", [x, t], {"reduction": reduction})
        return ev.apply(key, (x, t), {"reduction": reduction, extra: value})
    return resolve


FUNCTIONS["smooth_l1_loss"] = _pair_loss("smooth_l1_loss", "beta", 1.0)
FUNCTIONS["huber_loss"] = _pair_loss("huber_loss", "delta", 1.0)


@function("kl_div")
def _kl_div(ev, name, args, kwargs):
    """ATen's kl_div: xlogy(t, t) - t * input (exp(t) * (t - input) for a log target),
    then the reduction; 'batchmean' divides the sum by the batch size."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("size_average", None), ("reduce", None),
                                  ("reduction", "mean"), ("log_target", False)])
    from .nn import legacy_reduction

    reduction = legacy_reduction(p["size_average"], p["reduce"], p["reduction"])
    if reduction not in (*_REDUCTIONS, "batchmean"):
        raise ArgumentError(f"{reduction} is not a valid value for reduction")
    x, t = ev.tensor(p["input"]), ev.tensor(p["target"])
    if p["log_target"]:
        out = ev.apply("mul", (ev.apply("exp", (t,)), ev.apply("sub", (t, x))))
    else:
        out = ev.apply("sub", (FUNCTIONS["xlogy"](ev, "xlogy", [t, t], {}),
                               ev.apply("mul", (t, x))))
    if reduction == "none":
        return out
    if reduction == "mean":
        return ev.apply("mean", (out,))
    total = ev.apply("sum", (out,))
    if reduction == "batchmean" and x.value.ndim:
        from .dispatch import binary

        return binary(ev, "/", total, int(x.value.shape[0]))  # reduced / input.size(0)
    return total


# ------------------------------------------------------------------ layer_norm, prelu


def _ln_stats(x, n):
    axes = tuple(range(x.ndim - n, x.ndim))
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    return mean, var, axes


def _layer_norm(x, w, b, n, eps):
    """ATen's layer norm kernel in the input's dtype: rstd = 1 / sqrt(var + eps), then
    (x * rstd + (-mean * rstd)) * weight + bias, each step rounded (the row's mean and
    variance are computed here in float64 and rounded, where ATen accumulates them)."""
    mean, var, _ = _ln_stats(x, n)
    dt = x.dtype.type
    mean, var = mean.astype(x.dtype), var.astype(x.dtype)
    rstd = dt(1) / np.sqrt(var + dt(eps))
    shift = -mean * rstd
    y = x * rstd + shift
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y.astype(x.dtype)


def _ln_xhat(x, n, eps):
    mean, var, axes = _ln_stats(x, n)
    rstd = 1.0 / np.sqrt(var + eps)
    return (x.astype(np.float64) - mean) * rstd, rstd, axes


def _ln_grad_x(g, x, w, n, eps):
    xhat, rstd, axes = _ln_xhat(x, n, eps)
    dxhat = g.astype(np.float64) * (w if w is not None else 1.0)
    m1 = dxhat.mean(axis=axes, keepdims=True)
    m2 = (dxhat * xhat).mean(axis=axes, keepdims=True)
    return (rstd * (dxhat - m1 - xhat * m2)).astype(x.dtype)


def _ln_grad_w(g, x, n, eps):
    xhat, _, _ = _ln_xhat(x, n, eps)
    batch = tuple(range(x.ndim - n))
    return (g * xhat).sum(axis=batch).astype(x.dtype)


def _ln_grad_b(g, x, n):
    return np.asarray(g).sum(axis=tuple(range(x.ndim - n))).astype(x.dtype)


op("layer_norm", "NativeLayerNormBackward0",
   lambda x, w, b, n, eps: _layer_norm(x, w, b, n, eps),
   lambda g, y, x, w, b, n, eps: _ln_grad_x(g, x, w, n, eps),
   lambda g, y, x, w, b, n, eps: _ln_grad_w(g, x, n, eps),
   lambda g, y, x, w, b, n, eps: _ln_grad_b(g, x, n))


def _ln_jvp(ts, y, x, w, b, n, eps):
    xhat, rstd, axes = _ln_xhat(x, n, eps)
    out = np.zeros(y.shape)
    if ts[0] is not None:
        t = ts[0].astype(np.float64)
        dxhat = rstd * (t - t.mean(axis=axes, keepdims=True)
                        - xhat * (t * xhat).mean(axis=axes, keepdims=True))
        out = out + dxhat * (w if w is not None else 1.0)
    if len(ts) > 1 and ts[1] is not None:
        out = out + xhat * ts[1]
    if len(ts) > 2 and ts[2] is not None:
        out = out + ts[2]
    return out.astype(y.dtype)


JVP["layer_norm"] = _ln_jvp


@function("layer_norm")
def _layer_norm_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("normalized_shape", REQUIRED),
                                  ("weight", None), ("bias", None), ("eps", 1e-5)])
    x = ev.tensor(p["input"])
    shape = p["normalized_shape"]
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    n = len(shape)
    if n == 0 or x.value.ndim < n or tuple(x.value.shape[x.value.ndim - n:]) != shape:
        raise ShapeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                         f"[*, {', '.join(str(s) for s in shape)}], but got input of size"
                         f"{list(x.value.shape)}")
    params = []
    for key in ("weight", "bias"):
        v = p[key]
        if v is not None:
            v = ev.tensor(v)
            if tuple(v.value.shape) != shape:
                raise ShapeError(f"Expected {key} to be of same shape as normalized_shape, "
                                 f"but got {key} of shape {list(v.value.shape)} and "
                                 f"normalized_shape = {list(shape)}")
        params.append(v)
    return ev.apply("layer_norm", (x, params[0], params[1]),
                    {"n": n, "eps": as_float(name, "eps", p["eps"])})


def _prelu(x, w):
    return np.where(x > 0, x, w * x).astype(x.dtype)


# the weight arrives shaped to broadcast over the channel dim (a view, as ATen's prelu
# makes it); the engine sums the weight's gradient back to its shape
op("prelu", "PreluKernelBackward0", _prelu,
   lambda g, y, x, w: (g * np.where(x > 0, 1, w)).astype(x.dtype),
   lambda g, y, x, w: (g * np.where(x > 0, 0, x)).astype(x.dtype))


def _prelu_jvp(ts, y, x, w):
    out = np.zeros(y.shape, dtype=y.dtype)
    if ts[0] is not None:
        out = out + ts[0] * np.where(x > 0, 1, w)
    if ts[1] is not None:
        out = out + np.where(x > 0, 0, x) * ts[1]
    return out.astype(y.dtype)


JVP["prelu"] = _prelu_jvp


@function("prelu")
def _prelu_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("weight", REQUIRED)])
    x, w = ev.tensor(p["input"]), ev.tensor(p["weight"])
    if w.value.ndim > 1:
        raise ShapeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                         f"ndim = {w.value.ndim}")
    channels = x.value.shape[1] if x.value.ndim > 1 else (x.value.shape[0] if x.value.ndim
                                                          else 1)
    if w.value.size not in (1, channels):
        raise ShapeError(f"Mismatch of parameter numbers and input channel size. Found "
                         f"parameter numbers = {w.value.size} and channel size = {channels}.")
    if x.value.ndim > 1:  # ATen: weight.reshape({C, 1, ..., 1}) to line up with dim 1
        w = ev.apply("view", (w,), {"shape": (w.value.size,) + (1,) * (x.value.ndim - 2)})
    return ev.apply("prelu", (x, w))



# ------------------------------------------------------------------ shrinks and glu


def _softshrink(x, lambd):
    lam = x.dtype.type(lambd)
    return np.where(x > lam, x - lam, np.where(x < -lam, x + lam, x.dtype.type(0)))


def _hardshrink(x, lambd):
    lam = x.dtype.type(lambd)
    return np.where((x >= -lam) & (x <= lam), x.dtype.type(0), x)


op("softshrink", "SoftshrinkBackward0", lambda x, lambd=0.5: _softshrink(x, lambd),
   lambda g, y, x, lambd=0.5: np.where(np.abs(x) > x.dtype.type(lambd), g, 0).astype(x.dtype))
op("hardshrink", "HardshrinkBackward0", lambda x, lambd=0.5: _hardshrink(x, lambd),
   lambda g, y, x, lambd=0.5: np.where((x >= -x.dtype.type(lambd)) & (x <= x.dtype.type(lambd)),
                                       0, g).astype(x.dtype))
for _key in ("softshrink", "hardshrink"):
    ELEMENTWISE.add(_key)
    JVP[_key] = _elementwise_jvp(REGISTRY[_key])
    FUNCTIONS[_key] = _unary(_key, [("lambd", 0.5)])


def _halves(x, dim):
    a, b = np.split(x, 2, axis=dim)
    return a, b


def _sigmoid(b):
    one = b.dtype.type(1)
    with np.errstate(over="ignore"):
        return one / (one + np.exp(-b))


def _glu(x, dim):
    a, b = _halves(x, dim)
    return a * _sigmoid(b)


def _glu_grad(g, y, x, dim):
    a, b = _halves(x, dim)
    s = _sigmoid(b)
    return np.concatenate([g * s, g * a * s * (b.dtype.type(1) - s)], axis=dim)


op("glu", "GluBackward0", lambda x, dim=-1: _glu(x, dim),
   lambda g, y, x, dim=-1: _glu_grad(g, y, x, dim))


def _glu_jvp(ts, y, x, dim=-1):
    a, b = _halves(x, dim)
    ta, tb = _halves(ts[0], dim)
    s = _sigmoid(b)
    return ta * s + a * s * (b.dtype.type(1) - s) * tb


JVP["glu"] = _glu_jvp


@function("glu")
def _glu_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("dim", -1)])
    x = ev.tensor(p["input"])
    if x.value.ndim == 0:
        raise ProgramError("glu does not support scalars because halving size must be even")
    dim = norm_dim(name, p["dim"], x.value.ndim)
    if x.value.shape[dim] % 2:
        raise ProgramError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{x.value.shape[dim]}")
    return ev.apply("glu", (x,), {"dim": dim})


# ------------------------------------------------------------------ padding


def _pad_widths(ndim, pad):
    """F.pad's (left, right, top, bottom, ...) as NumPy's per-dim pairs (last dim first)."""
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return widths


def _constant_pad(x, pad, value):
    widths = _pad_widths(x.ndim, pad)
    grow = [(max(a, 0), max(b, 0)) for a, b in widths]
    out = np.pad(x, grow, constant_values=value) if any(a or b for a, b in grow) else x
    crop = tuple(slice(-min(a, 0), out.shape[d] + min(b, 0)) for d, (a, b) in enumerate(widths))
    return np.ascontiguousarray(out[crop])


def _constant_pad_grad(g, y, x, pad, value):
    widths = _pad_widths(x.ndim, pad)
    out = np.zeros(x.shape, dtype=g.dtype)
    src = tuple(slice(max(a, 0), g.shape[d] - max(b, 0)) for d, (a, b) in enumerate(widths))
    dst = tuple(slice(-min(a, 0), x.shape[d] + min(b, 0)) for d, (a, b) in enumerate(widths))
    out[dst] = g[src]
    return out


op("constant_pad", "ConstantPadNdBackward0",
   lambda x, pad, value=0.0: _constant_pad(x, pad, value),
   lambda g, y, x, pad, value=0.0: _constant_pad_grad(g, y, x, pad, value))
JVP["constant_pad"] = lambda ts, y, x, pad, value=0.0: _constant_pad(ts[0], pad, 0.0)


@function("pad")
def _pad_fn(ev, name, args, kwargs):
    """F.pad(input, pad, mode='constant', value=None): ConstantPadNdBackward0."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("pad", REQUIRED), ("mode", "constant"),
                                  ("value", None)])
    x = ev.tensor(p["input"])
    pad = p["pad"]
    if not isinstance(pad, (tuple, list)) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in pad):
        raise ArgumentError(f"pad(): argument 'pad' must be a tuple of ints (got {pad!r})")
    if p["mode"] != "constant":
        raise ArgumentError(f"pad(): mode={p['mode']!r} is not supported (only 'constant')")
    if len(pad) % 2:
        raise ProgramError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.value.ndim:
        raise ProgramError("Padding length should be less than or equal to two times the "
                           "input dimension but got padding length "
                           f"{len(pad)} and input of dimension {x.value.ndim}")
    widths = _pad_widths(x.value.ndim, tuple(pad))
    shape = tuple(n + a + b for n, (a, b) in zip(x.value.shape, widths))
    if any(n < 0 for n in shape):
        raise ProgramError(f"The input size {x.value.shape[-1]}, plus negative padding "
                           f"{pad[0]} and {pad[1]} resulted in a negative output size, which "
                           "is invalid. Check dimension of your input.")
    ev.graph.check_size(shape, name)
    value = 0.0 if p["value"] is None else as_float(name, "value", p["value"])
    return ev.apply("constant_pad", (x,), {"pad": tuple(pad), "value": value})


# ------------------------------------------------------------------ pooling


def _as4d(x):
    return (x[None], True) if x.ndim == 3 else (x, False)


def _avg_divisors(h, w, kernel, stride, padding, count_include_pad, divisor, ho, wo):
    """Each output's divide_factor (ho, wo), as ATen's cpu_avg_pool computes it."""
    if divisor:
        return np.full((ho, wo), divisor, dtype=np.int64)
    def extent(n, k, s, p, o):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start
        lo, hi = np.maximum(start, 0), np.minimum(end, n)
        return size, hi - lo
    sh, vh = extent(h, kernel[0], stride[0], padding[0], ho)
    sw, vw = extent(w, kernel[1], stride[1], padding[1], wo)
    return np.outer(sh, sw) if count_include_pad else np.outer(vh, vw)


def _avg_pool2d(x, kernel, stride, padding, count_include_pad=True, divisor=None):
    x4, batchless = _as4d(x)
    n, c, h, w = x4.shape
    kh, kw = kernel
    ho = (h + 2 * padding[0] - kh) // stride[0] + 1
    wo = (w + 2 * padding[1] - kw) // stride[1] + 1
    xp = _pad(x4, padding)
    total = np.zeros((n, c, ho, wo), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            total = total + xp[:, :, i:i + stride[0] * (ho - 1) + 1:stride[0],
                               j:j + stride[1] * (wo - 1) + 1:stride[1]]
    d = _avg_divisors(h, w, kernel, stride, padding, count_include_pad, divisor, ho, wo)
    out = (total / d.astype(x.dtype)).astype(x.dtype)
    return out[0] if batchless else out


def _avg_pool2d_grad(g, y, x, kernel, stride, padding, count_include_pad=True, divisor=None):
    x4, batchless = _as4d(x)
    g4 = g[None] if batchless else g
    n, c, h, w = x4.shape
    ho, wo = g4.shape[2], g4.shape[3]
    d = _avg_divisors(h, w, kernel, stride, padding, count_include_pad, divisor, ho, wo)
    share = (g4 / d.astype(g4.dtype)).astype(g4.dtype)
    gx = np.zeros((n, c, h + 2 * padding[0], w + 2 * padding[1]), dtype=g4.dtype)
    # an input in several windows takes their shares in the order of the outputs
    for i in reversed(range(kernel[0])):
        for j in reversed(range(kernel[1])):
            gx[:, :, i:i + stride[0] * (ho - 1) + 1:stride[0],
               j:j + stride[1] * (wo - 1) + 1:stride[1]] += share
    gx = gx[:, :, padding[0]:padding[0] + h, padding[1]:padding[1] + w]
    return gx[0] if batchless else gx


op("avg_pool2d", "AvgPool2DBackward0", _avg_pool2d, _avg_pool2d_grad)
JVP["avg_pool2d"] = _linear_jvp(REGISTRY["avg_pool2d"])


def _adaptive_windows(n_in, n_out):
    """ATen's start_index/end_index: floor(i*n/o) .. ceil((i+1)*n/o)."""
    return [((i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)) for i in range(n_out)]


def _adaptive_avg_pool2d(x, size):
    x4, batchless = _as4d(x)
    rows, cols = _adaptive_windows(x4.shape[2], size[0]), _adaptive_windows(x4.shape[3], size[1])
    out = np.empty(x4.shape[:2] + tuple(size), dtype=x.dtype)
    for a, (h0, h1) in enumerate(rows):
        for b, (w0, w1) in enumerate(cols):
            win = x4[:, :, h0:h1, w0:w1].reshape(x4.shape[:2] + (-1,))
            total = np.cumsum(win, axis=-1)[..., -1] + x.dtype.type(0)  # one at a time
            out[:, :, a, b] = total / x.dtype.type(h1 - h0) / x.dtype.type(w1 - w0)
    return out[0] if batchless else out


def _adaptive_avg_pool2d_grad(g, y, x, size):
    x4, batchless = _as4d(x)
    g4 = g[None] if batchless else g
    rows, cols = _adaptive_windows(x4.shape[2], size[0]), _adaptive_windows(x4.shape[3], size[1])
    gx = np.zeros(x4.shape, dtype=g4.dtype)
    for a, (h0, h1) in enumerate(rows):
        for b, (w0, w1) in enumerate(cols):
            share = g4[:, :, a, b] / g4.dtype.type(h1 - h0) / g4.dtype.type(w1 - w0)
            gx[:, :, h0:h1, w0:w1] += share[:, :, None, None]
    return gx[0] if batchless else gx


op("adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0",
   lambda x, size: _adaptive_avg_pool2d(x, size),
   lambda g, y, x, size: _adaptive_avg_pool2d_grad(g, y, x, size))
JVP["adaptive_avg_pool2d"] = _linear_jvp(REGISTRY["adaptive_avg_pool2d"])


def _pool_input(name, x, dims):
    if x.value.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D (batch mode) tensor "
                         f"for input, but got: {list(x.value.shape)}")


def _one_d(ev, x, two_d):
    """A 1-d pool as PyTorch runs it: unsqueeze(-2), the 2-d pool, squeeze(-2)."""
    x2 = ev.apply("unsqueeze", (x,), {"dim": x.value.ndim - 1})
    y = two_d(x2)
    return ev.apply("squeeze_dim", (y,), {"dim": y.value.ndim - 2})


def _avg_pool_params(name, p, dims):
    def pair(what, v):
        if dims == 1:
            t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
            if len(t) != 1:
                raise ArgumentError(f"{name}(): {what} must be an int or a tuple of one int")
            return _pair(name, what, (1 if what != "padding" else 0, t[0]))
        return _pair(name, what, v)
    kernel = pair("kernel_size", p["kernel_size"])
    stride = kernel if p["stride"] in (None, (), []) else pair("stride", p["stride"])
    padding = pair("padding", p["padding"])
    if 0 in kernel or 0 in stride:
        raise ProgramError(f"{name}: kernel_size and stride must be greater than zero")
    if p["ceil_mode"]:
        raise ArgumentError(f"{name}(): ceil_mode=True is not supported")
    if padding[0] * 2 > kernel[0] or padding[1] * 2 > kernel[1]:
        raise ProgramError("pad should be at most half of effective kernel size")
    return kernel, stride, padding


@function("avg_pool2d", "avg_pool1d")
def _avg_pool_fn(ev, name, args, kwargs):
    dims = 1 if name == "avg_pool1d" else 2
    spec = [("input", REQUIRED), ("kernel_size", REQUIRED), ("stride", None), ("padding", 0),
            ("ceil_mode", False), ("count_include_pad", True)]
    if dims == 2:
        spec.append(("divisor_override", None))
    p = bind(name, args, kwargs, spec)
    x = ev.tensor(p["input"])
    _pool_input(name, x, dims)
    kernel, stride, padding = _avg_pool_params(name, p, dims)
    divisor = p.get("divisor_override")
    if divisor is not None and (not isinstance(divisor, int) or divisor == 0):
        raise ProgramError("divisor must be not zero")
    h = x.value.shape[-2] if dims == 2 else 1
    if (h + 2 * padding[0] - kernel[0]) // stride[0] + 1 < 1 or \
            (x.value.shape[-1] + 2 * padding[1] - kernel[1]) // stride[1] + 1 < 1:
        raise ProgramError(f"Given input size: {tuple(x.value.shape)}. Calculated output size "
                           "is too small")
    params = {"kernel": kernel, "stride": stride, "padding": padding,
              "count_include_pad": bool(p["count_include_pad"]), "divisor": divisor}
    if dims == 1:
        return _one_d(ev, x, lambda x2: ev.apply("avg_pool2d", (x2,), params))
    return ev.apply("avg_pool2d", (x,), params)


@function("max_pool1d")
def _max_pool1d_fn(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("kernel_size", REQUIRED),
                                  ("stride", None), ("padding", 0), ("dilation", 1),
                                  ("ceil_mode", False), ("return_indices", False)])
    x = ev.tensor(p["input"])
    _pool_input(name, x, 1)

    def one(v):
        t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
        return t[0] if len(t) == 1 else v
    kw = {"kernel_size": (1, one(p["kernel_size"])), "padding": (0, one(p["padding"])),
          "dilation": (1, one(p["dilation"])), "ceil_mode": p["ceil_mode"],
          "return_indices": p["return_indices"]}
    if p["stride"] not in (None, (), []):
        kw["stride"] = (1, one(p["stride"]))
    return _one_d(ev, x, lambda x2: FUNCTIONS["max_pool2d"](ev, "max_pool2d", [x2], kw))


@function("adaptive_avg_pool2d", "adaptive_avg_pool1d")
def _adaptive_avg_fn(ev, name, args, kwargs):
    dims = 1 if name == "adaptive_avg_pool1d" else 2
    p = bind(name, args, kwargs, [("input", REQUIRED), ("output_size", REQUIRED)])
    x = ev.tensor(p["input"])
    _pool_input(name, x, dims)
    size = p["output_size"]
    size = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
    if len(size) != dims:
        raise ArgumentError(f"{name}(): output_size must be an int or {dims} ints")
    full = x.value.shape[-dims:]
    size = tuple(full[i] if v is None else v for i, v in enumerate(size))
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in size):
        raise ArgumentError(f"{name}(): output_size must be non-negative ints (got "
                            f"{p['output_size']!r})")
    size2 = (1, *size) if dims == 1 else size

    def two_d(x2):
        if size2 == (1, 1):  # ATen: a mean over the last two dims
            return ev.apply("mean_dim", (x2,), {"dim": (x2.value.ndim - 2, x2.value.ndim - 1),
                                                "keepdim": True})
        return ev.apply("adaptive_avg_pool2d", (x2,), {"size": size2})
    return _one_d(ev, x, two_d) if dims == 1 else two_d(x)


# ------------------------------------------------------------------ 1-d convolution


def _conv1d(x, w, b, stride, padding):
    return _conv2d(x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, padding))[:, :, 0, :]


op("conv1d", "ConvolutionBackward0",
   lambda x, w, b, stride=1, padding=0: _conv1d(x, w, b, stride, padding),
   lambda g, y, x, w, b, stride=1, padding=0: _conv2d_grad_x(
       g[:, :, None, :], x[:, :, None, :], w[:, :, None, :], (1, stride), (0, padding))[:, :, 0],
   lambda g, y, x, w, b, stride=1, padding=0: _conv2d_grad_w(
       g[:, :, None, :], x[:, :, None, :], w[:, :, None, :], (1, stride), (0, padding))[:, :, 0],
   lambda g, y, x, w, b, stride=1, padding=0: g.sum(axis=(0, 2)))


def _conv1d_jvp(ts, y, x, w, b, stride=1, padding=0):
    out = np.zeros_like(y)
    if ts[0] is not None:
        out = out + _conv1d(ts[0], w, np.zeros_like(b), stride, padding)
    if ts[1] is not None:
        out = out + _conv1d(x, ts[1], np.zeros_like(b), stride, padding)
    if ts[2] is not None:
        out = out + ts[2][None, :, None]
    return out


JVP["conv1d"] = _conv1d_jvp


@function("conv1d")
def _conv1d_fn(ev, name, args, kwargs):
    """F.conv1d(input, weight, bias=None, stride=1, padding=0): ConvolutionBackward0
    (no dilation, one group; a batch of (C, L) inputs)."""
    p = bind(name, args, kwargs, [("input", REQUIRED), ("weight", REQUIRED), ("bias", None),
                                  ("stride", 1), ("padding", 0), ("dilation", 1),
                                  ("groups", 1)])
    x, w = ev.tensor(p["input"]), ev.tensor(p["weight"])

    def one(what, v):
        t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
        if len(t) != 1 or not isinstance(t[0], int) or isinstance(t[0], bool) or t[0] < 0:
            raise ArgumentError(f"{name}(): {what} must be an int or a tuple of one int "
                                f"(got {v!r})")
        return t[0]
    stride, padding = one("stride", p["stride"]), one("padding", p["padding"])
    if one("dilation", p["dilation"]) != 1 or p["groups"] != 1:
        raise ArgumentError(f"{name}(): dilation and groups other than 1 are not supported")
    if stride == 0:
        raise ProgramError("non-positive stride is not supported")
    if w.value.ndim != 3 or x.value.ndim not in (2, 3):
        raise ShapeError(f"{name}(): expected a 2-D or 3-D input (N, C, L) and a 3-D weight, "
                         f"got input of size {list(x.value.shape)}")
    batchless = x.value.ndim == 2
    if batchless:
        x = ev.apply("unsqueeze", (x,), {"dim": 0})
    if x.value.shape[1] != w.value.shape[1]:
        raise ProgramError(f"Given groups=1, weight of size {list(w.value.shape)}, expected "
                           f"input{list(x.value.shape)} to have {w.value.shape[1]} channels, "
                           f"but got {x.value.shape[1]} channels instead")
    length = x.value.shape[2] + 2 * padding
    if length < w.value.shape[2]:
        raise ProgramError(f"Calculated padded input size per channel: ({length}). Kernel "
                           f"size: ({w.value.shape[2]}). Kernel size can't be greater than "
                           "actual input size")
    b = ev.tensor(p["bias"]) if p["bias"] is not None else \
        ev.constant(np.zeros(w.value.shape[0], dtype=w.value.dtype))
    lo = (length - w.value.shape[2]) // stride + 1
    ev.graph.check_size((x.value.shape[0], w.value.shape[0], lo), name)
    ev.graph.check_flops(2 * x.value.shape[0] * w.value.shape[0] * lo * w.value.shape[1]
                         * w.value.shape[2], f"{name} of input {list(x.value.shape)} and "
                         f"weight {list(w.value.shape)}")
    y = ev.apply("conv1d", (x, w, b), {"stride": stride, "padding": padding})
    return ev.apply("squeeze_dim", (y,), {"dim": 0}) if batchless else y
