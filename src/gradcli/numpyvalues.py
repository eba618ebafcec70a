"""NumPy in lesson programs: `np.array([...])`, `np.sum(a)`, `np.random.seed(0)` on NumPy
values give NumPy values, printed as NumPy prints them -- as the lesson's Python would.

Only a fixed list of NumPy functions is called, and only with NumPy arrays, numbers and
lists (never with a tensor: those keep gradcli's torch meaning); functions that make
arrays have their sizes checked against the element limit before NumPy allocates."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .engine import Node
from .errors import ProgramError

if TYPE_CHECKING:
    from .lesson import Interpreter

# Functions whose result is no larger than their inputs (or a scalar).
ELEMENTWISE = {
    "array", "asarray", "abs", "absolute", "exp", "log", "log2", "log10", "log1p", "expm1",
    "sqrt", "square", "sin", "cos", "tan", "tanh", "sinh", "cosh", "arcsin", "arccos",
    "arctan", "arctan2", "sign", "floor", "ceil", "round", "around", "clip", "maximum",
    "minimum", "power", "add", "subtract", "multiply", "divide", "negative", "reciprocal",
    "where", "isnan", "isinf", "isfinite", "sum", "mean", "std", "var", "max", "min",
    "amax", "amin", "argmax", "argmin", "prod", "cumsum", "cumprod", "dot", "matmul",
    "transpose", "reshape", "ravel", "squeeze", "expand_dims", "concatenate", "stack",
    "vstack", "hstack", "allclose", "isclose", "array_equal", "all", "any", "sort",
    "argsort", "copy", "flip", "diag", "trace", "mod", "remainder", "floor_divide",
    "median", "average", "count_nonzero", "unique", "shape", "size", "ndim", "float64",
    "float32", "int64", "int32",
}
# Functions that make arrays from sizes.
MAKERS = {"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "full_like",
          "arange", "linspace", "eye", "identity"}
RANDOM = {"rand", "randn", "random", "random_sample", "uniform", "normal", "randint",
          "permutation", "shuffle", "choice", "standard_normal", "seed"}
ARRAY_METHODS = {"sum", "mean", "std", "var", "max", "min", "argmax", "argmin", "round",
                 "reshape", "astype", "transpose", "flatten", "ravel", "copy", "tolist",
                 "item", "dot", "clip", "cumsum", "prod", "any", "all", "squeeze", "fill",
                 "sort", "argsort"}
ARRAY_ATTRIBUTES = {"shape", "dtype", "size", "ndim", "T"}


def _has_tensor(v: Any, depth: int = 0) -> bool:
    if isinstance(v, Node):
        return True
    if isinstance(v, (list, tuple)) and depth < 32:
        return any(_has_tensor(x, depth + 1) for x in v)
    return False


def _count(shape: Any) -> int:
    if isinstance(shape, (int, np.integer)):
        return int(shape)
    if isinstance(shape, (tuple, list)):
        return math.prod(int(s) for s in shape)
    return 1


def _made_size(name: str, args: list, kwargs: dict) -> int:
    if name in ("zeros", "ones", "empty", "full"):
        return _count(args[0] if args else kwargs.get("shape", 1))
    if name in ("eye", "identity"):
        n = int(args[0]) if args else int(kwargs.get("N", kwargs.get("n", 1)))
        m = int(args[1]) if len(args) > 1 and args[1] is not None else n
        return n * m
    if name == "linspace":
        return int(args[2]) if len(args) > 2 else int(kwargs.get("num", 50))
    if name == "arange":
        lo, hi, step = (0, args[0], 1) if len(args) == 1 else (
            args[0], args[1], args[2] if len(args) > 2 else 1)
        return max(0, math.ceil((float(hi) - float(lo)) / float(step)))
    return 0


def handles(path: str, args: list, kwargs: dict) -> bool:
    """Whether numpy.NAME(...) runs in NumPy: a listed function, no tensor in sight."""
    if not path.startswith("numpy."):
        return False
    name = path[len("numpy."):]
    if name.startswith("random."):
        ok = name[len("random."):] in RANDOM
    else:
        ok = name in ELEMENTWISE or name in MAKERS
    return ok and not _has_tensor(list(args)) and not _has_tensor(list(kwargs.values()))


def call(ip: "Interpreter", path: str, args: list, kwargs: dict) -> Any:
    name = path[len("numpy."):]
    limit = ip.graph.max_elements
    if "dtype" in kwargs and hasattr(kwargs["dtype"], "np"):  # np.float64 and the like
        kwargs = {**kwargs, "dtype": kwargs["dtype"].np}
    try:
        if name.startswith("random."):
            return _random(ip, name[len("random."):], args, kwargs, limit)
        if name in MAKERS and _made_size(name, args, kwargs) > limit:
            raise ProgramError(f"numpy.{name}: the array would have more than {limit:,} "
                               "elements (--max-elements)", "MemoryError")
        r = getattr(np, name)(*args, **kwargs)
    except (ValueError, TypeError, IndexError, OverflowError, ZeroDivisionError) as e:
        raise ProgramError(str(e), type(e).__name__) from None
    except np.exceptions.AxisError as e:
        raise ProgramError(str(e), "AxisError") from None
    if isinstance(r, np.ndarray) and r.size > limit:
        raise ProgramError(f"numpy.{name}: the array would have more than {limit:,} elements",
                           "MemoryError")
    return r


def _random(ip: "Interpreter", name: str, args: list, kwargs: dict, limit: int) -> Any:
    if name == "seed":
        ip.numpy_random = np.random.RandomState(*args, **kwargs)
        return None
    rs = ip.numpy_random
    if rs is None:
        rs = ip.numpy_random = np.random.RandomState()
    size = kwargs.get("size")
    if name in ("rand", "randn"):
        n = _count(tuple(args))
    elif name in ("uniform", "normal"):
        size = args[2] if len(args) > 2 else size
        n = _count(size) if size is not None else 1
    elif name == "randint":
        size = args[2] if len(args) > 2 else size
        n = _count(size) if size is not None else 1
    elif name in ("random", "random_sample", "standard_normal"):
        size = args[0] if args else size
        n = _count(size) if size is not None else 1
    else:
        n = _count(args[0]) if args and isinstance(args[0], (int, np.integer)) else 1
    if n > limit:
        raise ProgramError(f"numpy.random.{name}: more than {limit:,} numbers asked for",
                           "MemoryError")
    return getattr(rs, name)(*args, **kwargs)


def method(obj: np.ndarray, name: str, args: list, kwargs: dict) -> Any:
    try:
        r = getattr(obj, name)(*args, **kwargs)
    except (ValueError, TypeError, IndexError) as e:
        raise ProgramError(str(e), type(e).__name__) from None
    return r
