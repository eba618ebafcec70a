"""Record PyTorch's float32 binary_cross_entropy bit for bit for tests/test_sleef.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_bce.py

Writes tests/golden/bce_float32_golden.json: inputs p in [0, 1] (uniform, near 0 and 1,
exactly 0 and 1, tiny and subnormal), targets (0, 1 and fractions), the loss per element
(reduction='none', PyTorch's scalar kernel: glibc's logf and log1pf) and the mean over
the first n elements for several n. Values are the hex of raw little-endian float32.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

OUT = Path(__file__).with_name("bce_float32_golden.json")


def hexf(x) -> str:
    return np.ascontiguousarray(x, dtype=np.float32).tobytes().hex()


def main() -> None:
    rng = np.random.default_rng(2026)
    parts = [rng.random(4000), 1 - rng.random(500) * 1e-3, rng.random(500) * 1e-3,
             np.exp(rng.uniform(-100, 0, 500)),
             np.array([0.0, 1.0, 0.5, 1e-45, 1e-40, 1e-38, 0.9999999, 1 - 2 ** -24, 2 ** -24])]
    p = np.concatenate(parts).astype(np.float32)
    t = rng.choice([0.0, 1.0, 1.0, 0.0, 0.25, 0.7], size=p.size).astype(np.float32)
    tp, tt = torch.from_numpy(p), torch.from_numpy(t)
    loss = F.binary_cross_entropy(tp, tt, reduction="none")
    means = {str(n): hexf(F.binary_cross_entropy(tp[:n], tt[:n]).numpy())
             for n in (1, 2, 7, 16, 100, 1000, 4000)}
    doc = {"torch": torch.__version__, "p": hexf(p), "t": hexf(t),
           "none": hexf(loss.numpy()), "mean": means}
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {p.size} values to {OUT}")


if __name__ == "__main__":
    main()
