"""How a lesson program's run is shown: what it printed, then the graph of a backward
pass, a line per pass (a sparkline of the root's value when there are many, e.g. a
training loop's loss), and every tensor variable's final state."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

from . import text

if TYPE_CHECKING:
    from ..result import LessonResult

SPARKS = "▁▂▃▄▅▆▇█"
LISTED = 6  # passes listed one per line before the rest is summarised


def chosen(result: "LessonResult", backward: Optional[str]) -> list[int]:
    """The passes whose graphs to show: the last by default, N (1-based, negative from
    the end) or all."""
    from ..errors import GradcliError

    n = len(result.passes)
    if n == 0:
        return []
    if backward is None:
        return [n - 1]
    if backward == "all":
        return list(range(n))
    try:
        k = int(backward)
    except ValueError:
        raise GradcliError(f"--backward expects a number or 'all' (got {backward!r})") from None
    if k == 0 or not -n <= k <= n:
        raise GradcliError(f"--backward {k}: the program ran {n} backward pass"
                           f"{'es' if n != 1 else ''}", hint=f"give 1..{n}, -1 for the last, "
                                                              "or all")
    return [k - 1 if k > 0 else n + k]


def show(result: "LessonResult", format: str, *, backward: Optional[str] = None,
         full: bool = False, torch: bool = False, all_rows: bool = False,
         steps: bool = False) -> int:
    from ..command import console, report
    from ..errors import GradcliError

    try:
        picks = chosen(result, backward)
    except GradcliError as e:
        report(e, format in ("json", "jsonl"))
        return 2
    if format in ("json", "jsonl"):
        from ..result import dumps

        doc = result.to_dict(picks[-1] if picks else None)
        if backward == "all":
            doc["graphs"] = [result.to_dict(k)["graph"] for k in picks]
        print(dumps(doc, indent=None if format == "jsonl" else 2))
        return 2 if result.error is not None else 0
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    if result.error is not None:
        report(result.error, False)
        return 2
    out = console()
    if result.stdout:
        out.print("")
    from . import table

    for k in picks:
        summary = result.pass_summary(k)
        out.print(f"── backward pass {k + 1} of {len(result.passes)} ({summary['kind']}, line "
                  f"{summary['line']}): {summary['nodes']} nodes ──", style="bold",
                  highlight=False)
        r = result.pass_result(k)
        if format == "tree":
            from . import tree

            tree.render(r, out, full=full)
        else:
            table.render(r, out, full=full, all_rows=all_rows)
        if steps:
            from ..command import print_lines
            from .explain import steps as step_lines

            print_lines(out, step_lines(r), gap=True)
    if len(result.passes) > 1:
        out.print("")
        for line in pass_lines(result, out.width):
            out.print(line, highlight=False)
    elif not result.passes:
        out.print("no backward pass ran: the program only computed values", highlight=False)
    variables_table(result, out, full=full)
    for w in result.warnings:
        out.print(w, style="yellow", highlight=False)
    return 0


def pass_lines(result: "LessonResult", width: int = 160) -> list[str]:
    """One line per pass, or the first and last few with a sparkline of the roots'
    values between them (fitted to `width` columns)."""
    n = len(result.passes)
    lines = [f"{n} backward passes:"]
    shown = range(n) if n <= LISTED else [0, 1, 2, n - 3, n - 2, n - 1]
    for k in shown:
        s = result.pass_summary(k)
        value = result.passes[k].root_value
        lines.append(f"  {k + 1:>{len(str(n))}}. {s['root']} = {text.value(value)}  "
                     f"({s['kind']}, line {s['line']}, {s['nodes']} nodes)")
        if n > LISTED and k == 2:
            lines.append("  ...")
    values = [float(p.root_value.reshape(-1)[0]) for p in result.passes
              if p.root_value is not None and p.root_value.size == 1]
    if n > 2 and len(values) == n:
        head = f"  {result.pass_summary(n - 1)['root']} per pass: "
        numbers = (f"(first {values[0]:.4g}, last {values[-1]:.4g}, "
                   f"min {min(values):.4g})")
        spark = sparkline(values, max(10, min(60, width - len(head))))
        if len(head) + len(spark) + 2 + len(numbers) <= width:
            lines.append(f"{head}{spark}  {numbers}")
        else:
            lines += [head + spark, " " * len(head) + numbers]
    return lines


def sparkline(values: list[float], width: int = 60) -> str:
    """The values as a line of block characters, averaged into at most `width` bins."""
    import math

    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    if len(values) > width:
        size = len(values) / width
        values = [sum(values[int(i * size):int((i + 1) * size)]) /
                  max(1, len(values[int(i * size):int((i + 1) * size)])) for i in range(width)]
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    out = []
    for v in values:
        if not math.isfinite(v):
            out.append("?")
        else:
            out.append(SPARKS[min(len(SPARKS) - 1, int((v - lo) / span * len(SPARKS)))])
    return "".join(out)


def variables_table(result: "LessonResult", out, *, full: bool) -> None:
    from .fit import Col, render

    if not result.variables:
        return
    cols = [Col("variable"), Col("grad_fn"), Col("is_leaf", "leaf", droppable=True),
            Col("requires_grad", "req_grad", droppable=True), Col("shape"),
            Col("value", wrap=True), Col(".grad", wrap=True)]
    rows = []
    for name, n in result.variables.items():
        grad = n.grad
        rows.append([name, n.grad_fn or "", str(n.is_leaf), str(bool(n.requires_grad)),
                     text.shape(n.value), text.value(n.value, full=full),
                     "None" if grad is None else text.value(grad.value, full=full)])
    out.print("")
    out.print("final state of the program's tensors:", highlight=False)
    render(out, cols, rows)
