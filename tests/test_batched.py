"""Batched forward mode (gradcli.batched) against forward mode one direction at a time:
for every golden case, the stacked tangents of a few random directions through the whole
graph equal the tangents of each direction alone; Hessians by forward over reverse equal
Hessians by a backward pass per row."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradcli
from gradcli import autodiff, batched
from gradcli.errors import GradcliError

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch_golden.json").read_text())
CASES = [c for c in GOLDEN["cases"] if "error" not in c]


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['program'][:40]}"
                                             for i, c in enumerate(CASES)])
def test_stacked_tangents_equal_one_direction_at_a_time(case):
    r = gradcli.evaluate(case["program"], case["bindings"], no_grad=case["no_grad"],
                         differentiate=False)
    leaves = [n for n in r.nodes if n.op is None and n.requires_grad]
    if r.output_node is None or not leaves:
        return
    rng = np.random.default_rng(len(case["program"]))
    b = 3
    seeds = {leaf.id: rng.standard_normal((b,) + leaf.value.shape) for leaf in leaves}
    try:
        stacked = batched.tangents(r.nodes, seeds, {r.output_node.id})
    except autodiff.AutodiffError:
        pytest.skip("an op without a forward rule")
    out = stacked.get(r.output_node.id)
    for i in range(b):
        alone = autodiff.tangents(r, {k: s[i] for k, s in seeds.items()})[r.output_node.id]
        if alone is None:
            assert out is None or np.allclose(out[i], 0)
            continue
        np.testing.assert_allclose(out[i], alone, rtol=1e-10, atol=1e-12, equal_nan=True)


HESSIANS = [("(torch.tanh(x) ** 2).sum() + (x * x).sum() * x.sum()", {"x": [0.3, -1.2, 2.0]}),
            ("(torch.mm(A, B) ** 2).sum() + torch.sigmoid(A).prod()",
             {"A": [[0.5, -1.0], [2.0, 0.1]], "B": [[1.0, 0.3], [-0.2, 0.7]]}),
            ("torch.log_softmax(z, 0)[1] + (z[0:2] * z[1:3]).sum()", {"z": [0.1, -0.4, 0.9]}),
            ("(W @ v).pow(3).mean() + (v * 2).sum() ** 2 + (v * v).prod()",
             {"W": [[1.0, 2.0], [0.5, -1.0], [0.2, 0.3]], "v": [0.4, -0.6]})]


@pytest.mark.parametrize("program, bindings", HESSIANS)
def test_batched_hessian_equals_a_backward_pass_per_row(program, bindings, monkeypatch):
    r = gradcli.evaluate(program, bindings)
    wrt = autodiff.leaves_named(r, list(bindings))
    H, labels = autodiff.hessian(r, wrt)

    def no_batching(*args, **kwargs):
        raise autodiff.AutodiffError("batching off")

    monkeypatch.setattr(autodiff, "_batched_hessian", no_batching)
    r2 = gradcli.evaluate(program, bindings)
    H2, labels2 = autodiff.hessian(r2, autodiff.leaves_named(r2, list(bindings)))
    assert labels == labels2
    np.testing.assert_allclose(H, H2, rtol=1e-10, atol=1e-12)


def test_chunks_cover_every_direction():
    x = np.linspace(-1, 1, 37)
    r = gradcli.evaluate("(torch.sin(x) * x.sum()).sum()", {"x": x})
    leaves = autodiff.leaves_named(r, ["x"])
    full, _ = autodiff.hessian(r, leaves)
    real = batched.chunk_size
    batched.chunk_size = lambda total, widest, budget=0: 5  # 8 passes of 5 directions
    try:
        r2 = gradcli.evaluate("(torch.sin(x) * x.sum()).sum()", {"x": x})
        chunked, _ = autodiff.hessian(r2, autodiff.leaves_named(r2, ["x"]))
    finally:
        batched.chunk_size = real
    np.testing.assert_allclose(chunked, full, rtol=1e-12, atol=1e-14)


# Forward over reverse (batched) against a backward pass per row, and batched forward mode
# against the passes one by one, on the differential tester's random programs
# (tests/differential/programs.py: every op, shapes up to three dims, negative dims).
sys.path.insert(0, str(Path(__file__).parent / "differential"))
import programs  # noqa: E402


def _per_row(*args, **kwargs):
    raise autodiff.AutodiffError("a backward pass per row")


def _hessian_or_error(program, bindings, monkeypatch=None):
    """The Hessian of sum(program's output), or the GradcliError's class name."""
    lines = program.split("\n")
    lines[-1] = f"({lines[-1]}).sum()"
    try:
        r = gradcli.evaluate("\n".join(lines), bindings)
        return autodiff.hessian(r, autodiff.leaves_named(r, []))[0]
    except GradcliError as e:
        return type(e).__name__


def _both_hessians(program, bindings, monkeypatch):
    batched_h = _hessian_or_error(program, bindings)
    with monkeypatch.context() as m:
        m.setattr(autodiff, "_batched_hessian", _per_row)
        per_row = _hessian_or_error(program, bindings)
    return batched_h, per_row


def _assert_close_where_finite(a, b, rtol):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    both = np.isfinite(a) & np.isfinite(b)
    scale = max(1.0, float(np.max(np.abs(a[both]), initial=0.0)))
    np.testing.assert_allclose(a[both], b[both], rtol=rtol, atol=rtol * scale)


def _moderate(rng, shape):
    """Values away from kinks, ties and domain edges: forward and reverse mode agree."""
    v = rng.uniform(0.15, 1.9, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return v.tolist()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(0, 2**32 - 1))
def test_batched_hessians_and_jacobians_equal_one_pass_per_row(seed, values_seed):
    case = programs.case(seed)
    rng = np.random.default_rng(values_seed)
    bindings = {k: _moderate(rng, np.shape(v)) for k, v in case["bindings"].items()}
    mp = pytest.MonkeyPatch()
    try:
        batched_h, per_row = _both_hessians(case["program"], bindings, mp)
    finally:
        mp.undo()
    assert type(batched_h) is type(per_row), (batched_h, per_row)
    if not isinstance(batched_h, str):
        _assert_close_where_finite(batched_h, per_row, 1e-9)
    try:
        r = gradcli.evaluate(case["program"], bindings, differentiate=False)
    except GradcliError:
        return
    wrt = autodiff.leaves_named(r, [])
    if r.output_node is None or r.output_node.value.dtype.kind != "f" or not wrt:
        return
    try:
        jac = autodiff.jacobian(r, wrt)[0]
    except GradcliError:
        return
    r2 = gradcli.evaluate(case["program"], bindings, differentiate=False)
    alone = autodiff.jacobian(r2, autodiff.leaves_named(r2, []), batched=False)[0]
    for name in jac:
        _assert_close_where_finite(jac[name], alone[name], 1e-9)


RECORDED = json.loads((Path(__file__).parent / "differential" / "torch_cases.json").read_text()
                      )["cases"][:1500]


def test_hessians_of_recorded_programs_fail_only_with_gradcli_errors(monkeypatch):
    """Kinks, ties, inf and NaN included: both ways give a Hessian or both give a
    GradcliError, and where both entries are finite they agree (forward and reverse mode
    may differ in which entries are NaN at singular points, and by rounding next to them)."""
    for case in RECORDED:
        batched_h, per_row = _both_hessians(case["program"], case["bindings"], monkeypatch)
        assert type(batched_h) is type(per_row), (case["program"], batched_h, per_row)
        if not isinstance(batched_h, str):
            assert batched_h.shape == per_row.shape


@pytest.mark.parametrize("program, bindings", [
    ("(c.mT @ c).sum()", {"c": [[[1.7, 0.3], [0.25, -0.8], [-0.5, -2.3]],
                                [[0.8, 2.2], [-3.0, 1.1], [-0.5, 1.9]]]}),
    ("(torch.min(b, dim=2, keepdim=True).values @ torch.min(b, dim=2, keepdim=True).values)"
     ".sum()", {"b": [[[-1.25, 1.3, 2.0]], [[-0.9, -0.5, -1.1]]]}),
    ("(x.sum(-1) ** 2).sum() + (x.transpose(-1, 0) @ x).sin().sum()",
     {"x": [[0.5, -1.0, 2.0], [0.3, 0.7, -0.2]]}),
    ("(x[..., -1] * x[:, 0]).sum() + (x.permute(-1, 0).tanh() ** 3).sum()",
     {"x": [[0.5, -1.0, 0.2], [0.3, 0.7, 1.1]]}),
    ("torch.softmax(torch.var(a, correction=1), dim=-1).sum() + torch.std(a * a).sum()",
     {"a": 1.4}),
    ("torch.var(a.neg() * a, correction=0).sum()", {"a": -1.786}),
])
def test_negative_dims_and_zero_dim_values_in_batched_hessians(program, bindings, monkeypatch):
    batched_h, per_row = _both_hessians(program, bindings, monkeypatch)
    assert not isinstance(batched_h, str), batched_h
    assert not isinstance(per_row, str), per_row
    np.testing.assert_allclose(batched_h, per_row, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("program", [
    "torch.cat([x, x * x], dim=-1).sin()",
    "torch.stack([x, x.exp()], -1) * 2",
    "x.sum(-1) * x.mean((-1, 0))",
    "x.transpose(-1, 0).tanh() @ x",
    "x[..., -1] * x[-1:, :].sum()",
])
def test_negative_dims_in_batched_jacobians(program):
    x = [[0.5, -1.0, 2.0], [0.3, 0.7, -0.2]]
    r = gradcli.evaluate(program, {"x": x}, differentiate=False)
    jac, mode, _ = autodiff.jacobian(r, autodiff.leaves_named(r, []))
    assert mode == "forward"
    r2 = gradcli.evaluate(program, {"x": x}, differentiate=False)
    alone, _, _ = autodiff.jacobian(r2, autodiff.leaves_named(r2, []), batched=False)
    np.testing.assert_allclose(jac["x"], alone["x"], rtol=1e-12, atol=1e-14)
