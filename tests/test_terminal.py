"""What a person reads in an 80-column terminal (and in a pipe): no column cut in the
middle of a name, no number split across lines, no trailing spaces, shapes as [2],
float32 numbers as PyTorch prints them, and `explain` in the forms courses write."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli import app

ROOT = Path(__file__).resolve().parent.parent
RNN = ("h2h = torch.mm(W_h, prev_h.t()); i2h = torch.mm(W_x, x.t())\n"
       "next_h = h2h + i2h; next_h = next_h.tanh(); loss = next_h.sum()")
RNN_BINDINGS = ["--W_h", "randn(20,20)", "--W_x", "randn(20,10)", "--x", "randn(1,10)",
                "--prev_h", "randn(1,20)", "--no-grad", "x,prev_h", "--seed", "0"]


def run(*args: str, columns: int = 80, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input,
                              env={"COLUMNS": str(columns), "NO_COLOR": "1"})


def assert_fits(text: str, columns: int) -> list[str]:
    lines = text.splitlines()
    for line in lines:
        assert len(line) <= columns, line
        assert line == line.rstrip(), repr(line)  # piped: no trailing spaces
        assert "…" not in line or "more nodes" in line or "+ …" in line, line  # nothing cut
    return lines


def words_of(text: str) -> set[str]:
    """Every word of the output, with the table rules and cell borders taken out."""
    return set(re.sub(r"[│┃━╇─]", " ", text).split())


TABLES = [
    ["eval", RNN, *RNN_BINDINGS],
    ["eval", "-f", "examples/retain_grad.py", "--torch"],
    ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["eval", "torch.tanh(W @ v).sum() * 123456.789", "--W", "[[1.5,2],[3,4.25]]",
     "--v", "[0.1, -0.2]"],
    ["jvp", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--tangent", "w=1"],
    ["check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5", "--expect", "x=3"],
]


@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a)[:40])
@pytest.mark.parametrize("columns", [80, 60])
def test_tables_fit_without_cutting_names_or_numbers(args, columns, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = run(*args, columns=columns)
    assert r.exit_code in (0, 1), r.output
    assert_fits(r.stdout, columns)
    doc = json.loads(run(*args, "--format", "json").stdout)
    if "nodes" not in doc:
        return
    words = words_of(r.stdout)
    for n in doc["nodes"]:
        if n["grad_fn"]:
            assert n["grad_fn"] in words, n["grad_fn"]
        for w in n["label"].split():  # every name of a label is whole on one line
            assert w in words, (w, n["label"])
        if isinstance(n["value"], float):  # scalar values: every digit on one line
            assert f"{n['value']:.10g}" in words, n


def test_columns_are_given_up_in_the_documented_order():
    wide = run("eval", RNN, *RNN_BINDINGS, columns=200).stdout
    assert "requires_grad" in wide and "is_leaf" in wide
    narrow = run("eval", RNN, *RNN_BINDINGS, columns=80).stdout
    assert narrow.splitlines()[0].split("┃")[1:] and "requires_grad" not in narrow.splitlines()[0]
    assert ("(is_leaf and requires_grad left out to fit 80 columns; --format json has every "
            "field)") in narrow.replace("\n", " ")
    short = run("eval", "(x+w)*(w+1)", "--x", "2", "--w", "1", columns=80).stdout
    assert [h.strip() for h in short.splitlines()[0].split("┃")] == [
        "#", "node", "grad_fn", "leaf", "req_grad", "value", "grad"]


def test_a_narrow_terminal_gets_one_block_per_node():
    r = run("eval", "(x+w)*(w+1)", "--x", "2", "--w", "1", columns=40)
    lines = assert_fits(r.stdout, 40)
    assert lines[:3] == ["[0] x", "    is_leaf True   requires_grad True",
                         "    value 2   grad dy/d(node) 2"]
    assert "[4] y = (x+w)*(w+1)" in lines
    assert "    grad_fn MulBackward0   is_leaf False" in lines


def test_wide_matrices_come_in_blocks_of_whole_columns():
    args = ["hessian", "(W*W*W).sum()", "--W", "randn(3,3)", "--seed", "0"]
    r = run(*args)
    lines = assert_fits(r.stdout, 80)
    blocks = [line for line in lines if line.startswith("columns ")]
    assert len(blocks) >= 2 and blocks[0].startswith("columns 0-")
    assert blocks[-1].endswith("-8 of 9")
    H = json.loads(run(*args, "--format", "json").stdout)["hessian"]
    words = words_of(r.stdout)
    for i in range(9):
        assert f"{H[i][i]:.10g}" in words  # every number whole
        assert sum(line.split().count(f"W[{i // 3},{i % 3}]") for line in lines
                   if "┃" in line) == 1  # each column exactly once


def test_lesson_summary_fits_80_columns(monkeypatch):
    monkeypatch.chdir(ROOT)
    r = run("eval", "-f", "benchmarks/linear_regression.py")
    lines = assert_fits(r.stdout, 80)
    spark = [line for line in lines if "loss per pass:" in line]
    assert spark and lines[lines.index(spark[0]) + 1].strip().startswith("(first 88.27")


def test_shapes_read_as_lists_not_as_calls(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = run("eval", "-f", "examples/retain_grad.py", "--torch", columns=120).stdout
    assert "dy/dw (shape [1]) = [5.]" in out.splitlines()
    assert not re.search(r"d\w+/d\w+ \(\d", out)
    dot = run("graph", "(W @ v).sum()", "--W", "[[1,2],[3,4]]", "--v", "[1,2]").stdout
    assert "shape [2, 2]" in dot and "×" not in dot


GOLDEN = json.loads((ROOT / "tests" / "golden" / "float32_text.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["program"])
def test_float32_numbers_print_as_pytorch_prints_them(case):
    x = json.dumps(case["bindings"]["x"])
    r = run("eval", case["program"], "--x", x, "--dtype", "float32", columns=200)
    if r.exit_code == 2:  # a vector output has no backward; the value reads the same
        r = run("eval", case["program"], "--x", x, "--dtype", "float32", "--no-grad", "x",
                columns=200)
    assert r.exit_code == 0, r.output
    want = f"y = {case['value']}"
    assert any(line == want or line.startswith(want + "   ") for line in r.stdout.splitlines()), \
        (case, r.stdout)


def test_explain_writes_sigmoid_as_courses_do():
    out = run("explain", "sigmoid(w*x)", "--x", "2", "--w", "1", "--wrt", "w").stdout
    lines = out.splitlines()
    assert lines[1] == "      = σ(a)*(1 - σ(a)) * x"
    assert "      σ(z) = sigmoid(z) = 1/(1 + exp(-z))" in lines
    assert "symbolic: dy/dw = x*σ(w*x)*(1 - σ(w*x)) = 0.2099871708" in lines
    doc = json.loads(run("explain", "sigmoid(w*x)", "--x", "2", "--w", "1", "--wrt", "w",
                         "--format", "json").stdout)["explain"][0]
    assert doc["symbolic_value"] == pytest.approx(doc["gradient"], rel=1e-12)
    tanh = run("explain", "tanh(x)", "--x", "0.5").stdout
    assert "symbolic: dy/dx = 1 - tanh(x)**2 = 0.786447733" in tanh.splitlines()


def test_explain_tells_apart_paths_that_share_labels():
    lines = run("explain", "x*x", "--x", "3").stdout.splitlines()
    assert lines[0] == "dy/dx = dy/dx₁ + dy/dx₂      (2 paths from y to x)"
    assert "      x₁, x₂: x as input 1 and input 2 of y = x*x" in lines
    lines = run("explain", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--wrt", "w").stdout
    assert "₁" not in lines  # distinct paths keep plain labels


def test_explain_says_something_useful_for_one_edge():
    lines = run("explain", "tanh(x)", "--x", "0.5").stdout.splitlines()
    assert lines[0] == "dy/dx = 1 - tanh(x)**2 = 0.786447733"
    text = " ".join(line.strip() for line in lines)
    assert ("one op (TanhBackward0) lies between y and x: its local derivative is the whole "
            "answer; the chain rule multiplies local derivatives once ops are composed, e.g. "
            "exp(tanh(x))") in text
    assert_fits(run("explain", "tanh(x)", "--x", "0.5").stdout, 80)
    two = run("explain", "x*2", "--x", "3").stdout.splitlines()
    assert two[0] == "dy/dx = 2" and "symbolic: dy/dx = 2" in two


def test_piped_into_head_in_an_80_column_terminal_the_table_fits_that_terminal(tmp_path):
    """`gradcli eval ... | head`: stdout is a pipe, but the person's terminal (on stderr)
    is 80 columns wide, so the table is laid out for 80 columns."""
    import fcntl
    import os
    import struct
    import subprocess
    import sys
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    p = subprocess.run([sys.executable, "-m", "gradcli", "eval", RNN, *RNN_BINDINGS],
                       stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, env=env,
                       timeout=60)
    os.close(slave)
    os.close(master)
    assert p.returncode == 0
    lines = assert_fits(p.stdout.decode(), 80)
    assert any("left out to fit 80 columns" in line for line in lines)
    r = subprocess.run([sys.executable, "-m", "gradcli", "eval", RNN, *RNN_BINDINGS],
                       capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=60)
    assert max(len(line) for line in r.stdout.decode().splitlines()) > 80  # no terminal: 160


def test_every_cell_survives_the_vertical_layout():
    r = run("check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5", "--expect",
            "x=3", columns=30)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[:6] == ["dy/dw", "    expected 5   computed 5", "    abs diff 0   result PASS ✓",
                         "dy/dx", "    expected 3   computed 2", "    abs diff 1   result FAIL ✗"]
