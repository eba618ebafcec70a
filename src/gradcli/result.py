"""The Result of one evaluation, and its JSON document (schema gradcli/1).

Views read a Result; they never compute gradients.
"""

from __future__ import annotations

import json
import math
from functools import cached_property
from typing import Any

import numpy as np

from .engine import Node

SCHEMA = "gradcli/1"


def jsonable(value: Any) -> Any:
    """Numbers and arrays as strict JSON values: non-finite floats become strings."""
    if value is None:
        return None
    if isinstance(value, Node):
        value = value.value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return _number(value)
    arr = np.asarray(value)
    if arr.dtype.kind == "f":
        if np.isfinite(arr).all():
            return arr.astype(np.float64).tolist()
        obj = arr.astype(object)
        obj[np.isnan(arr)] = "NaN"
        obj[arr == np.inf] = "Infinity"
        obj[arr == -np.inf] = "-Infinity"
        finite = np.isfinite(arr)
        obj[finite] = arr[finite].astype(np.float64)
        out = obj.tolist()
        return out
    return arr.tolist()


def _number(v: float | int) -> Any:
    if isinstance(v, int):
        return v
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return float(v)


def plain(value: Any) -> Any:
    """A 0-d array or NumPy scalar as the Python number it holds; arrays stay arrays."""
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        return value.item()
    return value


def dumps(doc: Any, *, indent: int | None = 2) -> str:
    """Strict RFC 8259 JSON; raises if a bare NaN/Infinity would slip through."""
    return json.dumps(doc, indent=indent, allow_nan=False, ensure_ascii=False)


class Result:
    """Everything one evaluation produced: the graph, the output, every gradient."""

    def __init__(self, program: str, nodes: list[Node], output: Any,
                 grads: list[np.ndarray | None] | None, *, explicit_backward: bool,
                 dtype: str, variables: dict[str, Node] | None = None,
                 steps: list | None = None, bound: list[str] | None = None) -> None:
        self.program = program
        self.bound = bound or []  # the binding names the program read
        self.steps = steps  # the backward trace, when asked for (engine.backward)
        self.variables = variables or {}  # each name's final tensor, as the program left it
        self.nodes = nodes
        self.output_node: Node | None = output if isinstance(output, Node) else None
        self.output = output
        self._grads = grads
        self.explicit_backward = explicit_backward
        self.dtype = dtype

    @property
    def differentiated(self) -> bool:
        """Whether backward ran (the output requires grad and was differentiated)."""
        return self._grads is not None

    @property
    def value(self) -> Any:
        """The output's value: a Python number for a scalar (float; bool or int for such
        outputs), a NumPy array for a tensor."""
        return plain(self.value_array)

    @property
    def value_array(self) -> Any:
        """The output's value as the engine holds it (a 0-d array for a scalar)."""
        if self.output_node is not None:
            return self.output_node.value
        return self.output

    def grad(self, node: Node) -> np.ndarray | None:
        """d(output)/d(node); None where the node does not require grad."""
        if self._grads is None or not node.requires_grad:
            return None
        g = self._grads[node.id]
        return np.zeros_like(node.value) if g is None else g

    def torch_grad(self, node: Node) -> np.ndarray | None:
        """`.grad` as PyTorch keeps it after backward: leaves that require grad and
        retained nodes; None elsewhere."""
        if self._grads is None:
            return None
        if node.requires_grad and (node.is_leaf or node.retains_grad):
            return self._grads[node.id]
        return None

    @property
    def leaves(self) -> list[Node]:
        """Named leaves that require grad: the variables one differentiates by."""
        return [n for n in self.nodes if n.is_leaf and n.requires_grad and n.name is not None]

    @property
    def grads(self) -> dict[str, Any]:
        """d(output)/d(variable) for every named leaf that requires grad: a Python float for
        a scalar variable, a NumPy array (the variable's shape) for a tensor."""
        return {k: plain(v) for k, v in self.grad_arrays.items()}

    @property
    def grad_arrays(self) -> dict[str, np.ndarray]:
        """The same gradients as the engine holds them (0-d arrays for scalars)."""
        if self._grads is None:
            return {}
        return {n.label: self.grad(n) for n in self.leaves}

    def graph(self, *, rankdir: str = "TB") -> "Any":
        """The graph as a picture: DOT, Mermaid, SVG; a notebook displays it."""
        from .views.graph import Graph

        return Graph(self, rankdir=rankdir)

    def __repr__(self) -> str:
        from .views import text

        y = self.output_name
        grads = ", ".join(f"d{y}/d{k} = {text.value(v)}" for k, v in self.grad_arrays.items())
        value = text.value(self.value_array).replace("\n", "")
        return (f"<gradcli.Result {y} = {value}" + (f"; {grads}" if grads else "")
                + f" ({len(self.nodes)} nodes)>")

    def _repr_html_(self) -> str:
        """The table a notebook shows: every node's grad_fn, value and grad."""
        from .views.html import result_html

        return result_html(self)

    def lookup(self, name: str) -> Node | None:
        """The tensor a user means by `name`: the node with that label (a bound variable
        keeps its bare name even when the program re-assigns it), else the name's final
        value in the program, else None."""
        for n in self.nodes:
            if n.label == name:
                return n
        return self.variables.get(name)

    @property
    def output_name(self) -> str:
        """What the summary calls the output: its name, else y (or out if y is taken)."""
        if self.output_node is not None and self.output_node.name:
            return self.output_node.label
        taken = {n.name for n in self.nodes}
        return "y" if "y" not in taken else "out"

    @cached_property
    def warnings(self) -> list[str]:
        """Non-finite values, reported at the first node that produced them."""
        out: list[str] = []
        with np.errstate(all="ignore"):
            for n in self.nodes:
                if n.value.dtype.kind != "f" or np.isfinite(n.value).all():
                    continue
                if all(np.isfinite(np.asarray(a.value if isinstance(a, Node) else a)).all()
                       for a in n.args):
                    what = _nonfinite_word(n.value)
                    if n.is_leaf and n.name in self.bound:  # a binding's value
                        out.append(f"node {n.id} '{n.label}' holds {what} (as given)")
                    else:
                        by = f" ({n.grad_fn})" if n.grad_fn else ""
                        out.append(f"node {n.id} '{n.label}'{by} produced {what} in its value")
                    break
            if self._grads is not None:
                bad = [n for n in self.nodes
                       if self._grads[n.id] is not None and not np.isfinite(self._grads[n.id]).all()]
                if bad:
                    first = max(bad, key=lambda n: n.id)  # backward runs in reverse order
                    out.append(f"the gradient became {_nonfinite_word(self._grads[first.id])} "
                               f"first at node {first.id} '{first.label}'")
        return out

    def node_dict(self, n: Node) -> dict:
        return {**self.node_dict_meta(n), "value": jsonable(n.value),
                "grad": jsonable(self.grad(n))}

    def node_dict_meta(self, n: Node) -> dict:
        """A node's JSON fields, in document order, but for value and grad."""
        return {
            "id": n.id,
            "name": n.name,
            "label": n.label,
            "expr": n.expr,
            "op": "leaf" if n.is_leaf else n.op.key,
            "grad_fn": n.grad_fn,
            "inputs": [a.id for a in n.inputs],
            "is_leaf": n.is_leaf,
            "requires_grad": n.requires_grad,
            "retains_grad": n.retains_grad,
            "shape": list(n.value.shape),
            "dtype": str(n.value.dtype),
        }

    def to_dict(self) -> dict:
        """Exactly the `--format json` document."""
        return {
            "schema": SCHEMA,
            "program": self.program,
            "output": None if self.output_node is None else self.output_node.id,
            "value": jsonable(self.value_array),
            "grads": {k: jsonable(v) for k, v in self.grad_arrays.items()},
            "nodes": [self.node_dict(n) for n in self.nodes],
            "warnings": list(self.warnings),
        }


def _nonfinite_word(arr: np.ndarray) -> str:
    words = []
    if np.isnan(arr).any():
        words.append("NaN")
    if (arr == np.inf).any():
        words.append("inf")
    if (arr == -np.inf).any():
        words.append("-inf")
    return "/".join(words)


class _Grads(dict):
    """Gradients keyed by node id; a node backward did not reach has none."""

    def __missing__(self, key: int) -> None:
        return None


class LessonResult:
    """What a lesson program did: what it printed, every backward pass (its graph and
    gradients), every tensor variable's final state, and the error that ended it, if any.

    ``to_dict()`` is the `--format json` document of a lesson (schema gradcli/1 with
    ``"lesson": true``); ``pass_result(k)`` is pass k as an ordinary Result, so every
    view that shows one graph shows a pass."""

    lesson = True

    def __init__(self, program: str, stdout: str, passes: list, variables: dict,
                 error: Any, *, dtype: str, printer: Any, warnings: list[str]) -> None:
        self.program = program
        self.stdout = stdout
        self.passes = passes
        self.variables = variables
        self.error = error
        self.dtype = dtype
        self.printer = printer
        self.warnings = warnings

    def __repr__(self) -> str:
        end = "" if self.error is None else f", ended by {type(self.error).__name__}"
        return (f"<gradcli.LessonResult {len(self.passes)} backward passes, "
                f"{len(self.stdout.splitlines())} lines printed{end}>")

    def _repr_html_(self) -> str:
        """A notebook shows what the lesson printed, then the last kept pass's table."""
        from html import escape

        parts = [f"<pre>{escape(self.stdout)}</pre>"] if self.stdout else []
        if self.error is not None:
            parts.append(f"<pre>{escape(self.error.render())}</pre>")
        kept = [i for i, p in enumerate(self.passes) if p.kept]
        if kept:
            parts.append(f"<p>backward pass {kept[-1] + 1} of {len(self.passes)}:</p>")
            parts.append(self.pass_result(kept[-1])._repr_html_())
        return "".join(parts) or "<p>the program printed nothing and ran no backward</p>"

    def pass_result(self, index: int) -> Result:
        """Backward pass `index` (0-based) as a Result over the nodes it reached."""
        p = self.passes[index]
        if not p.kept:
            from .errors import GradcliError

            raise GradcliError(f"the graph of backward pass {index + 1} was not kept",
                               hint=f"ask for it: --backward {index + 1} (or keep_graphs="
                                    f"{index + 1} in the Python API)")
        nodes = p.nodes
        _label_pass(nodes)
        root = p.roots[0]
        grads = _Grads(p.grads)
        return Result(self.program, nodes, root, grads, explicit_backward=True,
                      dtype=self.dtype, variables={}, bound=[])

    def pass_summary(self, index: int) -> dict:
        p = self.passes[index]
        return {"index": index + 1, "kind": p.kind, "line": p.line, "root": p.root_name,
                "grad_fn": p.root_grad_fn, "value": jsonable(p.root_value),
                "nodes": p.node_count}

    def variable_dict(self, name: str, n: Node) -> dict:
        grad = n.grad
        return {"value": jsonable(n.value), "shape": list(n.value.shape),
                "dtype": str(n.value.dtype), "grad": None if grad is None else jsonable(grad.value),
                "grad_fn": n.grad_fn, "is_leaf": n.is_leaf, "requires_grad": bool(n.requires_grad),
                "retains_grad": bool(n.retains_grad)}

    def to_dict(self, backward: int | None = None) -> dict:
        doc: dict = {"schema": SCHEMA, "program": self.program, "lesson": True,
                     "stdout": self.stdout,
                     "backwards": [self.pass_summary(i) for i in range(len(self.passes))]}
        if self.passes:
            k = len(self.passes) - 1 if backward is None else backward
            r = self.pass_result(k)
            doc["graph"] = {"backward": k + 1,
                            "output": r.output_node.id if r.output_node is not None else None,
                            "grads": {n.label: jsonable(r.grad(n)) for n in r.leaves},
                            "nodes": [r.node_dict(n) for n in r.nodes]}
        else:
            doc["graph"] = None
        doc["variables"] = {k: self.variable_dict(k, v) for k, v in self.variables.items()}
        doc["warnings"] = list(self.warnings)
        doc["error"] = None if self.error is None else self.error.to_dict()
        return doc


def single_graph(result: Any) -> Result:
    """The one graph a command such as check, explain or graph works on: the Result
    itself, or a lesson's last backward pass (its error, if the lesson ended in one)."""
    if not getattr(result, "lesson", False):
        return result
    from .errors import GradcliError

    if result.error is not None:
        raise result.error
    if not result.passes:
        raise GradcliError("the lesson ran no backward pass, so there is no graph to work on",
                           hint="call .backward() in the program, or use `gradcli eval`")
    return result.pass_result(len(result.passes) - 1)


def _label_pass(nodes: list[Node]) -> None:
    """Labels unique within one pass: a name used by several of its nodes is numbered
    in creation order (loss#1, loss#2)."""
    counts: dict[str, int] = {}
    for n in nodes:
        if n.name is not None:
            counts[n.name] = counts.get(n.name, 0) + 1
    seen: dict[str, int] = {}
    for n in nodes:
        if n.name is None:
            n._label = None
            continue
        seen[n.name] = seen.get(n.name, 0) + 1
        n._label = n.name if counts[n.name] == 1 else f"{n.name}#{seen[n.name]}"
