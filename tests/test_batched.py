"""Batched forward mode (gradcli.batched) against forward mode one direction at a time:
for every golden case, the stacked tangents of a few random directions through the whole
graph equal the tangents of each direction alone; Hessians by forward over reverse equal
Hessians by a backward pass per row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import gradcli
from gradcli import autodiff, batched

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
