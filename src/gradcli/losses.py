"""The loss functions PyTorch composes from other operations, and their nn modules.

margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss,
poisson_nll_loss (ATen's Loss.cpp), gaussian_nll_loss and multilabel_soft_margin_loss
(torch.nn.functional), soft_margin_loss and multi_margin_loss (ATen kernels with their own
backward), and pairwise_distance: each runs the operations PyTorch runs, in its order, so
values, gradients and grad_fn names are PyTorch's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .dispatch import FUNCTIONS, REQUIRED, bind, binary, function
from .engine import Node
from .errors import ArgumentError, ProgramError
from .nn import LAYERS, _simple, legacy_reduction
from .ops import op
from .torchprint import size_repr

_REDUCTIONS = ("none", "mean", "sum")


def _f(ev, name: str, *args, **kwargs) -> Any:
    return FUNCTIONS[name](ev, name, list(args), kwargs)


def _reduce(ev, out: Node, reduction: str) -> Node:
    """ATen's apply_loss_reduction."""
    if reduction == "mean":
        return _f(ev, "mean", out)
    if reduction == "sum":
        return _f(ev, "sum", out)
    return out


def _reduction(p: dict) -> str:
    r = legacy_reduction(p.get("size_average"), p.get("reduce"), p["reduction"])
    if r not in _REDUCTIONS:
        raise ArgumentError(f"{r} is not a valid value for reduction")
    return r


_BASE = [("size_average", None), ("reduce", None), ("reduction", "mean")]


def _zeros_like(ev, x: Node) -> Node:
    return ev.constant(np.zeros_like(x.value))


@function("margin_ranking_loss")
def _margin_ranking(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input1", REQUIRED), ("input2", REQUIRED),
                                  ("target", REQUIRED), ("margin", 0.0), *_BASE])
    x1, x2, y = ev.tensor(p["input1"]), ev.tensor(p["input2"]), ev.tensor(p["target"])
    if x1.value.ndim != x2.value.ndim or x1.value.ndim != y.value.ndim:
        raise ProgramError(
            f"margin_ranking_loss : All input tensors should have same dimension but got "
            f"sizes: input1: {size_repr(x1.value.shape)}, input2: "
            f"{size_repr(x2.value.shape)}, target: {size_repr(y.value.shape)} ")
    out = binary(ev, "+", binary(ev, "*", _f(ev, "neg", y), binary(ev, "-", x1, x2)),
                 float(p["margin"]))
    return _reduce(ev, _f(ev, "clamp_min", out, 0), _reduction(p))


@function("hinge_embedding_loss")
def _hinge_embedding(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED), ("margin", 1.0),
                                  *_BASE])
    x, y = ev.tensor(p["input"]), ev.tensor(p["target"])
    zeros = _zeros_like(ev, x)
    margin_clamp = _f(ev, "clamp_min", binary(ev, "-", float(p["margin"]), x), 0)
    out_margin = _f(ev, "where", _f(ev, "ne", y, 1), margin_clamp, zeros)
    out_self = _f(ev, "where", _f(ev, "ne", y, -1), x, zeros)
    return _reduce(ev, binary(ev, "+", out_margin, out_self), _reduction(p))


@function("cosine_embedding_loss")
def _cosine_embedding(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input1", REQUIRED), ("input2", REQUIRED),
                                  ("target", REQUIRED), ("margin", 0.0), *_BASE])
    x1, x2, y = ev.tensor(p["input1"]), ev.tensor(p["input2"]), ev.tensor(p["target"])
    td = y.value.ndim
    if td > 1:
        raise ProgramError("0D or 1D target tensor expected, multi-target not supported")
    if x1.value.shape != x2.value.shape:
        raise ProgramError(f"the shape of input1 {size_repr(x1.value.shape)} and input2 "
                           f"{size_repr(x2.value.shape)} should be same")
    if x1.value.ndim != td + 1:
        raise ProgramError(f"{td + 1}D target tensor expects {td + 2}D input tensors, but "
                           f"found inputs with sizes {size_repr(x1.value.shape)} and "
                           f"{size_repr(x2.value.shape)}.")
    eps = 1e-12
    prod_sum = _f(ev, "sum", binary(ev, "*", x1, x2), td)
    mag1 = binary(ev, "+", _f(ev, "sum", binary(ev, "*", x1, x1), td), eps)
    mag2 = binary(ev, "+", _f(ev, "sum", binary(ev, "*", x2, x2), td), eps)
    denom = _f(ev, "sqrt", binary(ev, "*", mag1, mag2))
    cos = binary(ev, "/", prod_sum, denom)
    zeros = _zeros_like(ev, cos)
    pos = binary(ev, "-", 1, cos)
    neg = _f(ev, "clamp_min", binary(ev, "-", cos, float(p["margin"])), 0)
    out_pos = _f(ev, "where", _f(ev, "eq", y, 1), pos, zeros)
    out_neg = _f(ev, "where", _f(ev, "eq", y, -1), neg, zeros)
    return _reduce(ev, binary(ev, "+", out_pos, out_neg), _reduction(p))


def pairwise_distance(ev, x1: Node, x2: Node, p: float, eps: float, keepdim: bool) -> Node:
    """ATen's pairwise_distance: norm(x1 - x2 + eps, p, last dim)."""
    nd = max(x1.value.ndim, x2.value.ndim)
    if nd == 0:
        raise ProgramError("pairwise_distance: expected at least a 1-D input")
    diff = binary(ev, "+", binary(ev, "-", x1, x2), float(eps))
    return ev.apply("norm_aten", (diff,), {"p": float(p), "dim": (nd - 1,),
                                           "keepdim": bool(keepdim)})


@function("pairwise_distance")
def _pairwise_distance(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("x1", REQUIRED), ("x2", REQUIRED), ("p", 2.0),
                                  ("eps", 1e-6), ("keepdim", False)])
    return pairwise_distance(ev, ev.tensor(p["x1"]), ev.tensor(p["x2"]), p["p"], p["eps"],
                             bool(p["keepdim"]))


@function("triplet_margin_loss")
def _triplet_margin(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("anchor", REQUIRED), ("positive", REQUIRED),
                                  ("negative", REQUIRED), ("margin", 1.0), ("p", 2.0),
                                  ("eps", 1e-6), ("swap", False), *_BASE])
    a, pos, neg = (ev.tensor(p[k]) for k in ("anchor", "positive", "negative"))
    if not (a.value.ndim == pos.value.ndim == neg.value.ndim):
        raise ProgramError(
            f"The anchor, positive, and negative tensors are expected to have the same "
            f"number of dimensions, but got: anchor {a.value.ndim}D, positive "
            f"{pos.value.ndim}D, and negative {neg.value.ndim}D inputs")
    d_pos = pairwise_distance(ev, a, pos, p["p"], p["eps"], False)
    d_neg = pairwise_distance(ev, a, neg, p["p"], p["eps"], False)
    if p["swap"]:
        d_swap = pairwise_distance(ev, pos, neg, p["p"], p["eps"], False)
        d_neg = _f(ev, "min", d_neg, d_swap)
    out = _f(ev, "clamp_min", binary(ev, "-", binary(ev, "+", float(p["margin"]), d_pos),
                                     d_neg), 0)
    return _reduce(ev, out, _reduction(p))


@function("poisson_nll_loss")
def _poisson_nll(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED),
                                  ("log_input", True), ("full", False), ("size_average", None),
                                  ("eps", 1e-8), ("reduce", None), ("reduction", "mean")])
    x, t = ev.tensor(p["input"]), ev.tensor(p["target"])
    reduction = _reduction(p)
    if p["log_input"]:
        loss = binary(ev, "-", _f(ev, "exp", x), binary(ev, "*", t, x))
    else:
        loss = binary(ev, "-", x, binary(ev, "*", t, _f(ev, "log",
                                                         binary(ev, "+", x, float(p["eps"])))))
    if p["full"]:
        stirling = binary(ev, "+", binary(ev, "-", binary(ev, "*", t, _f(ev, "log", t)), t),
                          binary(ev, "*", 0.5, _f(ev, "log", binary(ev, "*", 2 * math.pi, t))))
        loss = binary(ev, "+", loss, _f(ev, "masked_fill", stirling, _f(ev, "le", t, 1),
                                         0))
    return _reduce(ev, loss, reduction)


@function("gaussian_nll_loss")
def _gaussian_nll(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED), ("var", REQUIRED),
                                  ("full", False), ("eps", 1e-6), ("reduction", "mean")])
    x, t, var = ev.tensor(p["input"]), ev.tensor(p["target"]), p["var"]
    if isinstance(var, float):
        if var < 0:
            raise ProgramError("var has negative entry/entries", "ValueError")
        var = binary(ev, "*", var, ev.constant(np.ones_like(x.value)))
    else:
        var = ev.tensor(var)
        if bool(np.any(var.value < 0)):
            raise ProgramError("var has negative entry/entries", "ValueError")
    vs, xs = var.value.shape, x.value.shape
    if vs != xs:
        if xs[:-1] == vs:
            var = _f(ev, "unsqueeze", var, -1)
        elif len(xs) == len(vs) and sum(b for a, b in zip(xs, vs) if a != b) == 1:
            pass
        else:
            raise ProgramError("var is of incorrect size", "ValueError")
    reduction = p["reduction"]
    if reduction not in _REDUCTIONS:
        raise ProgramError(f"{reduction} is not valid", "ValueError")
    # var = var.clone(); with torch.no_grad(): var.clamp_(min=eps) -- not recorded
    var = _f(ev, "clone", var)
    np.maximum(var.value, var.value.dtype.type(p["eps"]), out=var.value)
    loss = binary(ev, "*", 0.5, binary(ev, "+", _f(ev, "log", var),
                                       binary(ev, "/", binary(ev, "**", binary(ev, "-", x, t),
                                                              2), var)))
    if p["full"]:
        loss = binary(ev, "+", loss, 0.5 * math.log(2 * math.pi))
    return _reduce(ev, loss, reduction)


@function("multilabel_soft_margin_loss")
def _multilabel_soft_margin(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED), ("weight", None),
                                  *_BASE])
    x, t = ev.tensor(p["input"]), ev.tensor(p["target"])
    reduction = _reduction(p)
    loss = _f(ev, "neg", binary(
        ev, "+", binary(ev, "*", t, _f(ev, "logsigmoid", x)),
        binary(ev, "*", binary(ev, "-", 1, t), _f(ev, "logsigmoid", _f(ev, "neg", x)))))
    if p["weight"] is not None:
        loss = binary(ev, "*", loss, p["weight"])
    class_dim = x.value.ndim - 1
    c = x.value.shape[class_dim]
    loss = binary(ev, "/", _f(ev, "sum", loss, class_dim), c)
    return _reduce(ev, loss, reduction)


# soft_margin_loss: ATen's kernel, log(1 + exp(-y x)), with its own backward
def _soft_margin_forward(x, y, reduction):
    out = np.log1p(np.exp(-y * x))
    if reduction == "mean":
        return np.asarray(np.mean(out), dtype=x.dtype)
    if reduction == "sum":
        return np.asarray(np.sum(out), dtype=x.dtype)
    return out.astype(x.dtype)


def _soft_margin_vjp(g, out, x, y, reduction):
    z = np.exp(-y * x)
    norm = 1.0 / x.size if reduction == "mean" else 1.0
    return (-y * z / (1.0 + z) * norm * g).astype(x.dtype)


op("soft_margin_loss", "SoftMarginLossBackward0", _soft_margin_forward, _soft_margin_vjp,
   lambda g, out, x, y, reduction: np.zeros(()))


@function("soft_margin_loss")
def _soft_margin(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED), *_BASE])
    x, y = ev.tensor(p["input"]), ev.tensor(p["target"])
    if x.value.shape != y.value.shape:
        y = ev.constant(np.broadcast_to(y.value, x.value.shape).copy())
    return ev.apply("soft_margin_loss", (x, y), {"reduction": _reduction(p)})


# multi_margin_loss: ATen's kernel, per sample sum over j != y of
# max(0, margin - x[y] + x[j])^p (times weight[y]) / C
def _mm_parts(x, y, p, margin, weight):
    x2 = x if x.ndim == 2 else x[None, :]
    y2 = np.asarray(y).reshape(-1).astype(np.int64)
    n, c = x2.shape
    xy = x2[np.arange(n), y2][:, None]
    z = margin - xy + x2
    mask = np.ones((n, c), dtype=bool)
    mask[np.arange(n), y2] = False
    active = (z > 0) & mask
    w = 1.0 if weight is None else np.asarray(weight)[y2][:, None]
    return x2, y2, z, active, w, n, c


def _multi_margin_forward(x, y, p, margin, weight, reduction):
    x2, y2, z, active, w, n, c = _mm_parts(x, y, p, margin, weight)
    h = np.where(active, z if p == 1 else z * z, 0) * w
    per = h.sum(axis=1) / c
    if reduction == "mean":
        return np.asarray(per.mean(), dtype=x.dtype)
    if reduction == "sum":
        return np.asarray(per.sum(), dtype=x.dtype)
    return per.astype(x.dtype) if x.ndim == 2 else per.reshape(()).astype(x.dtype)


def _multi_margin_vjp(g, out, x, y, p, margin, weight, reduction):
    x2, y2, z, active, w, n, c = _mm_parts(x, y, p, margin, weight)
    d = np.where(active, 1.0 if p == 1 else 2 * z, 0) * w / c
    if reduction == "mean":
        scale = np.broadcast_to(g / n, (n, 1))
    elif reduction == "sum":
        scale = np.broadcast_to(g, (n, 1))
    else:
        scale = np.asarray(g).reshape(n, 1)
    gx = d * scale
    gx[np.arange(n), y2] -= (d * scale).sum(axis=1)
    return gx.reshape(x.shape).astype(x.dtype)


op("multi_margin_loss", "MultiMarginLossBackward0", _multi_margin_forward, _multi_margin_vjp,
   lambda g, out, x, y, **k: np.zeros(()))


@function("multi_margin_loss")
def _multi_margin(ev, name, args, kwargs):
    p = bind(name, args, kwargs, [("input", REQUIRED), ("target", REQUIRED), ("p", 1),
                                  ("margin", 1.0), ("weight", None), *_BASE])
    x, y = ev.tensor(p["input"]), ev.tensor(p["target"])
    if p["p"] not in (1, 2):
        raise ProgramError("only p == 1 and p == 2 supported")
    if x.value.ndim not in (1, 2):
        raise ProgramError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(x.value.shape)}")
    c = x.value.shape[-1]
    if y.value.dtype.kind not in "iu":
        raise ProgramError(f"expected scalar type Long but found {_dtype_name(y)}")
    if np.any((y.value < 0) | (y.value >= c)):
        raise ProgramError("target out of range")
    w = None if p["weight"] is None else ev.tensor(p["weight"]).value
    return ev.apply("multi_margin_loss", (x, y), {"p": int(p["p"]),
                                                   "margin": float(p["margin"]), "weight": w,
                                                   "reduction": _reduction(p)})


def _dtype_name(t: Node) -> str:
    return {"float32": "Float", "float64": "Double"}.get(str(t.value.dtype), str(t.value.dtype))


# ------------------------------------------------------------------ modules


def _loss_module(name: str, fname: str, inputs: tuple, spec: list) -> None:
    keys = [k for k, _ in spec if k not in ("size_average", "reduce")]

    def call(ip, m, rest, kwargs):
        p = bind(f"{name}.forward", rest, kwargs, [(k, REQUIRED) for k in inputs])
        m.attrs["reduction"] = legacy_reduction(m.attrs.get("size_average"),
                                                m.attrs.get("reduce"), m.attrs["reduction"])
        m.attrs["size_average"] = m.attrs["reduce"] = None
        return FUNCTIONS[fname](ip, fname, [p[k] for k in inputs],
                                {k: m.attrs[k] for k in keys})
    LAYERS[name] = _simple(name, fname, spec, lambda m: "", call)


_loss_module("MarginRankingLoss", "margin_ranking_loss", ("input1", "input2", "target"),
             [("margin", 0.0), *_BASE])
_loss_module("HingeEmbeddingLoss", "hinge_embedding_loss", ("input", "target"),
             [("margin", 1.0), *_BASE])
_loss_module("CosineEmbeddingLoss", "cosine_embedding_loss", ("input1", "input2", "target"),
             [("margin", 0.0), *_BASE])
_loss_module("TripletMarginLoss", "triplet_margin_loss", ("anchor", "positive", "negative"),
             [("margin", 1.0), ("p", 2.0), ("eps", 1e-6), ("swap", False), *_BASE])
_loss_module("PoissonNLLLoss", "poisson_nll_loss", ("input", "target"),
             [("log_input", True), ("full", False), ("size_average", None), ("eps", 1e-8),
              ("reduce", None), ("reduction", "mean")])
_loss_module("GaussianNLLLoss", "gaussian_nll_loss", ("input", "target", "var"),
             [("full", False), ("eps", 1e-6), ("reduction", "mean")])
_loss_module("SoftMarginLoss", "soft_margin_loss", ("input", "target"), _BASE)
_loss_module("MultiLabelSoftMarginLoss", "multilabel_soft_margin_loss", ("input", "target"),
             [("weight", None), *_BASE])
_loss_module("MultiMarginLoss", "multi_margin_loss", ("input", "target"),
             [("p", 1), ("margin", 1.0), ("weight", None), *_BASE])
LAYERS["PairwiseDistance"] = _simple(
    "PairwiseDistance", "pairwise_distance", [("p", 2.0), ("eps", 1e-6), ("keepdim", False)],
    lambda m: "", lambda ip, m, rest, kw: FUNCTIONS["pairwise_distance"](
        ip, "pairwise_distance", list(rest), {"p": m.attrs["p"], "eps": m.attrs["eps"],
                                              "keepdim": m.attrs["keepdim"]}))
