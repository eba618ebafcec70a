"""`gradcli batch` writes JSON text through a fast path for chunks of flat number rows
(one pattern for the chunk, a batched evaluation, lines formatted from the columns). Its
bytes must be exactly those of the general path: every row evaluated and dumped."""

from __future__ import annotations

import json

from hypothesis import given, settings, strategies as st

from gradcli import batch
from gradcli.result import SCHEMA, dumps
from gradcli.syntax import parse

PROGRAMS = ["(x+w)*(w+1)", "torch.log(x) * w + torch.sqrt(w)", "x / w",
            "torch.tanh(x * w) ** 2", "x ** 3 - 2 * w", "torch.exp(x) + w"]


def general(prog, lines):
    return "".join(dumps({"schema": SCHEMA, **line}, indent=None) + "\n"
                   for line in batch.run(prog, lines))


def fast(prog, lines):
    return "".join(text for text, _ in batch.run_text(prog, lines))


def number_text(v, style):
    """A JSON number in one of the spellings a file may hold."""
    if style == 0:
        return repr(v)
    if style == 1:
        return str(int(v)) if abs(v) < 2**62 else repr(v)
    if style == 2:
        return f"{v:.6e}"
    return f"{v:.3E}"


row = st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e6, 1e6, allow_nan=False),
                st.integers(0, 3), st.integers(0, 3), st.booleans(), st.booleans())


def render(r):
    x, w, sx, sw, swap, spaced = r
    pairs = [f'"x": {number_text(x, sx)}', f'"w": {number_text(w, sw)}']
    if swap:
        pairs.reverse()
    sep = " ,\t " if spaced else ", "
    return ("  {" if spaced else "{") + sep.join(pairs) + "}"


ODD = ['{"w": 1, "x": -0}', '{"x": -0.0, "w": 2}', '{"x": 1e400, "w": 1}', "",
       '{"x": 5, "w": 12345678901234567890}', '{"x": 2}', '{"x": 2, "x": 3}',
       '{"x": 1, "w": 2, "z": 3}', '{"x": "a", "w": 1}', "not json", '{"x": -1, "w": -1}',
       '{"x": 0, "w": -1}', "   ", '{"x": 1e-320, "w": 3}', '{"x":1,"w":2}']


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(PROGRAMS), st.lists(row, min_size=2, max_size=60),
       st.lists(st.tuples(st.integers(0, 59), st.sampled_from(ODD)), max_size=4))
def test_text_path_writes_the_general_paths_bytes(program, rows, odd):
    lines = [render(r) for r in rows]
    for i, text in odd:
        lines.insert(min(i, len(lines)), text)
    prog = parse(program)
    assert fast(prog, lines) == general(prog, lines)


def test_long_input_crosses_chunks_and_keeps_every_line():
    lines = [json.dumps({"x": i / 7 - 3, "w": (i % 13) / 3 - 2}) for i in range(40_000)]
    lines[20_000] = '{"x": 1e400, "w": 1}'  # one chunk takes the general path
    lines[30_001] = ""
    prog = parse("(x+w)*(w+1)")
    text = fast(prog, lines)
    assert text == general(prog, lines)
    assert text.count("\n") == 39_999
    failed = [bad for _, bad in batch.run_text(prog, lines)]
    assert sum(failed) == 1
