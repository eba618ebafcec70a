"""Command-line bindings: `--x 2`, `--x=2`, `--var x=2`, JSON arrays, constructors, files.

A binding's text is a constant expression of gradcli's own language (`pi/4`, `[[1, 2]]`,
`randn(20, 10)`), parsed, never `eval`ed. `@file` loads .npy (allow_pickle=False), .json
or .csv. `--bindings FILE|-` reads a JSON object of them.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import BindingError, GradcliError, InputFileError, LimitError, ParseError

if TYPE_CHECKING:
    from .evaluator import Randomness


_PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def split_args(tokens: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Separate positional arguments from `--name value` / `--name=value` bindings."""
    positional: list[str] = []
    pairs: list[tuple[str, str]] = []
    i = 0
    only_positional = False
    while i < len(tokens):
        tok = tokens[i]
        if only_positional or not tok.startswith("--") or tok == "--":
            if tok == "--" and not only_positional:
                only_positional = True
            else:
                positional.append(tok)
            i += 1
            continue
        body = tok[2:]
        if "=" in body:
            name, value = body.split("=", 1)
            i += 1
        else:
            if i + 1 >= len(tokens):
                raise BindingError(f"--{body} needs a value", hint=f"e.g. --{body} 2")
            name, value = body, tokens[i + 1]
            i += 2
        pairs.append((name, value))
    return positional, pairs


def parse_var(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise BindingError(f"--var expects NAME=VALUE (got {text!r})")
    name, value = text.split("=", 1)
    return name.strip(), value


# What gradcli reads from one file or stream: more is refused, not read (/dev/zero ends).
MAX_TEXT_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 64  # deeper than any tensor (NumPy allows 64 dimensions)
MAX_INT_DIGITS = 4300  # Python's limit for converting digits to an int


def read_bounded(source: Any, what: str, limit: int = MAX_TEXT_BYTES) -> bytes:
    """At most `limit` bytes of a path or a binary stream; more is an error (an endless
    file such as /dev/zero is not read to its end)."""
    try:
        if hasattr(source, "read"):
            data = source.read(limit + 1)
        else:
            with open(source, "rb") as f:
                data = f.read(limit + 1)
    except OSError as e:
        raise InputFileError(f"cannot read {what}: {e.strerror or e}") from None
    if len(data) > limit:
        raise LimitError(f"{what} is larger than {limit // 2**20} MiB: not read",
                         hint="give large tensors as .npy files")
    return data


def decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{what} is not UTF-8 text (byte {e.start + 1} is "
                             f"0x{data[e.start]:02x})") from None


def stdin_bytes() -> Any:
    """Standard input as a binary stream; an error if it is closed."""
    if sys.stdin is None:
        raise InputFileError("standard input is closed: nothing to read",
                             hint="pipe the input in, or name a file")
    return getattr(sys.stdin, "buffer", sys.stdin)


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer has {len(text):,} digits (the limit is "
                         f"{MAX_INT_DIGITS:,})")
    return int(text)


def _json_float(text: str) -> float:
    value = float(text)
    if value in (math.inf, -math.inf):  # JSON has no infinity: the number is out of range
        raise ValueError(f"the number {text[:30]} is beyond float range")
    return value


def _json_depth_ok(text: str) -> bool:
    """Whether brackets nest at most MAX_JSON_DEPTH deep (strings are skipped)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return True
    depth = 0
    for m in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif c in "]}":
            depth -= 1
    return True


def parse_json(text: str, what: str, *, show_source: bool = True) -> Any:
    """JSON with bounded nesting and integers; errors say where (with the line shown only
    when `show_source`: the user named the file)."""
    if not _json_depth_ok(text):
        raise InputFileError(f"{what} nests more than {MAX_JSON_DEPTH} levels deep")
    try:
        return json.loads(text, parse_int=_json_int, parse_float=_json_float)
    except json.JSONDecodeError as e:
        place = "" if show_source else (f" at column {e.colno}" if e.lineno == 1 else
                                        f" at line {e.lineno}, column {e.colno}")
        raise InputFileError(f"{what} is not valid JSON: {e.msg}{place}",
                             line=e.lineno if show_source else None,
                             column=e.colno if show_source else None,
                             source=text if show_source else None) from None
    except ValueError as e:
        raise InputFileError(f"{what}: {e}") from None
    except RecursionError:
        raise InputFileError(f"{what} nests too deeply") from None


def read_bindings_file(spec: str) -> dict[str, Any]:
    if spec == "-":
        data = read_bounded(stdin_bytes(), "standard input")
        where = "standard input"
    else:
        data = read_bounded(spec, f"bindings file {spec!r}")
        where = spec
    doc = parse_json(decode(data, f"bindings in {where}"), f"bindings in {where}")
    if not isinstance(doc, dict):
        raise InputFileError(f"bindings in {where} must be a JSON object like {{\"x\": 2}}")
    return doc


def numeric(name: str, arr: np.ndarray, path_text: str) -> np.ndarray:
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise InputFileError(f"--{name}: {path_text!r} does not hold a numeric array "
                             f"(it holds {arr.dtype} values)")
    return arr


def _load_npy(name: str, path_text: str, max_elements: int) -> np.ndarray:
    """A .npy file, its header checked (dtype, shape against --max-elements, length)
    before any data is read; the bytes become an array of that dtype, nothing else."""
    from numpy.lib import format as npformat

    label = f"--{name}: {path_text!r}"
    try:
        f = open(path_text, "rb")
    except OSError as e:
        raise InputFileError(f"--{name}: cannot read {path_text!r}: {e.strerror or e}") from None
    with f:
        try:
            head = f.read(6)
            if head[:2] == b"PK":
                raise InputFileError(f"{label} is a .npz archive (a zip file), not a .npy "
                                     "array", hint="save one array with numpy.save")
            if not head:
                raise InputFileError(f"{label} is empty, not a .npy array")
            if head != b"\x93NUMPY":
                raise InputFileError(f"{label} is not a .npy array (no NumPy header)")
            f.seek(0)
            version = npformat.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = npformat.read_array_header_1_0(f)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = npformat.read_array_header_2_0(f)
            else:
                raise InputFileError(f"{label}: unknown .npy version {version}")
        except GradcliError:
            raise
        except (ValueError, SyntaxError, OSError, EOFError, TypeError, MemoryError) as e:
            raise InputFileError(f"{label} has a broken .npy header: "
                                 f"{str(e).splitlines()[0] if str(e) else type(e).__name__}"
                                 ) from None
        if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields is not None:
            raise InputFileError(f"{label} does not hold a numeric array (dtype {dtype})")
        count = 1
        for d in shape:
            if int(d) < 0:
                raise InputFileError(f"{label} has a broken .npy header (shape {shape})")
            count *= int(d)
        if count > max_elements:
            raise BindingError(f"--{name} has {count:,} elements (shape {tuple(shape)}), more "
                               f"than the limit of {max_elements:,}",
                               hint="raise it with --max-elements if you mean it")
        nbytes = count * dtype.itemsize
        try:
            data = f.read(nbytes + 1)
        except OSError as e:
            raise InputFileError(f"--{name}: cannot read {path_text!r}: {e.strerror}") from None
    if len(data) != nbytes:
        has = f"has {len(data):,}" if len(data) < nbytes else "holds more"
        raise InputFileError(f"{label}: the header promises {nbytes:,} bytes of data, the "
                             f"file {has}")
    arr = np.frombuffer(data, dtype=dtype)
    return arr.reshape(shape, order="F" if fortran else "C")


def _load_csv(name: str, text: str, path_text: str, sep: str | None) -> np.ndarray:
    """Rows of numbers; an error says where, never what the line holds."""
    rows: list[list[float]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split(sep)
        try:
            rows.append([float(v) for v in fields])
        except ValueError:
            col = next(i for i, v in enumerate(fields, 1) if not _is_float(v))
            raise InputFileError(f"--{name}: {path_text!r} line {n}, column {col} is not a "
                                 "number") from None
        if len(rows[-1]) != len(rows[0]):
            raise InputFileError(f"--{name}: {path_text!r} line {n} has {len(rows[-1])} "
                                 f"columns, the first row {len(rows[0])}")
    arr = np.array(rows, dtype=np.float64)
    if arr.ndim == 2 and arr.shape[0] == 1:  # one row, or one column: a vector, as
        arr = arr[0]                         # np.loadtxt(..., ndmin=1) reads them
    elif arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    return arr


def _is_float(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def load_file(name: str, path_text: str, dtype: np.dtype,
              max_elements: int = 10**8) -> np.ndarray:
    from pathlib import Path  # only for files: not on the start-up path

    path = Path(path_text)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        arr = _load_npy(name, path_text, max_elements)
    elif suffix in (".json", ".csv", ".txt"):
        what = f"--{name}: {path_text!r}"
        text = decode(read_bounded(path_text, what), what)
        if suffix == ".json":
            doc = parse_json(text, what, show_source=False)
            from .evaluator import to_array

            arr = to_array(name, doc, np.dtype(dtype))
        else:
            arr = _load_csv(name, text, path_text, "," if suffix == ".csv" else None)
    else:
        raise BindingError(f"--{name} @{path_text}: unknown file type {suffix or '(none)'}",
                           hint="use a .npy, .json or .csv file")
    arr = numeric(name, arr, path_text)
    return arr.astype(dtype)


def binding_value(name: str, text: str, *, dtype: np.dtype, rng: "Randomness",
                  max_elements: int) -> np.ndarray:
    """The array a binding's text stands for."""
    from .evaluator import Evaluator
    from .engine import Node
    from .syntax import Program, parse_expression

    stripped = text.strip()
    if _PLAIN_NUMBER.fullmatch(stripped):  # the common case needs no parser
        number = float(stripped)
        if number in (math.inf, -math.inf) and stripped.lstrip("+-").isdigit():
            raise BindingError(f"--{name}: the integer {stripped[:20]}... ({len(stripped):,} "
                               "digits) is beyond float range")
        return np.asarray(number, dtype=dtype)
    arr = None
    if stripped.startswith("@"):
        arr = load_file(name, stripped[1:], dtype, max_elements)
    elif stripped.startswith("[") and len(stripped) > 4096:  # a long JSON array: no parser
        from .evaluator import to_array

        try:
            doc = parse_json(stripped, f"--{name}", show_source=False)
        except GradcliError:
            doc = None  # not JSON after all: the language's parser says what is wrong
        if doc is not None:
            arr = to_array(name, doc, np.dtype(dtype))
    if arr is None:
        try:
            expr = parse_expression(text)
            ev = Evaluator(Program((), text), {}, dtype=np.dtype(dtype).name,
                           max_elements=max_elements)
            ev.random = rng
            value = ev.compute(expr)
            if isinstance(value, (list, tuple)):
                value = ev.operand(value)
        except ParseError as e:
            e.where = f"the value of --{name}"
            raise
        except GradcliError as e:
            raise BindingError(f"--{name}: {e.message}", line=e.line, column=e.column,
                               source=text, hint=e.hint) from None
        if isinstance(value, Node):
            if value.value.dtype.kind not in "biuf":
                raise BindingError(f"--{name}: expected numbers")
            arr = value.value.astype(dtype)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if type(value) is int and value.bit_length() > 1023:
                raise BindingError(f"--{name}: the integer is beyond float range")
            arr = np.asarray(value, dtype=dtype)
        else:
            raise BindingError(f"--{name}: {text!r} is not a number or a tensor")
    if arr.size > max_elements:
        raise BindingError(f"--{name} has {arr.size:,} elements, more than the limit of "
                           f"{max_elements:,}")
    return arr
