"""`gradcli batch`: one program, many rows of bindings (JSON Lines), one result line each.

The program is parsed once. Input is read in chunks, so output starts before the input
ends and memory stays bounded. When the first row shows an all-scalar graph of
elementwise ops, the rows of a chunk that bind the same names to plain numbers are
evaluated together along a batch axis: every op acts on each row's element alone, so each
row's value and gradients are exactly what evaluating it alone gives. Every other row is
evaluated alone. A bad row gives an error line; the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import re
from itertools import islice

import numpy as np

from .bindings import parse_json
from .errors import CONVERTIBLE, GradcliError, from_python
from .evaluator import evaluate
from .ops import ELEMENTWISE
from .result import SCHEMA, Result, dumps, jsonable, single_graph
from .syntax import Call, Name, Attr, Program, walk

CHUNK = 4096
TEXT_CHUNK = 4 * CHUNK  # run_text's chunks: fewer, larger batched evaluations
RANDOM = {"randn", "rand", "randn_like", "rand_like"}
# Reading a tensor's shape gives another answer when rows are stacked along a batch axis.
SHAPE_DEPENDENT = {"numel", "size", "shape", "ndim", "dim", "item", "len"}


@dataclass
class Plan:
    names: list[str]
    vectorize: bool


def _row_dependent(program: Program) -> bool:
    """Whether stacking rows could change a row's result: random draws, or reading a
    tensor's shape or its single item."""
    for stmt in program.statements:
        if not hasattr(stmt, "value"):  # import lines
            continue
        for node in walk(stmt.value):
            name = ""
            if isinstance(node, Call):
                f = node.func
                name = f.id if isinstance(f, Name) else f.name if isinstance(f, Attr) else ""
            elif isinstance(node, Attr):
                name = node.name
            if name in RANDOM or name in SHAPE_DEPENDENT:
                return True
    return False


def _plan(result: Result, program: Program) -> Plan:
    vectorize = (result.output_node is not None
                 and all(n.value.ndim == 0 for n in result.nodes)
                 and all(n.op is None or n.op.key in ELEMENTWISE for n in result.nodes)
                 and not _row_dependent(program))
    return Plan(list(result.bound), vectorize)


def _row_error(n: int, err: GradcliError | str, kind: str = "BindingError") -> dict:
    if isinstance(err, GradcliError):
        return {"line": n, "error": err.to_dict()}
    return {"line": n, "error": {"type": kind, "message": err, "line": None, "column": None}}


def _row_line(n: int, result: Result, nodes: bool) -> dict:
    line = {"line": n, "value": jsonable(result.value),
            "grads": {k: jsonable(v) for k, v in result.grads.items()}}
    if nodes:
        line["nodes"] = [result.node_dict(x) for x in result.nodes]
    return line


def _column(values: np.ndarray) -> list:
    if values.dtype.kind == "f" and np.isfinite(values).all():
        return values.astype(np.float64).tolist()
    return [jsonable(v) for v in values]


class Batch:
    def __init__(self, program: Program, *, nodes: bool = False,
                 shared: dict | None = None, **options: Any) -> None:
        self.program = program
        self.nodes = nodes
        self.shared = shared or {}
        self.options = options
        self.plan: Plan | None = None

    def _one(self, n: int, bindings: dict) -> dict:
        try:
            result = single_graph(evaluate(self.program, bindings, **self.options))
        except GradcliError as e:
            return _row_error(n, e)
        except CONVERTIBLE as e:  # whatever goes wrong, the row gets its error line
            return _row_error(n, from_python(e))
        if self.plan is None:
            self.plan = _plan(result, self.program)
        return _row_line(n, result, self.nodes)

    def _together(self, rows: list[tuple[int, dict]]) -> list[dict] | None:
        """Evaluate rows along a batch axis; None if the graph turns out not to allow it."""
        names = self.plan.names
        arrays = {k: np.array([r[k] for _, r in rows], dtype=np.float64) for k in names}
        try:
            result = single_graph(evaluate(self.program, arrays, batched=True, **self.options))
        except GradcliError:
            return None
        if result.output_node is None or result.output_node.value.shape != (len(rows),):
            return None
        value = _column(np.asarray(result.value))
        grads = {k: _column(np.asarray(v)) for k, v in result.grads.items()}
        node_rows = self._node_rows(result, len(rows)) if self.nodes else None
        out = []
        for i, (n, _) in enumerate(rows):
            line = {"line": n, "value": value[i], "grads": {k: g[i] for k, g in grads.items()}}
            if node_rows is not None:
                line["nodes"] = node_rows[i]
            out.append(line)
        # Each row must read exactly as it would alone: check one row of every chunk, and
        # evaluate rows one by one from now on if it does not.
        first, doc = rows[0]
        if self._one(first, doc) != out[0]:
            self.plan.vectorize = False
            return None
        return out

    def _node_rows(self, result: Result, count: int) -> list[list[dict]]:
        per_node = []
        for x in result.nodes:
            base = result.node_dict_meta(x)
            base["shape"] = []
            vals = _column(np.broadcast_to(x.value, (count,)))
            g = result.grad(x)
            grads = None if g is None else _column(np.broadcast_to(g, (count,)))
            per_node.append((base, vals, grads))
        return [[{**b, "value": v[i], "grad": None if gr is None else gr[i]}
                 for b, v, gr in per_node] for i in range(count)]

    def run_chunk(self, chunk: list[tuple[int, str]]) -> list[dict]:
        results: dict[int, dict] = {}
        pending = []
        for n, text in chunk:
            if isinstance(text, GradcliError):  # the reader refused the line (too long)
                results[n] = _row_error(n, text)
                continue
            try:
                doc = parse_json(text, "the line", show_source=False)
            except GradcliError as e:
                results[n] = _row_error(n, e.message, "BindingError")
                continue
            if not isinstance(doc, dict):
                results[n] = _row_error(n, "each line must be a JSON object of bindings, "
                                           'like {"x": 2, "w": 1}')
                continue
            if self.shared:  # values every row shares; a row's own value wins
                doc = {**self.shared, **doc}
            if self.plan is None:
                results[n] = self._one(n, doc)
            else:
                pending.append((n, doc))
        group = []
        if self.plan is not None and self.plan.vectorize:
            keys = set(self.plan.names)
            for n, doc in pending:
                if set(doc) == keys and all(type(v) is float or (type(v) is int and
                                                     -2**53 <= v <= 2**53)
                                                     for v in doc.values()):
                    group.append((n, doc))
        if len(group) > 1:
            lines = self._together(group)
            if lines is not None:
                for line in lines:
                    results[line["line"]] = line
        for n, doc in pending:
            if n not in results:
                results[n] = self._one(n, doc)
        return [results[n] for n, _ in chunk]


# A flat row of plain JSON numbers, `{"x": 2, "w": -1.5e3}`: read without a JSON parser
# (anything else, or anything unusual, goes through the general path).
_NUMBER = r"(-?(?:0|[1-9][0-9]{0,299})(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
_PAIR = r'[ \t]*"([A-Za-z_][A-Za-z_0-9]*)"[ \t]*:[ \t]*' + _NUMBER + r"[ \t]*"
_ROWS: dict[int, re.Pattern] = {}


_INF = float("inf")


def _row_pattern(k: int) -> re.Pattern:
    if k not in _ROWS:
        _ROWS[k] = re.compile(r"[ \t]*\{" + ",".join([_PAIR] * k) + r"\}[ \t]*")
    return _ROWS[k]


def _json_number(token: str) -> float | None:
    """What the general path makes of a JSON number token (json.loads, then float64), or
    None for what it treats otherwise (an integer beyond 2**53, a float beyond range)."""
    if "." in token or "e" in token or "E" in token:
        v = float(token)
        return None if v in (_INF, -_INF) else v
    if len(token) > 16:
        v = int(token)
        if not -2**53 <= v <= 2**53:
            return None
        return float(v)
    return float(int(token))  # "-0" is the integer 0


_CHUNK_PATTERNS: dict[tuple[tuple[str, ...], bool], re.Pattern] = {}


def _chunk_pattern(keys: tuple[str, ...], spaced: bool) -> re.Pattern:
    """Whole lines `{"k1": n1, "k2": n2, ...}` with the keys in this order (multi-line):
    exactly as json.dumps spaces them, or with any spaces and tabs (`spaced`)."""
    if (keys, spaced) not in _CHUNK_PATTERNS:
        if spaced:
            pairs = ",".join(r'[ \t]*"' + k + r'"[ \t]*:[ \t]*' + _NUMBER + r"[ \t]*"
                             for k in keys)
            line = r"^[ \t]*\{" + pairs + r"\}[ \t]*$"
        else:
            line = r"^\{" + ", ".join('"' + k + '": ' + _NUMBER for k in keys) + r"\}$"
        _CHUNK_PATTERNS[keys, spaced] = re.compile(line, re.M)
    return _CHUNK_PATTERNS[keys, spaced]


def _column_of(tokens: list[str]) -> np.ndarray | None:
    """JSON number tokens as float64, as the general path reads them; None when one needs
    it (a float beyond range; integers have at most 300 digits by the pattern)."""
    values = np.array(list(map(float, tokens)), dtype=np.float64)
    if not np.isfinite(values).all():
        return None
    negzero = np.nonzero((values == 0) & np.signbit(values))[0]
    for i in negzero:  # "-0" is the integer 0 to a JSON reader, "-0.0" a negative zero
        values[i] = _json_number(tokens[i])
    return values


def _format_lines(rows: list[int], value: np.ndarray, grads: list) -> str:
    """Result lines, byte for byte as dumps writes them, from the columns (finite floats:
    json writes float.__repr__). f-strings for up to three gradients (the common cases,
    and about twice as fast as %-formatting), %-formatting beyond."""
    head, val = '{"schema": "' + SCHEMA + '", "line": ', ', "value": '
    keys = [(", " if i else ', "grads": {') + '"' + name + '": ' for i, (name, _) in
            enumerate(grads)]
    cols = [g.tolist() for _, g in grads]
    v = value.tolist()
    end = "}}\n"
    if len(cols) == 1:
        (k1,), (c1,) = keys, cols
        return "".join([f"{head}{n}{val}{a!r}{k1}{b!r}{end}" for n, a, b in zip(rows, v, c1)])
    if len(cols) == 2:
        (k1, k2), (c1, c2) = keys, cols
        return "".join([f"{head}{n}{val}{a!r}{k1}{b!r}{k2}{c!r}{end}"
                        for n, a, b, c in zip(rows, v, c1, c2)])
    if len(cols) == 3:
        (k1, k2, k3), (c1, c2, c3) = keys, cols
        return "".join([f"{head}{n}{val}{a!r}{k1}{b!r}{k2}{c!r}{k3}{d!r}{end}"
                        for n, a, b, c, d in zip(rows, v, c1, c2, c3)])
    template = head + "%d" + val + "%r" + "".join(k + "%r" for k in keys) + end
    if not keys:
        template = head + "%d" + val + '%r, "grads": {' + end
    return "".join(map(template.__mod__, zip(rows, v, *cols)))


class TextBatch(Batch):
    """Batch writing JSON text: a chunk of flat number rows is read with one pattern, run
    along a batch axis, and its result lines are formatted from the result columns (the
    bytes `dumps` gives); any other row takes the general path."""

    def text_chunk(self, chunk: list[tuple[int, Any]]) -> tuple[str, bool]:
        """The chunk's output lines as one text, and whether a row failed."""
        if self.plan is None and len(chunk) > 2:  # the first row decides the plan
            head, bad = self.text_chunk(chunk[:1])
            rest, bad_rest = self.text_chunk(chunk[1:])
            return head + rest, bad or bad_rest
        if self.plan is not None and self.plan.vectorize and not self.nodes \
                and not self.shared and len(chunk) > 1:
            fast = self._fast(chunk)
            if fast is not None:
                return fast, False
        failed = False
        texts = []
        for line in self.run_chunk(chunk):
            failed = failed or "error" in line
            texts.append(dumps({"schema": SCHEMA, **line}, indent=None) + "\n")
        return "".join(texts), failed

    def _fast(self, chunk: list[tuple[int, Any]]) -> str | None:
        """All rows of the chunk flat numbers bound to the plan's names in the first row's
        order: their lines, or None (the general path then runs the chunk)."""
        texts = [t for _, t in chunk]
        if not all(type(t) is str for t in texts):
            return None
        names = self.plan.names
        m = _row_pattern(len(names)).fullmatch(texts[0])
        if m is None:
            return None
        keys = m.groups()[0::2]
        if sorted(keys) != sorted(names) or len(set(keys)) != len(keys):
            return None
        joined = "\n".join(texts)
        found = _chunk_pattern(keys, False).findall(joined)
        if len(found) != len(texts):
            found = _chunk_pattern(keys, True).findall(joined)
            if len(found) != len(texts):
                return None
        if len(keys) == 1:
            found = [(t,) for t in found]
        cols = {}
        for j, key in enumerate(keys):
            col = _column_of([f[j] for f in found])
            if col is None:
                return None
            cols[key] = col
        try:
            result = single_graph(evaluate(self.program, cols, batched=True, **self.options))
        except GradcliError:
            return None
        rows = [n for n, _ in chunk]
        if result.output_node is None or result.output_node.value.shape != (len(rows),):
            return None
        value = np.asarray(result.value, dtype=np.float64)
        grads = [(name, np.asarray(g, dtype=np.float64)) for name, g in result.grads.items()]
        finite = np.isfinite(value).all() and all(np.isfinite(g).all() for _, g in grads)
        # the first row, evaluated alone, must read the same (else no more batching)
        alone = self._one(rows[0], {k: float(cols[k][0]) for k in keys})
        head = {"line": rows[0], "value": jsonable(value[0]),
                "grads": {name: jsonable(g[0]) for name, g in grads}}
        if alone != head:
            self.plan.vectorize = False
            return None
        if not finite:
            return None
        return _format_lines(rows, value, grads)


def run_text(program: Program, lines: Iterable[str], **options: Any) -> Iterator[tuple[str,
                                                                                     bool]]:
    """Like run, as JSON text: each chunk's lines as one text, and whether a row failed."""
    batch = TextBatch(program, **options)
    it = iter(lines)
    start = 1
    while True:
        block = list(islice(it, TEXT_CHUNK))
        if not block:
            return
        chunk = [(n, t) for n, t in enumerate(block, start)
                 if type(t) is not str or (t and not t.isspace())]
        start += len(block)
        if chunk:
            yield batch.text_chunk(chunk)


def run(program: Program, lines: Iterable[str], **options: Any) -> Iterator[dict]:
    """Result lines for the input lines, in order, chunk by chunk. Blank lines are skipped,
    as jq skips them (line numbers still count them); an item that is a GradcliError
    instead of text (a line the reader refused) gets its error line."""
    batch = Batch(program, **options)
    chunk: list[tuple[int, Any]] = []
    for n, text in enumerate(lines, 1):
        if isinstance(text, str) and not text.strip():
            continue
        chunk.append((n, text))
        if len(chunk) == CHUNK:
            yield from batch.run_chunk(chunk)
            chunk = []
    if chunk:
        yield from batch.run_chunk(chunk)

