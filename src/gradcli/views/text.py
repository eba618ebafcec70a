"""How numbers and tensors read in the terminal: short for people, complete with --full."""

from __future__ import annotations

from typing import Any

import numpy as np

SMALL = 8  # tensors with at most this many elements are shown whole


def number(v: Any, digits: int = 10) -> str:
    v = float(v)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    text = f"{v:.{digits}g}"
    return "0" if text == "-0" else text


def value(v: Any, *, full: bool = False) -> str:
    """A scalar as a number; a small tensor whole; a large one as shape and statistics."""
    if v is None:
        return "None"
    arr = np.asarray(v)
    if arr.ndim == 0:
        if arr.dtype == np.bool_:
            return str(bool(arr))
        return number(arr)
    if full or arr.size <= SMALL:
        with np.printoptions(precision=6, suppress=True, linewidth=60, threshold=10**9):
            return np.array2string(arr, separator=", ")
    return summary(arr)


def summary(arr: np.ndarray) -> str:
    shape = "×".join(str(d) for d in arr.shape)
    if arr.size == 0:
        return f"[{shape}] empty"
    if arr.dtype == np.bool_:
        return f"[{shape}] {int(arr.sum())} True"
    with np.errstate(all="ignore"):
        return (f"mean {number(np.mean(arr), 4)} "
                f"in [{number(np.min(arr), 4)}, {number(np.max(arr), 4)}]")


def shape(arr: Any) -> str:
    s = np.shape(arr)
    return "scalar" if s == () else "×".join(str(d) for d in s)
