"""`eval --format tree`: the graph as a Rich tree, output at the root, inputs below.

A node shared by several users is expanded once; later it is only referenced, so the
tree stays as large as the graph. Built with an explicit stack, never by recursion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import text

if TYPE_CHECKING:
    from rich.console import Console

    from ..result import Result

MAX_DEPTH = 200


def render(result: "Result", console: "Console", *, full: bool = False) -> None:
    from rich.tree import Tree

    from .table import summary_line

    root = result.output_node
    if root is None:
        console.print(summary_line(result, full=full))
        return

    from rich.text import Text

    def label(n) -> Text:
        name = n.label if n.name or n.is_leaf else n.expr
        if n is root and n.name is None:
            name = f"{result.output_name} = {n.expr}"
        kind = ((n.grad_fn, "cyan") if n.grad_fn else
                ("leaf" if n.requires_grad else "leaf, no grad", "dim"))
        parts = [(name, "bold") if n is root else name, "  ", kind,
                 f"  value {text.value(n.value, full=full)}"]
        g = result.grad(n)
        if g is not None:
            parts.append(f"  grad {text.value(g, full=full)}")
        return Text.assemble(*parts)

    tree = Tree(label(root))
    shown = {root.id}
    stack = [(root, tree, 0)]
    while stack:
        node, branch, depth = stack.pop()
        if depth >= MAX_DEPTH:
            branch.add(Text("… deeper levels not shown", style="dim"))
            continue
        children = []
        for a in node.inputs:
            if a.id in shown:
                branch.add(Text(f"{a.label if a.name or a.is_leaf else a.expr} "
                                f"(node {a.id}, shown above)", style="dim"))
                continue
            shown.add(a.id)
            children.append((a, branch.add(label(a)), depth + 1))
        stack.extend(reversed(children))
    console.print(tree)
    console.print(summary_line(result, full=full), highlight=False)
