"""The Rich table of the graph: one row per node, then the gradient summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import text

if TYPE_CHECKING:
    from rich.console import Console

    from ..result import Result

NON_LEAF_WARNING = (
    "UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is being "
    "accessed. Its .grad attribute won't be populated during autograd.backward(). If you "
    "indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
    "on the non-leaf Tensor.")


def _row_label(node, output_name: str | None = None) -> str:
    if output_name is not None and node.name is None:
        return f"{output_name} = {node.expr}"
    if node.name is not None and not node.is_leaf and node.expr != node.name:
        return f"{node.label} = {node.expr}"
    return node.label


HEAD, TAIL = 100, 50  # rows shown of a graph larger than HEAD + TAIL + 50 nodes


def render(result: "Result", console: "Console", *, full: bool = False,
           torch: bool = False, all_rows: bool = False) -> None:
    from rich.table import Table

    nodes = result.nodes
    tensors = any(n.value.ndim > 0 for n in nodes)
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("node", overflow="fold")
    table.add_column("grad_fn")
    table.add_column("is_leaf")
    table.add_column("requires_grad")
    if tensors:
        table.add_column("shape")
    table.add_column("value", overflow="fold")
    grad_head = ".grad (as PyTorch keeps it)" if torch else \
        f"grad d{result.output_name}/d(node)"
    table.add_column(grad_head, overflow="fold")
    out = result.output_node
    hidden = 0
    if not all_rows and len(nodes) > HEAD + TAIL + 50:
        hidden = len(nodes) - HEAD - TAIL
        nodes = nodes[:HEAD] + nodes[-TAIL:]
    for n in nodes:
        if hidden and n is nodes[HEAD]:
            table.add_row("…", f"{hidden:,} more nodes (--all shows every node; "
                               "--format json has them all)", style="dim")
        grad = result.torch_grad(n) if torch else result.grad(n)
        label = _row_label(n, result.output_name if n is out else None)
        cells = [str(n.id), label, n.grad_fn or "", str(n.is_leaf), str(n.requires_grad)]
        if tensors:
            cells.append(text.shape(n.value))
        cells.append(text.value(n.value, full=full))
        cells.append(text.value(grad, full=full) if (grad is not None or torch) else "")
        table.add_row(*cells, style="bold" if n is out else None)
    if nodes:
        console.print(table)
    console.print(summary_line(result, full=full))
    if torch:
        for line in torch_notes(result):
            console.print(line, style="yellow", highlight=False)
    for w in result.warnings:
        console.print(f"warning: {w}", style="yellow", highlight=False)


def summary_line(result: "Result", *, full: bool = False) -> str:
    y = result.output_name
    if result.output_node is None:
        return f"{y} = {text.value(result.value, full=full)}   (a constant: nothing to differentiate)"
    head = f"{y} = {text.value(result.value, full=full)}"
    if not result.grads:
        if not result.output_node.requires_grad:
            return head + "   (nothing requires grad: no gradients)"
        return head
    parts = [f"d{y}/d{k} = {text.value(v, full=full)}" for k, v in result.grads.items()]
    if any(getattr(v, "ndim", 0) for v in result.grads.values()):
        shapes = {k: text.shape(v) for k, v in result.grads.items()}
        return "\n".join([head] + [f"d{y}/d{k} ({shapes[k]}) = {text.value(v, full=full)}"
                                    for k, v in result.grads.items()])
    return head + "   " + "   ".join(parts)


def torch_notes(result: "Result") -> list[str]:
    """What PyTorch would say when printing .grad of the nodes it does not keep."""
    dropped = [n for n in result.nodes
               if n.requires_grad and not n.is_leaf and not n.retains_grad]
    if not dropped or not result.differentiated:
        return []
    names = ", ".join(f"{n.label} ({text.value(result.grad(n))})" for n in dropped)
    return [
        NON_LEAF_WARNING,
        "note: PyTorch keeps .grad only for leaves that require grad and for tensors you "
        "called .retain_grad() on; the gradients of the other non-leaf tensors are freed "
        f"during backward. gradcli computed them anyway: {names}.",
    ]
