"""Homework self-check: compare hand-computed answers with the engine, and the engine's
gradients with central finite differences (as torch.autograd.gradcheck does)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .errors import BindingError
from .result import Result

# Defaults for hand-computed answers: three significant digits, and a small absolute floor
# for answers that should be zero. Give exact answers as expressions (--expect w=1/3).
RTOL, ATOL = 1e-3, 1e-6
# torch.autograd.gradcheck's defaults.
FD_EPS, FD_ATOL, FD_RTOL = 1e-6, 1e-5, 1e-3


@dataclass
class Expectation:
    what: str
    expected: np.ndarray
    computed: np.ndarray | None
    abs_err: float
    rel_err: float
    passed: bool
    note: str = ""


def parse_expect(spec: str) -> tuple[str, str]:
    if "=" not in spec:
        raise BindingError(f"--expect {spec!r}: expected NAME=VALUE, e.g. --expect w=5")
    target, value = spec.split("=", 1)
    return target.strip(), value


def resolve_target(result: Result, target: str) -> tuple[str, np.ndarray | None, str]:
    """What `target` names: d<out>/d<name> or a leaf (its gradient), else a named node or
    the output (its value)."""
    y = result.output_name
    m = re.fullmatch(r"d\s*([A-Za-z_][\w#]*)\s*/\s*d\s*([A-Za-z_][\w#]*)", target)
    if m:
        if m.group(1) != y:
            raise BindingError(f"--expect {target}: the output is {y}, so write d{y}/d{m.group(2)}")
        node = _find(result, m.group(2), target)
        if not node.requires_grad:
            raise BindingError(f"--expect {target}: {m.group(2)} does not require grad")
        return f"d{y}/d{m.group(2)}", result.grad(node), "gradient"
    if target == y and result.output_node is not None and result.output_node.name is None:
        return y, result.output_node.value, "value"
    node = _find(result, target, target)
    if node.is_leaf and node.requires_grad:
        return f"d{y}/d{target}", result.grad(node), "gradient"
    return target, node.value, "value"


def _find(result: Result, name: str, spec: str):
    node = result.lookup(name)
    if node is None:
        known = ", ".join(sorted(result.variables))
        raise BindingError(f"--expect {spec}: the program has no tensor named {name!r}",
                           hint=f"names: {known or 'none'}")
    return node


def compare(computed: Any, expected: np.ndarray, rtol: float, atol: float):
    c = np.asarray(computed, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    try:
        np.broadcast_shapes(c.shape, e.shape)
    except ValueError:
        return float("inf"), float("inf"), False, f"shape {list(e.shape)} != {list(c.shape)}"
    if e.shape != c.shape and e.size != 1:
        return float("inf"), float("inf"), False, f"shape {list(e.shape)} != {list(c.shape)}"
    with np.errstate(all="ignore"):
        diff = np.abs(c - e)
        abs_err = float(np.max(diff)) if diff.size else 0.0
        scale = np.maximum(np.abs(e), np.abs(c))
        rel = np.where(scale > 0, diff / scale, 0.0)
        rel_err = float(np.max(rel)) if rel.size else 0.0
    ok = bool(np.all(np.isclose(c, e, rtol=rtol, atol=atol, equal_nan=True)))
    return abs_err, rel_err, ok, ""


def check_expectations(result: Result, specs: list[tuple[str, np.ndarray]], *,
                       rtol: float = RTOL, atol: float = ATOL) -> list[Expectation]:
    out = []
    for target, expected in specs:
        what, computed, _ = resolve_target(result, target)
        abs_err, rel_err, ok, note = compare(computed, expected, rtol, atol)
        out.append(Expectation(what, expected, computed, abs_err, rel_err, ok, note))
    return out


@dataclass
class LeafCheck:
    name: str
    max_abs: float
    max_rel: float
    passed: bool


def gradcheck(result: Result, rerun: Callable[[str, np.ndarray], Result], *,
              eps: float = FD_EPS, atol: float = FD_ATOL, rtol: float = FD_RTOL
              ) -> list[LeafCheck]:
    """Every leaf gradient against central differences of the output, in float64.

    `rerun(name, value)` evaluates the program again with leaf `name` set to `value`."""
    checks = []
    for leaf in result.leaves:
        x = leaf.value.astype(np.float64)
        numeric = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            hi, lo = x.copy(), x.copy()
            hi[i] += eps
            lo[i] -= eps
            f_hi = float(np.asarray(rerun(leaf.label, hi).value).reshape(-1)[0])
            f_lo = float(np.asarray(rerun(leaf.label, lo).value).reshape(-1)[0])
            numeric[i] = (f_hi - f_lo) / (2 * eps)
        analytic = np.asarray(result.grad(leaf), dtype=np.float64)
        with np.errstate(all="ignore"):
            diff = np.abs(analytic - numeric)
            max_abs = float(np.max(diff)) if diff.size else 0.0
            rel = diff / np.maximum(np.abs(numeric), 1e-300)
            max_rel = float(np.max(np.where(diff == 0, 0.0, rel))) if rel.size else 0.0
        ok = bool(np.all(diff <= atol + rtol * np.abs(numeric)))
        checks.append(LeafCheck(leaf.label, max_abs, max_rel, ok))
    return checks
