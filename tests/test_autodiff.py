"""Forward mode, Jacobians and Hessians: agreement with reverse mode, SymPy and PyTorch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import gradcli
from gradcli import autodiff
from gradcli.cli import app
from helpers import from_json, weights_for
from test_gradcheck_ops import CASES as SMOOTH_CASES, wrapped
from test_sympy_oracle import SYMS, evaluate_generated, exprs, points, sympy_point

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch_golden.json").read_text())
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.mark.parametrize("case", SMOOTH_CASES, ids=[c["program"][:40] for c in SMOOTH_CASES])
def test_jvp_equals_gradient_dot_tangent(case):
    """Every op's forward rule, through the golden programs: <grad, t> == jvp."""
    bindings = {k: np.asarray(v, dtype=float) for k, v in case["bindings"].items()}
    bindings["weights"] = weights_for(from_json(case["value"]).shape)
    r = gradcli.evaluate(wrapped(case["program"]), bindings,
                         no_grad=[*case["no_grad"], "weights"])
    rng = np.random.default_rng(len(case["program"]))
    seeds, expected = {}, 0.0
    for leaf in r.leaves:
        t = rng.standard_normal(leaf.value.shape)
        seeds[leaf.id] = t
        expected += float(np.sum(r.grad(leaf) * t))
    jvp = autodiff.tangents(r, seeds)[r.output_node.id]
    assert float(jvp) == pytest.approx(expected, rel=1e-9, abs=1e-10)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, points)
def test_hessians_equal_sympy(expr, point):
    text, sym = expr
    got = evaluate_generated(text, point, limit=1e8)
    if got is None:
        return
    r, used = got
    H, labels = autodiff.hessian(r, autodiff.leaves_named(r, used))
    subs = sympy_point(point, used)
    want = np.array([[float(sp.diff(sym, SYMS[a], SYMS[b]).subs(subs).evalf(30)) for b in used]
                     for a in used])
    if not np.all(np.isfinite(want)) or np.max(np.abs(want)) > 1e8:
        return
    np.testing.assert_allclose(H, want, rtol=1e-8, atol=1e-8, err_msg=text)


@pytest.mark.parametrize("case", GOLDEN["hessians"], ids=[h["program"][:40] for h in
                                                          GOLDEN["hessians"]])
def test_hessians_equal_pytorch(case):
    r = gradcli.evaluate(case["program"], case["bindings"])
    leaves = autodiff.leaves_named(r, list(case["bindings"]))
    H, _ = autodiff.hessian(r, leaves)
    np.testing.assert_allclose(H, from_json(case["hessian"]), rtol=1e-9, atol=1e-12)


def test_jacobian_forward_and_reverse_modes_agree():
    r = gradcli.evaluate("torch.tanh(W @ u) * u.sum()", {"W": [[1.0, 2.0], [3.0, 4.0],
                                                              [0.5, -1.0]], "u": [0.3, -0.2]},
                         differentiate=False)
    leaves = autodiff.leaves_named(r, [])
    jac, mode, passes = autodiff.jacobian(r, leaves, batched=False)  # 3 outputs < 8 inputs
    assert (mode, passes) == ("reverse", 3)
    batch, mode, passes = autodiff.jacobian(r, leaves)  # all 8 directions in one pass
    assert (mode, passes) == ("forward", 1)
    for k in jac:
        np.testing.assert_allclose(batch[k], jac[k], rtol=1e-12, atol=1e-14)
    forward = {}
    for leaf in leaves:  # column by column with forward mode
        cols = np.zeros(r.output_node.value.shape + leaf.value.shape)
        for j in np.ndindex(leaf.value.shape):
            seed = np.zeros(leaf.value.shape)
            seed[j] = 1
            cols[(...,) + j] = autodiff.tangents(r, {leaf.id: seed})[r.output_node.id]
        forward[leaf.label] = cols
    for k in jac:
        np.testing.assert_allclose(jac[k], forward[k], rtol=1e-12, atol=1e-14)
    assert jac["W"].shape == (3, 3, 2) and jac["u"].shape == (3, 2)


def test_cli_jvp_hessian_jacobian():
    r = run("jvp", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--tangent", "w=1", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["jvp"] == 5.0 and doc["reverse"] == 5.0
    assert [n["tangent"] for n in doc["nodes"]] == [0.0, 1.0, 1.0, 1.0, 5.0]
    r = run("hessian", "(x+w)*(w+1)", "--x", "2", "--w", "1", "--wrt", "x,w", "--format", "json")
    assert json.loads(r.stdout) == {"schema": "gradcli/1", "wrt": ["x", "w"],
                                    "hessian": [[0.0, 1.0], [1.0, 2.0]]}
    r = run("hessian", "(W * W).sum() * x", "--W", "[[1, 2]]", "--x", "3", "--gradcheck",
            "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["wrt"] == ["W[0,0]", "W[0,1]", "x"]
    assert doc["gradcheck"]["passed"]
    r = run("jacobian", "W @ u", "--W", "[[1,2],[3,4],[5,6]]", "--u", "[0.5,-1]", "--wrt", "u",
            "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["jacobian"] == {"u": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}
    assert (doc["mode"], doc["passes"]) == ("forward", 1)  # both input directions at once
    r = run("hessian", "v.prod()", "--v", "[1, 2, 3]", "--format", "json")
    assert json.loads(r.stdout)["hessian"] == [[0.0, 3.0, 2.0], [3.0, 0.0, 1.0], [2.0, 1.0, 0.0]]
    r = run("hessian", "v.prod()", "--v", "[1, 0, 3]", "--format", "json")  # at a zero
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["hessian"] == [[0, 3, 0], [3, 0, 1], [0, 1, 0]]
    r = run("jvp", "x * 2", "--x", "1", "--tangent", "q=1")
    assert r.exit_code == 2
