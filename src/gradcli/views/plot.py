"""`gradcli plot`'s pictures: a character plot for the terminal (f above df/dx, on a shared
x axis) and an SVG written here (no plotting library); PNG is that SVG converted by
rsvg-convert or ImageMagick when one is installed."""

from __future__ import annotations

import math
import shutil
import subprocess
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from ..errors import GradcliError
from . import text

if TYPE_CHECKING:
    from ..plot import Curve

DOT = "•"


def _span(v: np.ndarray) -> tuple[float, float]:
    ok = v[np.isfinite(v)]
    if ok.size == 0:
        return -1.0, 1.0
    lo, hi = float(ok.min()), float(ok.max())
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    return lo, hi


def _panel(values: np.ndarray, xs: np.ndarray, width: int, height: int, label_w: int,
           labels: tuple[str, str]) -> list[str]:
    """One curve as rows of characters, with the y range written at the left."""
    lo, hi = _span(values)
    grid = [[" "] * width for _ in range(height)]
    zero = None
    if lo < 0 < hi:
        zero = int(round((hi - 0.0) / (hi - lo) * (height - 1)))
        grid[zero] = ["┈"] * width
    cols = np.clip(np.round((xs - xs[0]) / (xs[-1] - xs[0]) * (width - 1)).astype(int),
                   0, width - 1)
    prev = None
    for c, v in zip(cols, values):
        if not math.isfinite(v):
            prev = None
            continue
        row = int(round((hi - v) / (hi - lo) * (height - 1)))
        a, b = (row, row) if prev is None or abs(prev[0] - c) > 1 else \
            (min(row, prev[1]), max(row, prev[1]))
        if prev is not None and prev[0] == c:
            a, b = min(a, prev[1]), max(b, prev[1])
        for r in range(a, b + 1):
            grid[r][c] = DOT
        prev = (c, row)
    out = []
    for r, cells in enumerate(grid):
        if r == 0:
            left = f"{labels[1]:>{label_w}} ┤"
        elif r == height - 1:
            left = f"{labels[0]:>{label_w}} ┤"
        elif r == zero:
            left = f"{'0':>{label_w}} ┤"
        else:
            left = " " * label_w + " │"
        out.append((left + "".join(cells)).rstrip())
    return out


def character_plot(curve: "Curve", width: int = 80, height: int = 10) -> list[str]:
    """f and df/dx over the range, one panel each, as lines of at most `width` columns."""
    y, x = curve.name, curve.wrt
    d = f"d{y}/d{x}"
    curves = [(y, curve.f)] + ([(d, curve.df)] if curve.df is not None else [])
    labels = [(text.number(lo, 4), text.number(hi, 4)) for lo, hi in
              (_span(v) for _, v in curves)]
    label_w = max(len(s) for pair in labels for s in pair)
    plot_w = max(10, width - label_w - 2)
    fixed = ", ".join(f"{k} = {v}" for k, v in curve.fixed.items())
    lo, hi = text.number(curve.x[0], 4), text.number(curve.x[-1], 4)
    if curve.df is None:  # a lesson: the root's value per backward pass
        lines = [f"{y} per backward pass ({len(curve.x)} passes; first "
                 f"{text.number(curve.f[0], 4)}, last {text.number(curve.f[-1], 4)})"]
        height = 2 * height
    else:
        lines = [f"{y} = {curve.program.strip()}   ({x} from {lo} to {hi}, {len(curve.x)} "
                 "points" + (f"; {fixed}" if fixed else "") + ")"]
    for (title, values), pair in zip(curves, labels):
        lines.append(f"{' ' * label_w}  {title}")
        lines += _panel(values, curve.x, plot_w, height, label_w, pair)
    lines.append(" " * label_w + " └" + "─" * plot_w)
    mid = text.number((curve.x[0] + curve.x[-1]) / 2, 4)
    axis = [" "] * plot_w
    for pos, s in ((0, lo), ((plot_w - len(mid)) // 2, mid), (plot_w - len(hi), hi)):
        axis[pos:pos + len(s)] = list(s)
    lines.append((" " * (label_w + 2) + "".join(axis)).rstrip())
    lines.append(" " * (label_w + 2) + f"{x}".center(plot_w).rstrip())
    import textwrap

    if curve.df is not None:
        lines += textwrap.wrap(check_line(curve), width, subsequent_indent="  ",
                               break_long_words=False, break_on_hyphens=False)
    return lines


def check_line(curve: "Curve") -> str:
    if curve.df is None:
        return f"{curve.name} per backward pass: {len(curve.x)} passes"
    d = f"d{curve.name}/d{curve.wrt}"
    verdict = "agrees" if curve.agrees else "DISAGREES"
    return (f"finite-difference check: max |{d} - central difference| = "
            f"{text.number(curve.max_abs_diff, 3)} ({verdict})")


# ---------------------------------------------------------------------------- SVG

def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    out = []
    v = first
    while v <= hi + step * 1e-9:
        out.append(0.0 if abs(v) < step * 1e-9 else v)
        v += step
    return out


def _tick_text(v: float) -> str:
    return f"{v:.6g}"


def svg(curve: "Curve", *, width: int = 720, height: int = 540) -> str:
    """f and df/dx (with the central differences as dots) in two panels, as SVG text."""
    left, right, top, gap, bottom = 70, 20, 40, 50, 64
    count = 1 if curve.df is None else 2
    panel_h = (height - top - gap * (count - 1) - bottom) / count
    plot_w = width - left - right
    x0, x1 = float(curve.x[0]), float(curve.x[-1])
    y, x = curve.name, curve.wrt
    d = f"d{y}/d{x}"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" '
             'font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
             f'{escape(y)} = {escape(curve.program.strip())}</text>' if curve.df is not None
             else f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
             f'{escape(y)} per backward pass</text>']

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * plot_w

    panels = [(escape(y), curve.f, "#1f77b4", None),
              (escape(d), curve.df, "#d62728", curve.fd)][:count]
    for k, (title, values, colour, dots) in enumerate(panels):
        ptop = top + k * (panel_h + gap)
        both = values if dots is None else np.concatenate([values, dots])
        lo, hi = _span(both)

        def sy(v: float, lo=lo, hi=hi, ptop=ptop) -> float:
            return ptop + (hi - v) / (hi - lo) * panel_h

        parts.append(f'<g class="panel" id="{"value" if k == 0 else "grad"}">')
        parts.append(f'<rect x="{left}" y="{ptop:.2f}" width="{plot_w}" height="{panel_h:.2f}" '
                     'fill="none" stroke="#333"/>')
        for t in _ticks(lo, hi):
            ty = sy(t)
            parts.append(f'<line x1="{left - 4}" y1="{ty:.2f}" x2="{left + plot_w}" '
                         f'y2="{ty:.2f}" stroke="#ddd"/>')
            parts.append(f'<text x="{left - 6}" y="{ty + 4:.2f}" text-anchor="end">'
                         f'{_tick_text(t)}</text>')
        if lo < 0 < hi:
            parts.append(f'<line x1="{left}" y1="{sy(0):.2f}" x2="{left + plot_w}" '
                         f'y2="{sy(0):.2f}" stroke="#888" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{left + 6}" y="{ptop + 16:.2f}" fill="{colour}" '
                     f'font-size="13">{title}</text>')
        segment: list[str] = []
        lines_out: list[str] = []
        for xv, v in zip(curve.x, values):
            if math.isfinite(v):
                segment.append(f"{sx(xv):.2f},{sy(v):.2f}")
            elif segment:
                lines_out.append(" ".join(segment))
                segment = []
        if segment:
            lines_out.append(" ".join(segment))
        for pts in lines_out:
            parts.append(f'<polyline class="curve" fill="none" stroke="{colour}" '
                         f'stroke-width="2" points="{pts}"/>')
        if dots is not None:
            step = max(1, len(curve.x) // 40)
            for xv, v in list(zip(curve.x, dots))[::step]:
                if math.isfinite(v):
                    parts.append(f'<circle class="fd" cx="{sx(xv):.2f}" cy="{sy(v):.2f}" r="2.5" '
                                 'fill="none" stroke="#333"/>')
            parts.append(f'<text x="{left + plot_w - 6}" y="{ptop + 16:.2f}" text-anchor="end" '
                         'fill="#333">○ central differences</text>')
        parts.append("</g>")
    base = top + count * panel_h + gap * (count - 1)
    for t in _ticks(x0, x1):
        tx = sx(t)
        parts.append(f'<line x1="{tx:.2f}" y1="{base:.2f}" x2="{tx:.2f}" y2="{base + 4:.2f}" '
                     'stroke="#333"/>')
        parts.append(f'<text x="{tx:.2f}" y="{base + 18:.2f}" text-anchor="middle">'
                     f'{_tick_text(t)}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{base + 36:.2f}" text-anchor="middle">'
                 f'{escape(x)}</text>')
    parts.append(f'<text x="{width - right}" y="{height - 6}" text-anchor="end" fill="#555" '
                 f'font-size="11">{escape(check_line(curve))}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png(svg_text: str, dpi: int = 96) -> bytes:
    """The SVG as PNG, through rsvg-convert or ImageMagick (whichever is installed); 96 dpi
    is the SVG's own size in pixels, 192 twice as many pixels each way."""
    tools = [(shutil.which("rsvg-convert"), lambda p: [p, "-f", "png", "-z", str(dpi / 96)]),
             (shutil.which("magick"), lambda p: [p, "-density", str(dpi), "svg:-", "png:-"]),
             (shutil.which("convert"), lambda p: [p, "-density", str(dpi), "svg:-", "png:-"])]
    for path, argv in tools:
        if path is None:
            continue
        try:
            done = subprocess.run(argv(path), input=svg_text.encode(), capture_output=True,
                                  timeout=120)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0 and done.stdout.startswith(b"\x89PNG"):
            return done.stdout
    raise GradcliError("writing PNG needs rsvg-convert or ImageMagick, and neither is "
                       "installed", hint="write SVG instead (-o plot.svg), or install one "
                                         "(Debian/Ubuntu: apt-get install librsvg2-bin)")
