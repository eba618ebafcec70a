"""The graph as a picture: Graphviz DOT (and SVG/PNG through `dot`) or Mermaid flowchart.

Styled apart as torchviz does: leaves that require grad in light blue, leaves that do not
in grey, intermediate nodes plain, the output in green. Edges go from inputs to users.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

from ..errors import GradcliError
from . import text

if TYPE_CHECKING:
    from ..engine import Node
    from ..result import Result

LEAF, CONST, MID, OUT = "#add8e6", "#e0e0e0", "#ffffff", "#caff70"


def _kind(result: "Result", n: "Node") -> str:
    if n is result.output_node:
        return "output"
    if n.is_leaf:
        return "leaf" if n.requires_grad else "const"
    return "op"


def _lines(result: "Result", n: "Node", with_values: bool) -> list[str]:
    title = n.label if n.name or n.is_leaf else n.expr
    lines = [title]
    if n.grad_fn:
        lines.append(n.grad_fn)
    if n.value.ndim:
        lines.append(f"shape {text.shape(n.value)}")
    if with_values:
        lines.append(f"value {text.value(n.value)}")
        g = result.grad(n)
        if g is not None:
            lines.append(f"grad {text.value(g)}")
    return lines


def _dot_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dot(result: "Result", *, rankdir: str = "TB", with_values: bool = True) -> str:
    fill = {"leaf": LEAF, "const": CONST, "op": MID, "output": OUT}
    out = ["digraph gradcli {", f"  rankdir={rankdir};",
           '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
           '  edge [color="#555555"];']
    for n in result.nodes:
        label = "\\n".join(_dot_escape(line) for line in _lines(result, n, with_values))
        kind = _kind(result, n)
        extra = ", penwidth=2" if kind == "output" else ""
        out.append(f'  n{n.id} [label="{label}", fillcolor="{fill[kind]}"{extra}];')
    for n in result.nodes:
        for a in n.inputs:
            out.append(f"  n{a.id} -> n{n.id};")
    out.append("}")
    return "\n".join(out) + "\n"


def _mermaid_escape(s: str) -> str:
    return (s.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))


def mermaid(result: "Result", *, rankdir: str = "TB", with_values: bool = True) -> str:
    out = [f"flowchart {rankdir}"]
    for n in result.nodes:
        label = "<br/>".join(_mermaid_escape(line) for line in _lines(result, n, with_values))
        out.append(f'  n{n.id}["{label}"]:::{_kind(result, n)}')
    for n in result.nodes:
        for a in n.inputs:
            out.append(f"  n{a.id} --> n{n.id}")
    out += [f"  classDef leaf fill:{LEAF},stroke:#333",
            f"  classDef const fill:{CONST},stroke:#333",
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

