"""The graph as a picture: Graphviz DOT (and SVG/PNG through `dot`) or Mermaid flowchart.

Styled apart as torchviz does: leaves that require grad in light blue, leaves that do not
in grey, intermediate nodes plain, the output in green. Edges go from inputs to users.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import numpy as np

from ..engine import Node
from ..errors import GradcliError
from . import text

if TYPE_CHECKING:
    from ..result import Result

LEAF, CONST, MID, OUT, ACC, NOW = "#add8e6", "#e0e0e0", "#ffffff", "#caff70", "#fff3b0", "#ff8c00"


def _kind(result: "Result", n: "Node") -> str:
    if n is result.output_node:
        return "output"
    if n.is_leaf:
        return "leaf" if n.requires_grad else "const"
    return "op"


def _title(result: "Result", n: "Node") -> str:
    """The output by its name (`y = (x+w)*(w+1)`), named nodes by name, others by text."""
    if n is result.output_node and n.name is None:
        return f"{result.output_name} = {n.expr}"
    return n.label if n.name or n.is_leaf else n.expr


def _lines(result: "Result", n: "Node", with_values: bool, grad: object = ...) -> list[str]:
    lines = [_title(result, n)]
    if n.grad_fn:
        lines.append(n.grad_fn)
    if n.value.ndim:
        lines.append(f"shape {text.shape(n.value)}")
    if with_values:
        lines.append(f"value {text.value(n.value)}")
        g = result.grad(n) if grad is ... else grad
        if g is not None:
            lines.append(f"grad {text.value(g)}")
        elif grad is None and n.requires_grad:
            lines.append("grad ?")  # a frame of the backward pass: not reached yet
    return lines


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def shown_nodes(result: "Result", hide_constants: bool) -> list["Node"]:
    out = result.output_node
    return [n for n in result.nodes if not hide_constants or n.requires_grad or n is out]


def edges(result: "Result", nodes: list["Node"]) -> list[tuple["Node", int, "Node"]]:
    """(input, position, user) for every argument edge between shown nodes."""
    shown = {n.id for n in nodes}
    return [(a, pos, n) for n in nodes for pos, a in enumerate(n.args)
            if isinstance(a, Node) and a.id in shown]


def local_derivatives(result: "Result", nodes: list["Node"]) -> dict[tuple[int, int], str]:
    """(input id, user id) -> the local derivative d(user)/d(input) at the bindings, as
    `explain` computes it, for scalar edges along which a gradient flows."""
    from ..chainrule import _local_value

    out: dict[tuple[int, int], str] = {}
    for a, pos, n in edges(result, nodes):
        if (n.op is None or not a.requires_grad or n.value.size != 1 or a.value.size != 1
                or not n.op.differentiable):
            continue
        try:
            with np.errstate(all="ignore"):
                out[(a.id, n.id)] = text.number(_local_value(n, pos), 4)
        except Exception:  # an op whose rule needs more than scalars: no label
            continue
    return out


COLLAPSE_AT = 100  # graphs with more nodes than this draw long chains as one box
TITLE = 48  # characters of a node's text before it is cut with …


def chains(result: "Result", nodes: list["Node"], shortest: int = 3) -> dict[int, list["Node"]]:
    """Runs of ops each fed by the one before and used only by the next (a long chain of
    elementwise steps): {last node's id: the run}, for runs of at least `shortest`."""
    users: dict[int, list["Node"]] = {}
    feeds: dict[int, list["Node"]] = {}
    for a, _, n in edges(result, nodes):
        users.setdefault(a.id, []).append(n)
        feeds.setdefault(n.id, []).append(a)

    def link(n: "Node") -> bool:
        return (n.op is not None and n is not result.output_node
                and len(feeds.get(n.id, ())) == 1 and len(users.get(n.id, ())) == 1)

    found: dict[int, list["Node"]] = {}
    taken: set[int] = set()
    for n in nodes:
        if n.id in taken or not link(n):
            continue
        run = [n]
        while link(users[run[-1].id][0]) and users[run[-1].id][0].id not in taken:
            run.append(users[run[-1].id][0])
        taken.update(m.id for m in run)
        if len(run) >= shortest:
            found[run[-1].id] = run
    return found


def _cut(line: str) -> str:
    return line if len(line) <= TITLE else line[:TITLE - 1] + "…"


def dot(result: "Result", *, rankdir: str = "TB", with_values: bool = True,
        edge_values: bool = True, legend: bool = True, hide_constants: bool = False,
        torch: bool = False, dpi: int | None = None, grads: dict | None = None,
        current: int | None = None, sending: dict | None = None,
        collapse: bool | None = None) -> str:
    """The graph in DOT. `grads`, `current` and `sending` draw one frame of the backward
    pass: the gradients known so far, the node being processed, and what it sends to each
    input ({input id: value}). `collapse` draws each long chain of one-input ops as one
    box (by default for graphs of more than COLLAPSE_AT nodes)."""
    fill = {"leaf": LEAF, "const": CONST, "op": MID, "output": OUT}
    out = ["digraph gradcli {", f"  rankdir={rankdir};"]
    if dpi:
        out.append(f"  dpi={int(dpi)};")
    out += ['  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
            '  edge [color="#555555", fontname="Helvetica", fontsize=10];']
    nodes = shown_nodes(result, hide_constants)
    if collapse is None:
        collapse = len(nodes) > COLLAPSE_AT and current is None
    runs = chains(result, nodes) if collapse else {}
    inside = {m.id: last for last, run in runs.items() for m in run[:-1]}
    for n in nodes:
        if n.id in inside:
            continue
        g = ... if grads is None else grads.get(n.id)
        lines = [_cut(line) for line in _lines(result, n, with_values, g)]
        if n.id in runs:
            run = runs[n.id]
            lines.insert(1, f"{len(run)} ops: {run[0].grad_fn} … {run[-1].grad_fn}")
            lines.insert(2, "(a chain drawn as one box)")
        label = "\\n".join(_dot_escape(line) for line in lines)
        kind = _kind(result, n)
        extra = ", penwidth=2" if kind == "output" else ""
        if kind == "const":
            extra += ', style="rounded,filled,dashed", fontcolor="#555555"'
        if current == n.id:
            extra += f', color="{NOW}", penwidth=3'
        out.append(f'  n{n.id} [label="{label}", fillcolor="{fill[kind]}"{extra}];')
    locals_ = local_derivatives(result, nodes) if edge_values else {}
    accumulate = set()
    for a, pos, n in edges(result, nodes):
        if a.id in inside:
            continue  # an edge inside a collapsed chain
        if n.id in inside:  # into a collapsed chain: its derivative is the product
            run = runs[inside[n.id]]
            factors = [locals_.get((x.id, y.id)) for x, y in zip([a, *run[:-1]], run)]
            d = (text.number(float(np.prod([float(f) for f in factors])), 4)
                 if all(f is not None for f in factors) else None)
            n = run[-1]
        else:
            d = locals_.get((a.id, n.id))
        attrs = []
        if current == n.id and sending is not None and a.id in sending:
            attrs += [f'color="{NOW}"', "penwidth=2.5", f'fontcolor="{NOW}"',
                      f'label=" sends {_dot_escape(text.value(sending[a.id]))}"']
        elif d is not None:
            attrs.append(f'label=" {_dot_escape(d)}"')
        src = f"n{a.id}"
        if torch and a.is_leaf and a.requires_grad:
            src = f"acc{a.id}"
            accumulate.add(a.id)
        out.append(f"  {src} -> n{n.id}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    for i in sorted(accumulate):  # PyTorch's AccumulateGrad: the leaf's .grad += ...
        out.append(f'  acc{i} [label="AccumulateGrad", fillcolor="{ACC}", shape=box, '
                   'style="filled", fontsize=10];')
        out.append(f'  n{i} -> acc{i} [style=dashed, arrowhead=none, color="#999999"];')
    if legend:
        out.append(_legend(result, nodes, torch and bool(accumulate), bool(locals_),
                           current is not None))
    out.append("}")
    return "\n".join(out) + "\n"


def _legend(result: "Result", nodes: list["Node"], accumulate: bool, edge_values: bool,
            frames: bool) -> str:
    """One node holding a small table: what each colour means (only those drawn)."""
    from html import escape

    kinds = {_kind(result, n) for n in nodes}
    items = [(k, t, c) for k, t, c in [("leaf", "variable (requires grad)", LEAF),
                                       ("const", "constant (no grad), dashed", CONST),
                                       ("op", "operation (its grad_fn)", MID),
                                       ("output", "output", OUT)] if k in kinds]
    if accumulate:
        items.append(("acc", "AccumulateGrad: adds into the leaf's .grad", ACC))
    rows = [f'<TR><TD BGCOLOR="{c}" ALIGN="LEFT">{escape(t)}</TD></TR>' for _, t, c in items]
    if edge_values:
        rows.append('<TR><TD BORDER="0" ALIGN="LEFT">edge label: local derivative '
                    "d(user)/d(input)</TD></TR>")
    if frames:
        rows.append(f'<TR><TD BORDER="0" ALIGN="LEFT"><FONT COLOR="{NOW}">orange: the node '
                    "backward is at, and what it sends</FONT></TD></TR>")
    return ('  legend [shape=plaintext, style=filled, fillcolor=white, fontsize=9, '
            'label=<<TABLE BORDER="0" CELLBORDER="1" '
            'CELLSPACING="2" CELLPADDING="3"><TR><TD BORDER="0"><B>legend</B></TD></TR>'
            + "".join(rows) + "</TABLE>>];")


def _mermaid_escape(s: str) -> str:
    return (s.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))


def mermaid(result: "Result", *, rankdir: str = "TB", with_values: bool = True,
            edge_values: bool = True, hide_constants: bool = False) -> str:
    out = [f"flowchart {rankdir}"]
    nodes = shown_nodes(result, hide_constants)
    for n in nodes:
        label = "<br/>".join(_mermaid_escape(line) for line in _lines(result, n, with_values))
        out.append(f'  n{n.id}["{label}"]:::{_kind(result, n)}')
    locals_ = local_derivatives(result, nodes) if edge_values else {}
    for a, _, n in edges(result, nodes):
        d = locals_.get((a.id, n.id))
        arrow = f"-->|{_mermaid_escape(d)}|" if d is not None else "-->"
        out.append(f"  n{a.id} {arrow} n{n.id}")
    out += [f"  classDef leaf fill:{LEAF},stroke:#333",
            f"  classDef const fill:{CONST},stroke:#333,stroke-dasharray:4 3",
            f"  classDef op fill:{MID},stroke:#333",
            f"  classDef output fill:{OUT},stroke:#333,stroke-width:2px"]
    return "\n".join(out) + "\n"


def need_graphviz() -> str:
    """The path of Graphviz's `dot`, or one clear error saying how to get it."""
    path = shutil.which("dot")
    if path is None:
        raise GradcliError("rendering SVG or PNG needs Graphviz's `dot` program, which is not "
                           "installed", hint="install it (Debian/Ubuntu: apt-get install "
                           "graphviz; macOS: brew install graphviz), or use --format dot "
                           "or --format mermaid")
    return path


def render(dot_text: str, fmt: str, dot_path: str) -> bytes:
    try:
        done = subprocess.run([dot_path, f"-T{fmt}"], input=dot_text.encode(),
                              capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GradcliError(f"Graphviz could not render the graph: {e}") from None
    if done.returncode != 0:
        raise GradcliError("Graphviz could not render the graph: "
                           + done.stderr.decode(errors="replace").strip()[:300])
    return done.stdout


class Graph:
    """A Result's graph as a picture, for the Python API and notebooks: `.dot()`,
    `.mermaid()`, `.svg()` (through Graphviz's `dot`). A notebook displays it as SVG when
    Graphviz is installed, and as a Mermaid diagram (JupyterLab 4.1+) otherwise."""

    def __init__(self, result: "Result", *, rankdir: str = "TB") -> None:
        if rankdir not in ("TB", "LR", "BT", "RL"):
            raise GradcliError(f"rankdir must be TB, LR, BT or RL (got {rankdir!r})")
        self.result = result
        self.rankdir = rankdir

    def dot(self) -> str:
        return dot(self.result, rankdir=self.rankdir)

    def mermaid(self) -> str:
        return mermaid(self.result, rankdir=self.rankdir)

    def svg(self) -> str:
        return render(self.dot(), "svg", need_graphviz()).decode()

    def __repr__(self) -> str:
        return self.dot()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/plain": self.dot(), "text/vnd.mermaid": self.mermaid()}
        if shutil.which("dot") is not None:
            bundle["image/svg+xml"] = self.svg()
        return bundle

