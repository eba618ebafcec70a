"""The course's worked examples (shared SEEDS.md), with their exact numbers and names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gradcli

ROOT = Path(__file__).resolve().parent.parent


def grads(r):
    return {k: float(np.asarray(v).reshape(-1)[0]) for k, v in r.grads.items()}


@pytest.mark.parametrize("program", ["(x+w)*(w+1)", "a = x + w; b = w + 1; y = a * b",
                                     "a = x + w\nb = w + 1\ny = a * b\ny.backward()"])
def test_y_equals_x_plus_w_times_w_plus_1(program):
    r = gradcli.evaluate(program, {"x": 2, "w": 1})
    assert float(r.value) == 6.0
    assert grads(r) == {"x": 2.0, "w": 5.0}
    assert r.output_node.grad_fn == "MulBackward0"
    adds = [n for n in r.nodes if n.grad_fn == "AddBackward0"]
    assert len(adds) == 2
    assert sorted(float(n.value) for n in adds) == [2.0, 3.0]
    # dy/da = b = 2 and dy/db = a = 3
    assert {float(n.value): float(r.grad(n)) for n in adds} == {3.0: 2.0, 2.0: 3.0}
    leaves = [n for n in r.nodes if n.is_leaf]
    assert [n.name for n in leaves] == ["x", "w"] and all(n.grad_fn is None for n in leaves)


def test_named_nodes_have_their_names_and_grad_fns():
    r = gradcli.evaluate("a = x + w; b = w + 1; y = a * b", {"x": 2, "w": 1})
    v = r.variables
    assert (v["a"].grad_fn, v["b"].grad_fn, v["y"].grad_fn) == ("AddBackward0", "AddBackward0",
                                                                 "MulBackward0")
    assert [v[k].is_leaf for k in "xwaby"] == [True, True, False, False, False]


def test_pasted_pytorch_code_and_retain_grad():
    program = (ROOT / "examples" / "retain_grad.py").read_text()
    r = gradcli.evaluate(program)
    v = r.variables
    kept = {k: r.torch_grad(v[k]) for k in "wxaby"}
    assert float(kept["w"][0]) == 5.0 and float(kept["x"][0]) == 2.0
    assert float(kept["a"][0]) == 2.0
    assert kept["b"] is None and kept["y"] is None
    assert [v[k].is_leaf for k in "wxaby"] == [True, True, False, False, False]
    assert v["a"].retains_grad and not v["b"].retains_grad


def test_J_equals_3_times_a_plus_b_c():
    r = gradcli.evaluate("u = b * c; v = a + u; J = 3 * v", {"a": 5, "b": 3, "c": 2})
    assert float(r.value) == 33.0
    assert grads(r) == {"a": 3.0, "b": 6.0, "c": 9.0}
    v = r.variables
    assert (v["u"].grad_fn, v["v"].grad_fn, v["J"].grad_fn) == ("MulBackward0", "AddBackward0",
                                                                 "MulBackward0")


def test_linear_model():
    r = gradcli.evaluate("y = w * x + b", {"w": 2, "x": 1, "b": 1})
    assert float(r.value) == 3.0
    g = grads(r)
    assert g["w"] == 1.0 and g["b"] == 1.0 and g["x"] == 2.0


def test_rnn_cell_shapes_and_names():
    program = """h2h = torch.mm(W_h, prev_h.t())
i2h = torch.mm(W_x, x.t())
next_h = h2h + i2h
next_h = next_h.tanh()
loss = next_h.sum()
loss.backward()"""
    rng = np.random.default_rng(0)
    b = {"W_h": rng.standard_normal((20, 20)), "W_x": rng.standard_normal((20, 10)),
         "x": rng.standard_normal((1, 10)), "prev_h": rng.standard_normal((1, 20))}
    r = gradcli.evaluate(program, b, no_grad=["x", "prev_h"])
    by_label = {n.label: n for n in r.nodes}
    assert by_label["h2h"].grad_fn == "MmBackward0" and by_label["i2h"].grad_fn == "MmBackward0"
    assert by_label["next_h#1"].grad_fn == "AddBackward0"
    assert by_label["next_h#2"].grad_fn == "TanhBackward0"
    assert by_label["loss"].grad_fn == "SumBackward0"
    transposes = [n for n in r.nodes if n.expr in ("prev_h.t()", "x.t()")]
    assert len(transposes) == 2
    assert all(n.is_leaf and n.grad_fn is None and not n.requires_grad for n in transposes)
    assert r.grads["W_h"].shape == (20, 20) and r.grads["W_x"].shape == (20, 10)
    # the gradient by hand: d loss / d W_h = (1 - tanh^2) @ prev_h
    pre = b["W_h"] @ b["prev_h"].T + b["W_x"] @ b["x"].T
    local = 1 - np.tanh(pre) ** 2
    # PyTorch (and gradcli) fuse 1 - y * y into one rounding; the unfused hand formula
    # loses up to ~1e-10 relative to cancellation where tanh is near +-1.
    np.testing.assert_allclose(r.grads["W_h"], local @ b["prev_h"], rtol=1e-9)
    np.testing.assert_allclose(r.grads["W_x"], local @ b["x"], rtol=1e-9)
