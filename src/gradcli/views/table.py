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
    from .fit import Col, render as fit_render

    nodes = result.nodes
    tensors = any(n.value.ndim > 0 for n in nodes)
    cols = [Col("#", justify="right", style="dim"), Col("node", wrap=True), Col("grad_fn"),
            Col("is_leaf", "leaf", droppable=True),
            Col("requires_grad", "req_grad", droppable=True)]
    if tensors:
        cols.append(Col("shape"))
    cols.append(Col("value", wrap=True))
    grad_head = ".grad (as PyTorch keeps it)" if torch else \
        f"grad d{result.output_name}/d(node)"
    cols.append(Col(grad_head, ".grad" if torch else "grad", wrap=True))
    out = result.output_node
    hidden = 0
    if not all_rows and len(nodes) > HEAD + TAIL + 50:
        hidden = len(nodes) - HEAD - TAIL
        nodes = nodes[:HEAD] + nodes[-TAIL:]
    rows: list[list[str]] = []
    styles: list = []
    for n in nodes:
        if hidden and n is nodes[HEAD]:
            rows.append(["…", f"{hidden:,} more nodes (--all shows every node; "
                              "--format json has them all)"] + [""] * (len(cols) - 2))
            styles.append("dim")
        grad = result.torch_grad(n) if torch else result.grad(n)
        label = _row_label(n, result.output_name if n is out else None)
        cells = [str(n.id), label, n.grad_fn or "", str(n.is_leaf), str(n.requires_grad)]
        if tensors:
            cells.append(text.shape(n.value))
        cells.append(text.value(n.value, full=full))
        cells.append(text.value(grad, full=full) if (grad is not None or torch) else "")
        rows.append(cells)
        styles.append("bold" if n is out else None)
    if nodes:
        fit_render(console, cols, rows, styles=styles)
    console.print(summary_line(result, full=full), highlight=False)
    if torch:
        for line in torch_notes(result):
            console.print(line, style="yellow", highlight=False)
    for w in result.warnings:
        console.print(f"warning: {w}", style="yellow", highlight=False)


def summary_line(result: "Result", *, full: bool = False) -> str:
    y = result.output_name
    if result.output_node is None:
        return f"{y} = {text.value(result.value_array, full=full)}   (a constant: nothing to differentiate)"
    head = f"{y} = {text.value(result.value_array, full=full)}"
    if not result.grad_arrays:
        if not result.output_node.requires_grad:
            return head + "   (nothing requires grad: no gradients)"
        return head
    parts = [f"d{y}/d{k} = {text.value(v, full=full)}" for k, v in result.grad_arrays.items()]
    if any(getattr(v, "ndim", 0) for v in result.grad_arrays.values()):
        shapes = {k: text.shape(v) for k, v in result.grad_arrays.items()}
        return "\n".join([head] + [f"d{y}/d{k} (shape {shapes[k]}) = "
                                    f"{text.value(v, full=full)}"
                                    for k, v in result.grad_arrays.items()])
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
