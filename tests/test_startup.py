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
    heavy = sorted(m for m in ("lark", "rich", "sympy", "typer.rich_utils", "gradcli.plot",
                               "gradcli.views.plot", "gradcli.api") if m in sys.modules)
    sys.stderr.write(f"imported={','.join(heavy)}\\n")
"""


def run(args, tmp_path, stdin=None, env=None):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "NO_COLOR": "1", **(env or {})}
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


def test_piped_table_run_imports_neither_lark_nor_rich(tmp_path):
    """Off a terminal a plain table is written as Rich would write it, without Rich
    (tests/test_plain_output.py compares the bytes); styled output still uses Rich."""
    args = ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"]
    run(args, tmp_path)
    r = run(args, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "dy/dw = 5" in r.stdout
    assert report(r.stderr)["imported"] == ""
    r = run(args, tmp_path, env={"FORCE_COLOR": "1"})
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
    (["evl", "x"], ["error: no such command 'evl'", "hint: did you mean 'eval'"]),
    (["eval", "-h"], ["--format", "--x"]),
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


# ------------------------------------------------------------------ the quick eval path

from typer.main import get_command  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from gradcli import command  # noqa: E402
from gradcli.cli import app  # noqa: E402

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}

SAME = [
    ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
    ["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "json"],
    ["eval", "(x+w)*(w+1)", "--format", "jsonl", "--x=2", "--w=1"],
    ["eval", "(x+w)*(w+1)", "--x", "-2", "--w", "-1.5e-3", "--format", "tree"],
    ["eval", "x**2", "--x", "-.5", "--format", "table", "--format", "json"],
    ["eval", "torch.tanh(W @ v).sum()", "--W", "[[1,2],[3,4]]", "--v", "[0.1, -0.2]"],
    ["eval", "(W * 2).sum()", "--W", "ones(3, 2) * 2", "--format", "json"],
    ["eval", "log(x)", "--x", "0", "--format", "json"],
    ["eval", "x + y", "--x", "1"],  # unbound name
    ["eval", "x + y", "--x", "1", "--format", "json"],
    ["eval", "x + y", "--x", "1", "--format", "jsonl"],
    ["eval", "(x +", "--x", "1"],  # syntax error
    ["eval", "x", "--x", "[1, 2", "--format", "json"],  # bad binding
    ["eval", "x", "--x", "1", "--x", "2"],  # given twice
    ["eval", "x", "--x", "1", "--w", "2"],  # unused binding
    ["eval", "x * version", "--x", "1", "--version", "3"],  # a group option's name
    ["eval", "y = x^2; y.backward()", "--x", "3"],
    ["eval", "1 + 2"],
    ["eval", "x", "--x", "1e309", "--format", "json"],
    ["eval", "x * 2", "--x", "-inf"],
    ["eval", "x * 2", "--x", "-inf", "--format", "jsonl"],
    ["eval", ""],  # nothing to evaluate
    ["eval", "import torch", "--format", "json"],
]


def typer_route(argv):
    r = CliRunner().invoke(app, argv, env=ENV)
    return r.exit_code, r.stdout, r.stderr


def quick_route(argv, capsys, monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    capsys.readouterr()
    plan = command.quick_plan(argv)
    assert plan is not None, argv
    code = command.run_eval(*plan)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", SAME, ids=lambda a: " ".join(a)[:60])
def test_quick_eval_prints_what_typer_prints(argv, capsys, monkeypatch):
    want = typer_route(argv)
    got = quick_route(argv, capsys, monkeypatch)
    assert got == want


@pytest.mark.parametrize("argv", [
    ["check", "x", "--x", "1", "--expect", "x=1"],
    ["eval"], ["eval", "--help"], ["eval", "x", "--help"], ["eval", "-x", "--x", "1"],
    ["eval", "-", "--x", "1"], ["eval", "x", "--x"], ["eval", "x", "--x", "--w"],
    ["eval", "x", "--x", "1", "--seed", "3"], ["eval", "x", "--x", "1", "--format", "yaml"],
    ["eval", "x", "--x", "1", "--format"], ["eval", "x", "--x", "1", "--strict"],
    ["eval", "x", "--x", "1", "--"], ["eval", "x", "extra"], ["eval", "x", "-f", "p.txt"],
    ["eval", "x", "--dtype=float32", "--x", "1"], ["eval", "x", "--9x", "1"],
    ["eval", "x", "--no-grad", "x", "--x", "1"], ["--version"], [],
])
def test_anything_else_goes_to_typer(argv):
    assert command.quick_plan(argv) is None


def test_the_quick_path_knows_every_eval_option():
    eval_cmd = get_command(app).commands["eval"]
    defined = {o for p in eval_cmd.params for o in (*p.opts, *p.secondary_opts)
               if o.startswith("-")}
    assert defined | {"--help"} == command.EVAL_OPTIONS


def test_a_closed_pipe_ends_quietly(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = ("import subprocess, sys\n"
            "p = subprocess.Popen([sys.executable, '-m', 'gradcli', 'eval', "
            "'(torch.ones(400, 400) * x).sum()', '--x', '1', '--format', 'json'], "
            "stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
            "p.stdout.readline(); p.stdout.close()\n"
            "err = p.stderr.read().decode(); p.wait()\n"
            "print(p.returncode, repr(err))")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       check=True)
    assert r.stdout.split(" ", 1) == ["1", "''\n"]


def _argv_strategy():
    from hypothesis import strategies as st

    from test_fuzz import mutated

    value = st.one_of(st.sampled_from(["2", "-1.5", "0", "[1, 2]", "[[1, 2], [3, 4]]", "pi/4",
                                       "[1, 2", "nan", "1e400", "ones(2)", "-", "@missing.npy"]),
                      st.text(alphabet="0123456789.-e[], ", max_size=8))
    name = st.sampled_from(["x", "w", "v", "W", "y", "version", "seed2", "a_b"])
    binding = st.one_of(st.tuples(name, value).map(lambda p: [f"--{p[0]}", p[1]]),
                        st.tuples(name, value).map(lambda p: [f"--{p[0]}={p[1]}"]),
                        st.sampled_from([["--format", "json"], ["--format", "jsonl"],
                                         ["--format", "tree"], ["--format", "table"]]))
    return st.tuples(mutated(), st.lists(binding, max_size=4)).map(
        lambda t: ["eval", t[0], *[tok for b in t[1] for tok in b]])


def test_quick_eval_matches_typer_on_fuzzed_command_lines(capsys, monkeypatch):
    from hypothesis import HealthCheck, given, settings

    compared: list = []
    examples = max(50, int(os.environ.get("GRADCLI_FUZZ_EXAMPLES", "250")) // 5)

    @settings(max_examples=examples, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(_argv_strategy())
    def check(argv):
        if command.quick_plan(argv) is None or "rand" in argv[1]:
            return  # Typer's alone; or random numbers, which differ from run to run
        compared.append(argv)
        assert quick_route(argv, capsys, monkeypatch) == typer_route(argv), argv

    check()
    assert len(compared) >= examples // 4  # most command lines take the quick path


def test_shell_completion_still_answers(tmp_path):
    """Typer answers completion requests (as the bash script Typer installs makes them);
    neither the quick path nor building only the named command may get in the way."""
    from pathlib import Path

    exe = str(Path(sys.executable).parent / "gradcli")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "_GRADCLI_COMPLETE": "complete_bash"}
    for words, cword, want in [("gradcli ev", "1", "eval"),
                               ("gradcli eval x --fo", "3", "--format"),
                               ("gradcli eval x --x 2 --for", "5", "--format"),
                               ("gradcli check x --exp", "3", "--expect")]:
        r = subprocess.run([exe], env={**env, "COMP_WORDS": words, "COMP_CWORD": cword},
                           capture_output=True, text=True)
        assert r.stdout.split() == [want], (words, r.stdout, r.stderr)


@pytest.mark.parametrize("args, code, ends_early", [
    (["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"], 0, True),
    (["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "json"], 0, True),
    (["eval", "x*y", "--x", "2", "--format", "jsonl"], 2, True),
    # Lark words syntax errors, and imports logging, which registers an atexit function
    (["eval", "(x+w", "--x", "2"], 2, False),
])
def test_the_command_ends_early_with_the_same_output_and_code(args, code, ends_early,
                                                              tmp_path):
    """`gradcli` (command_line) ends a plain eval that ran without the interpreter's
    teardown: what it prints and its exit code are main()'s; with an atexit function
    registered it exits normally, and the function runs."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "NO_COLOR": "1"}
    # os._exit says so (on standard error, after everything else)
    spy = ("import os\nreal = os._exit\n"
           "def said(code):\n os.write(2, b'ended early\\n'); real(code)\nos._exit = said\n")
    outs = []
    for entry in ("gradcli.main()", "gradcli.command_line()",
                  "atexit.register(print, 'atexit ran'); gradcli.command_line()"):
        code_text = f"import sys, atexit, gradcli\n{spy}sys.argv[0] = 'gradcli'; {entry}"
        r = subprocess.run([sys.executable, "-c", code_text, *args], env=env,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        outs.append((r.returncode, r.stdout, r.stderr))
    plain, early, atexit_ran = outs
    assert plain[0] == code and (plain[1] or plain[2])
    assert early == (code, plain[1], plain[2] + ("ended early\n" if ends_early else ""))
    assert atexit_ran == (code, plain[1] + "atexit ran\n", plain[2])


def test_the_command_keeps_freed_memory_for_the_next_array(tmp_path):
    """`gradcli eval` sets glibc's trim and mmap thresholds (megabyte gradients reuse
    freed memory instead of faulting in fresh pages); importing gradcli does not."""
    code = ("import ctypes, sys, gradcli\n"
            "calls = []\n"
            "class Libc:\n"
            "    def mallopt(self, k, v): calls.append((k, v)); return 1\n"
            "ctypes.CDLL = lambda name: Libc()\n"
            "gradcli.evaluate('x*x', {'x': 2.0})\n"
            "sys.stderr.write(f'library={calls}\\n')\n"
            "sys.argv = ['gradcli', *sys.argv[1:]]\n"
            "try:\n    gradcli.main()\n"
            "finally:\n    sys.stderr.write(f'command={calls}\\n')\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "NO_COLOR": "1"}
    r = subprocess.run([sys.executable, "-c", code, "eval", "x*x", "--x", "2"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    seen = report(r.stderr)
    assert seen["library"] == "[]"
    assert seen["command"] == str([(-1, 1 << 30), (-3, 1 << 28)])
