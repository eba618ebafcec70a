"""Command-line bindings: `--x 2`, `--x=2`, `--var x=2`, JSON arrays, constructors, files.

A binding's text is a constant expression of gradcli's own language (`pi/4`, `[[1, 2]]`,
`randn(20, 10)`), parsed, never `eval`ed. `@file` loads .npy (allow_pickle=False), .json
or .csv. `--bindings FILE|-` reads a JSON object of them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import BindingError, GradcliError, InputFileError, ParseError

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


def read_bindings_file(spec: str) -> dict[str, Any]:
    if spec == "-":
        text = sys.stdin.read()
        where = "standard input"
    else:
        try:
            text = Path(spec).read_text(encoding="utf-8")
        except OSError as e:
            raise InputFileError(f"cannot read bindings file {spec!r}: {e.strerror}") from None
        where = spec
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputFileError(f"bindings in {where} are not valid JSON: {e.msg}",
                             line=e.lineno, column=e.colno, source=text) from None
    if not isinstance(doc, dict):
        raise InputFileError(f"bindings in {where} must be a JSON object like {{\"x\": 2}}")
    return doc


def load_file(name: str, path_text: str, dtype: np.dtype) -> np.ndarray:
    path = Path(path_text)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npy":
            arr = np.load(path, allow_pickle=False)
        elif suffix == ".json":
            arr = np.asarray(json.loads(path.read_text(encoding="utf-8")))
        elif suffix in (".csv", ".txt"):
            arr = np.loadtxt(path, delimiter="," if suffix == ".csv" else None, ndmin=1)
            if arr.ndim == 2 and arr.shape[0] == 1:
                arr = arr[0]
        else:
            raise BindingError(f"--{name} @{path_text}: unknown file type {suffix or '(none)'}",
                               hint="use a .npy, .json or .csv file")
    except GradcliError:
        raise
    except OSError as e:
        raise InputFileError(f"--{name}: cannot read {path_text!r}: "
                             f"{e.strerror or e}") from None
    except (ValueError, json.JSONDecodeError) as e:
        raise InputFileError(f"--{name}: {path_text!r} does not hold a numeric array: "
                             f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise InputFileError(f"--{name}: {path_text!r} does not hold a numeric array")
    return arr.astype(dtype)


def binding_value(name: str, text: str, *, dtype: np.dtype, rng: "Randomness",
                  max_elements: int) -> np.ndarray:
    """The array a binding's text stands for."""
    from .evaluator import Evaluator
    from .engine import Node
    from .syntax import Program, parse_expression

    stripped = text.strip()
    if _PLAIN_NUMBER.fullmatch(stripped):  # the common case needs no parser
        return np.asarray(float(stripped), dtype=dtype)
    if stripped.startswith("@"):
        arr = load_file(name, stripped[1:], dtype)
    else:
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
            arr = np.asarray(value, dtype=dtype)
        else:
            raise BindingError(f"--{name}: {text!r} is not a number or a tensor")
    if arr.size > max_elements:
        raise BindingError(f"--{name} has {arr.size:,} elements, more than the limit of "
                           f"{max_elements:,}")
    return arr
