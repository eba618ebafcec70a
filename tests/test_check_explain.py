"""check, explain and the step-by-step backward pass."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import gradcli
from gradcli.cli import app
from gradcli.chainrule import explain
from gradcli.ops import REGISTRY, Op
from gradcli.views.explain import chain_rule, steps
from test_sympy_oracle import SYMS, evaluate_generated, exprs, points, sympy_point

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_course_example_chain_rule_over_both_paths():
    r = gradcli.evaluate("(x+w)*(w+1)", {"x": 2, "w": 1})
    ex = explain(r, "w")
    lines = chain_rule(ex)
    assert lines[0] == "dy/dw = dy/da * da/dw + dy/db * db/dw      (2 paths from y to w)"
    assert lines[1].strip() == "= b * 1 + a * 1"
    assert lines[2].strip() == "= 2 * 1 + 3 * 1 = 5"
    assert "a = x+w" in lines[3] and "b = w+1" in lines[3]
    assert ex.symbolic == "2*w + x + 1" and ex.symbolic_value == 5.0
    assert ex.path_sum == 5.0 and float(ex.engine) == 5.0


def test_second_example_and_named_nodes():
    r = gradcli.evaluate("u = b * c; v = a + u; J = 3 * v", {"a": 5, "b": 3, "c": 2})
    got = {w: explain(r, w) for w in "abc"}
    assert {w: e.path_sum for w, e in got.items()} == {"a": 3.0, "b": 6.0, "c": 9.0}
    assert {w: e.symbolic for w, e in got.items()} == {"a": "3", "b": "3*c", "c": "3*b"}
    assert chain_rule(got["c"])[0].startswith("dJ/dc = dJ/dv * dv/du * du/dc")


def test_labels_never_clash_with_program_names():
    r = gradcli.evaluate("a * (x+w)*(w+1)", {"a": 1, "x": 2, "w": 1})
    ex = explain(r, "w")
    names = {r.nodes[i].name for i in ex.labels} - {None}
    inner = [lab for i, lab in ex.labels.items() if r.nodes[i].name is None and not r.nodes[i].is_leaf]
    assert not set(inner) & (names | {"a", "x", "w"})


def test_many_paths_are_counted_not_enumerated():
    program = "h0 = x\n" + "\n".join(f"h{i} = h{i-1} + h{i-1}" for i in range(1, 61)) + "\nh60"
    r = gradcli.evaluate(program, {"x": 1.0})
    ex = explain(r, "x", max_paths=5)
    assert ex.count == 2 ** 60 and len(ex.paths) == 5
    assert float(ex.engine) == 2.0 ** 60
    assert "more" in chain_rule(ex)[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, points)
def test_path_sums_equal_engine_and_sympy(expr, point):
    text, sym = expr
    got = evaluate_generated(text, point, limit=1e12)
    if got is None:
        return
    r, used = got
    for n in used:
        ex = explain(r, n, max_paths=10_000)
        engine = float(r.grads[n])
        if ex.count:
            assert ex.path_sum == pytest.approx(engine, rel=1e-9, abs=1e-12), text
        want = float(sp.diff(sym, SYMS[n]).subs(sympy_point(point, used)).evalf(30))
        if ex.symbolic_value is not None and np.isfinite(want):
            assert ex.symbolic_value == pytest.approx(want, rel=1e-9, abs=1e-9), text


def test_steps_show_accumulation():
    r = gradcli.evaluate("(x+w)*(w+1)", {"x": 2, "w": 1}, trace=True)
    lines = steps(r)
    assert any("accumulated: w now has 3" in line for line in lines)
    assert any("accumulated: w now has 5" in line for line in lines)
    assert lines[-1] == "leaves: x.grad = 2, w.grad = 5 (summed over 2 uses)"


def test_check_exit_codes():
    ok = run("check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=5",
             "--expect", "x=2")
    assert ok.exit_code == 0 and "all 2 checks passed" in ok.stdout
    bad = run("check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "w=4")
    assert bad.exit_code == 1 and "FAIL" in bad.stdout
    err = run("check", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--expect", "q=4")
    assert err.exit_code == 2 and "no tensor named 'q'" in err.stderr
    err = run("check", "(x+w", "--x", "2", "--expect", "x=1")
    assert err.exit_code == 2


def test_check_values_tensors_and_tolerances():
    r = run("check", "a = x + w; y = a * (w + 1)", "--x", "2", "--w", "1", "--expect", "y=6",
            "--expect", "a=3", "--expect", "dy/dw=5", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["passed"]
    assert [c["check"] for c in doc["checks"]] == ["y", "a", "dy/dw"]
    r = run("check", "(W * W).sum()", "--W", "[[1, 2], [3, 4]]", "--expect",
            "W=[[2, 4], [6, 8]]")
    assert r.exit_code == 0, r.output
    r = run("check", "sin(x)", "--x", "1", "--expect", "x=0.53")  # cos(1) = 0.5403...
    assert r.exit_code == 1
    r = run("check", "sin(x)", "--x", "1", "--expect", "x=0.53", "--rtol", "0.02")
    assert r.exit_code == 0


def test_gradcheck_passes_and_catches_a_wrong_backward(monkeypatch):
    args = ("check", "torch.tanh(W @ v).sum() * x", "--W", "[[1., 2.], [0.5, -1.]]",
            "--v", "[0.3, -0.2]", "--x", "1.5", "--gradcheck", "--format", "json")
    r = run(*args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert {c["leaf"] for c in doc["gradcheck"]} == {"W", "v", "x"}
    good = REGISTRY["mv"]
    wrong = Op(good.key, good.grad_fn, good.forward,
               (lambda g, y, a, b: np.outer(g, b) * 1.01, good.vjp[1]))
    monkeypatch.setitem(REGISTRY, "mv", wrong)
    r = run(*args)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert [c["leaf"] for c in doc["gradcheck"] if not c["passed"]] == ["W"]


def test_gradcheck_perturbs_tensors_the_program_creates():
    prog = ("w = torch.tensor([1.], requires_grad=True)\nx = torch.tensor([2.], "
            "requires_grad=True)\ny = torch.mul(torch.add(w, x), torch.add(w, 1))\ny.backward()")
    r = run("check", prog, "--gradcheck", "--format", "json")
    assert r.exit_code == 0, r.output
    assert {c["leaf"] for c in json.loads(r.stdout)["gradcheck"]} == {"w", "x"}


def test_explain_cli_and_errors():
    r = run("explain", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--wrt", "w", "--latex")
    assert r.exit_code == 0
    assert "(2 paths from y to w)" in r.stdout and "2*w + x + 1" in r.stdout
    assert "latex:" in r.stdout
    assert run("explain", "x * w", "--x", "2", "--w", "1", "--wrt", "nope").exit_code == 2
    r = run("explain", "x * w", "--x", "2", "--w", "1", "--wrt", "w", "--no-grad", "w")
    assert r.exit_code == 2 and "does not require grad" in r.stderr
    r = run("explain", "relu(x) * 2", "--x", "0")
    assert "relu'(0) is taken as 0" in r.stdout


def test_legend_names_every_label_a_line_uses():
    r = gradcli.evaluate("sin(x)*cos(y)", {"x": 1.0, "y": 2.0})
    lines = chain_rule(explain(r, "x"))
    assert lines[1].strip() == "= b * cos(x)"
    assert "a = sin(x)" in lines[3] and "b = cos(y)" in lines[3]


def test_bad_expect_and_tangent_values_name_their_option():
    r = run("check", "x*2", "--x", "1", "--expect", "x=foo(")
    assert r.exit_code == 2 and "in the value of --expect x" in r.stderr
    r = run("jvp", "x*2", "--x", "1", "--tangent", "x=[1,")
    assert r.exit_code == 2 and "in the value of --tangent x" in r.stderr
