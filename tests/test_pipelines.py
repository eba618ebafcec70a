"""Strict JSON against the committed schema, batch over JSON Lines, graph export, colour."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import gradcli
from gradcli.batch import run as batch_run
from gradcli.cli import app
from gradcli.syntax import parse
from test_sympy_oracle import exprs

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "schema" / "result.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200", "NO_COLOR": "1"})


def strict_loads(text: str):
    def bad(token):
        raise AssertionError(f"bare {token} in JSON")
    return json.loads(text, parse_constant=bad)


@pytest.mark.parametrize("args", [
    ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["eval", "(W @ v).sum()", "--W", "[[1, 2], [3, 4]]", "--v", "[1, -1]"],
    ["eval", "log(x)", "--x", "0"],
    ["eval", "(x / y).sum()", "--x", "[1, 0, -1]", "--y", "0"],
    ["eval", "2 * pi"],
    ["eval", "a = torch.tensor([1., 2.], requires_grad=True); (a > 1) * a", "--retain-grad",
     "a"],
    ["eval", "x +", "--x", "1"],
    ["eval", "x", "--x", "[[1], [2, 3]]"],
])
def test_outputs_validate_against_the_schema(args):
    r = run(*args, "--format", "json")
    doc = strict_loads(r.stdout)
    VALIDATOR.validate(doc)
    assert ("error" in doc) == (r.exit_code == 2)


def test_log_of_zero_is_strict_json_with_a_warning():
    r = run("eval", "log(x)", "--x", "0", "--format", "json")
    doc = strict_loads(r.stdout)
    assert doc["value"] == "-Infinity" and doc["grads"]["x"] == "Infinity"
    assert any("log(x)" in w for w in doc["warnings"])


def test_strict_turns_nonfinite_into_exit_2():
    r = run("eval", "log(x)", "--x", "0", "--strict")
    assert r.exit_code == 2 and "-inf" in r.stderr


def test_batch_twenty_thousand_lines_with_two_bad_ones(tmp_path):
    rng = random.Random(5)
    lines = [json.dumps({"x": rng.uniform(-3, 3), "w": rng.uniform(-3, 3)}) for _ in range(20000)]
    lines[4321] = '{"x": 1, "w": }'
    lines[17000] = '{"x": 1}'
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    r = run("batch", "(x+w)*(w+1)", "--input", str(path))
    assert r.exit_code == 2
    out = [strict_loads(line) for line in r.stdout.splitlines()]
    assert len(out) == 20000
    assert [o["line"] for o in out] == list(range(1, 20001))
    assert [o["line"] for o in out if "error" in o] == [4322, 17001]
    for o in out[:50] + out[-50:]:
        VALIDATOR.validate(o)
    for i in (0, 1, 9999, 19999):
        row = json.loads(lines[i])
        x, w = row["x"], row["w"]
        assert out[i]["value"] == pytest.approx((x + w) * (w + 1), rel=1e-15)
        assert out[i]["grads"] == {"x": pytest.approx(w + 1, rel=1e-15),
                                   "w": pytest.approx(x + 2 * w + 1, rel=1e-15)}


def test_batch_reads_stdin_and_exits_0_when_all_lines_pass():
    r = run("batch", "x * y", input='{"x": 2, "y": 3}\n{"x": 1.5, "y": -1}\n')
    assert r.exit_code == 0
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert out == [{"schema": "gradcli/1", "line": 1, "value": 6.0,
                    "grads": {"x": 3.0, "y": 2.0}},
                   {"schema": "gradcli/1", "line": 2, "value": -1.5,
                    "grads": {"x": -1.0, "y": 1.5}}]


def _row_by_row(program: str, rows: list[str], nodes: bool) -> list[dict]:
    prog = parse(program)
    out = []
    for n, text in enumerate(rows, 1):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            out.append({"line": n, "error": "json"})
            continue
        try:
            r = gradcli.evaluate(prog, doc)
        except gradcli.GradcliError as e:
            out.append({"line": n, "error": type(e).__name__})
            continue
        line = r.to_dict()
        got = {"line": n, "value": line["value"], "grads": line["grads"]}
        if nodes:
            got["nodes"] = line["nodes"]
        out.append(got)
    return out


row_values = st.one_of(st.floats(-3, 3), st.integers(-3, 3), st.just("oops"),
                       st.just([1.0, 2.0]), st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.lists(st.dictionaries(st.sampled_from(["x", "y", "z", "q"]), row_values,
                                       min_size=0, max_size=4), min_size=1, max_size=30),
       st.booleans())
def test_batch_equals_row_by_row(expr, rows, nodes):
    text, _ = expr
    used = [n for n in "xyz" if re.search(rf"\b{n}\b", text)]
    # most rows bind exactly the program's names to numbers; the rest are whatever came
    lines = []
    for i, row in enumerate(rows):
        if i % 3:
            row = {n: float(i % 5) / 2 - 1 + 0.125 * j for j, n in enumerate(used)}
        lines.append(json.dumps(row))
    lines.append("{not json")
    want = _row_by_row(text, lines, nodes)
    got = list(batch_run(parse(text), lines, nodes=nodes))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        if "error" in w:
            assert "error" in g and g["line"] == w["line"]
            if w["error"] != "json":
                assert g["error"]["type"] == w["error"]
        else:
            assert g == w


def test_dot_renders_with_graphviz(tmp_path):
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Graphviz (.ci/run does)")
        pytest.skip("Graphviz is not installed")
    r = run("graph", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "dot")
    assert r.exit_code == 0
    assert r.stdout.count("AddBackward0") == 2 and "->" in r.stdout
    done = subprocess.run(["dot", "-Tsvg"], input=r.stdout, capture_output=True, text=True)
    assert done.returncode == 0 and "<svg" in done.stdout
    out = tmp_path / "g.png"
    r = run("graph", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "png", "-o", str(out))
    assert r.exit_code == 0 and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = run("graph", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "svg",
            "--rankdir", "LR")
    assert r.exit_code == 0 and "<svg" in r.stdout


def test_missing_graphviz_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    r = run("graph", "x * 2", "--x", "1", "--format", "svg")
    assert r.exit_code == 2
    assert "apt-get install graphviz" in r.stderr and "Traceback" not in r.output


def test_mermaid_flowchart():
    r = run("graph", 'a = x + w; y = a * (w + 1)', "--x", "2", "--w", "1", "--format", "mermaid")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "flowchart TB"
    assert sum("-->" in line for line in lines) == 5  # x, w -> a; w -> w+1; a, w+1 -> y
    assert any(":::output" in line and "MulBackward0" in line for line in lines)


def test_tree_format_puts_the_output_at_the_root():
    r = run("eval", "a = x + w; y = a * (w + 1)", "--x", "2", "--w", "1", "--format", "tree")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("y  MulBackward0")
    assert any("shown above" in line for line in lines)


def test_colour_only_when_asked():
    cmd = [sys.executable, "-m", "gradcli", "eval", "x * 2", "--x", "1"]
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    plain = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert "\x1b[" not in plain.stdout
    forced = subprocess.run(cmd, capture_output=True, text=True, env={**env, "FORCE_COLOR": "1"})
    assert "\x1b[" in forced.stdout
    off = subprocess.run(cmd, capture_output=True, text=True,
                         env={**env, "FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[3" not in off.stdout


def test_shell_completion_script(monkeypatch):
    # without shell detection `--show-completion` takes the shell's name; with it, Typer asks
    # the process tree, whose answer depends on how the tests were started
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    r = run("--show-completion", "bash")
    assert r.exit_code == 0 and "complete" in r.stdout, (r.exit_code, r.output[-2000:],
                                                          repr(r.exception))


def test_ops_lists_spellings_and_grad_fns():
    r = run("ops")
    assert r.exit_code == 0
    assert "tanh" in r.stdout and "RsubBackward1" in r.stdout and "randn" in r.stdout


@pytest.mark.parametrize("command", ["eval", "check", "explain", "graph", "batch", "jvp",
                                     "hessian", "jacobian", "ops"])
def test_help_shows_a_real_example(command):
    r = run(command, "--help")
    assert r.exit_code == 0
    assert f"gradcli {command} " in r.stdout


def test_batch_streams_in_bounded_chunks():
    from gradcli import batch

    consumed = 0

    def endless():
        nonlocal consumed
        while True:
            consumed += 1
            yield json.dumps({"x": consumed % 7, "w": 0.5})

    results = batch_run(parse("(x+w)*(w+1)"), endless())
    first = next(results)
    assert first["line"] == 1 and consumed <= batch.CHUNK + 1
    for _ in range(batch.CHUNK * 2):
        next(results)
    assert consumed <= batch.CHUNK * 3 + 1


@pytest.mark.parametrize("args", [
    ["check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5", "--gradcheck"],
    ["check", "(W * W).sum()", "--W", "[[1, 2]]", "--expect", "W=[[2, 4]]"],
    ["explain", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["explain", "(W @ v).sum()", "--W", "[[1, 2]]", "--v", "[1, 1]"],
    ["jvp", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--tangent", "w=1"],
    ["jvp", "W @ v", "--W", "[[1, 2]]", "--v", "[1, 1]", "--tangent", "v=[1, 0]"],
    ["hessian", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--gradcheck"],
    ["jacobian", "W @ u", "--W", "[[1,2],[3,4]]", "--u", "[0.5,-1]"],
])
def test_every_json_document_validates(args):
    r = run(*args, "--format", "json")
    assert r.exit_code in (0, 1), r.output
    VALIDATOR.validate(strict_loads(r.stdout))


@pytest.mark.parametrize("program", ["x * x.numel()", "x * x.dim()", "x * x.item()",
                                     "x * (x.ndim + 1)"])
def test_batch_never_vectorises_what_reads_its_own_shape(program):
    lines = [json.dumps({"x": float(i)}) for i in range(1, 6)]
    want = _row_by_row(program, lines, False)
    got = list(batch_run(parse(program), lines))
    assert got == want
