"""`eval --steps --format svg|html`: the backward pass as pictures, one frame per node it
visits. Each frame is the graph (drawn by Graphviz) with the gradients known at that
moment, the node being processed in orange and what it sends along each edge; the first
frame is the start (d(out)/d(out) = 1), the last the leaves' gradients."""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

from ..errors import GradcliError
from . import graph, text

if TYPE_CHECKING:
    from ..result import Result

MAX_FRAMES = 200


def frames(result: "Result") -> list[tuple[str, str]]:
    """(caption, DOT) for every frame of the backward pass."""
    if not result.steps:
        raise GradcliError("the backward pass has no steps to draw: nothing requires grad")
    if len(result.steps) + 2 > MAX_FRAMES:
        raise GradcliError(f"the backward pass has {len(result.steps):,} steps, more than "
                           f"{MAX_FRAMES - 2} frames can show",
                           hint="--steps with the table shows them as text")
    nodes = result.nodes
    out = result.output_node
    y = result.output_name

    def name(i: int) -> str:
        n = nodes[i]
        return y if n is out and n.name is None else n.label

    def d(i: int) -> str:  # dy/dw, dy/d(w+1)
        label = name(i)
        plain = label.replace("_", "a").replace("#", "1").isalnum()
        return f"d{y}/d{label}" if plain else f"d{y}/d({label})"

    known = {out.id: result.grad(out)}
    shown = []
    shown.append((f"start: d{y}/d{y} = 1", graph.dot(result, grads=dict(known), legend=True,
                                                      current=None)))
    total = len(result.steps)
    for k, (node_id, g, sent) in enumerate(result.steps, 1):
        n = nodes[node_id]
        sends = ", ".join(f"{text.value(gi)} to {name(j)}" for _, j, gi, _ in sent)
        caption = (f"step {k} of {total}: {name(node_id)} ({n.grad_fn}) receives "
                   f"{d(node_id)} = {text.value(g)}"
                   + (f"; sends {sends}" if sends else ""))
        sending = {j: gi for _, j, gi, _ in sent}
        shown.append((caption, graph.dot(result, grads=dict(known), current=node_id,
                                         sending=sending)))
        for _, j, _, acc in sent:
            known[j] = acc
    leaves = ", ".join(f"{n.label}.grad = {text.value(result.grad(n))}"
                       for n in nodes if n.is_leaf and n.requires_grad)
    shown.append((f"done: {leaves}" if leaves else "done",
                   graph.dot(result, grads={n.id: result.grad(n) for n in nodes})))
    return shown


def _svgs(result: "Result") -> list[tuple[str, str]]:
    dot_path = graph.need_graphviz()
    return [(c, graph.render(d, "svg", dot_path).decode()) for c, d in frames(result)]


_ROOT = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')
_HEAD = re.compile(r"^.*?(?=<svg)", re.S)


def svg(result: "Result") -> str:
    """Every frame in one SVG, top to bottom, each under its caption."""
    parts, y, width = [], 0.0, 0.0
    for caption, picture in _svgs(result):
        body = _HEAD.sub("", picture, count=1)
        m = _ROOT.search(body)
        w, h = float(m.group(1)), float(m.group(2))
        y += 24
        parts.append(f'<text class="caption" x="4" y="{y - 6:.0f}" font-family="Helvetica" '
                     f'font-size="13">{escape(caption)}</text>')
        parts.append(_ROOT.sub(f'<svg class="frame" x="0" y="{y:.0f}" width="{w:.0f}" '
                               f'height="{h:.0f}"', body, count=1))
        y += h + 12
        width = max(width, w, 8 * len(caption))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'width="{width:.0f}" height="{y:.0f}" viewBox="0 0 {width:.0f} {y:.0f}">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(parts) + "\n</svg>\n")


SCRIPT = """
const frames = [...document.querySelectorAll('section.frame')];
let at = 0;
function show(k) {
  at = Math.max(0, Math.min(frames.length - 1, k));
  frames.forEach((f, i) => f.hidden = i !== at);
  document.getElementById('where').textContent = `${at + 1} / ${frames.length}`;
}
document.getElementById('prev').onclick = () => show(at - 1);
document.getElementById('next').onclick = () => show(at + 1);
document.addEventListener('keydown', e => {
  if (e.key === 'ArrowLeft') show(at - 1);
  if (e.key === 'ArrowRight') show(at + 1);
});
document.getElementById('nav').hidden = false;
show(0);
"""


def html(result: "Result") -> str:
    """A page to step through the frames (buttons or arrow keys; all frames without JS)."""
    sections = []
    for k, (caption, picture) in enumerate(_svgs(result)):
        sections.append(f'<section class="frame" id="frame-{k}"><h2>{escape(caption)}</h2>\n'
                        f"{_HEAD.sub('', picture, count=1)}</section>")
    title = f"backward pass of {result.output_name} = {result.program.strip()}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title><style>body {{font-family: sans-serif}} "
            "h2 {font-size: 1rem; font-weight: normal}</style></head><body>\n"
            f"<h1>{escape(title)}</h1>\n"
            '<p id="nav" hidden><button id="prev">&larr; back</button> <span id="where"></span> '
            '<button id="next">forward &rarr;</button> (or the arrow keys)</p>\n'
            + "\n".join(sections) + f"\n<script>{SCRIPT}</script>\n</body></html>\n")
