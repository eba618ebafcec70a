"""Pass/fail table for `gradcli check`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import text

if TYPE_CHECKING:
    from rich.console import Console

    from ..checking import Expectation, LeafCheck


def render(results: list["Expectation"], fd: list["LeafCheck"], console: "Console", *,
           rtol: float, atol: float) -> None:
    from rich.table import Table
    from rich.text import Text

    from ..checking import FD_ATOL, FD_EPS, FD_RTOL

    def mark(passed: bool) -> Text:
        return Text("PASS ✓", style="green") if passed else Text("FAIL ✗", style="red")

    if results:
        from .fit import Col, render as fit_render

        cols = [Col("check"), Col("expected", wrap=True), Col("computed", wrap=True),
                Col("abs diff", wrap=True), Col("result")]
        rows = [[r.what, text.value(r.expected), text.value(r.computed),
                 r.note or text.number(r.abs_err, 4), "PASS ✓" if r.passed else "FAIL ✗"]
                for r in results]
        fit_render(console, cols, rows,
                   styles=[None if r.passed else "red" for r in results])
        console.print(f"tolerance: |computed - expected| <= {text.number(atol)} + "
                      f"{text.number(rtol)} * |expected|", style="dim", highlight=False)
    if fd:
        table = Table(show_edge=False, header_style="bold", pad_edge=False,
                      title=f"gradcheck: central differences, eps {FD_EPS:g}, "
                            f"atol {FD_ATOL:g}, rtol {FD_RTOL:g} (float64)")
        for col in ("leaf", "max abs error", "max rel error", "result"):
            table.add_column(col)
        for c in fd:
            table.add_row(c.name, text.number(c.max_abs, 3), text.number(c.max_rel, 3),
                          mark(c.passed))
        console.print(table)
    total = len(results) + len(fd)
    failed = sum(not r.passed for r in results) + sum(not c.passed for c in fd)
    if failed:
        console.print(f"{failed} of {total} check{'s' if total > 1 else ''} failed", style="red")
    else:
        console.print(f"all {total} check{'s' if total > 1 else ''} passed", style="green")
