"""The chain rule printed as the course writes it, and the backward pass step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import text

if TYPE_CHECKING:
    from ..chainrule import Explanation
    from ..result import Result


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _factors(ex: "Explanation") -> tuple[list[str], list[str]]:
    """Each listed path as `dy/da * da/dw`. Paths that would read the same (x*x reaches x
    twice, once as each input) get the input position as a subscript, `dy/dx₁ + dy/dx₂`,
    and a line saying what the subscripts mean."""
    def text(p, marked=()):
        return " * ".join(
            f"d{ex.labels[e.parent.id]}/d{ex.labels[e.child.id]}"
            + (str(e.position + 1).translate(SUBSCRIPTS) if (e.parent.id, e.child.id) in marked
               else "") for e in p)

    plain = [text(p) for p in ex.paths]
    if len(set(plain)) == len(plain):
        return plain, []
    positions: dict[tuple[int, int], set[int]] = {}
    for p in ex.paths:
        for e in p:
            positions.setdefault((e.parent.id, e.child.id), set()).add(e.position)
    marked = {k for k, v in positions.items() if len(v) > 1}
    notes = []
    for (p, c), v in positions.items():
        if (p, c) in marked:
            k = sorted(v)
            names = ", ".join(ex.labels[c] + str(i + 1).translate(SUBSCRIPTS) for i in k)
            where = " and ".join(f"input {i + 1}" for i in k)
            notes.append(f"{names}: {ex.labels[c]} as {where} of {ex.labels[p]} = "
                         f"{ex.legend_of(p)}")
    return [text(p, marked) for p in ex.paths], notes


def chain_rule(ex: "Explanation", *, latex: bool = False) -> list[str]:
    y, w = ex.out, ex.wrt
    head = f"d{y}/d{w}"
    if ex.count == 0:
        return [f"{head} = 0      ({y} does not depend on {w}: no path from {y} to {w})"]
    pad = " " * len(head)
    if ex.omitted and not ex.paths:
        plural = "path" if ex.count == 1 else "paths"
        lines = [f"{head} = a sum over {ex.count:,} {plural} from {y} to {w}: {ex.omitted}"]
        lines.append(f"engine: {head} = {text.value(ex.engine)}")
        if ex.note:
            lines.append(f"note: {ex.note}")
        return lines + [f"convention: {c}" for c in ex.conventions]
    one_edge = ex.count == 1 and len(ex.paths) == 1 and len(ex.paths[0]) == 1
    factors, uses = _factors(ex)
    more = ex.count - len(ex.paths)
    tail = f" + … ({more:,} more)" if more > 0 else ""
    plural = "path" if ex.count == 1 else "paths"
    if one_edge and ex.scalar:
        e = ex.paths[0][0]
        local = e.symbolic
        if local and local.startswith("(") and local.endswith(")"):
            local = local[1:-1]
        value = text.number(e.value)
        lines = [f"{head} = {local} = {value}" if local and local != value else
                 f"{head} = {value}",
                 f"{pad}   one op ({e.parent.grad_fn}) lies between {y} and {w}: its local "
                 "derivative is the whole answer; the chain rule multiplies local "
                 f"derivatives once ops are composed, e.g. exp({ex.legend_of(e.parent.id)})"]
    else:
        lines = [f"{head} = {' + '.join(factors)}{tail}      ({ex.count:,} {plural} from {y} "
                 f"to {w})"]
        if ex.scalar:
            sym = [" * ".join(e.symbolic if e.symbolic is not None else "?" for e in p)
                   for p in ex.paths]
            if any(e.symbolic is not None for p in ex.paths for e in p):
                lines.append(f"{pad} = {' + '.join(sym)}{tail}")
            num = [" * ".join(text.number(e.value) for e in p) for p in ex.paths]
            total = text.value(ex.engine)
            shown = " + ".join(num)
            if ex.path_sum is not None:
                summed = text.number(ex.path_sum)
                lines.append(f"{pad} = {shown}" + (f" = {summed}" if shown != summed else ""))
            else:
                lines.append(f"{pad} = {shown}{tail} = {total}")
    if ex.legend:
        lines.append("where " + ", ".join(f"{k} = {v}" for k, v in ex.legend))
    lines += [f"      {u}" for u in uses]
    if any("σ(" in (e.symbolic or "") for p in ex.paths for e in p) or "σ(" in (ex.symbolic or ""):
        lines.append("      σ(z) = sigmoid(z) = 1/(1 + exp(-z))")
    agree = ""
    if ex.path_sum is not None:
        ok = abs(ex.path_sum - float(ex.engine)) <= 1e-9 * max(1.0, abs(ex.path_sum))
        agree = "  (the sum over paths agrees)" if ok else "  (DISAGREES with the sum over paths)"
    lines.append(f"engine: {head} = {text.value(ex.engine)}{agree}")
    if ex.symbolic is not None:
        value = "" if ex.symbolic_value is None else f" = {text.number(ex.symbolic_value)}"
        value = "" if value == f" = {ex.symbolic}" else value
        lines.append(f"symbolic: {head} = {ex.symbolic}{value}")
        if latex:
            lines.append(f"latex: \\frac{{\\partial {y}}}{{\\partial {w}}} = {ex.latex}")
    if ex.note:
        lines.append(f"note: {ex.note}")
    for c in ex.conventions:
        lines.append(f"convention: {c}")
    return lines


def steps(result: "Result") -> list[str]:
    """Each node's incoming gradient and what it sends to each input, in backward order."""
    if not result.steps:
        return ["backward pass: nothing requires grad"]
    nodes = result.nodes
    uses: dict[int, int] = {}
    for n in nodes:
        for a in n.inputs:
            if a.requires_grad:
                uses[a.id] = uses.get(a.id, 0) + 1
    y = result.output_name
    out = result.output_node

    def name(n) -> str:
        return y if n is out and n.name is None else n.label

    lines = [f"backward pass from {y}, in reverse topological order:"]
    for node_id, g, sent in result.steps:
        n = nodes[node_id]
        label = name(n)
        d = f"d{y}/d{label}" if label.replace("_", "a").replace("#", "1").isalnum() \
            else f"d{y}/d({label})"
        lines.append(f"  [{n.id}] {name(n)}  {n.grad_fn}  receives {d} = {text.value(g)}")
        for pos, j, gi, total in sent:
            target = nodes[j]
            acc = ""
            if uses.get(j, 0) > 1:
                acc = f"   (accumulated: {target.label} now has {text.value(total)})"
            lines.append(f"      sends {text.value(gi)} to input {pos} [{j}] {target.label}{acc}")
    leaves = [n for n in nodes if n.is_leaf and n.requires_grad]
    if leaves:
        parts = []
        for n in leaves:
            k = uses.get(n.id, 0)
            note = f" (summed over {k} uses)" if k > 1 else ""
            parts.append(f"{n.label}.grad = {text.value(result.grad(n))}{note}")
        lines.append("leaves: " + ", ".join(parts))
    return lines
