"""`gradcli plot`: f and df/dx over a range, as a person sees them: the character plot at 80
columns (each sample where it belongs), the SVG parsed, PNG through a converter, JSON
against the schema and the analytic derivative."""

from __future__ import annotations

import json
import math
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from typer.testing import CliRunner

from gradcli.cli import app
from gradcli.views import text

ROOT = Path(__file__).resolve().parent.parent
VALIDATOR = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schema" / "result.schema.json").read_text()))
SVG = "{http://www.w3.org/2000/svg}"


def run(*args: str, columns: int = 80):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns), "NO_COLOR": "1"})


def test_json_samples_f_and_its_derivative_and_checks_it():
    r = run("plot", "x^2*sin(x)", "--x", "-3:3", "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    VALIDATOR.validate(doc)
    x = np.array(doc["x"])
    assert len(x) == 201 and x[0] == -3 and x[-1] == 3
    np.testing.assert_allclose(doc["value"], x**2 * np.sin(x), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(doc["grad"], 2 * x * np.sin(x) + x**2 * np.cos(x), rtol=1e-13,
                               atol=1e-14)
    np.testing.assert_allclose(doc["finite_difference"], doc["grad"], rtol=1e-6, atol=1e-8)
    assert doc["agrees"] and doc["max_abs_diff"] < 1e-8


def test_other_variables_are_fixed_by_their_bindings_and_wrt_chooses():
    doc = json.loads(run("plot", "w*x^2 + b", "--w", "-1:1:5", "--x", "3", "--b", "pi",
                         "--wrt", "w", "--format", "jsonl").stdout)
    assert doc["x"] == [-1.0, -0.5, 0.0, 0.5, 1.0] and doc["grad"] == [9.0] * 5
    assert doc["value"] == pytest.approx([-9 + math.pi, -4.5 + math.pi, math.pi,
                                          4.5 + math.pi, 9 + math.pi], rel=1e-15)
    assert doc["fixed"] == {"x": "3", "b": "pi"}


def _panels(lines: list[str]) -> list[list[str]]:
    """The rows of each panel (between its title line and the next)."""
    panels, rows = [], None
    for line in lines[1:]:
        if "┤" in line or "│" in line:
            rows.append(line)
        elif line.strip() in ("y", "dy/dx"):
            rows = []
            panels.append(rows)
        else:
            rows = None if rows is None else rows
    return panels


def test_character_plot_puts_every_sample_where_it_belongs():
    r = run("plot", "x^2*sin(x)", "--x", "-3:3")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    assert lines[0] == "y = x^2*sin(x)   (x from -3 to 3, 201 points)"
    assert lines[-1].startswith("finite-difference check: max |dy/dx - central difference| = ")
    assert lines[-1].endswith(" (agrees)")
    doc = json.loads(run("plot", "x^2*sin(x)", "--x", "-3:3", "--format", "json").stdout)
    f_rows, d_rows = _panels(lines)
    for rows, values in ((f_rows, doc["value"]), (d_rows, doc["grad"])):
        values = np.array(values)
        lo, hi = values.min(), values.max()
        assert rows[0].split("┤")[0].strip() == text.number(hi, 4)
        assert rows[-1].split("┤")[0].strip() == text.number(lo, 4)
        start = rows[0].index("┤") + 1
        width = 80 - start
        height = len(rows)
        x = np.array(doc["x"])
        for xv, v in zip(x, values):
            col = start + int(round((xv + 3) / 6 * (width - 1)))
            row = int(round((hi - v) / (hi - lo) * (height - 1)))
            assert rows[row][col] == "•", (xv, v, row, col)
    axis = lines[-3]
    assert axis.split() == ["-3", "0", "3"]


def test_svg_has_both_curves_and_the_finite_difference_points(tmp_path):
    out = tmp_path / "p.svg"
    r = run("plot", "x^2*sin(x)", "--x", "-3:3", "-o", str(out))
    assert r.exit_code == 0 and r.stdout.startswith("finite-difference check: max |dy/dx")
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    doc = json.loads(run("plot", "x^2*sin(x)", "--x", "-3:3", "--format", "json").stdout)
    for gid, values in (("value", doc["value"]), ("grad", doc["grad"])):
        group = next(g for g in root.iter(f"{SVG}g") if g.get("id") == gid)
        line = next(p for p in group.iter(f"{SVG}polyline") if p.get("class") == "curve")
        pts = [tuple(map(float, p.split(","))) for p in line.get("points").split()]
        assert len(pts) == 201
        ys = [p[1] for p in pts]  # SVG y grows downwards
        assert int(np.argmin(ys)) == int(np.argmax(values))
        assert int(np.argmax(ys)) == int(np.argmin(values))
        assert all(a[0] < b[0] for a, b in zip(pts, pts[1:]))
    grad = next(g for g in root.iter(f"{SVG}g") if g.get("id") == "grad")
    assert len([c for c in grad.iter(f"{SVG}circle") if c.get("class") == "fd"]) >= 40
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "y = x^2*sin(x)" in texts and "dy/dx" in texts and "x" in texts


@pytest.mark.skipif(not any(shutil.which(t) for t in ("rsvg-convert", "magick")),
                    reason="needs rsvg-convert or ImageMagick")
def test_png_through_a_converter_at_the_asked_dpi(tmp_path):
    out = tmp_path / "p.png"
    r = run("plot", "tanh(w*x + b)", "--x", "-2:2:101", "--w", "1.5", "--b", "0.5", "-o",
            str(out), "--dpi", "192")
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1440, 1080)  # twice the SVG's 720x540


@pytest.mark.parametrize("args, message", [
    (["x*w", "--x", "1", "--w", "2"], "error: plot needs one variable given as a range"),
    (["x*w", "--x", "-1:1", "--w", "1:2"], "error: 2 ranges given (x, w): plot draws one"),
    (["x*w", "--x", "-1:1", "--w", "2", "--wrt", "w"], "error: --wrt w: give w a range"),
    (["x", "--x", "3:1"], "error: --x 3:1: the range must go from low to high"),
    (["x", "--x", "0:1:1"], "error: --x 0:1:1: between 2 and 100,000 points"),
    (["x", "--x", "0:inf"], "error: --x 0:inf: the range's ends must be finite numbers"),
    (["w*2", "--x", "-1:1", "--w", "2"], "error: binding x is never read by the program"),
])
def test_bad_plots_get_one_clear_message(args, message):
    r = run("plot", *args)
    assert r.exit_code == 2
    assert r.stderr.startswith(message), r.stderr


def test_a_training_loop_plots_its_loss_per_pass_with_the_same_code(monkeypatch):
    monkeypatch.chdir(ROOT)
    lesson = ["-f", "benchmarks/linear_regression.py"]
    doc = json.loads(run("plot", *lesson, "--format", "json").stdout)
    VALIDATOR.validate(doc)
    passes = json.loads(run("eval", *lesson, "--format", "json").stdout)["backwards"]
    assert doc["value"] == [p["value"] for p in passes]
    assert doc["x"] == [float(p["index"]) for p in passes]
    assert (doc["output"], doc["wrt"], doc["grad"]) == ("loss", "pass", None)
    lines = run("plot", *lesson).stdout.splitlines()
    assert all(len(line) <= 80 and line == line.rstrip() for line in lines)
    assert lines[0] == "loss per backward pass (1000 passes; first 88.27, last 0.2454)"
    rows = [line for line in lines if "┤" in line or "│" in line]
    assert rows[0].startswith(" 88.27 ┤•") and rows[-1].startswith("0.2454 ┤ •")
    assert lines[-1].strip() == "pass" and lines[-2].split() == ["1", "500.5", "1000"]
    r = run("plot", "for i in range(1):\n    y = x * 2\n    y.backward()", "--x", "1")
    assert r.exit_code == 2 and "there is no curve to draw" in r.stderr, r.stderr
