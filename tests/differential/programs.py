"""Random typed programs over gradcli's whole op set, valid Python with PyTorch too.

`case(seed)` builds one program from its own seed (so a case never changes when others
are added): a few float64 leaves, then two to five steps, each an op picked from `OPS`
whose operands fit (shapes are tracked), the last step being the output. Leaf values are
drawn from a mix that lands on kinks, ties, clamp bounds and domain edges (0, +-1, +-3,
6, exact repeats, now and then +-inf) as well as ordinary numbers. Some steps are named
(`h1 = ...`), so named tensors' grad_fn is checked too.

`record.py` runs these with PyTorch 2.13; `compare.py` runs them with gradcli.
No torch here: the tests import this module.
"""

from __future__ import annotations

import math
import random
import re
from typing import Callable

Shape = tuple[int, ...]

SHAPES: list[Shape] = [(), (3,), (4,), (2,), (1,), (2, 3), (3, 2), (2, 2), (3, 3), (1, 3),
                       (3, 1), (2, 1, 3), (2, 2, 3), (2, 3, 2)]
SPECIAL = [0.0, 0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 6.0, 0.25, 1e-7, -1e-7,
           20.0, -20.0]


def _number(rng: random.Random) -> float:
    u = rng.random()
    if u < 0.45:
        return round(rng.uniform(-2.5, 2.5), 3)
    if u < 0.9:
        return rng.choice(SPECIAL)
    if u < 0.97:
        return round(rng.uniform(-8, 8), 2)
    if u < 0.99:
        return rng.choice([math.inf, -math.inf])
    return rng.choice([math.nan, 1e300, -1e-300, 710.0, -745.0])


def values(rng: random.Random, shape: Shape, domain: str = "any") -> object:
    n = math.prod(shape)
    if domain == "prob":
        pool = [0.0, 1.0, 0.5, 0.25, 0.75, 1e-13, 1 - 1e-13]
        flat = [rng.choice(pool) if rng.random() < 0.4 else round(rng.uniform(0.01, 0.99), 3)
                for _ in range(n)]
    else:
        flat = [_number(rng) for _ in range(n)]
        if n > 1 and rng.random() < 0.3:  # ties
            k = rng.randrange(n)
            flat[rng.randrange(n)] = flat[k]
        if rng.random() < 0.1:  # a constant tensor
            flat = [flat[0]] * n
    return _nest(flat, shape)


def _nest(flat: list, shape: Shape) -> object:
    if not shape:
        return flat[0]
    step = math.prod(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _fmt(v: float) -> str:
    if v != v:
        return "float('nan')"
    if v == math.inf:
        return "float('inf')"
    if v == -math.inf:
        return "float('-inf')"
    return repr(v)


class Value:
    """An expression of a float tensor: its text and shape."""

    def __init__(self, text: str, shape: Shape):
        self.text, self.shape = text, shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


Op = Callable[[random.Random, list[Value]], "Value | None"]
OPS: list[tuple[str, int, Op]] = []  # (name, weight, builder)


def op(name: str, weight: int = 1) -> Callable[[Op], Op]:
    def register(f: Op) -> Op:
        OPS.append((name, weight, f))
        return f
    return register


def pick(rng: random.Random, pool: list[Value], ok: Callable[[Value], bool] = lambda v: True):
    choices = [v for v in pool if v.numel and ok(v)]  # an empty tensor only ends a program
    if not choices:
        return None
    if rng.random() < 0.5:  # the newest: programs compose rather than sprawl
        return choices[-1]
    return rng.choice(choices)


def num(rng: random.Random) -> str:
    return rng.choice(["0", "1", "2", "0.5", "-1", "3", "-2.5", "1.5", "6", "-0.5", "0.0",
                       "2.0"])


def dim_of(rng: random.Random, v: Value, extra: int = 0) -> int:
    n = max(v.ndim + extra, 1)
    d = rng.randrange(n)
    return d - n if rng.random() < 0.3 else d


UNARY_TORCH = ["exp", "exp2", "log", "log2", "log10", "log1p", "sqrt", "abs", "sign", "sin",
               "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "relu",
               "erf", "floor", "ceil", "round", "reciprocal", "square", "expm1", "rsqrt",
               "trunc", "frac", "sgn", "logit", "neg"]
UNARY_F = ["logsigmoid", "hardsigmoid", "hardswish", "mish", "silu", "softsign", "tanhshrink",
           "relu6", "selu", "celu", "elu", "gelu", "softplus", "leaky_relu", "hardtanh",
           "relu", "sigmoid", "tanh"]


@op("unary", 8)
def _unary(rng, pool):
    x = pick(rng, pool)
    name = rng.choice(UNARY_TORCH)
    form = rng.random()
    if form < 0.6:
        return Value(f"torch.{name}({x.text})", x.shape)
    return Value(f"{x.text}.{name}()", x.shape)


@op("activation", 8)
def _activation(rng, pool):
    x = pick(rng, pool)
    name = rng.choice(UNARY_F)
    args = ""
    if name == "softplus" and rng.random() < 0.5:
        args = f", beta={rng.choice([0.5, 2.0, 1.0])}, threshold={rng.choice([1.0, 20.0, 2.0])}"
    elif name == "gelu" and rng.random() < 0.5:
        args = ", approximate='tanh'"
    elif name == "leaky_relu" and rng.random() < 0.5:
        args = f", {rng.choice([0.1, 0.2, -0.5])}"
    elif name in ("elu", "celu") and rng.random() < 0.5:
        args = f", alpha={rng.choice([0.5, 2.0])}"
    elif name == "hardtanh" and rng.random() < 0.6:
        lo = rng.choice([-1.0, -2.0, 0.0, -0.5])
        args = f", min_val={lo}, max_val={lo + rng.choice([0.5, 1.0, 3.0])}"
    return Value(f"F.{name}({x.text}{args})", x.shape)


@op("threshold", 2)
def _threshold(rng, pool):
    x = pick(rng, pool)
    return Value(f"F.threshold({x.text}, {num(rng)}, {num(rng)})", x.shape)


def _broadcast(a: Shape, b: Shape) -> Shape | None:
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return None
        out.append(max(x, y) if min(x, y) != 0 else 0)
    return tuple(reversed(out))


def pair(rng, pool):
    """Two operands that broadcast (mostly)."""
    a = pick(rng, pool)
    b = pick(rng, pool, lambda v: _broadcast(a.shape, v.shape) is not None)
    if b is None or rng.random() < 0.03:
        b = pick(rng, pool)
    return a, b


@op("arith", 10)
def _arith(rng, pool):
    a, b = pair(rng, pool)
    sym = rng.choice(["+", "-", "*", "/", "**"])
    shape = _broadcast(a.shape, b.shape) or a.shape
    u = rng.random()
    if u < 0.5:
        return Value(f"({a.text} {sym} {b.text})", shape)
    if u < 0.75:
        return Value(f"({a.text} {sym} {num(rng)})", a.shape)
    return Value(f"({num(rng)} {sym} {a.text})", a.shape)


@op("arith_fn", 5)
def _arith_fn(rng, pool):
    a, b = pair(rng, pool)
    name = rng.choice(["add", "sub", "mul", "div", "true_divide", "pow", "subtract", "multiply"])
    shape = _broadcast(a.shape, b.shape) or a.shape
    u = rng.random()
    if u < 0.4:
        return Value(f"torch.{name}({a.text}, {b.text})", shape)
    if u < 0.7:
        return Value(f"torch.{name}({a.text}, {num(rng)})", a.shape)
    if u < 0.85 and name not in ("pow",):
        return Value(f"torch.{name}({num(rng)}, {a.text})", a.shape)
    return Value(f"{a.text}.{name}({b.text})", shape)


@op("binary_fn", 4)
def _binary_fn(rng, pool):
    a, b = pair(rng, pool)
    name = rng.choice(["maximum", "minimum", "atan2", "hypot", "max", "min"])
    shape = _broadcast(a.shape, b.shape) or a.shape
    if rng.random() < 0.1:  # PyTorch refuses a number here (max/min would read it as dim)
        return Value(f"torch.{name}({a.text}, {rng.choice(['0.5', '2.0', '-1.5'])})", a.shape)
    return Value(f"torch.{name}({a.text}, {b.text})", shape)


@op("clamp", 5)
def _clamp(rng, pool):
    x = pick(rng, pool)
    lo, hi = num(rng), num(rng)
    name = rng.choice(["clamp", "clip"])
    u = rng.random()
    if u < 0.3:
        return Value(f"torch.{name}({x.text}, {lo}, {hi})", x.shape)
    if u < 0.45:
        return Value(f"{x.text}.{name}(min={lo})", x.shape)
    if u < 0.55:
        return Value(f"{x.text}.clamp(max={hi})", x.shape)
    if u < 0.7:
        which = rng.choice(["clamp_min", "clamp_max"])
        return Value(f"torch.{which}({x.text}, {lo})", x.shape)
    a = pick(rng, pool, lambda v: _broadcast(x.shape, v.shape) == x.shape)
    b = pick(rng, pool, lambda v: _broadcast(x.shape, v.shape) == x.shape)
    if a is None or b is None:
        return None
    if rng.random() < 0.2:
        return Value(f"torch.clamp({x.text}, min={a.text})", x.shape)
    return Value(f"torch.clamp({x.text}, {a.text}, {b.text})", x.shape)


@op("where", 2)
def _where(rng, pool):
    a, b = pair(rng, pool)
    shape = _broadcast(a.shape, b.shape) or a.shape
    cmp = rng.choice([">", "<", ">=", "<=", "=="])
    if rng.random() < 0.5:
        return Value(f"torch.where({a.text} {cmp} {num(rng)}, {a.text}, {b.text})", shape)
    return Value(f"torch.where({a.text} {cmp} {b.text}, {a.text}, {b.text})", shape)


def _reduced(x: Value, dims: list[int], keepdim: bool) -> Shape:
    norm = {d % max(x.ndim, 1) for d in dims}
    if keepdim:
        return tuple(1 if i in norm else s for i, s in enumerate(x.shape))
    return tuple(s for i, s in enumerate(x.shape) if i not in norm)


@op("reduce", 10)
def _reduce(rng, pool):
    x = pick(rng, pool)
    name = rng.choice(["sum", "mean", "prod", "max", "min", "std", "var", "logsumexp", "norm",
                       "amax"])
    if name == "amax":
        name = "sum"
    whole = rng.random() < 0.4 or x.ndim == 0
    if name == "logsumexp":
        whole = False
    if whole:
        if name in ("std", "var") and rng.random() < 0.5:
            c = rng.choice([0, 1, 2, 3, 4])
            return Value(f"torch.{name}({x.text}, correction={c})", ())
        if name == "norm" and rng.random() < 0.5:
            p = rng.choice([1, 3, 0.5, 4])
            return Value(f"torch.norm({x.text}, p={p})", ())
        return Value(f"{x.text}.{name}()", ())
    d = dim_of(rng, x)
    keep = rng.random() < 0.3
    kw = ", keepdim=True" if keep else ""
    shape = _reduced(x, [d], keep) if x.ndim else ()
    if name in ("max", "min"):
        if rng.random() < 0.5:
            return Value(f"{x.text}.{name}({d}{kw})[0]", shape)
        return Value(f"torch.{name}({x.text}, dim={d}{kw}).values", shape)
    if name in ("std", "var"):
        extra = rng.choice(["", ", unbiased=False", ", correction=0", ", correction=2",
                            ", correction=3"])
        return Value(f"torch.{name}({x.text}, dim={d}{extra}{kw})", shape)
    if name == "prod":
        return Value(f"torch.prod({x.text}, {d}{kw})", shape)
    if name == "norm":
        return Value(f"torch.norm({x.text}, dim={d}{kw})", shape)
    if name in ("sum", "mean") and x.ndim >= 2 and rng.random() < 0.3:
        dims = (0, x.ndim - 1)
        shape = _reduced(x, list(dims), keep)
        return Value(f"{x.text}.{name}(dim={dims}{kw})", shape)
    return Value(f"torch.{name}({x.text}, {d}{kw})", shape)


@op("softmax", 5)
def _softmax(rng, pool):
    x = pick(rng, pool)
    name = rng.choice(["softmax", "log_softmax", "softmin", "cumsum", "logsumexp"])
    d = dim_of(rng, x)
    if name == "cumsum":
        return Value(f"torch.cumsum({x.text}, {d})", x.shape)
    if rng.random() < 0.1:
        return Value(f"F.{name}({x.text})", x.shape)
    if name == "logsumexp":
        return Value(f"torch.logsumexp({x.text}, {d})", _reduced(x, [d], False) if x.ndim else ())
    if rng.random() < 0.3 and name != "softmin":
        return Value(f"torch.{name}({x.text}, dim={d})", x.shape)
    return Value(f"F.{name}({x.text}, dim={d})", x.shape)


@op("movement", 10)
def _movement(rng, pool):
    x = pick(rng, pool)
    nd, shp = x.ndim, x.shape
    k = rng.randrange(16)
    if k == 0 and nd <= 2:
        return Value(f"{x.text}.t()", tuple(reversed(shp)))
    if k == 1 and nd == 2:
        return Value(f"{x.text}.T", tuple(reversed(shp)))
    if k == 2 and nd >= 2:
        return Value(f"{x.text}.mT", (*shp[:-2], shp[-1], shp[-2]))
    if k == 3 and nd >= 1:
        d0, d1 = dim_of(rng, x), dim_of(rng, x)
        s = list(shp)
        s[d0], s[d1] = s[d1], s[d0]
        return Value(f"{x.text}.transpose({d0}, {d1})", tuple(s))
    if k == 4 and nd >= 2:
        perm = list(range(nd))
        rng.shuffle(perm)
        return Value(f"{x.text}.permute({', '.join(map(str, perm))})",
                     tuple(shp[p] for p in perm))
    if k == 5:
        how = rng.choice(["reshape(-1)", "view(-1)", "flatten()"])
        return Value(f"{x.text}.{how}", (x.numel,))
    if k == 6 and x.numel in (4, 6, 12):
        target = {4: (2, 2), 6: (3, 2), 12: (3, 4)}[x.numel]
        how = rng.choice(["reshape", "view"])
        return Value(f"{x.text}.{how}({target[0]}, {target[1]})", target)
    if k == 7:
        d = dim_of(rng, x, 1)
        dd = d % (nd + 1)
        return Value(f"{x.text}.unsqueeze({d})", (*shp[:dd], 1, *shp[dd:]))
    if k == 8 and nd >= 1:
        form = rng.random()
        if form < 0.3:
            return Value(f"{x.text}.squeeze()", tuple(s for s in shp if s != 1))
        d = dim_of(rng, x)
        dd = d % nd
        out = tuple(s for i, s in enumerate(shp) if not (i == dd and s == 1))
        if form < 0.6:
            return Value(f"{x.text}.squeeze({d})", out)
        return Value(f"{x.text}.squeeze(({d},))", out)
    if k == 9 and nd >= 1:
        d = dim_of(rng, x)
        if rng.random() < 0.5:
            return Value(f"{x.text}.flip({d})", shp)
        return Value(f"torch.roll({x.text}, {rng.choice([1, -1, 2])}, {d})", shp)
    if k == 10 and nd >= 1:
        i = rng.randrange(-shp[0], shp[0])
        return Value(f"{x.text}[{i}]", shp[1:])
    if k == 11 and nd >= 2:
        i = rng.randrange(shp[1])
        form = rng.random()
        if form < 0.3:
            return Value(f"{x.text}[:, {i}]", (shp[0], *shp[2:]))
        if form < 0.5:
            return Value(f"{x.text}[:, {i}].reshape({shp[0]}, 1)", (shp[0], 1))
        if form < 0.7 and nd == 2:
            return Value(f"{x.text}[:, {-rng.randrange(1, shp[1] + 1)}:]", None)
        if form < 0.85:
            return Value(f"{x.text}[..., {rng.randrange(shp[-1])}].contiguous()", shp[:-1])
        return Value(f"{x.text}[..., 0]", shp[:-1])
    if k == 12 and nd >= 1:
        a = rng.randrange(shp[0] + 1)
        b = rng.randrange(a, shp[0] + 1)
        return Value(f"{x.text}[{a}:{b}]", (b - a, *shp[1:]))
    if k == 13:
        how = rng.choice(["contiguous()", "clone()"])
        return Value(f"{x.text}.{how}", shp)
    if k == 14 and nd <= 1:
        return Value(f"{x.text}.expand(2, {shp[0] if nd else 3})", (2, shp[0] if nd else 3))
    if k == 15 and nd == 2:
        how = rng.choice(["tril", "triu", "diag", "diagonal"])
        if how in ("tril", "triu"):
            return Value(f"torch.{how}({x.text}, {rng.choice([0, 1, -1])})", shp)
        return Value(f"torch.{how}({x.text})", (min(shp),))
    if k == 15 and nd == 1:
        return Value(f"torch.diag({x.text})", (shp[0], shp[0]))
    return None


@op("matrix", 8)
def _matrix(rng, pool):
    k = rng.randrange(11)
    a = pick(rng, pool, lambda v: v.ndim >= 1)
    if a is None:
        return None
    if k == 0 and a.ndim == 2:
        b = pick(rng, pool, lambda v: v.ndim == 2 and v.shape[0] == a.shape[1])
        return b and Value(f"torch.mm({a.text}, {b.text})", (a.shape[0], b.shape[1]))
    if k == 1 and a.ndim == 2:
        b = pick(rng, pool, lambda v: v.ndim == 1 and v.shape[0] == a.shape[1])
        return b and Value(f"torch.mv({a.text}, {b.text})", (a.shape[0],))
    if k == 2 and a.ndim == 1:
        b = pick(rng, pool, lambda v: v.shape == a.shape)
        return b and Value(f"torch.dot({a.text}, {b.text})", ())
    if k == 3:
        b = pick(rng, pool, lambda v: v.ndim >= 1 and v.shape[-1] == a.shape[-1])
        return b and Value(f"torch.inner({a.text}, {b.text})", a.shape[:-1] + b.shape[:-1])
    if k == 4 and a.ndim == 1:
        b = pick(rng, pool, lambda v: v.ndim == 1)
        return b and Value(f"torch.outer({a.text}, {b.text})", (a.shape[0], b.shape[0]))
    if k == 5:
        b = pick(rng, pool, lambda v: v.ndim >= 1 and (
            v.shape[0] == a.shape[-1] if v.ndim == 1 else v.shape[-2] == a.shape[-1]))
        if b is None:
            return None
        return Value(f"({a.text} @ {b.text})", None)
    if k == 6:
        w = pick(rng, pool, lambda v: v.ndim in (1, 2) and v.shape[-1] == a.shape[-1])
        if w is None:
            return None
        bias = ""
        if w.ndim == 2 and rng.random() < 0.5:
            bb = pick(rng, pool, lambda v: v.shape in ((w.shape[0],), ()))
            bias = f", {bb.text}" if bb else ""
        return Value(f"F.linear({a.text}, {w.text}{bias})", None)
    if k in (7, 8) and a.ndim == 2 and a.shape[0] == a.shape[1]:
        name = rng.choice(["det", "inverse", "trace", "det"])
        if name == "det" and rng.random() < 0.3:
            return Value(f"torch.linalg.det({a.text})", ())
        return Value(f"torch.{name}({a.text})", a.shape if name == "inverse" else ())
    if k == 9 and a.ndim == 3:
        b = pick(rng, pool, lambda v: v.ndim == 3 and v.shape[0] == a.shape[0]
                 and v.shape[1] == a.shape[2])
        return b and Value(f"torch.bmm({a.text}, {b.text})", (a.shape[0], a.shape[1], b.shape[2]))
    if k == 10 and a.ndim == 1:
        return Value(f"torch.dot({a.text}, {a.text})", ())
    return None


@op("loss", 4)
def _loss(rng, pool):
    k = rng.randrange(5)
    a = pick(rng, pool)
    red = rng.choice(["", "", ", reduction='sum'", ", reduction='none'"])
    if k == 0:
        b = pick(rng, pool, lambda v: _broadcast(a.shape, v.shape) is not None)
        shape = () if red != ", reduction='none'" else _broadcast(a.shape, b.shape)
        return Value(f"F.mse_loss({a.text}, {b.text}{red})", shape)
    shape = () if red != ", reduction='none'" else a.shape
    if k == 1:
        b = pick(rng, pool, lambda v: v.shape == a.shape)
        return Value(f"F.binary_cross_entropy_with_logits({a.text}, {b.text}{red})", shape)
    if k == 2:
        p = rng.choice([f"torch.sigmoid({a.text})", f"torch.clamp({a.text}, 0, 1)",
                        f"torch.clamp({a.text}, 0.0, 1.0)"])
        q = pick(rng, pool, lambda v: v.text == "q" and v.shape == a.shape)
        if q is not None and rng.random() < 0.7:
            p = q.text
        t = pick(rng, pool, lambda v: v.shape == a.shape)
        target = rng.choice([f"torch.sigmoid({t.text}).detach()",
                             f"(torch.sigmoid({t.text}) > 0.5).double()",
                             f"torch.sigmoid({t.text})", f"torch.clamp({t.text}, 0, 1)"])
        qq = pick(rng, pool, lambda v: v.text == "q" and v.shape == a.shape)
        if qq is not None and rng.random() < 0.5:
            target = qq.text
        w = ""
        if rng.random() < 0.25:
            ww = pick(rng, pool, lambda v: v.shape == a.shape)
            w = f", weight={ww.text}" if rng.random() < 0.5 else f", weight={ww.text}.detach()"
        return Value(f"F.binary_cross_entropy({p}, {target}{w}{red})", shape)
    if a.ndim not in (1, 2):
        return None
    c = a.shape[-1]
    n = a.shape[0] if a.ndim == 2 else None
    if c == 0 or n == 0:
        return None
    labels = [rng.randrange(c) for _ in range(n or 1)]
    lab = f"torch.tensor({labels})" if n else f"torch.tensor({labels[0]})"
    shape = () if red != ", reduction='none'" else ((n,) if n else ())
    if k == 3:
        return Value(f"F.cross_entropy({a.text}, {lab}{red})", shape)
    return Value(f"F.nll_loss(F.log_softmax({a.text}, dim=-1), {lab}{red})", shape)


@op("more", 6)
def _more(rng, pool):
    """Spellings and ops the groups above leave out."""
    x = pick(rng, pool)
    k = rng.randrange(16)
    if k == 0:
        b = pick(rng, pool, lambda v: v.shape == x.shape)
        how = rng.choice(["stack", "cat"])
        if how == "cat" and x.ndim == 0:
            return None
        d = dim_of(rng, x, 1 if how == "stack" else 0)
        if how == "stack":
            dd = d % (x.ndim + 1)
            return Value(f"torch.stack([{x.text}, {b.text}], {d})", (*x.shape[:dd], 2, *x.shape[dd:]))
        dd = d % x.ndim
        return Value(f"torch.cat([{x.text}, {b.text}], dim={d})",
                     tuple(2 * s if i == dd else s for i, s in enumerate(x.shape)))
    if k == 1:
        b = pick(rng, pool, lambda v: _broadcast(x.shape, v.shape) is not None)
        return Value(f"torch.dist({x.text}, {b.text}{rng.choice(['', ', 1', ', 3', ', 0.5'])})", ())
    if k == 2 and x.ndim >= 2:
        s_ = list(x.shape)
        s_[0], s_[-1] = s_[-1], s_[0]
        return Value(f"torch.{rng.choice(['swapaxes', 'swapdims'])}({x.text}, 0, -1)", tuple(s_))
    if k == 3:
        return Value(f"torch.linalg.vector_norm({x.text}{rng.choice(['', ', 1', ', 3'])})", ())
    if k == 4:
        return Value(f"torch.where({x.text} > {num(rng)}, {x.text}, {num(rng)})", x.shape)
    if k == 5 and x.ndim >= 1:
        n = x.shape[0]
        idx = [rng.randrange(n) for _ in range(rng.choice([1, 2, 3]))]
        return Value(f"{x.text}[{idx}]", (len(idx), *x.shape[1:]))
    if k == 6 and x.ndim >= 1:
        return Value(f"{x.text}[{x.text} > {num(rng)}]", None)
    if k == 7:
        return Value(f"{x.text}[None]", (1, *x.shape))
    if k == 8 and x.ndim >= 1:
        return Value(f"{x.text}[..., None]", (*x.shape, 1))
    if k == 9:
        name = rng.choice(["zeros_like", "ones_like"])
        return Value(f"(torch.{name}({x.text}) {rng.choice(['+', '*', '-'])} {x.text})", x.shape)
    if k == 10:
        name = rng.choice(["absolute", "negative", "fix", "arctan", "arcsin", "arccos"])
        return Value(f"torch.{name}({x.text})", x.shape)
    if k == 11:
        return Value(f"{x.text}.pow({rng.choice(['2', '3', '0.5', '-1', '-0.5', '1.5', '0'])})",
                     x.shape)
    if k == 12:
        b = pick(rng, pool, lambda v: _broadcast(x.shape, v.shape) is not None)
        return Value(f"torch.{rng.choice(['divide', 'arctan2', 'true_divide'])}({x.text}, {b.text})",
                     _broadcast(x.shape, b.shape))
    if k == 13 and x.ndim == 3:
        b = pick(rng, pool, lambda v: v.ndim == 2 and v.shape[0] == x.shape[2])
        return b and Value(f"torch.matmul({x.text}, {b.text})", (*x.shape[:2], b.shape[1]))
    if k == 14 and x.ndim >= 1:
        d = dim_of(rng, x)
        return Value(f"{x.text}.sum({d}, keepdim=True)", _reduced(x, [d], True))
    if k == 15:
        return Value(f"(torch.ones({list(x.shape)}) * {x.text})" if x.ndim else
                     f"(torch.tensor(2.0) * {x.text})", x.shape)
    return None


@op("int_mix", 1)
def _int_mix(rng, pool):
    """Integer tensors meeting float ops (PyTorch promotes some, refuses others)."""
    x = pick(rng, pool, lambda v: v.ndim == 1)
    if x is None:
        return None
    n = x.shape[0]
    it = rng.choice([f"torch.arange({n})", f"torch.tensor({[rng.randrange(-2, 3) for _ in range(n)]})"])
    k = rng.randrange(8)
    if k == 0:
        return Value(f"({it} * {x.text})", x.shape)
    if k == 1:
        name = rng.choice(["exp", "sigmoid", "tanh", "sqrt", "log"])
        return Value(f"(torch.{name}({it}) + {x.text})", x.shape)
    if k == 2:
        name = rng.choice(["softplus", "gelu", "elu", "silu", "logsigmoid", "softmax",
                           "hardsigmoid", "relu"])
        extra = ", dim=0" if name == "softmax" else ""
        return Value(f"(F.{name}({it}{extra}) + {x.text})", x.shape)
    if k == 3:
        return Value(f"torch.dot({it}, {x.text})", ())
    if k == 4:
        return Value(f"torch.mv({it}.reshape(1, {n}), {x.text})", (1,))
    if k == 5:
        return Value(f"torch.mm({x.text}.reshape(1, {n}), {it}.reshape({n}, 1))", (1, 1))
    if k == 6:
        return Value(f"({x.text} / {it})", x.shape)
    return Value(f"(torch.mean({it}) + {x.text})", x.shape)


def case(seed: int) -> dict:
    """The program for `seed`: {"seed", "program", "bindings", "no_grad"}."""
    rng = random.Random(seed)
    leaves = []
    bindings: dict[str, object] = {}
    for name in "abc"[:rng.choice([1, 2, 2, 3])]:
        shape = rng.choice(SHAPES)
        bindings[name] = values(rng, shape)
        leaves.append(Value(name, shape))
    if rng.random() < 0.15:  # probabilities, exactly 0 and 1 included
        shape = rng.choice(leaves).shape
        bindings["q"] = values(rng, shape, "prob")
        leaves.append(Value("q", shape))
    pool = list(leaves)
    lines: list[str] = []
    steps = rng.choice([1, 2, 2, 3, 3, 4, 5, 6])
    names, weights = zip(*[(n, w) for n, w, _ in OPS])
    builders = {n: f for n, _, f in OPS}
    made = 0
    last: Value | None = None
    tries = 0
    while made < steps and tries < 200:
        tries += 1
        which = rng.choices(names, weights)[0]
        v = builders[which](rng, pool)
        if v is None:
            continue
        if v.shape is None:  # shape not tracked: name it and let later steps skip it
            v.shape = (-1,)
        made += 1
        if made < steps and rng.random() < 0.5:
            h = f"h{made}"
            lines.append(f"{h} = {v.text}")
            v = Value(h, v.shape)
        if v.shape == (-1,):
            last = v
            break
        pool.append(v)
        last = v
    lines.append(last.text if last is not None else "a")
    program = "\n".join(lines)
    used = {k: val for k, val in bindings.items() if re.search(rf"\b{k}\b", program)}
    no_grad = [k for k in used if rng.random() < 0.1 and len(used) > 1][:1]
    return {"seed": seed, "program": program, "bindings": used, "no_grad": no_grad}
