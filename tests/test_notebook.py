"""gradcli in a notebook and in Python: IPython's own display formatter shows a Result as
an HTML table and a graph as SVG; r.value and r.grads are plain numbers for scalars;
gradcli.explain, gradcli.check and gradcli.graph give what the commands print."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from typer.testing import CliRunner

import gradcli
from gradcli.cli import app

SVG = "{http://www.w3.org/2000/svg}"


class Cells(HTMLParser):
    """The text of every <th> and <td>, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def cli_json(*args: str) -> dict:
    r = CliRunner().invoke(app, [*args, "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)


def test_ipython_shows_a_result_as_an_html_table():
    r = gradcli.evaluate("where(x < 1, x, 2*x) * (w + 1)", {"x": 2, "w": 1})
    data, _ = DisplayFormatter().format(r)
    assert set(data) >= {"text/plain", "text/html"}
    assert data["text/plain"] == "<gradcli.Result y = 8; dy/dx = 4, dy/dw = 4 (7 nodes)>"
    parser = Cells()
    parser.feed(data["text/html"])
    head, *rows = parser.rows
    assert head == ["#", "node", "grad_fn", "is_leaf", "requires_grad", "shape", "value",
                    "grad dy/d(node)"]
    doc = r.to_dict()
    assert len(rows) == len(doc["nodes"])
    for row, n in zip(rows, doc["nodes"]):
        assert row[0] == str(n["id"])
        assert row[2] == (n["grad_fn"] or "")
        assert row[3:5] == [str(n["is_leaf"]), str(n["requires_grad"])]
        assert (row[6] == str(n["value"]) if isinstance(n["value"], bool)
                else float(row[6]) == n["value"])
        assert row[7] == ("" if n["grad"] is None else f"{n['grad']:g}")
    assert any(row[1] == "x < 1" for row in rows)  # the program's "<" escaped and read back as text
    assert "&lt;" in data["text/html"] and "<td>x < 1" not in data["text/html"]
    assert "y = 8   dy/dx = 4   dy/dw = 4" in data["text/html"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")
def test_ipython_shows_the_graph_as_svg():
    g = gradcli.graph("(x+w)*(w+1)", {"x": 2, "w": 1})
    data, _ = DisplayFormatter().format(g)
    root = ET.fromstring(data["image/svg+xml"])
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for want in ("x", "w", "AddBackward0", "MulBackward0", "value 6"):
        assert want in texts, (want, texts)
    assert data["text/vnd.mermaid"].startswith("flowchart TB\n")
    assert data["text/plain"] == g.dot()


def test_without_graphviz_the_notebook_gets_mermaid(monkeypatch):
    import gradcli.views.graph as graph

    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    data, _ = DisplayFormatter().format(gradcli.graph("x*2", {"x": 1}))
    assert "image/svg+xml" not in data and data["text/vnd.mermaid"].startswith("flowchart")
    with pytest.raises(gradcli.GradcliError, match="Graphviz"):
        gradcli.graph("x*2", {"x": 1}).svg()


def test_values_and_grads_are_plain_numbers_for_scalars_and_arrays_for_tensors():
    r = gradcli.evaluate("(x+w)*(w+1)", {"x": 2, "w": 1})
    assert (r.value, r.grads) == (6.0, {"x": 2.0, "w": 5.0})
    assert type(r.value) is float and all(type(v) is float for v in r.grads.values())
    assert repr(r.grads) == "{'x': 2.0, 'w': 5.0}"  # as the README shows it
    t = gradcli.evaluate("(W * x).sum()", {"W": [1.0, 2.0], "x": 3})
    assert isinstance(t.grads["W"], np.ndarray) and t.grads["W"].tolist() == [3.0, 3.0]
    assert type(t.grads["x"]) is float
    f32 = gradcli.evaluate("x * 0.1", {"x": 1}, dtype="float32")
    assert f32.value == float(np.float32(1) * np.float32(0.1))  # float32's value, widened


def test_explain_check_graph_mirror_the_commands():
    args = ["(x+w)*(w+1)", "--x", "2", "--w", "1"]
    ex = gradcli.explain("(x+w)*(w+1)", {"x": 2, "w": 1}, "w")
    assert cli_json("explain", *args, "--wrt", "w")["explain"] == [ex.to_dict()]
    assert str(ex).splitlines()[0] == ("dy/dw = dy/da * da/dw + dy/db * db/dw      "
                                       "(2 paths from y to w)")
    every = gradcli.explain("(x+w)*(w+1)", {"x": 2, "w": 1})
    assert [e.wrt for e in every] == ["x", "w"]
    report = gradcli.check("(x+w)*(w+1)", {"x": 2, "w": 1}, {"w": 5, "dy/dx": "2"},
                           gradcheck=True)
    assert report and report.passed
    assert report.to_dict() == cli_json("check", *args, "--expect", "w=5", "--expect",
                                        "dy/dx=2", "--gradcheck")
    wrong = gradcli.check("(x+w)*(w+1)", {"x": 2, "w": 1}, {"x": 3})
    assert not wrong and repr(wrong).endswith("1 of 1 checks failed")
    g = gradcli.graph("(x+w)*(w+1)", {"x": 2, "w": 1}, rankdir="LR")
    r = CliRunner().invoke(app, ["graph", *args, "--rankdir", "LR"])
    assert g.dot() == r.stdout
    r = CliRunner().invoke(app, ["graph", *args, "--format", "mermaid"])
    assert gradcli.graph("(x+w)*(w+1)", {"x": 2, "w": 1}).mermaid() == r.stdout


@pytest.mark.parametrize("call", [
    lambda: gradcli.check("x", {"x": 1}, {"x": "1/"}),
    lambda: gradcli.check("x", {"x": 1}, {"x": [[1], [2, 3]]}),
    lambda: gradcli.check("x", {"x": 1}),
    lambda: gradcli.explain("x*2", {"x": 1}, "q"),
    lambda: gradcli.explain("2*3"),
    lambda: gradcli.graph("x*", {"x": 1}),
    lambda: gradcli.graph("x", {"x": 1}, rankdir="sideways"),
    lambda: gradcli.graph(42),
])
def test_the_api_raises_only_gradcli_errors(call):
    with pytest.raises(gradcli.GradcliError):
        call()


def test_ipython_shows_a_lesson_as_its_output_and_its_last_pass():
    from pathlib import Path

    program = (Path(__file__).resolve().parent.parent / "benchmarks" /
               "linear_regression.py").read_text()
    lesson = gradcli.evaluate(program)
    data, _ = DisplayFormatter().format(lesson)
    assert data["text/plain"] == "<gradcli.LessonResult 1000 backward passes, 6 lines printed>"
    assert data["text/html"].startswith("<pre>iteration 0: loss 88.2707\n")
    assert "<p>backward pass 1000 of 1000:</p>" in data["text/html"]
    parser = Cells()
    parser.feed(data["text/html"])
    head, *rows = parser.rows
    assert head[2] == "grad_fn" and rows[-1][2] == "MeanBackward0"
