"""torch.distributions: Normal, Categorical, Bernoulli, Uniform and kl_divergence.

Each method runs the tensor operations torch/distributions/*.py runs, in its order, so the
values, gradients (rsample's reparameterisation, log_prob's REINFORCE gradient) and grad_fn
names are PyTorch's; sampling draws from PyTorch's generator as PyTorch draws (Normal.sample
through torch.normal, rsample through normal_, Categorical through torch.multinomial,
Bernoulli through torch.bernoulli, Uniform through torch.rand). Parameters are read as
attributes (`d.loc`, `d.probs`, `d.mean`, `d.stddev`, `d.variance`, `d.batch_shape`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .classes import Instance, UserClass
from .dispatch import FUNCTIONS, REQUIRED, bind
from .engine import Node
from .errors import ProgramError
from .nn import _class, _self
from .pyvalues import TorchSize
from .torchprint import size_repr


def _f(ip, name: str, *args, **kwargs) -> Any:
    return FUNCTIONS[name](ip, name, list(args), kwargs)


def _b(ip, op: str, a: Any, b: Any) -> Any:
    return ip._binary(op, a, b)


def _tensor(ip, v: Any) -> Node:
    """broadcast_all's conversion: numbers become tensors of the default dtype."""
    if isinstance(v, Node):
        return v
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ProgramError(f"The parameter must be a number or a tensor, not "
                           f"{type(v).__name__}", "ValueError")
    return ip.constant(np.asarray(v, dtype=ip.graph.dtype))


def _broadcast(ip, *vals: Any) -> list:
    ts = [_tensor(ip, v) for v in vals]
    shape = np.broadcast_shapes(*(t.value.shape for t in ts))
    return [t if t.value.shape == shape else _f(ip, "expand", t, shape) for t in ts]


def _shape(v: Any) -> tuple:
    if v is None:
        return ()
    if isinstance(v, int):
        return (v,)
    return tuple(int(d) for d in v)


def _no_grad(ip, fn):
    was = ip.graph.grad_enabled
    ip.graph.grad_enabled = False
    try:
        return fn()
    finally:
        ip.graph.grad_enabled = was


def _format(t: Node, tensor_text: Any) -> str:
    """f"{t}" of a distribution's parameter, as Distribution.__repr__ writes it: a
    one-element tensor formatted (a 0-d one as its Python number), else its size."""
    if t.value.size != 1:
        return size_repr(t.value.shape)
    if t.value.ndim == 0:
        return repr(float(t.value)) if t.value.dtype.kind == "f" else repr(int(t.value))
    return tensor_text(t)


def _set(m: Instance, batch: tuple, event: tuple = ()) -> None:
    m.attrs["batch_shape"] = TorchSize(batch)
    m.attrs["event_shape"] = TorchSize(event)


def _params(*names: str):
    return lambda m, text: ", ".join(f"{n}: {_format(m.attrs[n], text)}" for n in names
                                     if n in m.attrs)


# ------------------------------------------------------------------ Normal


def _normal_init(ip, args, kwargs):
    m = _self(args)
    p = bind("Normal", args[1:], kwargs, [("loc", REQUIRED), ("scale", REQUIRED),
                                          ("validate_args", None)])
    loc, scale = _broadcast(ip, p["loc"], p["scale"])
    if p["validate_args"] is not False and not np.all(scale.value > 0):
        raise ProgramError(f"Expected parameter scale (Tensor of shape "
                           f"{tuple(scale.value.shape)}) of distribution Normal to satisfy the "
                           "constraint GreaterThan(lower_bound=0.0), but found invalid values",
                           "ValueError")
    m.attrs.update(loc=loc, scale=scale, mean=loc, stddev=scale)
    m.attrs["variance"] = _f(ip, "pow", scale, 2)
    _set(m, tuple(loc.value.shape))
    return None


def _extended(m: Instance, sample_shape: Any) -> tuple:
    return _shape(sample_shape) + tuple(m.attrs["batch_shape"]) + tuple(m.attrs["event_shape"])


def _normal_sample(ip, args, kwargs):
    m = _self(args)
    p = bind("sample", args[1:], kwargs, [("sample_shape", ())])
    shape = _extended(m, p["sample_shape"])
    loc, scale = m.attrs["loc"], m.attrs["scale"]

    def draw():
        mean = np.broadcast_to(loc.value, shape)
        std = np.broadcast_to(scale.value, shape)
        return ip.constant(np.asarray(ip.torch_random.normal(mean, std, None, loc.value.dtype)))
    return _no_grad(ip, draw)


def _normal_rsample(ip, args, kwargs):
    m = _self(args)
    p = bind("rsample", args[1:], kwargs, [("sample_shape", ())])
    shape = _extended(m, p["sample_shape"])
    loc, scale = m.attrs["loc"], m.attrs["scale"]
    eps = ip.constant(np.asarray(ip.torch_random.normal_(shape, loc.value.dtype, 0.0, 1.0)))
    return _b(ip, "+", loc, _b(ip, "*", eps, scale))


def _normal_log_prob(ip, args, kwargs):
    m = _self(args)
    value = _tensor(ip, bind("log_prob", args[1:], kwargs, [("value", REQUIRED)])["value"])
    loc, scale = m.attrs["loc"], m.attrs["scale"]
    var = _f(ip, "pow", scale, 2)
    log_scale = _f(ip, "log", scale)
    sq = _f(ip, "pow", _b(ip, "-", value, loc), 2)
    out = _b(ip, "/", _f(ip, "neg", sq), _b(ip, "*", 2, var))
    return _b(ip, "-", _b(ip, "-", out, log_scale), math.log(math.sqrt(2 * math.pi)))


def _normal_entropy(ip, args, kwargs):
    m = _self(args)
    return _b(ip, "+", 0.5 + 0.5 * math.log(2 * math.pi), _f(ip, "log", m.attrs["scale"]))


def _normal_cdf(ip, args, kwargs):
    m = _self(args)
    value = _tensor(ip, bind("cdf", args[1:], kwargs, [("value", REQUIRED)])["value"])
    z = _b(ip, "/", _b(ip, "*", _b(ip, "-", value, m.attrs["loc"]),
                       _f(ip, "reciprocal", m.attrs["scale"])), math.sqrt(2))
    return _b(ip, "*", 0.5, _b(ip, "+", 1, _f(ip, "erf", z)))


# ------------------------------------------------------------------ Categorical


def _probs_logits(name: str, args, kwargs) -> tuple:
    m = _self(args)
    p = bind(name, args[1:], kwargs, [("probs", None), ("logits", None),
                                      ("validate_args", None)])
    if (p["probs"] is None) == (p["logits"] is None):
        raise ProgramError("Either `probs` or `logits` must be specified, but not both.",
                           "ValueError")
    return m, p["probs"], p["logits"]


def _clamp_probs(ip, probs: Node) -> Node:
    eps = float(np.finfo(probs.value.dtype).eps)
    return _f(ip, "clamp", probs, eps, 1 - eps)


def _categorical_init(ip, args, kwargs):
    m, probs, logits = _probs_logits("Categorical", args, kwargs)
    if probs is not None:
        probs = _tensor(ip, probs)
        if probs.value.ndim < 1:
            raise ProgramError("`probs` parameter must be at least one-dimensional.",
                               "ValueError")
        probs = _b(ip, "/", probs, _f(ip, "sum", probs, -1, keepdim=True))
        logits = _f(ip, "log", _clamp_probs(ip, probs))
    else:
        logits = _tensor(ip, logits)
        if logits.value.ndim < 1:
            raise ProgramError("`logits` parameter must be at least one-dimensional.",
                               "ValueError")
        logits = _b(ip, "-", logits, _f(ip, "logsumexp", logits, -1, keepdim=True))
        probs = _f(ip, "softmax", logits, -1)
    m.attrs.update(probs=probs, logits=logits)
    _set(m, tuple(probs.value.shape[:-1]))
    return None


def _categorical_sample(ip, args, kwargs):
    m = _self(args)
    p = bind("sample", args[1:], kwargs, [("sample_shape", ())])
    sample_shape = _shape(p["sample_shape"])
    probs = m.attrs["probs"]
    events = probs.value.shape[-1]
    from .builtins import SPECIAL

    def draw():
        probs_2d = ip.constant(probs.value.reshape(-1, events))
        n = int(np.prod(sample_shape)) if sample_shape else 1
        s = SPECIAL["torch.multinomial"](ip, [probs_2d, n, True], {})
        return ip.constant(s.value.T.reshape(sample_shape + tuple(m.attrs["batch_shape"])))
    return _no_grad(ip, draw)


def _categorical_log_prob(ip, args, kwargs):
    m = _self(args)
    value = _tensor(ip, bind("log_prob", args[1:], kwargs, [("value", REQUIRED)])["value"])
    logits = m.attrs["logits"]
    idx = np.expand_dims(value.value.astype(np.int64), -1)
    shape = np.broadcast_shapes(idx.shape, logits.value.shape)
    idx = np.broadcast_to(idx, shape)[..., :1]
    log_pmf = logits if logits.value.shape == shape else _f(ip, "expand", logits, shape)
    if np.any((idx < 0) | (idx >= logits.value.shape[-1])):
        raise ProgramError("Expected value argument to be within the support of the "
                           "distribution", "ValueError")
    gathered = _f(ip, "gather", log_pmf, -1, ip.constant(np.ascontiguousarray(idx)))
    return _f(ip, "squeeze", gathered, -1)


def _categorical_entropy(ip, args, kwargs):
    m = _self(args)
    logits = m.attrs["logits"]
    min_real = float(np.finfo(logits.value.dtype).min)
    clamped = _f(ip, "clamp", logits, min_real)
    return _f(ip, "neg", _f(ip, "sum", _b(ip, "*", clamped, m.attrs["probs"]), -1))


# ------------------------------------------------------------------ Bernoulli


def _bernoulli_init(ip, args, kwargs):
    m, probs, logits = _probs_logits("Bernoulli", args, kwargs)
    if probs is not None:
        (probs,) = _broadcast(ip, probs)
        ps = _clamp_probs(ip, probs)
        logits = _b(ip, "-", _f(ip, "log", ps), _f(ip, "log1p", _f(ip, "neg", ps)))
    else:
        (logits,) = _broadcast(ip, logits)
        probs = _f(ip, "sigmoid", logits)
    m.attrs.update(probs=probs, logits=logits, mean=probs)
    m.attrs["variance"] = _b(ip, "*", probs, _b(ip, "-", 1, probs))
    _set(m, tuple(probs.value.shape))
    return None


def _bernoulli_sample(ip, args, kwargs):
    m = _self(args)
    p = bind("sample", args[1:], kwargs, [("sample_shape", ())])
    shape = _extended(m, p["sample_shape"])
    probs = m.attrs["probs"]
    from .builtins import SPECIAL

    return _no_grad(ip, lambda: SPECIAL["torch.bernoulli"](
        ip, [ip.constant(np.ascontiguousarray(np.broadcast_to(probs.value, shape)))], {}))


def _bernoulli_log_prob(ip, args, kwargs):
    m = _self(args)
    value = _tensor(ip, bind("log_prob", args[1:], kwargs, [("value", REQUIRED)])["value"])
    logits, value = _broadcast(ip, m.attrs["logits"], value)
    return _f(ip, "neg", _f(ip, "binary_cross_entropy_with_logits", logits, value,
                            reduction="none"))


def _bernoulli_entropy(ip, args, kwargs):
    m = _self(args)
    return _f(ip, "binary_cross_entropy_with_logits", m.attrs["logits"], m.attrs["probs"],
              reduction="none")


# ------------------------------------------------------------------ Uniform


def _uniform_init(ip, args, kwargs):
    m = _self(args)
    p = bind("Uniform", args[1:], kwargs, [("low", REQUIRED), ("high", REQUIRED),
                                           ("validate_args", None)])
    low, high = _broadcast(ip, p["low"], p["high"])
    if p["validate_args"] is not False and not np.all(low.value < high.value):
        raise ProgramError("Expected parameter low of distribution Uniform to satisfy the "
                           "constraint LessThan(upper_bound=high), but found invalid values",
                           "ValueError")
    m.attrs.update(low=low, high=high)
    m.attrs["mean"] = _b(ip, "/", _b(ip, "+", high, low), 2)
    m.attrs["stddev"] = _b(ip, "/", _b(ip, "-", high, low), 12 ** 0.5)
    m.attrs["variance"] = _b(ip, "/", _f(ip, "pow", _b(ip, "-", high, low), 2), 12)
    _set(m, tuple(low.value.shape))
    return None


def _uniform_rsample(ip, args, kwargs):
    m = _self(args)
    p = bind("rsample", args[1:], kwargs, [("sample_shape", ())])
    shape = _extended(m, p["sample_shape"])
    low, high = m.attrs["low"], m.attrs["high"]
    rand = ip.constant(np.asarray(ip.torch_random.rand(shape, low.value.dtype)))
    return _b(ip, "+", low, _b(ip, "*", rand, _b(ip, "-", high, low)))


def _uniform_sample(ip, args, kwargs):
    return _no_grad(ip, lambda: _uniform_rsample(ip, args, kwargs))


def _uniform_log_prob(ip, args, kwargs):
    m = _self(args)
    value = _tensor(ip, bind("log_prob", args[1:], kwargs, [("value", REQUIRED)])["value"])
    low, high = m.attrs["low"], m.attrs["high"]
    dt = low.value.dtype
    lb = ip.constant((low.value <= value.value).astype(dt))
    ub = ip.constant((high.value > value.value).astype(dt))
    return _b(ip, "-", _f(ip, "log", _b(ip, "*", lb, ub)),
              _f(ip, "log", _b(ip, "-", high, low)))


def _uniform_entropy(ip, args, kwargs):
    m = _self(args)
    return _f(ip, "log", _b(ip, "-", m.attrs["high"], m.attrs["low"]))


# ------------------------------------------------------------------ kl_divergence


def _kl_divergence(ip, args, kwargs):
    p = bind("kl_divergence", args, kwargs, [("p", REQUIRED), ("q", REQUIRED)])
    a, b = p["p"], p["q"]
    if not (isinstance(a, Instance) and isinstance(b, Instance)
            and a.cls is b.cls is CLASSES["torch.distributions.Normal"]):
        raise ProgramError("kl_divergence is available for two Normal distributions",
                           "NotImplementedError")
    var_ratio = _f(ip, "pow", _b(ip, "/", a.attrs["scale"], b.attrs["scale"]), 2)
    t1 = _f(ip, "pow", _b(ip, "/", _b(ip, "-", a.attrs["loc"], b.attrs["loc"]),
                         b.attrs["scale"]), 2)
    inner = _b(ip, "-", _b(ip, "-", _b(ip, "+", var_ratio, t1), 1), _f(ip, "log", var_ratio))
    return _b(ip, "*", 0.5, inner)


def _make(name: str, methods: dict, params: tuple) -> UserClass:
    cls = _class(name, f"torch.distributions.{name}", [], methods)
    REPRS[cls] = _params(*params)
    return cls


REPRS: dict[UserClass, Any] = {}
CLASSES: dict[str, UserClass] = {}
for _name, _methods, _params_of in (
        ("Normal", {"__init__": _normal_init, "sample": _normal_sample,
                    "rsample": _normal_rsample, "log_prob": _normal_log_prob,
                    "entropy": _normal_entropy, "cdf": _normal_cdf}, ("loc", "scale")),
        ("Categorical", {"__init__": _categorical_init, "sample": _categorical_sample,
                         "log_prob": _categorical_log_prob, "entropy": _categorical_entropy},
         ("probs", "logits")),
        ("Bernoulli", {"__init__": _bernoulli_init, "sample": _bernoulli_sample,
                       "log_prob": _bernoulli_log_prob, "entropy": _bernoulli_entropy},
         ("probs", "logits")),
        ("Uniform", {"__init__": _uniform_init, "sample": _uniform_sample,
                     "rsample": _uniform_rsample, "log_prob": _uniform_log_prob,
                     "entropy": _uniform_entropy}, ("low", "high"))):
    _cls = _make(_name, _methods, _params_of)
    CLASSES[f"torch.distributions.{_name}"] = _cls
    CLASSES[f"torch.distributions.{_name.lower()}.{_name}"] = _cls
FUNCTIONS_BY_PATH = {
    "torch.distributions.kl_divergence": _kl_divergence,
    "torch.distributions.kl.kl_divergence": _kl_divergence,
}


def distribution_repr(v: Instance, tensor_text: Any) -> str | None:
    for c in v.cls.mro():
        if c in REPRS:
            return f"{v.cls.name}({REPRS[c](v, tensor_text)})"
    return None
