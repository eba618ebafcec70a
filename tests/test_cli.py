"""The command line, driven through Typer's CliRunner; assertions on parsed JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import gradcli
from gradcli.cli import app

runner = CliRunner()


def run(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200", "NO_COLOR": "1"})


def run_json(*args: str, input: str | None = None) -> dict:
    r = run(*args, "--format", "json", input=input)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_seed_example_json():
    doc = run_json("eval", "(x+w)*(w+1)", "--x", "2", "--w", "1")
    assert doc["schema"] == "gradcli/1"
    assert doc["value"] == 6.0
    assert doc["grads"] == {"x": 2.0, "w": 5.0}
    root = doc["nodes"][doc["output"]]
    assert root["grad_fn"] == "MulBackward0"
    assert [n["grad_fn"] for n in doc["nodes"]].count("AddBackward0") == 2
    assert [n["id"] for n in doc["nodes"]] == list(range(len(doc["nodes"])))
    for n in doc["nodes"]:  # topological: inputs come first
        assert all(i < n["id"] for i in n["inputs"])
    x = doc["nodes"][0]
    assert x == {"id": 0, "name": "x", "label": "x", "expr": "x", "op": "leaf", "grad_fn": None,
                 "inputs": [], "is_leaf": True, "requires_grad": True, "retains_grad": False,
                 "shape": [], "dtype": "float64", "value": 2.0, "grad": 2.0}


def test_jsonl_is_one_line():
    r = run("eval", "x*x", "--x", "3", "--format", "jsonl")
    assert r.exit_code == 0
    assert r.stdout.count("\n") == 1
    assert json.loads(r.stdout)["grads"] == {"x": 6.0}


@pytest.mark.parametrize("args", [
    ["--x", "2", "--w", "1"], ["--x=2", "--w=1"], ["--var", "x=2", "--var", "w=1"],
    ["--w", "1", "--x", "4/2"],
])
def test_binding_spellings(args):
    doc = run_json("eval", "(x+w)*(w+1)", *args)
    assert doc["grads"] == {"x": 2.0, "w": 5.0}


def test_bindings_before_the_program_and_negative_values():
    doc = run_json("eval", "--x", "-0.5", "x^2")
    assert doc["value"] == 0.25 and doc["grads"] == {"x": -1.0}


def test_binding_is_a_constant_expression():
    doc = run_json("eval", "sin(x)", "--x", "pi/2")
    assert doc["value"] == 1.0
    assert abs(doc["grads"]["x"]) < 1e-15


def test_program_from_stdin_and_file(tmp_path):
    assert run_json("eval", "-", "--x", "3", input="y = x * x\n")["grads"] == {"x": 6.0}
    f = tmp_path / "prog.py"
    f.write_text("import torch\nx = torch.tensor(3., requires_grad=True)\ny = x ** 3\n"
                 "y.backward()\n")
    doc = run_json("eval", "-f", str(f))
    assert doc["grads"] == {"x": 27.0}


def test_table_shows_every_node_and_the_summary():
    r = run("eval", "(x+w)*(w+1)", "--x", "2", "--w", "1")
    assert r.exit_code == 0
    out = r.stdout
    for col in ("node", "grad_fn", "is_leaf", "requires_grad", "value", "grad"):
        assert col in out
    assert out.count("AddBackward0") == 2 and "MulBackward0" in out
    assert "dy/dx = 2" in out and "dy/dw = 5" in out
    assert "\x1b[" not in out  # no colour codes when not a terminal


@pytest.mark.parametrize("fmt", ["table", "tree"])
def test_program_text_is_shown_as_written_not_as_rich_markup(fmt):
    """v[red] and v[bold] are indexing, not colour tags; :smile: is not an emoji code."""
    r = run("eval", "red = 0; bold = 1; y = v[red] * v[bold]", "--v", "[1, 2, 3]",
            "--format", fmt)
    assert r.exit_code == 0, r.output
    assert "v[red]" in r.stdout and "v[bold]" in r.stdout
    if fmt == "table":
        assert "y = v[red] * v[bold]" in r.stdout
    r = run("check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5")
    assert "PASS ✓" in r.stdout and "all 1 check passed" in r.stdout


def test_torch_view_shows_grad_as_pytorch_keeps_it():
    prog = ("w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], "
            "requires_grad=True)\na = torch.add(w, x)\na.retain_grad()\nb = torch.add(w, 1)\n"
            "y = torch.mul(a, b)\ny.backward()")
    r = run("eval", prog, "--torch")
    assert r.exit_code == 0, r.output
    rows = {line.split("│")[1].strip().split(" ")[0]: line for line in r.stdout.splitlines()
            if "│" in line}
    assert rows["b"].rstrip().endswith("None") and rows["y"].rstrip().endswith("None")
    assert rows["a"].rstrip().endswith("[2.]")
    assert "not a leaf Tensor" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["eval", "(x+w)*(w+1", "--x", "2", "--w", "1"], "unexpected end of input"),
    (["eval", "x $ 2", "--x", "2"], "unexpected character '$'"),
    (["eval", "(x+z)*2", "--x", "2"], "name 'z' is not bound"),
    (["eval", "x*2", "--x", "2", "--ww", "1"], "never read"),
    (["eval", "tanhh(x)", "--x", "1"], "did you mean 'tanh'"),
    (["eval", "x*2", "--x", "[1, 2"], "unexpected end of input"),
    (["eval", "x*2", "--x", "@missing.npy"], "cannot read"),
    (["eval", "x*2"], "name 'x' is not bound"),
    (["eval", "x + y", "--x", "[1, 2, 3]", "--y", "[1, 2]"], "cannot be broadcast"),
    (["eval", "x * 2", "--x", "[1, 2]"], "only for scalar outputs"),
    (["eval"], "no program given"),
])
def test_bad_input_exits_2_with_one_clear_message(args, message):
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert message in r.stderr
    assert "Traceback" not in r.output and "Traceback" not in r.stderr


def test_syntax_error_points_with_a_caret():
    r = run("eval", "x + * 2", "--x", "1")
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert "line 1, column 5" in r.stderr
    src = next(i for i, line in enumerate(lines) if line.strip() == "x + * 2")
    assert lines[src + 1].index("^") == lines[src].index("*")
    assert "expected" in r.stderr


def test_errors_as_json():
    r = run("eval", "x +", "--x", "1", "--format", "json")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    assert doc["schema"] == "gradcli/1"
    assert doc["error"]["type"] == "ParseError" and doc["error"]["line"] == 1


def test_python_dash_m_works():
    r = subprocess.run([sys.executable, "-m", "gradcli", "eval", "x*y", "--x", "2", "--y", "5",
                        "--format", "json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["grads"] == {"x": 5.0, "y": 2.0}


def test_large_graphs_show_head_and_tail_unless_all():
    program = " + ".join(f"x*{i}" for i in range(1, 301))  # 600 nodes
    r = run("eval", program, "--x", "1")
    assert r.exit_code == 0
    rows = [line for line in r.stdout.splitlines() if "│" in line]
    assert len(rows) == 151 and "450 more nodes" in r.stdout
    assert "y = 45150" in r.stdout
    full = run("eval", program, "--x", "1", "--all")
    assert len([line for line in full.stdout.splitlines() if "│" in line]) == 600


def test_version():
    from gradcli import __version__

    r = run("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"gradcli {__version__}"


@pytest.mark.parametrize("args", [
    ["eval", "x * 2", "--x", "-inf", "--format", "json"],
    ["eval", "x * 2", "--format", "json", "--x", "-inf"],
    ["check", "x * 2", "--x", "-inf", "--expect", "x=2", "--format", "json"],
])
def test_a_binding_value_may_start_with_a_dash(args):
    """-inf holds the letter f, and -f is the program-file option: the value must still
    reach x whole, on every command."""
    r = run(*args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    if args[0] == "eval":
        assert doc["value"] == "-Infinity" and doc["grads"] == {"x": 2.0}
    else:
        assert doc["passed"] is True


def test_join_binding_values_leaves_options_and_flags_alone():
    from gradcli.cli import join_binding_values

    known = {"--strict", "--seed", "-f", "--file", "--format"}
    assert join_binding_values(["P", "--x", "-inf", "--w", "-2"], known) == \
        ["P", "--x=-inf", "--w=-2"]
    assert join_binding_values(["--strict", "-f", "p.txt"], known) == ["--strict", "-f", "p.txt"]
    assert join_binding_values(["P", "--seed", "-3"], known) == ["P", "--seed", "-3"]
    assert join_binding_values(["P", "--x", "-"], known) == ["P", "--x", "-"]
    assert join_binding_values(["P", "--x", "--w", "1"], known) == ["P", "--x", "--w", "1"]
    assert join_binding_values(["P", "--", "--x", "-1"], known) == ["P", "--", "--x", "-1"]


@pytest.mark.parametrize("program", ["", "import torch", "# only a comment\n\n",
                                     "from torch import nn"])
def test_a_program_with_nothing_to_evaluate_is_bad_input(program):
    r = run("eval", program)
    assert r.exit_code == 2
    assert "the program has nothing to evaluate" in r.stderr
    with pytest.raises(gradcli.GradcliError, match="nothing to evaluate"):
        gradcli.evaluate(program)
