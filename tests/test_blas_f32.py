"""float32 products with one column and 2-norms, bit for bit against PyTorch 2.13.

tests/golden/blas_f32_golden.json is recorded by tests/golden/record_blas_f32.py (PyTorch's
default thread count and one thread): F.linear with one output feature (with and without
bias), torch.mv, a matrix times a contiguous column, and x.norm() / x.norm(dim=-1).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from gradcli import ops

GOLDEN_DIR = Path(__file__).parent / "golden"
GOLDEN = json.loads((GOLDEN_DIR / "blas_f32_golden.json").read_text())
_spec = importlib.util.spec_from_file_location("record_blas_f32",
                                               GOLDEN_DIR / "record_blas_f32.py")
REC = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(REC)  # type: ignore[union-attr]

PRODUCTS = [c for c in GOLDEN["cases"] if c["kind"] == "product"]
NORMS = [c for c in GOLDEN["cases"] if c["kind"] == "norm"]
BLOCKED = [c for c in GOLDEN["cases"] if c["kind"] == "blocked"]
NARROW = [c for c in GOLDEN["cases"] if c["kind"] == "narrow"]


@pytest.fixture(autouse=True)
def _threads(request, monkeypatch):
    """MKL's thread count the case was recorded with."""
    spec = getattr(request.node, "callspec", None)
    case = spec.params.get("case") if spec is not None else None
    if case is not None:
        monkeypatch.setattr(ops, "MKL_THREADS", case["threads"])


@pytest.mark.parametrize("case", PRODUCTS,
                         ids=[f"{c['m']}x{c['k']}-t{c['threads']}" for c in PRODUCTS])
def test_single_column_products(case):
    d = REC.make_inputs(case["seed"], case["m"], case["k"])
    assert REC.digest([d["X"], d["W"], d["b"]]) == case["inputs"]
    X, W, b = d["X"], d["W"], d["b"]
    got = {"linear": ops.REGISTRY["mm"].forward(X, W.T),
           "linear_bias": ops.REGISTRY["addmm"].forward(b, X, W.T),
           "mv": ops.REGISTRY["mv"].forward(X, W[0]),
           "mm_column": ops.REGISTRY["mm"].forward(X, np.ascontiguousarray(W.T))}
    for name, value in got.items():
        assert REC.encode(np.asarray(value, dtype=np.float32)) == case[name], name


@pytest.mark.parametrize("case", NORMS, ids=[f"{c['shape']}-t{c['threads']}" for c in NORMS])
def test_two_norms(case):
    x = REC.make_inputs(case["seed"], 1, int(np.prod(case["shape"])))["X"].reshape(
        case["shape"])
    assert REC.digest([x]) == case["inputs"]
    norm = ops.REGISTRY["norm"].forward
    assert REC.encode(np.asarray(norm(x, 2.0, None, False))) == case["all"]
    assert REC.encode(np.asarray(norm(x, 2.0, (x.ndim - 1,), False))) == case["last"]


@pytest.mark.parametrize("case", BLOCKED,
                         ids=[f"{c['m']}x{c['n']}x{c['k']}-t{c['threads']}" for c in BLOCKED])
def test_blocked_products(case):
    d = REC.make_inputs(case["seed"], case["m"], case["k"])
    rng = np.random.default_rng(case["seed"])
    W = rng.standard_normal((case["n"], case["k"])).astype(np.float32)
    b = rng.standard_normal(case["n"]).astype(np.float32)
    B = rng.standard_normal((case["k"], case["n"])).astype(np.float32)
    X = d["X"]
    assert REC.digest([X, W, b, B]) == case["inputs"]
    mm, addmm = ops.REGISTRY["mm"].forward, ops.REGISTRY["addmm"].forward
    got = {"linear": mm(X, W.T), "linear_bias": addmm(b, X, W.T), "mm": mm(X, B),
           "mm_at": mm(np.ascontiguousarray(X.T).T, B)}
    split = ops._split_rows(case["m"], case["n"], case["k"]) < case["m"]
    for name, value in got.items():
        if split and name in ("mm", "mm_at"):
            continue  # their split rows are summed in k order: most, not all, bit for bit
        assert REC.encode(np.asarray(value, dtype=np.float32)) == case[name], name


@pytest.mark.parametrize("case", NARROW, ids=[
    f"{c['m']}x{c['n']}x{c['k']}+{c['skip']}-t{c['threads']}" for c in NARROW])
def test_narrow_products(case):
    rng = np.random.default_rng(case["seed"])
    m, n, k, skip = case["m"], case["n"], case["k"], case["skip"]
    Xb = rng.standard_normal((m + skip, k)).astype(np.float32)
    W = rng.standard_normal((n, k)).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    assert REC.digest([Xb, W, b]) == case["inputs"]
    X = Xb[skip:]  # a view: its rows start where they lie in Xb
    mm, addmm = ops.REGISTRY["mm"].forward, ops.REGISTRY["addmm"].forward
    assert REC.encode(np.asarray(mm(X, W.T))) == case["linear"]
    assert REC.encode(np.asarray(addmm(b, X, W.T))) == case["linear_bias"]
