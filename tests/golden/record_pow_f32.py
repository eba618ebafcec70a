"""Record PyTorch's float32 ``x ** p`` (a number p) for tests/test_sleef.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_pow_f32.py

PyTorch computes x ** p for p other than 0, 1, 2, 3, -1, -2, 0.5, -0.5 with cpu_kernel_vec:
SLEEF's powf (Sleef_powf16_u10) in blocks of 32 elements, ``std::pow(float, double)`` for
the rest. Writes tests/golden/pow_f32_golden.json: for each exponent, PyTorch's results on
inputs whose count is a multiple of 32 (vector body only) and on tensors of 45 elements
(32 in the body, 13 in the tail), as hex float32.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).with_name("pow_f32_golden.json")
EXPONENTS = [4.0, 5.0, 1.5, -3.0, 0.3, -0.7, 33.0]


def inputs() -> np.ndarray:
    rng = np.random.default_rng(2013)
    x = np.concatenate([
        rng.standard_normal(800).astype(np.float32) * 3,
        rng.uniform(0, 10, 800).astype(np.float32),
        rng.integers(0, 0xFF800000, 400, dtype=np.uint32).view(np.float32),
        np.array([0, -0.0, 1, -1, 2, -2, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.4e38, 0.5,
                  -0.5, 1.17e-38, 8.5e37], dtype=np.float32)])
    return x[: len(x) // 45 * 45]  # a multiple of 45 (and of 32 below)


def main() -> None:
    torch.set_num_threads(1)
    x = inputs()
    body = x[: len(x) // 32 * 32]
    out = {"torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
           "inputs": x.tobytes().hex(), "pows": {}}
    for p in EXPONENTS:
        vec = (torch.from_numpy(body) ** p).numpy()
        rows = np.concatenate([(torch.from_numpy(r.copy()) ** p).numpy() for r in
                               x.reshape(-1, 45)])
        out["pows"][repr(p)] = {"vector": vec.tobytes().hex(), "rows45": rows.tobytes().hex()}
    OUT.write_text(json.dumps(out) + "\n")
    print(f"{len(x)} inputs, {len(EXPONENTS)} exponents -> {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
