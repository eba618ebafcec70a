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
    if arr.dtype == np.float32 and (arr.ndim == 0 or full or arr.size <= SMALL):
        return torch_style(arr)
    if arr.ndim == 0:
        if arr.dtype == np.bool_:
            return str(bool(arr))
        return number(arr)
    if full or arr.size <= SMALL:
        with np.printoptions(precision=6, suppress=True, linewidth=60, threshold=10**9):
            return np.array2string(arr, separator=", ")
    return summary(arr)


def torch_style(arr: np.ndarray) -> str:
    """A float32 tensor's numbers as PyTorch prints them (`0.1000`, not `0.1000000015`),
    without `tensor(` and `)`."""
    from ..torchprint import tensor_repr

    body = tensor_repr(arr, default_dtype="float32", threshold=10**9)[len("tensor("):-1]
    return "\n".join(line[len("tensor("):] if i else line
                     for i, line in enumerate(body.split("\n")))


def summary(arr: np.ndarray) -> str:
    if arr.size == 0:
        return f"{shape(arr)} empty"
    if arr.dtype == np.bool_:
        return f"{shape(arr)} {int(arr.sum())} True"
    with np.errstate(all="ignore"):
        return (f"mean {number(np.mean(arr), 4)} "
                f"in [{number(np.min(arr), 4)}, {number(np.max(arr), 4)}]")


def shape(arr: Any) -> str:
    """A shape as PyTorch's torch.Size lists it: `[2, 3]`, `[]` for a scalar."""
    return "[" + ", ".join(str(d) for d in np.shape(arr)) + "]"
