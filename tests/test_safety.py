"""Security and determinism: no eval/exec/pickle on user input; byte-identical output."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli import app

SRC = Path(__file__).resolve().parent.parent / "src" / "gradcli"
FORBIDDEN = [
    (r"(?<![\w.])eval\(", "eval("), (r"(?<![\w.])exec\(", "exec("), (r"\bpickle\b", "pickle"),
    (r"allow_pickle\s*=\s*True", "allow_pickle=True"), (r"__import__\(", "__import__("),
    (r"shell\s*=\s*True", "shell=True"), (r"(?<![\w.])compile\(", "compile("),
]


def test_no_eval_exec_or_pickle_in_the_source():
    found = []
    for path in SRC.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            for pattern, what in FORBIDDEN:
                if re.search(pattern, code):
                    found.append(f"{path.name}:{n}: {what}")
    assert found == []


def test_npy_loads_without_pickle():
    """.npy files are read as a header and raw bytes: np.load (and its pickle path) is never
    called, and dtypes holding Python objects are refused (tests/test_probes.py loads one)."""
    text = (SRC / "bindings.py").read_text()
    assert "np.load(" not in text and "dtype.hasobject" in text


def test_same_input_gives_byte_identical_json():
    runner = CliRunner()
    args = ["eval", "h = torch.mm(W, v.t()).tanh(); (h * h).sum() + x.exp()", "--W",
            "randn(4,3)", "--v", "randn(1,3)", "--x", "0.5", "--seed", "7", "--format", "json"]
    first = runner.invoke(app, args).stdout
    second = runner.invoke(app, args).stdout
    assert first == second and first.startswith("{")


OPEN_PROBE = """
import sys, os, json
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.path.realpath(os.fsdecode(args[0])))
sys.addaudithook(hook)
import gradcli
sys.argv = ["gradcli", *sys.argv[1:]]
try:
    gradcli.main()
finally:
    sys.stderr.write("OPENED=" + json.dumps(opened) + "\\n")
"""


@pytest.mark.parametrize("command", [
    ["eval", "-f", "prog.txt", "--W", "@w.npy", "--v", "@v.json", "--bindings", "b.json"],
    ["eval", "h = torch.tanh(W @ v); (h * h).sum() * x", "--W", "@w.npy", "--v", "@v.json",
     "--x", "0.5", "--format", "json"],
    ["check", "-f", "prog.txt", "--W", "@w.npy", "--v", "@v.json", "--x", "0.5", "--expect",
     "x=1"],
])
def test_only_files_the_user_named_are_read(command, tmp_path):
    """Besides Python's own modules, gradcli's package and grammar, and its cache, a run
    opens exactly the files named on the command line (audit hook on every open)."""
    import json
    import os
    import subprocess
    import sys

    import numpy as np

    (tmp_path / "prog.txt").write_text("h = torch.tanh(W @ v); (h * h).sum() * x\n")
    np.save(tmp_path / "w.npy", np.ones((2, 2)))
    (tmp_path / "v.json").write_text("[1, 2]")
    (tmp_path / "b.json").write_text('{"x": 0.5}')
    (tmp_path / "other.json").write_text('{"y": 1}')  # present, never named
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    for _ in range(2):  # the first run also builds the parser tables
        r = subprocess.run([sys.executable, "-c", OPEN_PROBE, *command], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    opened = json.loads(r.stderr.rsplit("OPENED=", 1)[1])
    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, SRC,
                                           SRC.parent.parent / "grammar", cache)}
    named = {str((tmp_path / a).resolve()) for a in (*command, *(c[1:] for c in command))
             if (tmp_path / a).is_file()}
    stray = [p for p in opened
             if p not in named and not any(p.startswith(root + os.sep) for root in roots)]
    assert stray == []
    assert named <= set(opened)
    assert str((tmp_path / "other.json").resolve()) not in opened
