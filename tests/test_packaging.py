"""The wheel carries the grammar: built with `uv build`, installed in a fresh venv, it runs
`gradcli eval` from a directory that is not the repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv")
def test_wheel_installs_and_runs_anywhere(tmp_path):
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(["uv", "build", "--wheel", "-o", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True, env=env, timeout=300)
    wheel = next((tmp_path / "dist").glob("gradcli-*.whl"))
    assert "gradcli/grammar/gradcli.lark" in zipfile.ZipFile(wheel).namelist()
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", str(venv)], check=True, capture_output=True, env=env)
    python = venv / "bin" / "python"
    subprocess.run(["uv", "pip", "install", "--python", str(python), str(wheel)], check=True,
                   capture_output=True, env=env, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run([str(venv / "bin" / "gradcli"), "eval", "(x+w)*(w+1)", "--x", "2",
                          "--w", "1", "--format", "json"], cwd=elsewhere, capture_output=True,
                         text=True, env={**env, "XDG_CACHE_HOME": str(tmp_path / "cache")},
                         timeout=60)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["grads"] == {"x": 2.0, "w": 5.0}


def test_version_matches_pyproject():
    import re

    import gradcli

    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == gradcli.__version__
