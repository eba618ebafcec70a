"""Record PyTorch's float32 single-column matrix products and 2-norms for
tests/test_blas_f32.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_blas_f32.py

Writes tests/golden/blas_f32_golden.json. Each case's inputs are regenerated from a seed
by ``make_inputs`` below (NumPy's PCG64; the sha256 of the raw bytes is stored so a changed
generator fails loudly). Recorded as the raw little-endian bytes (hex; their sha256 beyond 16 elements) of:
``F.linear(X, W)`` and ``F.linear(X, W, b)`` (one output feature: X @ W.t() (+ b)),
``torch.mv(X, w)``, ``X @ c`` for a contiguous column c, and ``X.norm()`` /
``X.norm(dim=-1)`` -- with PyTorch's default number of threads and with one thread; and
products of at least 4 rows and 12 columns (MKL's blocked kernel; with several threads
MKL splits 5 to 11 rows so that the last ones take the narrow kernel):
``F.linear`` with and without bias, ``X @ B`` with B row-major and with X transposed in
memory; and narrower products x @ w.t() (fewer than 4 rows or 12 columns, as F.linear
makes them), also of a batch's rows starting inside a bigger tensor (``skip`` rows in),
whose order depends on where each row starts in memory.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("blas_f32_golden.json")
ROWS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 32, 64, 100, 759]
INNER = [2, 3, 4, 5, 7, 8, 11, 12, 13, 16, 19, 20, 33, 64, 100, 200, 784]
BLOCKED = [(m, n, k) for m in (4, 5, 6, 8, 10, 33, 64) for n in (12, 16, 20, 100)
           for k in (4, 5, 16, 37, 100, 193, 200, 256)]
NARROW = [(m, n, k, skip) for m in (1, 2, 3, 5, 20) for n in (2, 3, 5, 10, 11, 30)
          for k in (4, 9, 13, 37, 100) for skip in (0, 1, 3) if not (m >= 4 and n >= 12)]
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
        if True:  # MKL's blocked kernel: at least 4 rows and 12 columns
            for m, n, k in BLOCKED:
                seed += 1
                d = make_inputs(seed, m, k)
                rng = np.random.default_rng(seed)
                W2 = rng.standard_normal((n, k)).astype(np.float32)
                b2 = rng.standard_normal(n).astype(np.float32)
                B2 = rng.standard_normal((k, n)).astype(np.float32)
                X, W, b, B = (torch.from_numpy(v) for v in (d["X"], W2, b2, B2))
                out = {"linear": F.linear(X, W), "linear_bias": F.linear(X, W, b),
                       "mm": X @ B, "mm_at": X.t().contiguous().t() @ B}
                cases.append({"kind": "blocked", "seed": seed, "m": m, "n": n, "k": k,
                              "threads": threads or torch.get_num_threads(),
                              "inputs": digest([d["X"], W2, b2, B2]),
                              **{name: encode(v.numpy()) for name, v in out.items()}})
        for m, n, k, skip in NARROW:  # x @ w.t() below 4 rows or 12 columns
            seed += 1
            rng = np.random.default_rng(seed)
            Xb = rng.standard_normal((m + skip, k)).astype(np.float32)
            W2 = rng.standard_normal((n, k)).astype(np.float32)
            b2 = rng.standard_normal(n).astype(np.float32)
            X, W, b = torch.from_numpy(Xb)[skip:], torch.from_numpy(W2), torch.from_numpy(b2)
            out = {"linear": F.linear(X, W), "linear_bias": F.linear(X, W, b)}
            cases.append({"kind": "narrow", "seed": seed, "m": m, "n": n, "k": k, "skip": skip,
                          "threads": threads or torch.get_num_threads(),
                          "inputs": digest([Xb, W2, b2]),
                          **{name: encode(v.numpy()) for name, v in out.items()}})
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
