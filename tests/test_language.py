"""The language: precedence, implicit multiplication, constants, statements, deep input."""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradcli
from gradcli.errors import GradcliError, ParseError


@pytest.mark.parametrize("program, value", [
    ("-x^2", -9.0), ("-x**2", -9.0), ("2^-1 * x", 1.5), ("2**3**2 + x", 515.0), ("2x", 6.0),
    ("3(x+1)", 12.0), ("2pi * x", 6 * math.pi), ("2x^2", 18.0), ("1/2x", 1 / 6), ("x - -x", 6.0),
    ("+x", 3.0), (".5 * x", 1.5), ("1e-3 * x", 0.003), ("2.5e1 + x", 28.0), ("e^0 * x", 3.0),
    ("x # comment", 3.0), ("a = x; a = a * 2; a + 1", 7.0), ("a = x\nb = a * a\n\n b", 9.0),
    ("(x\n + 1)", 4.0), ("x * 2 \\\n + 1", 7.0), ("import torch\nfrom torch import nn\nx", 3.0),
])
def test_values(program, value):
    r = gradcli.evaluate(program, {"x": 3})
    assert float(r.value) == pytest.approx(value, rel=1e-15)


def test_e_is_a_constant_unless_bound():
    assert float(gradcli.evaluate("e * x", {"x": 1}).value) == pytest.approx(math.e)
    r = gradcli.evaluate("e * x", {"x": 1, "e": 4})
    assert float(r.value) == 4 and float(r.grads["e"]) == 1


def test_three_spellings_are_one_op():
    for prog in ["tanh(x)", "x.tanh()", "torch.tanh(x)", "torch.nn.functional.tanh(x)"]:
        r = gradcli.evaluate(prog, {"x": 0.5})
        assert r.output_node.grad_fn == "TanhBackward0"
        assert float(r.grads["x"]) == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)


def test_constants_fold_and_are_not_nodes():
    r = gradcli.evaluate("2 * 3 * x + exp(0)", {"x": 1})
    assert [n.grad_fn for n in r.nodes] == [None, "MulBackward0", "AddBackward0"]


def test_no_common_subexpression_elimination():
    r = gradcli.evaluate("(x+w)*(x+w)", {"x": 1, "w": 2})
    assert [n.grad_fn for n in r.nodes].count("AddBackward0") == 2
    assert float(r.grads["x"]) == 6.0


def test_reassigned_names_stay_visible_with_unambiguous_labels():
    r = gradcli.evaluate("h = x * 2; h = h.tanh(); h = h + 1", {"x": 0.1})
    assert [n.label for n in r.nodes] == ["x", "h#1", "h#2", "h#3"]


def test_nonfinite_values_are_reported_not_hidden():
    r = gradcli.evaluate("log(x)", {"x": 0})
    assert float(r.value) == -math.inf and float(r.grads["x"]) == math.inf
    assert any("log(x)" in w and "-inf" in w for w in r.warnings)
    doc = r.to_dict()
    assert doc["value"] == "-Infinity" and doc["grads"]["x"] == "Infinity"


def test_fifty_thousand_terms_without_recursion():
    n = 50_000
    program = " + ".join(f"x*{i}" for i in range(1, n + 1))
    r = gradcli.evaluate(program, {"x": 1.5})
    assert float(r.grads["x"]) == n * (n + 1) / 2


def test_deep_nesting_without_recursion():
    depth = 100_000
    r = gradcli.evaluate("(" * depth + "x" + ")" * depth + " * 2", {"x": 1.5})
    assert float(r.grads["x"]) == 2.0
    r = gradcli.evaluate("tanh(" * 5000 + "x" + ")" * 5000, {"x": 0.1})
    assert 0 < float(r.grads["x"]) < 1
    r = gradcli.evaluate("-" * 10001 + "x", {"x": 1.0})
    assert float(r.grads["x"]) == -1.0


@pytest.mark.parametrize("program", ["x +", "(x", "x y", "f(a=1, 2)", "x = ", "]", "x..y",
                                     "1 +* 2", "x[", "@x"])
def test_syntax_errors_are_parse_errors(program):
    with pytest.raises(ParseError) as info:
        gradcli.evaluate(program, {"x": 1})
    assert info.value.line is not None and info.value.column is not None


def test_every_api_error_is_a_gradcli_error():
    for program, bindings in [("x", {}), ("x", {"x": "a"}), ("x", {"x": [[1], [1, 2]]}),
                              ("x.foo()", {"x": 1}), ("nosuch(x)", {"x": 1}),
                              ("x @ x", {"x": 1}), ("x[0]", {"x": 1}),
                              ("torch = 1", {}), ("x", {"x": 1, "1bad": 2})]:
        with pytest.raises(GradcliError):
            gradcli.evaluate(program, bindings)


def test_api_takes_numpy_arrays_and_lists():
    r = gradcli.evaluate("(W @ v).sum()", {"W": np.eye(2), "v": [1.0, 2.0]})
    assert float(r.value) == 3.0
    np.testing.assert_array_equal(r.grads["v"], [1.0, 1.0])


def test_clone_and_detach_are_functions_too():
    r = gradcli.evaluate("torch.clone(x) * torch.detach(x)", {"x": 3.0})
    assert [n.grad_fn for n in r.nodes] == [None, "CloneBackward0", None, "MulBackward0"]
    assert float(r.grads["x"]) == 3.0


def test_backward_with_a_gradient_is_a_vector_jacobian_product():
    program = ("x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = torch.sin(x) * x\n"
               "y.backward(torch.tensor([1., 0.1, -2.]))")
    r = gradcli.evaluate(program)
    x = np.array([1.0, 2.0, 3.0])
    v = np.array([1.0, 0.1, -2.0])
    np.testing.assert_allclose(r.grads["x"], v * (np.cos(x) * x + np.sin(x)), rtol=1e-14)
    with pytest.raises(gradcli.GradcliError, match="gradient has shape"):
        gradcli.evaluate("x = torch.ones(2, requires_grad=True)\ny = x * 2\n"
                         "y.backward(torch.ones(3))")


def test_maths_typography_gets_a_hint():
    with pytest.raises(ParseError) as info:
        gradcli.evaluate("x² + 1", {"x": 2})
    assert info.value.hint == "write x^2 or x**2"


def test_huge_integers_in_lists_become_floats_and_ragged_lists_are_named():
    r = gradcli.evaluate("(x * [99999999999999999999999, 1]).sum()", {"x": 1.0})
    assert float(r.value) == pytest.approx(1e23)
    with pytest.raises(GradcliError, match="ragged"):
        gradcli.evaluate("(x * [[1, 2], [3]]).sum()", {"x": 1.0})


def test_a_bound_variable_keeps_its_name_when_reassigned():
    r = gradcli.evaluate("x = x * 2; x + 1", {"x": 3.0})
    assert [n.label for n in r.nodes][:2] == ["x", "x#2"]
    assert {k: float(v) for k, v in r.grads.items()} == {"x": 2.0}
    assert r.lookup("x").is_leaf and float(r.lookup("x#2").value) == 6.0


def test_empty_tuple_and_nonfinite_wording():
    r = gradcli.evaluate("torch.ones(()) * x", {"x": 2.0})
    assert float(r.value) == 2.0
    assert gradcli.evaluate("x * 1", {"x": float("nan")}).warnings[0].endswith("holds NaN (as given)")
    r = gradcli.evaluate("log(c) + x", {"x": 1.0, "c": 0.0}, no_grad=["c"])
    assert "produced -inf" in r.warnings[0]
