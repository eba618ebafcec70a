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

import numpy as np

from .bindings import parse_json
from .errors import CONVERTIBLE, GradcliError, from_python
from .evaluator import evaluate
from .ops import ELEMENTWISE
from .result import Result, jsonable, single_graph
from .syntax import Call, Name, Attr, Program, walk

CHUNK = 4096
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

