"""Print tensors exactly as PyTorch 2.13 prints them, without torch.

A port of ``torch/_tensor_str.py`` (dense, strided, CPU tensors) onto NumPy arrays:
the value's NumPy dtype plays the tensor's dtype. Quirks of the original are kept on
purpose (they are what users see), for instance:

* the formatter's width, integer mode and scientific mode come from the nonzero
  finite values only; zeros, nan and inf are padded to that width but may be wider;
* ``set_printoptions`` resets ``sci_mode`` to None unless it is passed again;
* with ``edgeitems=0`` every tensor shows ``size=(...)`` and a summarised one
  prints as ``[...]``;
* the suffix line-length check counts the last line as two characters longer.

Nested brackets are built with a loop over the dimensions (no recursion), and the
formatter only formats the elements it shows, so a 1000-element tensor prints in a
couple of milliseconds.

Only NumPy is imported.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

__all__ = [
    "PrintOptions",
    "DEFAULT_OPTIONS",
    "set_printoptions",
    "tensor_repr",
    "tensor_str",
    "tensor_format",
    "parameter_repr",
    "float_repr",
    "item_repr",
    "size_repr",
    "dtype_repr",
]

_TORCH_DTYPES = {
    "float64": "torch.float64",
    "float32": "torch.float32",
    "float16": "torch.float16",
    "int64": "torch.int64",
    "int32": "torch.int32",
    "int16": "torch.int16",
    "int8": "torch.int8",
    "uint8": "torch.uint8",
    "bool": "torch.bool",
}
# Aliases a caller may use for the default dtype.
_DTYPE_ALIASES = {
    "double": "float64", "float": "float32", "half": "float16", "long": "int64",
    "int": "int32", "short": "int16", "torch.double": "float64", "torch.float": "float32",
    "torch.half": "float16", "torch.long": "int64", "torch.int": "int32",
    "torch.short": "int16",
}


@dataclasses.dataclass(frozen=True)
class PrintOptions:
    """``torch._tensor_str.PRINT_OPTS`` as an immutable value."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None

    def updated(self, precision: int | None = None, threshold: float | None = None,
                edgeitems: int | None = None, linewidth: int | None = None,
                profile: str | None = None, sci_mode: bool | None = None) -> "PrintOptions":
        """The options after ``torch.set_printoptions(...)`` with these arguments."""
        return set_printoptions(self, precision=precision, threshold=threshold,
                                edgeitems=edgeitems, linewidth=linewidth,
                                profile=profile, sci_mode=sci_mode)


DEFAULT_OPTIONS = PrintOptions()


def set_printoptions(options: PrintOptions | None = None, *, precision: int | None = None,
                     threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None,
                     sci_mode: bool | None = None) -> PrintOptions:
    """Return the options ``torch.set_printoptions`` would leave, starting from
    ``options`` (default: PyTorch's defaults). As in PyTorch, ``sci_mode`` is always
    overwritten (an omitted ``sci_mode`` goes back to automatic)."""
    o = DEFAULT_OPTIONS if options is None else options
    p, t, e, w = o.precision, o.threshold, o.edgeitems, o.linewidth
    if profile is not None:
        if profile == "default":
            p, t, e, w = 4, 1000, 3, 80
        elif profile == "short":
            p, t, e, w = 2, 1000, 2, 80
        elif profile == "full":
            p, t, e, w = 4, math.inf, 3, 80
    if precision is not None:
        p = precision
    if threshold is not None:
        t = threshold
    if edgeitems is not None:
        e = edgeitems
    if linewidth is not None:
        w = linewidth
    return PrintOptions(precision=p, threshold=t, edgeitems=e, linewidth=w, sci_mode=sci_mode)


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, str):
        name = _DTYPE_ALIASES.get(dtype, dtype)
        if name.startswith("torch."):
            name = name[6:]
        if name in _TORCH_DTYPES:
            return name
    name = np.dtype(dtype).name
    if name not in _TORCH_DTYPES:
        raise TypeError(f"no PyTorch dtype for NumPy dtype {name!r}")
    return name


def dtype_repr(np_dtype: Any) -> str:
    """``str(t.dtype)``: ``torch.float32`` for float32, etc."""
    return _TORCH_DTYPES[_dtype_name(np_dtype)]


def size_repr(shape: tuple[int, ...]) -> str:
    """``str(t.shape)`` / ``repr(t.size())``: ``torch.Size([2, 3])``."""
    return "torch.Size([" + ", ".join(str(int(d)) for d in shape) + "])"


def float_repr(x: float, dtype: Any = "float64") -> str:
    """``repr(t.item())`` for a one-element floating tensor of ``dtype`` holding ``x``:
    the Python repr of the value rounded to ``dtype`` and widened to double."""
    name = _dtype_name(dtype)
    with np.errstate(over="ignore"):
        return repr(float(np.asarray(x, dtype=name).reshape(())[()]))


def item_repr(value: Any) -> str:
    """``repr(t.item())`` for a one-element array of any supported dtype."""
    a = np.asarray(value)
    if a.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return repr(a.reshape(-1)[0].item())


def _format_elements(flat: np.ndarray, o: PrintOptions) -> tuple[list[str], int]:
    """``torch._tensor_str._Formatter`` over the shown elements ``flat`` (1-D), applied
    to each of them: the padded texts, in order, and the formatter's width.

    The mode (integer / scientific) and the width come from the nonzero finite values
    only; every element is formatted the same way and right-aligned to that width.
    """
    values = flat.tolist()
    if flat.dtype.kind != "f":
        raw = [f"{v}" for v in values]
        width = max(1, max(map(len, raw), default=1))
        return [t.rjust(width) for t in raw], width

    mask = np.isfinite(flat) & (flat != 0)
    nonzero = flat[mask]
    if nonzero.size == 0:
        # No usable number: integer mode, width 1 ("0.", "nan", "-inf", ...).
        return [_int_mode_text(v) for v in values], 1
    absvals = np.abs(nonzero).astype(np.float64)
    vmin = float(absvals.min())
    vmax = float(absvals.max())
    int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
    if o.sci_mode is None:
        sci_mode = vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4
    else:
        sci_mode = bool(o.sci_mode)

    if sci_mode:
        spec = f".{o.precision}e"
        raw = [format(v, spec) for v in values]
    elif int_mode:
        raw = [_int_mode_text(v) for v in values]
    else:
        spec = f".{o.precision}f"
        raw = [format(v, spec) for v in values]
    # Formatting a nonzero finite value gives the text the formatter measures
    # (integer mode counts the trailing "." it appends).
    width = max(1, max(len(raw[i]) for i in np.flatnonzero(mask).tolist()))
    return [t.rjust(width) for t in raw], width


def _int_mode_text(v: float) -> str:
    t = f"{v:.0f}"
    if not (math.isinf(v) or math.isnan(v)):
        t += "."
    return t


def _tensor_body(a: np.ndarray, indent: int, o: PrintOptions) -> str:
    """``torch._tensor_str._tensor_str`` for a non-empty array."""
    summarize = a.size > o.threshold
    e = o.edgeitems
    nd = a.ndim

    if summarize and not e and nd:
        # With no edge items, a summarised tensor shows nothing (a 0-d one shows its value).
        return "[...]"

    # Axes shown in full, or as their first and last `e` entries.
    cut = [summarize and d > 2 * e for d in a.shape]
    if any(cut):
        sub = a[np.ix_(*[np.r_[0:e, d - e:d] if c else np.arange(d)
                         for d, c in zip(a.shape, cut)])]
    else:
        sub = a
    texts, width = _format_elements(sub.reshape(-1), o)

    if nd == 0:
        return texts[0]

    # Rows (last axis): torch._tensor_str._vector_str.
    row_indent = indent + nd - 1
    element_length = width + 2
    per_line = max(1, math.floor((o.linewidth - row_indent) / element_length))
    row_len = sub.shape[-1]
    row_sep = ",\n" + " " * (row_indent + 1)
    last_cut = cut[-1]
    strs = []
    for start in range(0, len(texts), row_len):
        data = texts[start:start + row_len]
        if last_cut:
            data = data[:e] + [" ..."] + data[e:]
        if len(data) <= per_line:
            strs.append("[" + ", ".join(data) + "]")
        else:
            lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
            strs.append("[" + row_sep.join(lines) + "]")

    # Enclosing dimensions, innermost first: torch._tensor_str._tensor_str_with_formatter.
    for depth in range(nd - 2, -1, -1):
        g = sub.shape[depth]
        sep = "," + "\n" * (nd - depth - 1) + " " * (indent + depth + 1)
        grouped = []
        for start in range(0, len(strs), g):
            children = strs[start:start + g]
            if cut[depth]:
                children = children[:e] + ["..."] + children[e:]
            grouped.append("[" + sep.join(children) + "]")
        strs = grouped
    return strs[0]


def _add_suffixes(tensor_str: str, suffixes: list[str], indent: int, linewidth: int) -> str:
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        n = len(suffix)
        if last_line_len + n + 2 > linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + n
        else:
            parts.append(", " + suffix)
            last_line_len += n + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(value: Any, *, default_dtype: Any = "float32", grad_fn: str | None = None,
                requires_grad: bool = False, prefix: str = "tensor(",
                options: PrintOptions | None = None, tangent: str | None = None,
                **printoptions: Any) -> str:
    """What ``repr(t)`` / ``str(t)`` / ``print(t)`` show for a CPU tensor holding
    ``value`` (its NumPy dtype is the tensor's dtype).

    ``default_dtype`` is ``torch.get_default_dtype()`` ("float32" or "float64").
    ``grad_fn`` is the node's class name (``"MulBackward0"``); when given,
    ``requires_grad=True`` is not printed, as in PyTorch. ``prefix`` replaces
    ``"tensor("`` (its last line sets the indent). ``options`` and/or keyword
    arguments of ``torch.set_printoptions`` (precision, threshold, edgeitems,
    linewidth, profile, sci_mode) choose the print options. ``tangent`` is the text of a
    forward-AD dual tensor's tangent.
    """
    o = DEFAULT_OPTIONS if options is None else options
    if printoptions:
        o = set_printoptions(o, **printoptions)
    a = np.asarray(value)
    name = _dtype_name(a.dtype)
    if a.dtype.name != name:
        a = a.astype(name)
    default = _dtype_name(default_dtype)
    indent = len(prefix) - (prefix.rfind("\n") + 1)

    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(int(d) for d in a.shape)))
        if name != default:
            suffixes.append("dtype=" + _TORCH_DTYPES[name])
        body = "[]"
    else:
        if not o.edgeitems:
            suffixes.append("size=" + str(tuple(int(d) for d in a.shape)))
        if name not in (default, "int64", "bool"):
            suffixes.append("dtype=" + _TORCH_DTYPES[name])
        body = _tensor_body(a, indent, o)

    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        suffixes.append(f"tangent={tangent}")
    return _add_suffixes(prefix + body, suffixes, indent, o.linewidth)


tensor_str = tensor_repr


def parameter_repr(value: Any, *, default_dtype: Any = "float32",
                   requires_grad: bool = True, **kwargs: Any) -> str:
    """``repr(torch.nn.Parameter(t))``."""
    return "Parameter containing:\n" + tensor_repr(
        value, default_dtype=default_dtype, requires_grad=requires_grad, **kwargs)


def tensor_format(value: Any, spec: str = "", **kwargs: Any) -> str:
    """``format(t, spec)`` / ``f"{t:spec}"``: a 0-d tensor formats its Python item;
    any other tensor gives its repr for an empty spec and raises TypeError otherwise."""
    a = np.asarray(value)
    if a.ndim == 0:
        _dtype_name(a.dtype)
        return format(a.item(), spec)
    if spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return tensor_repr(a, **kwargs)
