"""gradcli.torchsum adds in PyTorch's CPU order: bit-identical sum and mean.

tests/golden/sum_golden.json is recorded from PyTorch 2.13 (CPU, one thread,
and 2-4 threads for the cases that say so) by tests/golden/record_sum.py;
inputs are regenerated from their seeds.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from gradcli.torchsum import SMALL_SUM, torch_mean, torch_sum

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN = json.loads((GOLDEN_DIR / "sum_golden.json").read_text())

_spec = importlib.util.spec_from_file_location("record_sum", GOLDEN_DIR / "record_sum.py")
record_sum = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record_sum)


def _case_id(case):
    ident = f"{case['dtype']}-{'x'.join(map(str, case['shape']))}-{case['kind']}"
    return ident + (f"-{case['threads']}threads" if "threads" in case else "")


def _check(got: np.ndarray, shape, expected: str) -> bool:
    raw = np.ascontiguousarray(got).tobytes()
    if list(got.shape) != shape:
        return False
    if expected.startswith("sha256:"):
        return "sha256:" + hashlib.sha256(raw).hexdigest() == expected
    return raw.hex() == expected


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=_case_id)
def test_sum_and_mean_bits_match_pytorch(case):
    x = record_sum.make_input(case["seed"], case["shape"], case["dtype"], case["kind"])
    assert record_sum.digest(x) == case["sha"], "input generator changed"
    threads = case.get("threads", 1)
    bad = []
    for key, want in case["results"].items():
        axis = None if key == "all" else int(key)
        got_sum = torch_sum(x, axis, threads=threads)
        assert got_sum.dtype == x.dtype
        if not _check(got_sum, want["shape"], want["sum"]):
            bad.append(("sum", key))
        with np.errstate(all="ignore"):
            got_mean = torch_mean(x, axis, threads=threads)
        if not _check(got_mean, want["shape"], want["mean"]):
            bad.append(("mean", key))
    assert not bad


def test_golden_covers_every_case_type():
    kinds = Counter()
    for case in GOLDEN["cases"]:
        for key in case["results"]:
            kinds[(case["dtype"], len(case["shape"]), key)] += 1
    for dtype in ("float32", "float64"):
        assert kinds[(dtype, 1, "all")] >= 100
        for key in ("all", "0", "1"):
            assert kinds[(dtype, 2, key)] >= 200
    assert GOLDEN["threads"] == 1
    threaded = Counter(c["threads"] for c in GOLDEN["cases"] if "threads" in c)
    assert set(threaded) == {2, 3, 4}


def test_keepdims_and_tuple_axes():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert torch_sum(x, 1, keepdims=True).shape == (3, 1)
    assert torch_sum(x, (0, 1), keepdims=True).shape == (1, 1)
    assert torch_sum(x, (0, 1)).tobytes() == torch_sum(x).tobytes()
    assert torch_sum(x, -1).tobytes() == torch_sum(x, 1).tobytes()
    assert torch_mean(x, 0, keepdims=True).shape == (1, 4)
    assert torch_sum(np.full(5, -0.0)).tobytes() == np.float64(0.0).tobytes()
    assert np.isnan(torch_mean(np.zeros(0, np.float32)))


def test_million_element_sum_is_vectorised():
    import time

    x = np.random.default_rng(0).standard_normal(1_000_000).astype(np.float32)
    torch_sum(x)
    start = time.perf_counter()
    torch_sum(x)
    assert time.perf_counter() - start < 0.5


def test_small_sums_in_ops_follow_torchsum_bit_for_bit():
    """ops' replayed plan for small full sums (the common lesson case) against torch_sum,
    signed zeros included."""
    from gradcli import ops

    rng = np.random.default_rng(11)
    for _ in range(3000):
        n = int(rng.integers(1, SMALL_SUM + 1))
        dt = (np.float32, np.float64)[int(rng.integers(0, 2))]
        x = (rng.standard_normal(n) * 10 ** rng.uniform(-4, 6)).astype(dt)
        if rng.random() < 0.2:
            x[rng.integers(0, n)] = -0.0
        for mean, ref in ((False, torch_sum), (True, torch_mean)):
            got = np.asarray(ops._sum(x, mean=mean))
            assert got.dtype == dt and got.tobytes() == ref(x).tobytes()


def test_short_dim_sums_in_ops_follow_torchsum_bit_for_bit():
    """ops' shortcut for sums and means over a dim of fewer than 4 values (left to right)
    against torch_sum/torch_mean, both dims, keepdim, signed zeros included."""
    from gradcli import ops

    rng = np.random.default_rng(12)
    for _ in range(2000):
        shape = [int(rng.integers(1, 40)), int(rng.integers(1, 40))]
        axis = int(rng.integers(-2, 2))
        shape[axis] = int(rng.integers(1, 4))
        dt = (np.float32, np.float64)[int(rng.integers(0, 2))]
        x = (rng.standard_normal(shape) * 10 ** rng.uniform(-4, 6)).astype(dt)
        x[rng.random(shape) < 0.1] = -0.0
        keep = bool(rng.integers(0, 2))
        for mean, ref in ((False, torch_sum), (True, torch_mean)):
            got = np.asarray(ops._sum(x, axis, keep, mean=mean))
            want = ref(x, axis % 2, keep)
            assert got.dtype == dt and got.shape == want.shape
            assert got.tobytes() == want.tobytes(), (shape, axis, keep, mean)
