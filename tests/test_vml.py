"""float32 sqrt bit for bit against PyTorch 2.13 (MKL's vsSqrt): inputs over every
exponent, subnormals and specials, recorded by tests/golden/record_sqrt_f32.py."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np

from gradcli import ops, vml

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN = json.loads((GOLDEN_DIR / "sqrt_f32_golden.json").read_text())


def _inputs() -> np.ndarray:
    # record_sqrt_f32.py imports torch at its top; only its input generator is needed
    src = (GOLDEN_DIR / "record_sqrt_f32.py").read_text()
    body = src[src.index("def sample_inputs"):src.index("def main")]
    ns: dict = {"np": np}
    exec(compile(body, "record_sqrt_f32.py", "exec"), ns)
    return ns["sample_inputs"]()


def test_sqrt_matches_pytorch_bit_for_bit():
    xs = _inputs()
    assert hashlib.sha256(xs.tobytes()).hexdigest()[:16] == GOLDEN["inputs_sha"]
    want = np.array(GOLDEN["results"], dtype=np.uint32)
    got = vml.sqrt_f32(xs).view(np.uint32)
    nan = np.isnan(xs) | (xs < 0)
    assert np.array_equal(got[~nan], want[~nan])
    assert np.all(np.isnan(got.view(np.float32)[nan]))


def test_sqrt_op_and_shapes():
    x = np.array([[2.0, 3.0], [5.0, 7.0]], dtype=np.float32)
    assert np.array_equal(ops.REGISTRY["sqrt"].forward(x), vml.sqrt_f32(x))
    assert vml.sqrt_f32(np.float32(4.0)) == np.float32(2.0)
    assert vml.sqrt_f32(np.zeros((0, 3), np.float32)).shape == (0, 3)
    # float64 stays correctly rounded
    assert ops.REGISTRY["sqrt"].forward(np.float64(2.0)) == np.sqrt(2.0)


TANH = json.loads((GOLDEN_DIR / "tanh_f32_golden.json").read_text())


def test_tanh_matches_pytorch_bit_for_bit():
    xs = np.array(TANH["inputs"], dtype=np.uint32).view(np.float32)
    assert hashlib.sha256(xs.tobytes()).hexdigest()[:16] == TANH["inputs_sha"]
    want = np.array(TANH["results"], dtype=np.uint32)
    got = vml.tanh_f32(xs).view(np.uint32)
    nan = np.isnan(xs)
    assert np.array_equal(got[~nan], want[~nan])
    assert np.all(np.isnan(got.view(np.float32)[nan]))
    # the inputs include PyTorch's exceptions: without the table they would differ
    plain = np.tanh(xs.astype(np.float64)).astype(np.float32).view(np.uint32)
    assert np.count_nonzero(plain[~nan] != want[~nan]) >= 2000


def test_tanh_op_and_shapes():
    x = np.array([[0.5, -2.0], [3.0, -0.001]], dtype=np.float32)
    assert np.array_equal(ops.REGISTRY["tanh"].forward(x), vml.tanh_f32(x))
    assert vml.tanh_f32(np.zeros((0, 3), np.float32)).shape == (0, 3)
    assert ops.REGISTRY["tanh"].forward(np.float64(0.5)) == np.tanh(0.5)
