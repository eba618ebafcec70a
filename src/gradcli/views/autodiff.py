"""Tables for forward mode, Hessians and Jacobians."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import text

if TYPE_CHECKING:
    from rich.console import Console

    from ..result import Result


def render_jvp(result: "Result", tans: list, given: dict, jvp, reverse, console: "Console", *,
               full: bool = False) -> None:
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for col in ("#", "node", "grad_fn", "value", "tangent (forward mode)"):
        table.add_column(col, overflow="fold")
    out = result.output_node
    for n in result.nodes:
        t = tans[n.id]
        shown = text.value(t, full=full) if t is not None else text.value(np.zeros_like(n.value))
        label = f"{result.output_name} = {n.expr}" if n is out and n.name is None else n.label
        table.add_row(str(n.id), label, n.grad_fn or "", text.value(n.value, full=full), shown,
                      style="bold" if n is out else None)
    console.print(table)
    y = result.output_name
    direction = ", ".join(f"{k} = {text.value(v)}" for k, v in given.items())
    console.print(f"forward mode: jvp = {text.value(jvp, full=full)}   along {direction}",
                  highlight=False)
    if reverse is not None:
        dots = " + ".join(f"d{y}/d{k} · t_{k}" for k in given)
        console.print(f"reverse mode: {dots} = {text.number(reverse)}", highlight=False)


def render_matrix(M: np.ndarray, rows: list[str], cols: list[str], console: "Console", *,
                  title: str) -> None:
    from rich.table import Table

    console.print(title, style="bold", highlight=False)
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("")
    for c in cols:
        table.add_column(c, justify="right")
    for label, row in zip(rows, M):
        table.add_row(label, *(text.number(v) for v in row))
    console.print(table)


def render_jacobian(result: "Result", jac: dict, mode: str, passes: int,
                    console: "Console") -> None:
    out = result.output_node
    y = result.output_name
    oshape = out.value.shape
    rows = [y] if not oshape else [f"{y}[{','.join(map(str, i))}]" for i in np.ndindex(oshape)]
    for name, J in jac.items():
        leaf = result.lookup(name)
        lshape = leaf.value.shape
        cols = [name] if not lshape else [f"{name}[{','.join(map(str, i))}]"
                                          for i in np.ndindex(lshape)]
        render_matrix(np.asarray(J).reshape(len(rows), len(cols)), rows, cols, console,
                      title=f"d{y}/d{name}  (shape {list(np.shape(J))})")
    kind = "backward" if mode == "reverse" else "forward"
    console.print(f"computed by {mode} mode, {passes} {kind} pass{'es' if passes != 1 else ''}",
                  style="dim", highlight=False)
