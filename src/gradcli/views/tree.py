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

    from rich.markup import escape

    def label(n) -> str:
        name = n.label if n.name or n.is_leaf else n.expr
        if n is root and n.name is None:
            name = f"{result.output_name} = {n.expr}"
        parts = [f"[bold]{escape(name)}[/]" if n is root else escape(name)]
        parts.append(f"[cyan]{n.grad_fn}[/]" if n.grad_fn else
                     ("[dim]leaf[/]" if n.requires_grad else "[dim]leaf, no grad[/]"))
        parts.append(f"value {escape(text.value(n.value, full=full))}")
        g = result.grad(n)
        if g is not None:
            parts.append(f"grad {escape(text.value(g, full=full))}")
        return "  ".join(parts)

    tree = Tree(label(root))
    shown = {root.id}
    stack = [(root, tree, 0)]
    while stack:
        node, branch, depth = stack.pop()
        if depth >= MAX_DEPTH:
            branch.add("[dim]… deeper levels not shown[/]")
            continue
        children = []
        for a in node.inputs:
            if a.id in shown:
                branch.add(f"[dim]{escape(a.label if a.name or a.is_leaf else a.expr)} "
                           f"(node {a.id}, shown above)[/]")
                continue
            shown.add(a.id)
            children.append((a, branch.add(label(a)), depth + 1))
        stack.extend(reversed(children))
    console.print(tree)
    console.print(summary_line(result, full=full), highlight=False)
