"""gradcli against golden data recorded from PyTorch 2.13 (tests/golden/record.py).

For every case: the output value, every leaf gradient (under a non-uniform upstream
weight), the multiset of grad_fn names in the whole graph, and grad_fn / is_leaf /
requires_grad of every named tensor. Cases where PyTorch raised must raise GradcliError.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gradcli
from helpers import ancestors, close, from_json, weights_for

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch_golden.json").read_text())
CASES = GOLDEN["cases"]


def wrapped(program: str) -> str:
    *body, last = program.split("\n")
    return "\n".join([*body, f"out = {last}", "loss = (out * weights).sum()"])


def test_enough_cases():
    assert GOLDEN["torch"].startswith("2.13")
    assert len(CASES) >= 300


@pytest.mark.parametrize("case", CASES, ids=[f"{i}:{c['program'][:40]}" for i, c in
                                             enumerate(CASES)])
def test_matches_pytorch(case):
    bindings = dict(case["bindings"])
    if "error" in case:
        shape = ()
        bindings["weights"] = 1.0
        with pytest.raises(gradcli.GradcliError):
            gradcli.evaluate(wrapped(case["program"]), bindings,
                             no_grad=[*case["no_grad"], "weights"])
        return
    expected_value = from_json(case["value"])
    shape = expected_value.shape
    bindings["weights"] = weights_for(shape)
    r = gradcli.evaluate(wrapped(case["program"]), bindings,
                         no_grad=[*case["no_grad"], "weights"])
    out = r.variables["out"]
    assert close(out.value, expected_value), (out.value, expected_value)
    loss = r.output_node
    ours = sorted(n.grad_fn for n in ancestors(loss) if n.grad_fn is not None)
    assert ours == case["grad_fns"]
    assert out.grad_fn == case["out_grad_fn"]
    for name, (grad_fn, is_leaf, requires_grad) in case["named"].items():
        node = r.variables[name]
        assert (node.grad_fn, node.is_leaf, node.requires_grad) == (grad_fn, is_leaf,
                                                                    requires_grad), name
    for name, expected in case["grads"].items():
        node = r.variables[name]
        got = r.torch_grad(node)
        if expected is None:
            assert got is None, name
        else:
            assert got is not None, name
            assert close(got, from_json(expected)), (name, got, expected)
