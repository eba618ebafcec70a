"""What the `gradcli` command does before it runs a command, kept off the common path.

Timing lives in benchmarks/run.py; these tests check the mechanisms: which modules a
run imports, that the garbage collector is back on when the command runs, and that
building only the invoked command changes nothing a user sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import sys, gc, gradcli
import gradcli.evaluator as ev
real = ev.evaluate
def spy(*a, **k):
    sys.stderr.write(f"gc-enabled={gc.isenabled()}\\n")
    return real(*a, **k)
ev.evaluate = spy
sys.argv = ["gradcli", *sys.argv[1:]]
try:
    gradcli.main()
finally:
    heavy = sorted(m for m in ("lark", "rich", "sympy", "typer.rich_utils") if m in sys.modules)
    sys.stderr.write(f"imported={','.join(heavy)}\\n")
"""


def run(args, tmp_path, stdin=None):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True,
                          text=True, input=stdin)


def report(stderr: str) -> dict:
    return dict(line.split("=", 1) for line in stderr.splitlines() if "=" in line)


def test_json_run_imports_neither_lark_nor_rich(tmp_path):
    args = ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "json"]
    run(args, tmp_path)  # the first run writes the parser tables
    r = run(args, tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["grads"] == {"x": 2.0, "w": 5.0}
    seen = report(r.stderr)
    assert seen["gc-enabled"] == "True"  # paused for start-up only
    assert seen["imported"] == ""


def test_table_run_imports_rich_but_not_lark(tmp_path):
    args = ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"]
    run(args, tmp_path)
    r = run(args, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "dy/dw = 5" in r.stdout
    assert report(r.stderr)["imported"] == "rich"


def test_a_syntax_error_still_gets_lark_wording(tmp_path):
    r = run(["eval", "(x + ", "--x", "1"], tmp_path)
    assert r.returncode == 2
    assert "unexpected end of input" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args, shown", [
    (["--help"], ["eval", "check", "explain", "graph", "batch", "jvp", "hessian", "jacobian"]),
    (["eval", "--help"], ["--format", "--x"]),
    (["check", "--help"], ["--expect", "--gradcheck"]),
    (["evl", "x"], ["No such command 'evl'", "Did you mean 'eval'"]),
])
def test_building_only_the_invoked_command_changes_nothing_visible(args, shown, tmp_path):
    r = run(args, tmp_path)
    text = r.stdout + r.stderr
    for s in shown:
        assert s in text, (s, text)
    assert "Traceback" not in text


def test_python_dash_m_runs_the_same_entry(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "gradcli", "check", "(x+w)*(w+1)", "--x", "2",
                        "--w", "1", "--expect", "w=5"], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
