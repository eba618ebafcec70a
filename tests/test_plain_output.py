"""eval's table off a terminal is written without Rich when Rich would print plain lines
(gradcli.command.PlainConsole): the bytes must be Rich's, on any table and any line."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

from gradcli import command
from gradcli.views.fit import Col, render

# cells: printable ASCII with spaces anywhere (leading, trailing, doubled), and now and
# then something only Rich handles (a tab, a non-ASCII character, a new line)
ASCII = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=14)
CELL = st.one_of(ASCII, ASCII, ASCII, ASCII, st.text(" ab\t\n…é", max_size=6))


def output(width: int, draw, plain: bool) -> tuple[str, bool]:
    """What `draw(console)` prints on a pipe `width` columns wide, on the Rich console
    gradcli makes for it or on a PlainConsole (which hands what it cannot write to that
    Rich console); and whether Rich was needed."""
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(sys, "stdout", buf)
        m.setenv("COLUMNS", str(width))  # the width for the Rich console
        for k in ("FORCE_COLOR", "TTY_COMPATIBLE"):
            m.delenv(k, raising=False)
        out = command.PlainConsole(buf, width) if plain else command.console()
        draw(out)
    return buf.getvalue(), not plain or out._rich is not None


def rich_output(width: int, draw) -> str:
    return output(width, draw, plain=False)[0]


def plain_output(width: int, draw) -> tuple[str, bool]:
    return output(width, draw, plain=True)


@st.composite
def tables(draw):
    ncols = draw(st.integers(1, 6))
    cols = [Col(draw(ASCII.filter(bool)), short=draw(st.one_of(st.none(), ASCII)),
                wrap=draw(st.booleans()), justify=draw(st.sampled_from(["left", "right"])),
                droppable=draw(st.booleans()), style=draw(st.sampled_from([None, "dim"])))
            for _ in range(ncols)]
    rows = draw(st.lists(st.lists(CELL, min_size=ncols, max_size=ncols), min_size=1,
                         max_size=5))
    styles = draw(st.lists(st.sampled_from([None, "bold", "dim"]), min_size=len(rows),
                           max_size=len(rows)))
    return cols, rows, styles


@settings(max_examples=300, deadline=None)
@given(table=tables(), width=st.integers(20, 120), title=st.one_of(st.none(), ASCII))
def test_plain_tables_are_richs_bytes(table, width, title):
    cols, rows, styles = table

    def draw(console):
        render(console, cols, rows, styles=styles, title=title)

    plain, _ = plain_output(width, draw)
    assert plain == rich_output(width, draw)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(CELL, max_size=4), width=st.integers(20, 40))
def test_plain_lines_are_richs_bytes(lines, width):
    def draw(console):
        for line in lines:
            console.print(line, style="yellow", highlight=False)

    plain, _ = plain_output(width, draw)
    assert plain == rich_output(width, draw)


def test_a_simple_table_does_not_need_rich():
    cols = [Col("#", justify="right", style="dim"), Col("node", wrap=True), Col("grad")]
    rows = [["0", "x", "2"], ["1", "y = x*x", "1"]]
    text, needed = plain_output(80, lambda c: render(c, cols, rows, styles=[None, "bold"]))
    assert not needed
    assert text == "# ┃ node    ┃ grad\n━━╇━━━━━━━━━╇━━━━━\n0 │ x       │ 2\n1 │ y = x*x │ 1\n"


PROGRAMS = [
    ["(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["x*x*x + exp(x) - log(w)", "--x", "0.5", "--w", "3"],
    ["a = sin(x); b = a * w; c = b.relu(); c + a", "--x", "0.25", "--w", "-1.5"],
    ["torch.tanh(W @ v).sum() * 123456.789", "--W", "[[1.5,2],[3,4.25]]", "--v", "[0.1,-0.2]"],
    [" + ".join(f"x*{i}" for i in range(1, 400)), "--x", "1.5"],  # rows hidden ("…")
    ["y = x.sum(); z = y * 2", "--x", "[1, 2, 3]"],
    ["x / 0", "--x", "1"],
    ["x ** 2", "--x", "nan"],
]


@pytest.mark.parametrize("args", PROGRAMS, ids=lambda a: a[0][:30])
def test_the_command_prints_richs_bytes_off_a_terminal(args, tmp_path):
    """A pipe, no terminal: the plain console (width 160) against Rich (COLUMNS=160)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    outs = []
    for extra in ({}, {"COLUMNS": "160"}):
        r = subprocess.run([sys.executable, "-m", "gradcli", "eval", *args],
                           capture_output=True, stdin=subprocess.DEVNULL,
                           env={**env, **extra}, timeout=60)
        outs.append((r.returncode, r.stdout, r.stderr))
    assert outs[0] == outs[1]
    assert outs[0][1]
