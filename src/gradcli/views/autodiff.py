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
    from .fit import Col, render

    cols = [Col("#", justify="right", style="dim"), Col("node", wrap=True), Col("grad_fn"),
            Col("value", wrap=True), Col("tangent (forward mode)", "tangent", wrap=True)]
    out = result.output_node
    rows, styles = [], []
    for n in result.nodes:
        t = tans[n.id]
        shown = text.value(t, full=full) if t is not None else text.value(np.zeros_like(n.value))
        label = f"{result.output_name} = {n.expr}" if n is out and n.name is None else n.label
        rows.append([str(n.id), label, n.grad_fn or "", text.value(n.value, full=full), shown])
        styles.append("bold" if n is out else None)
    render(console, cols, rows, styles=styles)
    y = result.output_name
    direction = ", ".join(f"{k} = {text.value(v)}" for k, v in given.items())
    console.print(f"forward mode: jvp = {text.value(jvp, full=full)}   along {direction}",
                  highlight=False)
    if reverse is not None:
        dots = " + ".join(f"d{y}/d{k} · t_{k}" for k in given)
        console.print(f"reverse mode: {dots} = {text.number(reverse)}", highlight=False)


def render_matrix(M: np.ndarray, rows: list[str], cols: list[str], console: "Console", *,
                  title: str) -> None:
    """A labelled matrix; wider than the console, it is shown in blocks of whole columns
    (as NumPy and pandas do), each block under its own header."""
    from rich.table import Table

    console.print(title, style="bold", highlight=False)
    cells = [[text.number(v) for v in row] for row in M]
    label_w = max((len(r) for r in rows), default=0)
    widths = [max([len(c)] + [len(r[j]) for r in cells]) for j, c in enumerate(cols)]
    blocks, start, used = [], 0, label_w
    for j, w in enumerate(widths):
        if j > start and used + 3 + w > console.width:
            blocks.append((start, j))
            start, used = j, label_w
        used += 3 + w
    blocks.append((start, len(cols)))
    for b, (lo, hi) in enumerate(blocks):
        if len(blocks) > 1:
            console.print(f"columns {lo}-{hi - 1} of {len(cols)}" if hi - lo > 1 else
                          f"column {lo} of {len(cols)}", style="dim", highlight=False)
        table = Table(show_edge=False, header_style="bold", pad_edge=False)
        table.add_column("", no_wrap=True)
        for c in cols[lo:hi]:
            table.add_column(c, justify="right", no_wrap=True)
        for label, row in zip(rows, cells):
            table.add_row(label, *row[lo:hi])
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
