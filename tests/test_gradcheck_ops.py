"""Every op's backward against central finite differences, at the golden cases' random points,
and every registry op covered by the PyTorch golden data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import gradcli
import gradcli.nn  # noqa: F401  (registers the ops of nn's layers and losses, whatever the
#                                 order the tests run in)
from gradcli.ops import GRADIENT_ONLY, REGISTRY
from helpers import from_json, weights_for

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch_golden.json").read_text())


def _smooth(case) -> bool:
    """Cases at random points (not hand-placed on kinks, ties or domain edges)."""
    if "error" in case or not case["bindings"]:
        return False
    for v in case["bindings"].values():
        a = np.asarray(v, dtype=float)
        if np.any(a == np.round(a)):
            return False
    return not any(k in case["program"] for k in ("floor", "sign", "max", "min", "clamp",
                                                   "where", "abs", "relu", "detach"))


CASES = [c for c in GOLDEN["cases"] if _smooth(c)]


def wrapped(program: str) -> str:
    *body, last = program.split("\n")
    return "\n".join([*body, f"out = {last}", "loss = (out * weights).sum()"])


@pytest.mark.parametrize("case", CASES, ids=[c["program"][:40] for c in CASES])
def test_backward_matches_finite_differences(case):
    program = wrapped(case["program"])
    base = {k: np.asarray(v, dtype=np.float64) for k, v in case["bindings"].items()}
    base["weights"] = weights_for(from_json(case["value"]).shape)
    no_grad = [*case["no_grad"], "weights"]
    r = gradcli.evaluate(program, base, no_grad=no_grad)
    eps = 1e-6
    for name in case["bindings"]:
        if name in case["no_grad"]:
            continue
        x = base[name]
        numeric = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            hi, lo = x.copy(), x.copy()
            hi[i] += eps
            lo[i] -= eps
            f_hi = gradcli.evaluate(program, {**base, name: hi}, no_grad=no_grad).value
            f_lo = gradcli.evaluate(program, {**base, name: lo}, no_grad=no_grad).value
            numeric[i] = (float(f_hi) - float(f_lo)) / (2 * eps)
        np.testing.assert_allclose(r.grads[name], numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{case['program']} d/d{name}")


def test_every_registry_op_is_in_the_golden_data():
    seen = {name for c in GOLDEN["cases"] for name in c.get("grad_fns", [])}
    # ops only lesson programs reach (iteration, x[i] = v, copy_, zero_, .double()):
    # their grad_fns are in the lesson golden data, recorded from PyTorch by statements
    lessons = json.loads((Path(__file__).parent / "lessons" / "golden.json").read_text())
    for prog in lessons["programs"].values():
        for mode in prog.values():
            seen |= {v["grad_fn"] for v in mode["variables"].values() if v["grad_fn"]}
            seen |= set(re.findall(r"<(\w+Backward\w*|CopySlices)", mode["stdout"]))
    missing = sorted(op.grad_fn for key, op in REGISTRY.items()
                     if op.grad_fn not in seen and key not in GRADIENT_ONLY)
    assert missing == [], missing
