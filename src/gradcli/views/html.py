"""HTML for notebooks: a Result as a table of its nodes (what `eval` prints), escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from . import text
from .table import _row_label, summary_line

if TYPE_CHECKING:
    from ..result import Result

STYLE = ("<style>.gradcli td, .gradcli th {text-align: left; vertical-align: top; "
         "font-family: monospace; white-space: pre} .gradcli tr.output {font-weight: bold}"
         "</style>")
HEADERS = ["#", "node", "grad_fn", "is_leaf", "requires_grad", "shape", "value", "grad"]


def result_html(result: "Result", *, limit: int = 200) -> str:
    """The node table (the first `limit` rows) and the summary line."""
    out = result.output_node
    y = result.output_name
    head = HEADERS[:-1] + [f"grad d{y}/d(node)"]
    rows = []
    for n in result.nodes[:limit]:
        g = result.grad(n)
        cells = [str(n.id), _row_label(n, y if n is out else None), n.grad_fn or "",
                 str(n.is_leaf), str(n.requires_grad), text.shape(n.value),
                 text.value(n.value), "" if g is None else text.value(g)]
        cls = ' class="output"' if n is out else ""
        rows.append(f"<tr{cls}>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    more = len(result.nodes) - limit
    if more > 0:
        rows.append(f'<tr><td colspan="{len(head)}">… {more:,} more nodes '
                    "(r.to_dict() has them all)</td></tr>")
    summary = "<br>".join(escape(line) for line in summary_line(result).split("\n"))
    warnings = "".join(f"<p>warning: {escape(w)}</p>" for w in result.warnings)
    return (f'{STYLE}<div class="gradcli"><table><thead><tr>'
            + "".join(f"<th>{escape(h)}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            + f"<p><code>{summary}</code></p>{warnings}</div>")
