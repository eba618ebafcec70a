"""Tables that fit the terminal: no column is cut in the middle of a name and no number is
split across lines.

A table is tried in this order, keeping the first layout that fits the console's width:

1. every cell on one line;
2. short headers (`is_leaf` -> `leaf`, `requires_grad` -> `req_grad`, `grad dy/d(node)`
   -> `grad`, ...);
3. cells of wrapping columns (node expressions, values, gradients, tensor summaries)
   broken between words, never inside one (a word is a name, a number, `[-3.1,`);
4. columns that repeat what other columns show dropped (`is_leaf`: a leaf has no grad_fn;
   `requires_grad`: a node that does not require grad has no grad), with a line naming
   them;
5. a vertical layout: one block per row, `header value` pairs wrapped between words.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from rich.console import Console

SEP = 3  # " │ " between columns (no edge, no edge padding)


@dataclass
class Col:
    header: str
    short: Optional[str] = None  # the header when space is short
    wrap: bool = False  # cells may break between words
    justify: str = "left"
    droppable: bool = False  # left out (and named) when nothing else fits
    style: Optional[str] = None


def _words(cell: str) -> int:
    return max((len(w) for line in cell.split("\n") for w in line.split()), default=0)


def _lines(cell: str) -> int:
    return max((len(line) for line in cell.split("\n")), default=0)


def _widths(cols: list[Col], headers: list[str], rows: list[list[str]], width: int,
            wrap: bool) -> Optional[list[int]]:
    """Column widths that fit `width`, or None."""
    natural, least = [], []
    for i, (c, h) in enumerate(zip(cols, headers)):
        cells = [r[i] for r in rows]
        full = max([_lines(h)] + [_lines(x) for x in cells])
        natural.append(full)
        if wrap and c.wrap:
            least.append(max([_words(h)] + [_words(x) for x in cells]))
        else:
            least.append(max([_words(h)] + [_lines(x) for x in cells]))
    room = width - SEP * (len(cols) - 1)
    if sum(natural) <= room:
        return natural
    if not wrap or sum(least) > room:
        return None
    widths = list(least)
    spare = room - sum(widths)
    growing = [i for i in range(len(cols)) if widths[i] < natural[i]]
    while spare > 0 and growing:  # share what is left among the wrapping columns
        for i in list(growing):
            if spare == 0:
                break
            widths[i] += 1
            spare -= 1
            if widths[i] >= natural[i]:
                growing.remove(i)
    return widths


def render(console: "Console", cols: list[Col], rows: list[list[str]], *,
           styles: Optional[list[Optional[str]]] = None, title: Optional[str] = None) -> None:
    """Print `rows` under `cols` in the first layout (see the module) that fits."""
    styles = styles or [None] * len(rows)
    width = console.width
    dropped: list[str] = []
    plan = None
    for stage in range(4):
        keep = [i for i, c in enumerate(cols) if not (stage >= 3 and c.droppable)]
        kept = [cols[i] for i in keep]
        headers = [(c.short or c.header) if stage >= 1 else c.header for c in kept]
        cells = [[r[i] for i in keep] for r in rows]
        widths = _widths(kept, headers, cells, width, wrap=stage >= 2)
        if widths is not None:
            plan = (kept, headers, cells, widths)
            dropped = [c.header for c in cols if all(c is not k for k in kept)]
            break
    if title:
        console.print(title, style="bold", highlight=False)
    if plan is None:
        _vertical(console, cols, rows, styles)
        return
    kept, headers, cells, widths = plan
    if getattr(console, "plain", False) and _plain_table(console, kept, headers, cells, widths):
        pass
    else:
        _rich_table(console, kept, headers, cells, widths, styles)
    if dropped:
        console.print(f"({' and '.join(dropped)} left out to fit {width} columns; "
                      "--format json has every field)", style="dim", highlight=False)


def _plain_table(console, cols: list[Col], headers: list[str], cells: list[list[str]],
                 widths: list[int]) -> bool:
    """Write the table as the lines Rich prints for it off a terminal, when every cell is
    one line of printable ASCII that fits its column (no cell wraps) with no space at
    either end; False, with nothing written, otherwise. tests/test_terminal.py compares the two on many tables."""
    from ..command import is_plain

    if (not cols or any(c.justify not in ("left", "right") for c in cols)
            or sum(widths) + SEP * (len(widths) - 1) > console.width):
        return False
    for row in [headers, *cells]:
        for cell, w in zip(row, widths):
            if len(cell) > w or not is_plain(cell) or cell != cell.strip(" "):
                return False

    def line(row: list[str], bar: str) -> str:
        return bar.join(cell.rjust(w) if c.justify == "right" else cell.ljust(w)
                        for c, cell, w in zip(cols, row, widths))

    console.write_lines([line(headers, " ┃ "), "━╇━".join(
        "━" * w for w in widths)] + [line(row, " │ ") for row in cells])
    return True


def _rich_table(console, kept: list[Col], headers: list[str], cells: list[list[str]],
                widths: list[int], styles: list[Optional[str]]) -> None:
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for c, h, w in zip(kept, headers, widths):
        table.add_column(h, justify=c.justify, style=c.style, width=w, no_wrap=not c.wrap,
                         overflow="fold")
    for r, s in zip(cells, styles):
        table.add_row(*r, style=s)
    console.print(table)


def _vertical(console: "Console", cols: list[Col], rows: list[list[str]],
              styles: list[Optional[str]]) -> None:
    """One block per row: the first cell as a heading, then `header value` lines."""
    width = max(console.width, 20)
    for r, s in zip(rows, styles):
        head = f"[{r[0]}]" if cols[0].header == "#" else r[0]
        rest = list(zip(cols[1:], r[1:]))
        if cols[0].header == "#" and rest:  # `[4] y = (x+w)*(w+1)`
            head = f"{head} {rest[0][1]}"
            rest = rest[1:]
        for line in textwrap.wrap(head, width, subsequent_indent="    ",
                                  break_long_words=False, break_on_hyphens=False) or [head]:
            console.print(line, style=s or "bold", highlight=False)
        line = ""
        for c, cell in rest:  # short pairs share a line, three spaces apart
            if not cell:
                continue
            pair = f"{c.header} {cell}"
            if "\n" not in pair and line and len(line) + 3 + len(pair) <= width:
                line += "   " + pair
                continue
            if line:
                console.print(line, highlight=False)
                line = ""
            first, *more = pair.split("\n")
            wrapped = textwrap.wrap(first, width, initial_indent="    ",
                                    subsequent_indent="      ", break_long_words=False,
                                    break_on_hyphens=False)
            if more or len(wrapped) > 1:
                for part in wrapped:
                    console.print(part, highlight=False)
                for part in more:  # a whole array's rows, aligned under its first
                    console.print("    " + " " * (len(c.header) + 1) + part, highlight=False)
            else:
                line = wrapped[0]
        if line:
            console.print(line, highlight=False)
