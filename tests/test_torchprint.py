"""gradcli.torchprint prints tensors exactly as PyTorch 2.13 does.

Every expected string comes from tests/golden/repr_golden.json, recorded with
tests/golden/record_repr.py under real PyTorch.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradcli import torchprint as tp

GOLDEN = json.loads((Path(__file__).parent / "golden" / "repr_golden.json").read_text())
CASES = GOLDEN["cases"]
ITEMS = GOLDEN["items"]


def unpack(case: dict) -> np.ndarray:
    dtype = np.dtype(case["dtype"]).newbyteorder("<")
    return np.frombuffer(bytes.fromhex(case["data"]), dtype=dtype).astype(
        case["dtype"]).reshape(case["shape"])


def case_id(i: int) -> str:
    c = CASES[i]
    opts = ",".join(f"{k}={v}" for k, v in c["options"].items())
    return f"{i}-{c['dtype']}-{'x'.join(map(str, c['shape'])) or '0d'}-{c['default_dtype']}" + (
        f"-{opts}" if opts else "")


def render(case: dict, **extra) -> str:
    return tp.tensor_repr(unpack(case), default_dtype=case["default_dtype"],
                          grad_fn=case["grad_fn"], requires_grad=case["requires_grad"],
                          **case["options"], **extra)


@pytest.mark.parametrize("i", range(len(CASES)), ids=case_id)
def test_repr_matches_torch(i):
    case = CASES[i]
    a = unpack(case)
    assert render(case) == case["repr"]
    assert case["str_is_repr"]
    assert tp.size_repr(a.shape) == case["size"] == case["size_repr"]
    assert tp.dtype_repr(a.dtype) == case["dtype_str"]
    if "format" in case:
        assert tp.tensor_format(a) == case["format"]
        assert tp.item_repr(a) == case["item"]
    if "repr_param" in case:
        opts = tp.set_printoptions(**case["options"])
        got = tp.parameter_repr(a, default_dtype=case["default_dtype"],
                                requires_grad=a.dtype.kind == "f", options=opts)
        assert got == case["repr_param"]


def test_golden_covers_the_brief():
    assert len(CASES) >= 500
    dtypes = {c["dtype"] for c in CASES}
    assert dtypes >= {"float64", "float32", "float16", "int64", "int32", "int16", "int8",
                      "uint8", "bool"}
    assert {c["default_dtype"] for c in CASES} == {"float32", "float64"}
    assert any(c["grad_fn"] for c in CASES) and any(
        c["requires_grad"] and not c["grad_fn"] for c in CASES)
    assert any("..." in c["repr"] for c in CASES)
    assert any("e+" in c["repr"] or "e-" in c["repr"] for c in CASES)
    assert any(len(c["shape"]) == 4 for c in CASES)
    assert any(0 in c["shape"] for c in CASES)


@pytest.mark.parametrize("i", range(len(ITEMS)))
def test_item_repr_matches_torch(i):
    item = ITEMS[i]
    assert tp.float_repr(float.fromhex(item["x"]), item["dtype"]) == item["repr"]


def test_options_are_torchs():
    o = tp.set_printoptions(precision=2, sci_mode=True)
    assert (o.precision, o.sci_mode) == (2, True)
    # As in torch, a later call without sci_mode goes back to automatic.
    o2 = o.updated(threshold=5)
    assert (o2.precision, o2.threshold, o2.sci_mode) == (2, 5, None)
    assert tp.set_printoptions(o2, profile="full").threshold == math.inf
    assert tp.set_printoptions(profile="short").edgeitems == 2


def test_prefix_sets_indent():
    a = np.arange(60, dtype=np.float64).reshape(3, 20) / 7
    plain = tp.tensor_repr(a, default_dtype="float64", requires_grad=True)
    assert tp.tensor_repr(a, default_dtype="float64", requires_grad=True,
                          prefix="Parameter containing:\ntensor(") == (
        "Parameter containing:\n" + plain)


def test_fast_enough():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(1000)
    b = rng.standard_normal((100, 100))
    tp.tensor_repr(a)
    t0 = time.perf_counter()
    for _ in range(10):
        tp.tensor_repr(a)
        tp.tensor_repr(b)
    assert (time.perf_counter() - t0) / 10 < 0.05


def test_deep_tensor_uses_no_recursion():
    a = np.zeros((1,) * 64)
    text = tp.tensor_repr(a, default_dtype="float64")
    assert text == "tensor(" + "[" * 64 + "0." + "]" * 64 + ")"


SUPPORTED = st.sampled_from(["float64", "float32", "float16", "int64", "int32", "int16",
                             "int8", "uint8", "bool"])


@settings(max_examples=150, deadline=None)
@given(data=st.data(), dtype=SUPPORTED,
       shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
       default=st.sampled_from(["float32", "float64"]),
       precision=st.integers(0, 8), edgeitems=st.integers(0, 4),
       threshold=st.integers(0, 2000), linewidth=st.integers(1, 150),
       sci=st.sampled_from([None, True, False]))
def test_never_raises(data, dtype, shape, default, precision, edgeitems, threshold,
                      linewidth, sci):
    a = data.draw(hnp.arrays(np.dtype(dtype), shape))
    text = tp.tensor_repr(a, default_dtype=default, precision=precision, edgeitems=edgeitems,
                          threshold=threshold, linewidth=linewidth, sci_mode=sci,
                          requires_grad=data.draw(st.booleans()))
    assert text.startswith("tensor(") and text.endswith(")")
    assert text.count("[") == text.count("]")
