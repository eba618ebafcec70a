"""Record PyTorch's float32 tanh (MKL's vector math library) for gradcli.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_tanh_f32.py

PyTorch computes torch.tanh of a float32 tensor with MKL, which is not correctly rounded:
on 82 383 positive inputs (all between 3.5e-4 and 9.02) it returns the other neighbour of
the exact value, never one further, and it is odd (tanh(-x) = -tanh(x)). Everywhere else
its result is tanh computed in float64 and rounded to float32, which is what gradcli
computes. The list of those inputs is the whole table.

Writes
- src/gradcli/tanh_f32.bin: the inputs' float32 bit patterns, ascending, as differences
  from the previous one (little-endian uint32), compressed with zlib;
- tests/golden/tanh_f32_golden.json: PyTorch's results (raw float32 bits) for inputs over
  every exponent, both signs, the table's neighbourhood and specials, for tests/test_vml.py.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "src" / "gradcli" / "tanh_f32.bin"
GOLDEN = Path(__file__).with_name("tanh_f32_golden.json")


def sample_inputs() -> np.ndarray:
    """The golden inputs (shared with tests/test_vml.py)."""
    rng = np.random.default_rng(2013)
    anywhere = rng.integers(0, 0x7F800000, 10000, dtype=np.uint32).view(np.float32)
    typical = rng.uniform(-10, 10, 15000).astype(np.float32)
    special = np.array([0.0, -0.0, 1.0, -1.0, 9.02, 20.0, np.inf, -np.inf, np.nan, 1e-45,
                        -1e-45, 3.4e38], dtype=np.float32)
    signs = np.where(rng.random(10000) < 0.5, -1, 1).astype(np.float32)
    return np.concatenate([anywhere * signs, typical, special])


def main() -> None:
    torch.set_num_threads(1)
    lo = int(np.float32(1e-45).view(np.int32))
    hi = int(np.float32(20.0).view(np.int32))  # tanh is 1.0 in float32 from 9.02 on
    found = []
    for start in range(lo, hi, 1 << 25):
        bits = np.arange(start, min(start + (1 << 25), hi), dtype=np.int32)
        x = bits.view(np.float32)
        got = torch.tanh(torch.from_numpy(x)).numpy()
        exact = np.tanh(x.astype(np.float64))
        near = exact.astype(np.float32)
        differs = np.nonzero(got != near)[0]
        other = np.where(exact[differs] > near[differs],
                         np.nextafter(near[differs], np.float32(np.inf)),
                         np.nextafter(near[differs], np.float32(-np.inf)))
        assert np.array_equal(other, got[differs]), "not the other neighbour"
        neg = torch.tanh(torch.from_numpy(-x[differs])).numpy()
        assert np.array_equal(neg, -got[differs]), "not odd"
        found.append(bits[differs].astype(np.uint32))
    table = np.concatenate(found)
    deltas = np.diff(table, prepend=np.uint32(0)).astype("<u4")
    TABLE.write_bytes(zlib.compress(deltas.tobytes(), 9))
    xs = sample_inputs()
    rng = np.random.default_rng(7)
    xs = np.concatenate([xs, table[rng.integers(0, len(table), 2000)].view(np.float32)])
    ys = torch.tanh(torch.from_numpy(xs)).numpy()
    GOLDEN.write_text(json.dumps({
        "torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
        "inputs_sha": hashlib.sha256(xs.tobytes()).hexdigest()[:16],
        "inputs": xs.view(np.uint32).tolist(),
        "results": ys.view(np.uint32).tolist()}) + "\n")
    print(f"{len(table)} inputs differ from tanh rounded from float64; wrote {TABLE} "
          f"({TABLE.stat().st_size} bytes) and {GOLDEN}")


if __name__ == "__main__":
    main()
