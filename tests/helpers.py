"""Shared helpers for the tests."""

from __future__ import annotations

import numpy as np

from gradcli.engine import Node


def weights_for(shape: tuple[int, ...]) -> np.ndarray:
    """The fixed non-uniform upstream weights, the same as tests/golden/record.py builds."""
    n = int(np.prod(shape)) if shape else 1
    return (1.0 + 0.5 * np.sin(np.arange(n) + 1.0)).reshape(shape)


def from_json(v) -> np.ndarray:
    """A JSON value with "NaN"/"Infinity" strings back to a float array."""
    table = {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}
    if isinstance(v, str):
        return np.asarray(table[v])
    if isinstance(v, list):
        flat: list = []
        stack = [v]
        shape_probe = v
        shape = []
        while isinstance(shape_probe, list):
            shape.append(len(shape_probe))
            shape_probe = shape_probe[0] if shape_probe else None
        arr = np.asarray(_replace(v, table), dtype=np.float64)
        del flat, stack
        return arr.reshape(shape) if arr.size else arr
    return np.asarray(v, dtype=np.float64)


def _replace(v, table):
    if isinstance(v, list):
        return [_replace(x, table) for x in v]
    return table.get(v, v) if isinstance(v, str) else v


def ancestors(out: Node) -> list[Node]:
    """The nodes `out` depends on (itself included), found with an explicit stack."""
    seen: dict[int, Node] = {}
    stack = [out]
    while stack:
        n = stack.pop()
        if n.id in seen:
            continue
        seen[n.id] = n
        stack.extend(n.inputs)
    return list(seen.values())


def close(actual, expected, rtol: float = 1e-9, atol: float = 1e-12) -> bool:
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True))
