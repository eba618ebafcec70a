"""Command-line conventions as a person meets them: -h everywhere, one error style for
usage errors too, `ops NAME`, --format jsonl on every JSON command, bindings that clash
with options, values shared by every batch row, a hint when stdin is a terminal, progress
bars on a terminal only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from gradcli import autodiff, command
from gradcli.cli import app

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schema" / "result.schema.json").read_text()))
ENV = {"COLUMNS": "80", "NO_COLOR": "1"}
COMMANDS = sorted(get_command(app).commands)


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, env=ENV)


@pytest.mark.parametrize("name", COMMANDS)
def test_dash_h_is_help_for_every_command(name):
    r = run(name, "-h")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"Usage: gradcli {name} ")
    assert "-h, --help" in r.stdout
    assert all(line == line.rstrip() for line in r.stdout.splitlines())  # plain, no boxes
    assert max(len(line) for line in r.stdout.splitlines()) <= 80


def test_gradcli_eval_dash_h_from_the_shell_is_help_not_a_program(tmp_path):
    env = {**os.environ, **ENV, "XDG_CACHE_HOME": str(tmp_path)}
    for argv in (["eval", "-h"], ["eval", "x*2", "--x", "1", "-h"], ["-h"]):
        r = subprocess.run([str(Path(sys.executable).parent / "gradcli"), *argv], env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("Usage: gradcli"), r.stdout
        assert "not bound" not in r.stdout + r.stderr


@pytest.mark.parametrize("args, message, hint", [
    (["check", "x", "--x", "1", "--expect", "x=1", "--rtol", "abc"],
     "invalid value for '--rtol': 'abc' is not a valid float", "gradcli check -h lists the options"),
    (["eval", "x", "--x", "1", "--format", "yaml"],
     "invalid value for '--format': 'yaml' is not one of 'table', 'tree', 'json', 'jsonl', "
     "'svg', 'html'",
     "gradcli eval -h lists the options"),
    (["evl", "x"], "no such command 'evl'", "did you mean 'eval'?"),
    (["ops", "tanh", "extra"], "got unexpected extra argument(s) (extra)",
     "gradcli ops -h lists the options"),
])
def test_usage_errors_read_like_every_other_error(args, message, hint):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    if typer_version() >= (0, 29) and message.startswith("invalid value"):
        message = message.split(": ", 1)[0] + ": "  # the rest is pydantic's wording there
        assert r.stderr.startswith(f"error: {message}") and r.stderr.count("\n") == 2
        assert r.stderr.endswith(f"\nhint: {hint}\n")
        return
    assert r.stderr == f"error: {message}\nhint: {hint}\n"


def typer_version() -> tuple[int, ...]:
    import typer

    return tuple(int(p) for p in typer.__version__.split(".")[:2])


def test_usage_errors_under_json_are_json_documents():
    r = run("hessian", "x*x", "--x", "1", "--wrt", "x", "--format", "json", "--max-elements",
            "lots")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    VALIDATOR.validate(doc)
    assert doc["error"]["type"] == "UsageError"
    assert doc["error"]["message"].startswith("invalid value for '--max-elements'")
    r = run("check", "x", "--x", "1", "--rtol", "abc", "--format=jsonl")
    assert r.exit_code == 2 and len(r.stdout.splitlines()) == 1
    assert json.loads(r.stdout)["error"]["type"] == "UsageError"


def test_ops_name_says_what_gradcli_knows_about_one_name():
    r = run("ops", "tanh")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[:3] == [
        "tanh: function",
        "  spellings: torch.tanh(x), x.tanh()",
        "  grad_fn: TanhBackward0   (torch.tanh(x), x a 2×2 tensor that requires grad)"]
    assert "  registry op tanh: TanhBackward0, forward mode too" in r.stdout
    r = run("ops", "sum")
    assert "registry op sum_dim: SumBackward1" in r.stdout
    r = run("ops", "torch.softmax", "--format", "json")
    doc = json.loads(r.stdout)
    VALIDATOR.validate(doc)
    assert (doc["name"], doc["grad_fn"], doc["example"]) == (
        "softmax", "SoftmaxBackward0", "torch.softmax(x, dim=0)")
    r = run("ops", "randn")
    assert r.stdout.startswith("randn: constructor\n")
    r = run("ops", "tnah")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: gradcli does not know 'tnah'\nhint: did you mean 'tanh'")


def test_ops_lists_everything_as_json_and_wraps_between_names_at_80_columns():
    doc = json.loads(run("ops", "--format", "json").stdout)
    VALIDATOR.validate(doc)
    assert "tanh" in doc["functions"] and "randn" in doc["constructors"]
    assert {"key": "pow_base", "grad_fn": "PowBackward2", "forward_mode": True} in doc["ops"]
    text = run("ops").stdout
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    # every name and every "key (GradFn)" pair is whole on one line
    joined = " ".join(line.strip() for line in lines)
    for entry in doc["ops"]:
        assert f"{entry['key']} ({entry['grad_fn']})" in text.replace("\n", " "), entry
    for name in doc["functions"]:
        assert f" {name}," in f" {joined}," or f" {name}\n" in text


@pytest.mark.parametrize("args", [
    ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5"],
    ["explain", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["jvp", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--tangent", "w=1"],
    ["hessian", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["jacobian", "W @ u", "--W", "[[1,2],[3,4]]", "--u", "[1,2]"],
    ["ops"], ["ops", "mul"],
    ["eval", "x +", "--x", "1"],  # an error document
])
def test_every_json_command_has_jsonl(args):
    as_json = run(*args, "--format", "json")
    as_jsonl = run(*args, "--format", "jsonl")
    assert as_jsonl.exit_code == as_json.exit_code
    assert len(as_jsonl.stdout.splitlines()) == 1
    assert json.loads(as_jsonl.stdout) == json.loads(as_json.stdout)
    VALIDATOR.validate(json.loads(as_jsonl.stdout))


def test_a_binding_named_like_an_option_gets_the_var_hint():
    r = run("eval", "x * seed", "--x", "2", "--seed", "3")
    assert r.exit_code == 2
    assert r.stderr.splitlines()[-1] == (
        "hint: --seed is an option of gradcli eval; bind the variable with --var seed=3")
    r = run("check", "x * format", "--x", "2", "--format", "json", "--expect", "x=3")
    assert "bind the variable with --var format=json" in json.loads(r.stdout)["error"]["message"]
    r = run("eval", "x * seed", "--x", "2", "--var", "seed=3", "--seed", "0",
            "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["value"] == 6.0


def test_batch_shares_option_bindings_with_every_row_and_lines_carry_the_schema():
    rows = '{"x": 2}\n{"x": 3, "w": 0}\n{"x": [1, 2]}\n'
    r = run("batch", "((x+w)*(w+1)).sum()", "--w", "1", input=rows)
    assert r.exit_code == 0, r.output
    out = [json.loads(line) for line in r.stdout.splitlines()]
    for line in out:
        VALIDATOR.validate(line)
    assert out[0] == {"schema": "gradcli/1", "line": 1, "value": 6.0,
                      "grads": {"x": 2.0, "w": 5.0}}
    assert out[1]["grads"] == {"x": 1.0, "w": 4.0}  # the row's own w wins
    assert out[2]["value"] == 10.0 and out[2]["grads"]["x"] == [2.0, 2.0]
    r = run("batch", "x * W.sum()", "--var", "W=[[1, 2], [3, 4]]", "--format", "jsonl",
            input='{"x": 2}\n')
    assert json.loads(r.stdout)["grads"]["W"] == [[2.0, 2.0], [2.0, 2.0]]
    r = run("batch", "x * w", "--w", "[1, 2", input='{"x": 2}\n')
    assert r.exit_code == 2 and r.stderr.startswith("error:")


def _with_terminal_stdin(argv: list[str], typed: bytes, tmp_path) -> tuple[str, str, int]:
    master, slave = os.openpty()
    env = {**os.environ, **ENV, "XDG_CACHE_HOME": str(tmp_path)}
    p = subprocess.Popen([sys.executable, "-m", "gradcli", *argv], stdin=slave,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    os.write(master, typed + b"\x04")  # what a person types, then Ctrl-D
    out, err = p.communicate(timeout=60)
    os.close(master)
    return out.decode(), err.decode(), p.returncode


def test_a_terminal_on_stdin_gets_a_hint_instead_of_a_silent_wait(tmp_path):
    out, err, code = _with_terminal_stdin(["batch", "x * 2"], b'{"x": 2}\n', tmp_path)
    assert code == 0, err
    assert err.startswith("reading JSON Lines of bindings from the terminal (")
    assert json.loads(out)["value"] == 4.0
    out, err, code = _with_terminal_stdin(["eval", "-", "--x", "3", "--format", "json"],
                                          b"x * 2\n", tmp_path)
    assert code == 0, err
    assert err.startswith("reading the program from the terminal (end it with Ctrl-D")
    r = subprocess.run([sys.executable, "-m", "gradcli", "batch", "x * 2"], input='{"x": 2}\n',
                       capture_output=True, text=True,
                       env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert r.returncode == 0 and r.stderr == ""  # a pipe is not a person


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bars_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(command.Progress, "AFTER", 0.0)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with command.Progress("hessian: rows", 4) as p:
        p(1)
    assert p.bar is None and sys.stderr.getvalue() == ""
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with command.Progress("hessian: rows", 4) as p:
        p(2)
    assert p.bar is not None and "hessian: rows" in term.getvalue()


def test_long_jobs_report_their_progress():
    r = gradcli_evaluate("(W * W).sum() * x", {"W": np.ones((3, 2)), "x": 3.0})
    seen: list[int] = []
    autodiff.hessian(r, autodiff.leaves_named(r, []), seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 7  # rows done, chunk by chunk
    seen.clear()
    r = gradcli_evaluate("W @ u", {"W": np.ones((5, 2)), "u": [1.0, 2.0]}, differentiate=False)
    autodiff.jacobian(r, autodiff.leaves_named(r, ["W"]), seen.append)
    assert seen and seen == sorted(seen) and seen[-1] == 10  # input directions done
    seen.clear()
    autodiff.jacobian(r, autodiff.leaves_named(r, ["W"]), seen.append, batched=False)
    assert seen == [1, 2, 3, 4, 5]  # reverse mode: a pass per output element
    seen.clear()
    gradcli_evaluate("s = 0\nfor i in range(40000):\n    s = s + i\n", progress=seen.append)
    assert seen == [16384, 32768, 49152, 65536]  # a loop iteration is two statements


def gradcli_evaluate(program, bindings=None, **options):
    import gradcli

    return gradcli.evaluate(program, bindings, **options)


def test_gradcli_alone_prints_its_help_on_stdout():
    r = run()
    assert r.exit_code == 0 and r.stderr == ""
    assert r.stdout.startswith("Usage: gradcli [OPTIONS] COMMAND [ARGS]...")
    for name in COMMANDS:
        assert f"\n  {name} " in r.stdout
