"""Record PyTorch's float32 single-column matrix products and 2-norms for
tests/test_blas_f32.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_blas_f32.py

Writes tests/golden/blas_f32_golden.json. Each case's inputs are regenerated from a seed
by ``make_inputs`` below (NumPy's PCG64; the sha256 of the raw bytes is stored so a changed
generator fails loudly). Recorded as the raw little-endian bytes (hex; their sha256 beyond 16 elements) of:
``F.linear(X, W)`` and ``F.linear(X, W, b)`` (one output feature: X @ W.t() (+ b)),
``torch.mv(X, w)``, ``X @ c`` for a contiguous column c, and ``X.norm()`` /
``X.norm(dim=-1)`` -- with PyTorch's default number of threads and with one thread.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("blas_f32_golden.json")
ROWS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 32, 64, 100, 759]
INNER = [2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 19, 20, 33, 64, 100, 200, 784]
NORM_SHAPES = [[1], [2], [3], [5], [7], [8], [9], [12], [15], [17], [23], [64], [100], [200],
               [784], [3, 7], [4, 13], [16, 4], [2, 3, 9], [64, 10]]


def make_inputs(seed: int, m: int, k: int) -> dict:
    rng = np.random.default_rng(seed)
    scale = np.float32(10.0 ** rng.uniform(-2, 2))
    return {"X": (rng.standard_normal((m, k)) * scale).astype(np.float32),
            "W": rng.standard_normal((1, k)).astype(np.float32),
            "b": rng.standard_normal(1).astype(np.float32)}


def encode(x: np.ndarray) -> str:
    """Raw bytes in hex for results of up to 16 elements, else their sha256 (shared with
    tests/test_blas_f32.py)."""
    raw = np.ascontiguousarray(x).tobytes()
    return raw.hex() if x.size <= 16 else "sha256:" + hashlib.sha256(raw).hexdigest()


def digest(arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    import torch
    import torch.nn.functional as F

    cases = []
    seed = 0
    for threads in (0, 1):
        if threads:
            torch.set_num_threads(threads)
        for m in ROWS:
            for k in INNER:
                seed += 1
                d = make_inputs(seed, m, k)
                X, W, b = (torch.from_numpy(d[n]) for n in ("X", "W", "b"))
                out = {"linear": F.linear(X, W), "linear_bias": F.linear(X, W, b),
                       "mv": torch.mv(X, W[0]), "mm_column": X @ W.t().contiguous()}
                cases.append({"kind": "product", "seed": seed, "m": m, "k": k,
                              "threads": threads or torch.get_num_threads(),
                              "inputs": digest([d["X"], d["W"], d["b"]]),
                              **{n: encode(v.numpy()) for n, v in out.items()}})
        for shape in NORM_SHAPES:
            seed += 1
            x = make_inputs(seed, 1, int(np.prod(shape)))["X"].reshape(shape)
            t = torch.from_numpy(x)
            cases.append({"kind": "norm", "seed": seed, "shape": shape,
                          "threads": threads or torch.get_num_threads(),
                          "inputs": digest([x]), "all": encode(t.norm().numpy()),
                          "last": encode(t.norm(dim=-1).numpy())})
    header = {"torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability()}
    OUT.write_text(json.dumps({"header": header, "cases": cases}, indent=0) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
