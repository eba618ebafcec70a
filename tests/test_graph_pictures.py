"""`graph` and `eval --steps --format svg|html` as a person sees them: the output named,
edges carrying their local derivatives, a legend, constants drawn apart or hidden,
PyTorch's AccumulateGrad nodes (structure recorded from PyTorch 2.13), --dpi, and the
backward pass as frames (SVG and HTML parsed)."""

from __future__ import annotations

import json
import re
import shutil
import struct
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradcli.cli import app

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
GOLDEN = json.loads((ROOT / "tests" / "golden" / "graph_structure.json").read_text())
GRAD_FN = re.compile(r"\w+Backward\d+")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot")


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def nodes_and_edges(dot: str) -> tuple[dict[str, list[str]], list[tuple[str, str, str]]]:
    """{node: label lines}, [(source, target, edge label)] from gradcli's DOT."""
    nodes = {m.group(1): m.group(2).split("\\n")
             for m in re.finditer(r'^  (\w+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M)}
    edges = [(m.group(1), m.group(2), (m.group(4) or "").strip())
             for m in re.finditer(r'^  (\w+) -> (\w+)( \[.*?label=" ?([^"]*)")?', dot, re.M)]
    return nodes, edges


def test_output_named_edges_carry_local_derivatives_and_a_legend():
    dot = run("graph", "(x+w)*(w+1)", "--x", "2", "--w", "1").stdout
    nodes, edges = nodes_and_edges(dot)
    assert nodes["n4"][:2] == ["y = (x+w)*(w+1)", "MulBackward0"]
    labels = {(nodes[a][0], nodes[b][0]): lab for a, b, lab in edges if a.startswith("n")}
    # d(y)/d(x+w) = w+1 = 2, d(y)/d(w+1) = x+w = 3, the adds pass 1: as explain says
    explained = json.loads(run("explain", "(x+w)*(w+1)", "--x", "2", "--w", "1",
                               "--format", "json").stdout)["explain"]
    for ex in explained:
        for path in ex["paths"]:
            for e in path:
                frm = "y = (x+w)*(w+1)" if e["from"] == "y" else ex["legend"].get(e["from"],
                                                                                  e["from"])
                to = ex["legend"].get(e["to"], e["to"])
                assert float(labels[(to, frm)]) == e["value"], (to, frm)
    legend = re.search(r"legend \[.*label=<(.*)>\];", dot).group(1)
    assert "variable (requires grad)" in legend and "output" in legend
    assert "constant" not in legend  # only what is drawn
    assert "edge label: local derivative d(user)/d(input)" in legend


def test_constants_are_drawn_apart_or_hidden():
    args = ["graph", "(x+w)*(w+1)+c", "--x", "2", "--w", "1", "--c", "3", "--no-grad", "c"]
    nodes, edges = nodes_and_edges(run(*args).stdout)
    const = next(k for k, v in nodes.items() if v[0] == "c")
    assert 'style="rounded,filled,dashed"' in run(*args).stdout.split(f"  {const} [", 1)[1]
    assert "constant (no grad), dashed" in run(*args).stdout
    nodes, edges = nodes_and_edges(run(*args, "--hide-constants").stdout)
    assert all(v[0] != "c" for k, v in nodes.items())
    assert all(const not in (a, b) for a, b, _ in edges)
    mermaid = run(*args, "--hide-constants", "--format", "mermaid").stdout
    assert '["c<br/>' not in mermaid and "-->|2| " in mermaid


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["program"])
def test_torch_adds_accumulate_grad_as_pytorch_builds_it(case):
    args = ["graph", case["program"], "--torch"]
    for k, v in case["bindings"].items():
        args += [f"--{k}", str(v)]
    if case["no_grad"]:
        args += ["--no-grad", ",".join(case["no_grad"])]
    nodes, edges = nodes_and_edges(run(*args).stdout)
    ours = Counter()
    for node, lines in nodes.items():
        if not node.startswith("n") or len(lines) < 2 or not GRAD_FN.fullmatch(lines[1]):
            continue  # leaves (no grad_fn)
        sources = []
        for a, b, _ in edges:
            if b != node:
                continue
            if a.startswith("acc"):
                sources.append("AccumulateGrad")
            elif len(nodes[a]) > 1 and GRAD_FN.fullmatch(nodes[a][1]):
                sources.append(nodes[a][1])
        ours[(lines[1], tuple(sources))] += 1
    theirs = Counter((name, tuple(n for n in nxt if n is not None))
                     for name, nxt in case["structure"] if name != "AccumulateGrad")
    assert ours == theirs
    accumulate = [k for k in nodes if k.startswith("acc")]
    assert len(accumulate) == sum(name == "AccumulateGrad" for name, _ in case["structure"])
    assert all(nodes[k] == ["AccumulateGrad"] for k in accumulate)


@needs_dot
def test_dpi_sets_the_png_resolution(tmp_path):
    sizes = {}
    for dpi in (72, 144):
        out = tmp_path / f"g{dpi}.png"
        r = run("graph", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--format", "png", "-o",
                str(out), "--dpi", str(dpi))
        assert r.exit_code == 0, r.output
        data = out.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        sizes[dpi] = struct.unpack(">II", data[16:24])
    assert 1.9 < sizes[144][0] / sizes[72][0] < 2.1
    assert "  dpi=144;" in run("graph", "x*2", "--x", "1", "--dpi", "144").stdout


@needs_dot
def test_steps_as_svg_frames_one_per_node():
    r = run("eval", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--steps", "--format", "svg")
    assert r.exit_code == 0, r.output
    root = ET.fromstring(r.stdout)
    captions = [t.text for t in root.findall(f"{SVG}text") if t.get("class") == "caption"]
    assert captions == [
        "start: dy/dy = 1",
        "step 1 of 3: y (MulBackward0) receives dy/dy = 1; sends 2 to x+w, 3 to w+1",
        "step 2 of 3: w+1 (AddBackward0) receives dy/d(w+1) = 3; sends 3 to w",
        "step 3 of 3: x+w (AddBackward0) receives dy/d(x+w) = 2; sends 2 to x, 2 to w",
        "done: x.grad = 2, w.grad = 5"]
    frames = [s for s in root.findall(f"{SVG}svg") if s.get("class") == "frame"]
    assert len(frames) == 5
    current = ["y = (x+w)*(w+1)", "w+1", "x+w"]
    for k, frame in enumerate(frames):
        texts = {}
        orange = []
        for g in frame.iter(f"{SVG}g"):
            if g.get("class") != "node":
                continue
            lines = [t.text for t in g.iter(f"{SVG}text")]
            texts[lines[0]] = lines
            if any(p.get("stroke") == "#ff8c00" for p in g.iter() if p.tag != f"{SVG}text"):
                orange.append(lines[0])
        assert orange == ([current[k - 1]] if 1 <= k <= 3 else []), k
        if k == 0:
            assert texts["w"][-1] == "grad ?" and texts["y = (x+w)*(w+1)"][-1] == "grad 1"
        if k == 3:
            assert texts["w"][-1] == "grad 3"  # 3 from w+1 so far; x+w's 2 comes next
        if k == 4:
            assert texts["w"][-1] == "grad 5" and texts["x"][-1] == "grad 2"


class Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.h2: list[str] = []
        self.in_h2 = False
        self.svgs = 0
        self.script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("class") == "frame":
            self.sections.append(a["id"])
        self.in_h2 = tag == "h2"
        self.svgs += tag == "svg"
        self.script |= tag == "script"

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False

    def handle_data(self, data):
        if self.in_h2:
            self.h2.append(data)


@needs_dot
def test_steps_as_an_html_page_to_step_through():
    r = run("eval", "x*x", "--x", "3", "--steps", "--format", "html")
    assert r.exit_code == 0, r.output
    page = Sections()
    page.feed(r.stdout)
    assert page.sections == ["frame-0", "frame-1", "frame-2"] and page.svgs == 3
    assert page.h2 == ["start: dy/dy = 1",
                       "step 1 of 1: y (MulBackward0) receives dy/dy = 1; sends 3 to x, 3 to x",
                       "done: x.grad = 6"]
    assert page.script and "ArrowRight" in r.stdout


def test_frames_need_graphviz(monkeypatch):
    import gradcli.views.graph as graph

    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    r = run("eval", "x*x", "--x", "3", "--steps", "--format", "svg")
    assert r.exit_code == 2 and "Graphviz" in r.stderr


def test_long_chains_of_a_large_graph_are_drawn_as_one_box():
    program = "sin(" * 120 + "x*w" + ")" * 120 + " + w"
    dot = run("graph", program, "--x", "0.5", "--w", "2").stdout
    nodes, edges = nodes_and_edges(dot)
    drawn = [k for k in nodes if k.startswith("n")]
    assert len(drawn) == 5  # x, w, x*w, the chain, y
    chain = next(v for v in nodes.values() if "120 ops: SinBackward0 … SinBackward0" in v)
    assert chain[0].endswith("…") and len(chain[0]) == 48  # long text cut
    into = next(lab for a, b, lab in edges if nodes[a][0] == "x*w")
    doc = json.loads(run("eval", program, "--x", "0.5", "--w", "2", "--format", "json").stdout)
    xw = next(n for n in doc["nodes"] if n["expr"] == "x*w")
    head = next(n for n in doc["nodes"] if n["grad_fn"] == "AddBackward0")
    chain_out = doc["nodes"][head["inputs"][0]]
    # d(chain)/d(x*w) = dy/d(x*w) / dy/d(chain): the product of the 120 local derivatives
    assert float(into) == pytest.approx(xw["grad"] / chain_out["grad"], rel=1e-3)
    full = run("graph", program, "--x", "0.5", "--w", "2", "--no-collapse").stdout
    assert len([k for k in nodes_and_edges(full)[0] if k.startswith("n")]) == 124
    small = run("graph", "sin(sin(sin(x)))", "--x", "1").stdout  # small graphs: every node
    assert "ops:" not in small
