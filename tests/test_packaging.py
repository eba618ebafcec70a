"""What a person installing gradcli gets: the wheel carries the grammar, the JSON schema
and the licence, declares its URLs and classifiers, and runs from a fresh venv without
SymPy (explain then says how to get the symbolic forms); the sdist carries every file the
repository tracks, so its own tests run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
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
    names = zipfile.ZipFile(wheel).namelist()
    assert "gradcli/grammar/gradcli.lark" in names
    assert "gradcli/schema/result.schema.json" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: MIT" in meta and "Provides-Extra: symbolic" in meta
    assert "Project-URL: Homepage, " in meta and "Classifier: Environment :: Console" in meta
    requires = [line for line in meta.splitlines() if line.startswith("Requires-Dist: ")]
    assert "Requires-Dist: typer>=0.20" in requires  # no upper bound
    assert "Requires-Dist: sympy>=1.12; extra == 'symbolic'" in requires
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
    probe = ("import gradcli, importlib.util; print(gradcli.json_schema()['title'], "
             "importlib.util.find_spec('sympy') is None)")
    out = subprocess.run([str(python), "-c", probe], cwd=elsewhere, capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.stdout.split("\n")[0] == "gradcli/1 documents True", out.stderr  # no SymPy
    out = subprocess.run([str(venv / "bin" / "gradcli"), "explain", "(x+w)*(w+1)", "--x", "2",
                          "--w", "1", "--wrt", "w"], cwd=elsewhere, capture_output=True,
                         text=True, env={**env, "XDG_CACHE_HOME": str(tmp_path / "cache"),
                                         "COLUMNS": "200"}, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[1] == "      = 2 * 1 + 3 * 1 = 5"  # the paths and their values, still
    assert lines[-1] == ("note: the symbolic forms (local derivatives, the simplified "
                         "derivative, LaTeX) need SymPy, which is not installed: "
                         "pip install 'gradcli[symbolic]'")


@pytest.mark.skipif(shutil.which("uv") is None, reason="needs uv")
def test_the_sdist_carries_what_its_own_tests_read(tmp_path):
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(["uv", "build", "--sdist", "-o", str(tmp_path / "dist"), str(ROOT)],
                   check=True, capture_output=True, env=env, timeout=300)
    sdist = next((tmp_path / "dist").glob("gradcli-*.tar.gz"))
    with tarfile.open(sdist) as tar:
        tar.extractall(tmp_path / "src", filter="data")
    top = next((tmp_path / "src").iterdir())
    shipped = {str(p.relative_to(top)) for p in top.rglob("*") if p.is_file()}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode == 0:  # in a git checkout: every tracked file but dotfiles
        missing = [f for f in tracked.stdout.splitlines()
                   if not f.startswith(".") and (ROOT / f).exists() and f not in shipped]
        assert not missing, missing
    assert {"LICENSE", "schema/result.schema.json", "benchmarks/linear_regression.py",
            "tests/golden/float32_text.json"} <= shipped
    # the sdist's own tests that read the schema, the README, examples and benchmarks
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "tests/test_pipelines.py", "tests/test_docs.py", "tests/test_terminal.py"],
                       cwd=top, capture_output=True, text=True, timeout=600,
                       env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert r.returncode == 0, r.stdout[-3000:]
    assert " passed" in r.stdout.splitlines()[-1]


def test_version_matches_pyproject():
    import re

    import gradcli

    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', text, re.M).group(1) == gradcli.__version__
