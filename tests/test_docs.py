"""Documentation that runs: every example file, and every `$ gradcli ...` in the README
whose output is shown, gives that output today."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli import app

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()
ENV = {"NO_COLOR": "1", "COLUMNS": None, "FORCE_COLOR": None}
EXAMPLES = sorted((ROOT / "examples").glob("*.*"))


def invoke(args: list[str], input: str | None = None):
    import os

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return runner.invoke(app, args, env=ENV, input=input)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(path):
    first = path.read_text().splitlines()[0]
    assert first.startswith("# run: gradcli "), f"{path.name} must say how to run it"
    r = invoke(shlex.split(first[len("# run: gradcli "):]))
    assert r.exit_code == 0, r.output


def _readme_runs():
    text = (ROOT / "README.md").read_text()
    for m in re.finditer(r"^ {4}\$ ([^\n]+)\n\n```\n([\s\S]*?)```", text, re.M):
        yield m.group(1), m.group(2)


RUNS = list(_readme_runs())


@pytest.mark.parametrize("command, shown", RUNS, ids=[c[:50] for c, _ in RUNS])
def test_readme_output_is_current(command, shown):
    stdin = None
    if "|" in command:
        producer, command = command.split("|", 1)
        stdin = shlex.split(producer.strip())[1].encode().decode("unicode_escape")
    args = shlex.split(command.strip())
    assert args[0] == "gradcli"
    r = invoke(args[1:], input=stdin)
    got = r.stdout + (r.stderr if r.exit_code == 2 else "")
    norm = lambda s: [line.rstrip() for line in s.strip("\n").splitlines()]  # noqa: E731
    assert norm(got) == norm(shown)


def test_readme_shows_both_commands():
    text = (ROOT / "README.md").read_text()
    assert 'uv run gradcli eval "(x+w)*(w+1)" --x 2 --w 1' in text
    assert "uv run pytest" in text


def test_package_docstring_example():
    import doctest

    import gradcli

    failures, tried = doctest.testmod(gradcli, verbose=False)
    assert tried >= 2 and failures == 0
