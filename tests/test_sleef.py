"""gradcli.sleef computes PyTorch's float32 sigmoid, silu, exp2, sinh, cosh, expm1 and
log1p bit for bit (SLEEF's vector functions, glibc's scalar tail, PyTorch's block split).

tests/golden/float32_math_golden.json is recorded from PyTorch 2.13 (CPU, AVX512) by
tests/golden/record_float32_math.py.  NaNs compare equal whatever their sign or payload.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from gradcli import ops, sleef

GOLDEN = json.loads((Path(__file__).parent / "golden" / "float32_math_golden.json").read_text())
NAMES = sorted(GOLDEN["functions"])


def unhex(h: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(h), dtype=np.float32)


INPUTS = unhex(GOLDEN["inputs"])


def mismatches(got: np.ndarray, want: np.ndarray, x: np.ndarray) -> list:
    assert got.dtype == np.float32 and got.shape == want.shape
    bad = (got.view(np.uint32) != want.view(np.uint32)) & ~(np.isnan(got) & np.isnan(want))
    return [(float(a), float(b), float(c)) for a, b, c in zip(x[bad], got[bad], want[bad])][:5]


def test_recorded_block_is_the_ports():
    assert GOLDEN["block"] == sleef.VEC_BLOCK
    assert GOLDEN["capability"] == "AVX512"


@pytest.mark.parametrize("name", NAMES)
def test_vector_body_bit_for_bit(name):
    vec, _ = sleef.PATHS[name]
    want = unhex(GOLDEN["functions"][name]["vector"])
    assert mismatches(vec(INPUTS), want, INPUTS) == []
    # the whole input is a multiple of the block: the public function agrees
    assert mismatches(sleef.torch_float32(name)(INPUTS), want, INPUTS) == []


@pytest.mark.parametrize("name", [n for n in NAMES if n in sleef.EXACT_TAIL])
def test_scalar_tail_bit_for_bit(name):
    _, scalar = sleef.PATHS[name]
    want = unhex(GOLDEN["functions"][name]["scalar"])
    assert mismatches(scalar(INPUTS), want, INPUTS) == []


@pytest.mark.parametrize("name", [n for n in NAMES if n not in sleef.EXACT_TAIL])
def test_unported_tail_is_close(name):
    """sinh/cosh tails are glibc's sinhf/coshf, approximated: within one ulp; mish's tail
    (glibc's tanhf of log1pf of expf, each with its own error) within four."""
    _, scalar = sleef.PATHS[name]
    want = unhex(GOLDEN["functions"][name]["scalar"])
    got = scalar(INPUTS)
    finite = np.isfinite(want)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[~finite & ~np.isnan(want)], want[~finite & ~np.isnan(want)])
    ulps = np.abs(got[finite].view(np.int32).astype(np.int64) - want[finite].view(np.int32))
    assert ulps.max() <= (4 if name == "mish" else 1)


@pytest.mark.parametrize("name", NAMES)
def test_size_sweep_splits_like_pytorch(name):
    sweep = GOLDEN["sweeps"][name]
    x = unhex(sweep["inputs"])
    f = sleef.torch_float32(name)
    failed = {}
    for n, h in sweep["outputs"].items():
        n = int(n)
        want = unhex(h)
        if name not in sleef.EXACT_TAIL:   # compare the vector body only
            body = n - n % sleef.VEC_BLOCK
            got, want, xs = f(x[:n])[:body], want[:body], x[:body]
        else:
            got, xs = f(x[:n]), x[:n]
        bad = mismatches(got, want, xs)
        if bad:
            failed[n] = bad
    assert failed == {}


def test_sweep_inputs_do_tell_the_paths_apart():
    """The recorded sweeps start with values whose vector and scalar results differ, so
    a wrong split point fails test_size_sweep_splits_like_pytorch."""
    for name in ("sigmoid", "silu", "exp2"):
        sweep = GOLDEN["sweeps"][name]
        x = unhex(sweep["inputs"])[: sweep["differing"]]
        vec, scalar = sleef.PATHS[name]
        assert sweep["differing"] >= 40
        assert not np.array_equal(vec(x).view(np.uint32), scalar(x).view(np.uint32))


def test_shapes_and_scalars_keep_their_kind():
    x = np.arange(-12, 12, dtype=np.float32).reshape(2, 3, 4) / 4
    for name in NAMES:
        y = sleef.torch_float32(name)(x)
        assert y.shape == x.shape and y.dtype == np.float32
    s = ops.REGISTRY["sigmoid"].forward(np.float32(0.5))
    assert isinstance(s, np.float32)
    assert s == sleef.torch_float32("sigmoid")(np.array([0.5], np.float32))[0]


def test_ops_use_the_ports_for_float32_only():
    x = INPUTS[:64]
    for name in ("sigmoid", "exp2", "sinh", "cosh", "expm1", "log1p", "silu", "mish", "softplus"):
        got = ops.REGISTRY[name].forward(x)
        want = sleef.torch_float32(name)(x)
        assert mismatches(got, want, x) == []
    x64 = INPUTS[:64].astype(np.float64)
    with np.errstate(all="ignore"):
        assert ops.REGISTRY["expm1"].forward(x64).dtype == np.float64
        np.testing.assert_array_equal(ops.REGISTRY["log1p"].forward(x64), np.log1p(x64))


def _backward_id(case):
    size = len(case["g"]) // (2 * np.dtype(case["dtype"]).itemsize)
    return f"{case['op']}-{case['dtype']}-{size}"


@pytest.mark.parametrize("case", GOLDEN["backward"], ids=_backward_id)
def test_backward_kernels_bit_for_bit(case):
    """The VJPs round as PyTorch's tanh_backward (g * fma(-y, y, 1)), sigmoid_backward
    ((g * (1 - y)) * y) and silu_backward (g * s * fma(x, 1 - s, 1)) kernels."""
    dt = np.dtype(case["dtype"])
    g, x, y, want = (np.frombuffer(bytes.fromhex(case[k]), dtype=dt)
                     for k in ("g", "x", "y", "grad"))
    op = ops.REGISTRY[case["op"]]
    if case["op"] != "tanh" and dt == np.float32:
        # the forward too (tanh's float32 forward is MKL's, not ported)
        assert mismatches(op.forward(x), y, x) == []
    got = op.vjp[0](g, y, x)
    assert got.dtype == dt
    assert got.tobytes() == want.tobytes()




def unhex64(h: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(h), dtype=np.float64)


def same64(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all((a.view(np.uint64) == b.view(np.uint64)) | (np.isnan(a) & np.isnan(b))))


F64_PORTS = {"sigmoid": (sleef.sigmoid_f64, sleef._sigmoid_scalar_f64),
             "expm1": (sleef.expm1_f64, sleef.expm1_f64),
             "log1p": (sleef.log1p_f64, sleef.log1p_f64)}


@pytest.mark.parametrize("name", sorted(F64_PORTS))
def test_float64_bit_for_bit(name):
    """float64 sigmoid (SLEEF's expd in blocks of 16, glibc's exp in the tail), expm1 and
    log1p (SLEEF on every element)."""
    case = GOLDEN["float64"][name]
    port, scalar = F64_PORTS[name]
    x = unhex64(case["inputs"])
    assert x.size % sleef.VEC_BLOCK_F64 == 0
    assert same64(port(x), unhex64(case["vector"]))
    assert same64(ops.REGISTRY[name].forward(x), unhex64(case["vector"]))
    assert same64(scalar(x), unhex64(case["scalar"]))
    sx = unhex64(case["sweep_inputs"])
    for n, h in case["sweep"].items():
        assert same64(ops.REGISTRY[name].forward(sx[: int(n)]), unhex64(h)), n
    assert isinstance(ops.REGISTRY[name].forward(np.float64(0.25)), np.float64)


_spec = importlib.util.spec_from_file_location(
    "record_float32_math", Path(__file__).parent / "golden" / "record_float32_math.py")
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("view", sorted(record.VIEWS))
def test_strided_views_split_like_tensoriterator(view, dtype):
    """Transposed views run in memory order, sliced ones per contiguous row, strided
    ones through the scalar lambda only, broadcast ones per row."""
    x = record.VIEWS[view](record.layout_base(dtype), np.broadcast_to)
    got = ops.REGISTRY["sigmoid"].forward(x)
    assert got.shape == x.shape and got.dtype == x.dtype
    assert record.digest(got) == GOLDEN["layouts"][dtype][view]


def test_layout_cases_do_tell_the_orders_apart():
    """A flat C-order split of the same views gives other bits for most of them."""
    differ = 0
    for dtype in ("float32", "float64"):
        for view, fn in record.VIEWS.items():
            x = fn(record.layout_base(dtype), np.broadcast_to)
            flat = np.ascontiguousarray(x)
            naive = sleef.vec_split(flat, *(sleef.PATHS["sigmoid"] if dtype == "float32" else
                                            (sleef._sigmoid_vec_f64, sleef._sigmoid_scalar_f64)))
            differ += record.digest(naive) != GOLDEN["layouts"][dtype][view]
    assert differ >= 8


BCE = json.loads((Path(__file__).parent / "golden" / "bce_float32_golden.json").read_text())


def test_float32_bce_is_pytorchs_scalar_kernel():
    """binary_cross_entropy in float32: glibc's logf/log1pf element by element (recorded
    from PyTorch 2.13), and the mean in PyTorch's summation order."""
    p, t = unhex(BCE["p"]), unhex(BCE["t"])
    got = ops._bce(p, t)
    assert mismatches(got, unhex(BCE["none"]), p) == []
    for n, want in BCE["mean"].items():
        r = ops.REGISTRY["binary_cross_entropy"].forward(p[:int(n)], t[:int(n)])
        assert np.asarray(r, dtype=np.float32).tobytes() == unhex(want).tobytes(), n


def test_logf_and_log1pf_are_this_machines_libm():
    """The ports against the C library they follow, on random and special inputs (the
    machine's glibc is the oracle; skipped where there is no glibc)."""
    import ctypes

    try:
        libm = ctypes.CDLL("libm.so.6")
    except OSError:
        pytest.skip("no glibc libm")
    rng = np.random.default_rng(5)
    with np.errstate(invalid="ignore"):  # NaN bit patterns pass through float64
        x = np.concatenate([
            rng.random(20000), rng.random(5000) * 100, np.exp(rng.uniform(-100, 88, 5000)),
            -rng.random(5000),
            rng.integers(0, 2 ** 32, 5000, dtype=np.uint64).astype(np.uint32).view(np.float32),
            [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-40, -1e-40, 2.0 ** -30,
             -2.0 ** -30, 0.41422, -0.2929]]).astype(np.float32)
    for name, port in (("logf", sleef.logf_glibc), ("log1pf", sleef.log1pf_glibc)):
        f = getattr(libm, name)
        f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
        want = np.array([f(float(v)) for v in x], dtype=np.float32)
        with np.errstate(all="ignore"):
            got = port(x)
        assert mismatches(got, want, x) == [], name


POW = json.loads((Path(__file__).parent / "golden" / "pow_f32_golden.json").read_text())


@pytest.mark.parametrize("p", sorted(POW["pows"]))
def test_pow_scalar_bit_for_bit(p):
    """x ** p (tests/golden/record_pow_f32.py): SLEEF's powf in the vector body, pow in
    float64 rounded in the tail, as PyTorch's kernel."""
    x = unhex(POW["inputs"])
    body = x[: len(x) // 32 * 32]
    want = unhex(POW["pows"][p]["vector"])
    assert mismatches(sleef.pow_vec(body, np.float32(float(p))), want, body) == []
    rows = x.reshape(-1, 45)
    got = np.concatenate([ops.REGISTRY["pow"].forward(r.copy(), float(p)) for r in rows])
    assert mismatches(got, unhex(POW["pows"][p]["rows45"]), x) == []
