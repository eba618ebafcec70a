"""SymPy as an independent oracle: random scalar programs, gradients at random points.

Each expression is generated twice at once -- as gradcli text and as a SymPy tree -- so
the oracle never parses gradcli's syntax. Functions whose domain is limited get arguments
that keep them inside it (log(1 + u^2), sqrt(1 + u^2)).
"""

from __future__ import annotations

import math
import re

import numpy as np
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradcli

X, Y, Z = sp.symbols("x y z", real=True)
SYMS = {"x": X, "y": Y, "z": Z}

leaf = st.one_of(
    st.sampled_from([("x", X), ("y", Y), ("z", Z)]),
    st.sampled_from([("2", sp.Integer(2)), ("0.5", sp.Rational(1, 2)), ("3", sp.Integer(3)),
                     ("pi", sp.pi), ("1.25", sp.Rational(5, 4))]),
)

UNARY = [
    ("sin({})", sp.sin), ("cos({})", sp.cos), ("tanh({})", sp.tanh), ("exp({})", sp.exp),
    ("x_.sigmoid()", lambda u: 1 / (1 + sp.exp(-u))), ("atan({})", sp.atan),
    ("log(1 + ({})^2)", lambda u: sp.log(1 + u ** 2)),
    ("sqrt(1 + ({})**2)", lambda u: sp.sqrt(1 + u ** 2)), ("-({})", lambda u: -u),
    ("torch.sinh({})", sp.sinh), ("({}).abs()", sp.Abs), ("F.softplus({})",
                                                          lambda u: sp.log(1 + sp.exp(u))),
]


def _unary(child):
    def build(args):
        (text, expr), (fmt, fn) = args
        if fmt.startswith("x_."):
            return f"({text}){fmt[2:]}", fn(expr)
        return fmt.format(text), fn(expr)
    return st.tuples(child, st.sampled_from(UNARY)).map(build)


def _binary(child):
    def build(args):
        (a, ea), op, (b, eb) = args
        if op == "/":
            return f"({a}) / (1 + ({b})^2)", ea / (1 + eb ** 2)
        if op == "**":
            k = 2 if len(b) % 2 else 3
            return f"({a})**{k}", ea ** k
        if op == "implicit":
            return f"2({a})", 2 * ea
        sym = {"+": ea + eb, "-": ea - eb, "*": ea * eb}[op]
        return f"({a}) {op} ({b})", sym
    return st.tuples(child, st.sampled_from(["+", "-", "*", "/", "**", "implicit"]), child).map(build)


exprs = st.recursive(leaf, lambda child: st.one_of(_unary(child), _binary(child)), max_leaves=10)
points = st.fixed_dictionaries({n: st.floats(-1.5, 1.5).filter(lambda v: abs(v) > 1e-3)
                                for n in "xyz"})


def evaluate_generated(text: str, point: dict, limit: float | None = None):
    """A generated program evaluated at the point, with the names it reads; None if it
    reads none (gradcli rejects bindings a program never reads) or, given `limit`, if its
    value is not finite or larger than `limit`."""
    used = sorted(n for n in "xyz" if re.search(rf"\b{n}\b", text))
    if not used:
        return None
    r = gradcli.evaluate(text, {n: point[n] for n in used})
    if limit is not None:
        v = float(r.value)
        if not math.isfinite(v) or abs(v) > limit:
            return None
    return r, used


def sympy_point(point: dict, used: list[str]) -> dict:
    return {SYMS[n]: sp.Float(repr(point[n]), 30) for n in used}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, points)
def test_gradients_equal_sympy_derivatives(expr, point):
    text, sym = expr
    got = evaluate_generated(text, point)
    if got is None:
        return
    r, used = got
    subs = sympy_point(point, used)
    value = float(sym.subs(subs).evalf(30))
    if not math.isfinite(value) or abs(value) > 1e12:
        return
    assert np.isclose(float(r.value), value, rtol=1e-9, atol=1e-12), (text, r.value, value)
    for n in used:
        want = float(sp.diff(sym, SYMS[n]).subs(subs).evalf(30))
        got = float(r.grads[n])
        assert np.isclose(got, want, rtol=1e-9, atol=1e-9), (text, n, got, want)
