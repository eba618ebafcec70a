"""More of torch.nn.functional: smooth_l1_loss, huber_loss, kl_div, layer_norm and prelu.

smooth_l1_loss, huber_loss, layer_norm (``native_layer_norm``) and prelu (``_prelu_kernel``)
are nodes of their own in PyTorch (SmoothL1LossBackward0, HuberLossBackward0,
NativeLayerNormBackward0, PreluKernelBackward0), with the backward formulas of
``FunctionsManual.cpp``; kl_div is made of other ops, as ATen makes it.
"""

from __future__ import annotations

import numpy as np

from .dispatch import FUNCTIONS, REQUIRED, as_float, bind, function
from .errors import ArgumentError, ProgramError, ShapeError
from .ops import JVP, REGISTRY, _loss_jvp, _per_element, _reduce, op

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

