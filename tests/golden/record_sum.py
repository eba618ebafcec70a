"""Record PyTorch's CPU sum/mean results for tests/test_torchsum.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_sum.py

Writes tests/golden/sum_golden.json.  Each case is an input regenerated from a
seed by ``make_input`` below (NumPy's PCG64 ``default_rng``; the sha256 of its
raw bytes is stored so a changed generator fails loudly) and the exact bytes
(hex of the raw little-endian result; sha256 of them for results of more than
16 elements) of ``x.sum()``, ``x.sum(d)``,
``x.mean()``, ``x.mean(d)`` for the reduced dims listed.  Recorded with
``torch.set_num_threads(1)``, plus cases with a ``threads`` field recorded with
that many threads (PyTorch's two-pass parallel reduction of 32768 or more
elements to one value); the capability and version go in the header.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("sum_golden.json")
KINDS = ("normal", "wide", "ints", "negzero", "positive", "mixed_sign_large")


def make_input(seed: int, shape: list[int], dtype: str, kind: str) -> np.ndarray:
    """The input array of a case (shared with tests/test_torchsum.py)."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    if kind == "normal":
        x = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3)
    elif kind == "wide":
        x = rng.standard_normal(n) * 10.0 ** rng.uniform(-8, 8, n)
    elif kind == "ints":
        x = rng.integers(-1000, 1000, n).astype(np.float64)
    elif kind == "negzero":
        x = np.full(n, -0.0)
    elif kind == "positive":
        x = rng.random(n)
    else:
        x = rng.standard_normal(n) * 1e6 + rng.standard_normal(n)
    return x.astype(dtype).reshape(shape)


def digest(x: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()[:16]


def encode(x: np.ndarray) -> str:
    """Raw bytes in hex for results of up to 16 elements, else their sha256."""
    raw = np.ascontiguousarray(x).tobytes()
    if x.size <= 16:
        return raw.hex()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def shapes(r: random.Random):
    edge = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129,
            255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 16383, 16384, 16385,
            65535, 65536, 65537, 100000]
    for n in edge:
        yield [n]
    for _ in range(150):
        yield [r.choice([r.randint(0, 100), r.randint(0, 5000), r.randint(0, 100000)])]
    small = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33]
    for m in small[:8]:
        for n in small:
            yield [m, n]
    for _ in range(200):
        pick = lambda: r.choice([r.randint(1, 40), r.randint(1, 300), r.randint(1, 3000)])
        m, n = pick(), pick()
        while m * n > 100000:
            m, n = max(1, m // 2), max(1, n // 2)
        yield [m, n]
    for m, n in [(0, 5), (5, 0), (0, 0), (1, 100000), (100000, 1), (316, 316), (4097, 17),
                 (17, 4097), (3, 33333), (33333, 3)]:
        yield [m, n]


def threaded_shapes(r: random.Random):
    for threads in (2, 3, 4):
        for n in (32767, 32768, 65536, 65537, 100000):
            yield threads, [n]
        for _ in range(12):
            yield threads, [r.randint(30000, 100000)]
        for shape in ([1, 70001], [70001, 1], [256, 300], [300, 256], [181, 547]):
            yield threads, shape


def main() -> None:
    import torch

    r = random.Random(20261122)
    cases = []
    seed = 0
    runs = [(1, shape) for shape in shapes(r)] + list(threaded_shapes(r))
    for threads, shape in runs:
        torch.set_num_threads(threads)
        for dtype in ("float32", "float64"):
            seed += 1
            kind = KINDS[0] if r.random() < 0.5 else r.choice(KINDS)
            x = make_input(seed, shape, dtype, kind)
            t = torch.from_numpy(x)
            dims = [None] + list(range(len(shape)))
            res = {}
            for d in dims:
                key = "all" if d is None else str(d)
                s = t.sum() if d is None else t.sum(d)
                m = t.mean() if d is None else t.mean(d)
                res[key] = {"sum": encode(s.numpy()), "mean": encode(m.numpy()),
                            "shape": list(s.shape)}
            case = {"seed": seed, "shape": shape, "dtype": dtype, "kind": kind,
                    "sha": digest(x), "results": res}
            if threads != 1:
                case["threads"] = threads
            cases.append(case)
    torch.set_num_threads(1)
    out = {"torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
           "threads": torch.get_num_threads(), "cases": cases}
    OUT.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(f"{len(cases)} cases, {OUT.stat().st_size} bytes -> {OUT}")


if __name__ == "__main__":
    main()
