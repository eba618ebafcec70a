"""Record PyTorch's float32 sqrt (MKL's vector math library, VML_HA) for gradcli.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_sqrt_f32.py

PyTorch computes torch.sqrt of a float32 tensor with MKL's vsSqrt, which is not correctly
rounded: on about 17% of inputs it gives the other neighbour of the exact square root
(never further away). Its result scales exactly with the exponent (sqrt(4x) = 2 sqrt(x))
for every normal input below 2**126, so one bit per float32 in [1, 4) says everything:
whether PyTorch's result differs from the correctly rounded one.

Writes
- src/gradcli/sqrt_f32.bin: those 2**24 bits, in the order of the floats' bit patterns
  from 1.0 (0x3f800000) up, packed big-endian and compressed with zlib;
- tests/golden/sqrt_f32_golden.json: PyTorch's results (raw float32 bits) for inputs
  spread over every exponent, subnormals, zeros and specials, for tests/test_vml.py.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "src" / "gradcli" / "sqrt_f32.bin"
GOLDEN = Path(__file__).with_name("sqrt_f32_golden.json")


def sample_inputs() -> np.ndarray:
    """The golden inputs (shared with tests/test_vml.py)."""
    rng = np.random.default_rng(2013)
    bits = rng.integers(0, 0x7F800000, 20000, dtype=np.uint32)  # every positive float
    special = np.array([0.0, -0.0, 1.0, 4.0, 2.0, 0.25, -1.0, np.inf, -np.inf, np.nan,
                        1e-45, 1.17e-38, 3.4e38], dtype=np.float32)
    return np.concatenate([bits.view(np.float32), special])


def main() -> None:
    torch.set_num_threads(1)
    x = (np.arange(1 << 24, dtype=np.uint32) + np.uint32(0x3F800000)).view(np.float32)
    got = torch.sqrt(torch.from_numpy(x)).numpy()
    exact = np.sqrt(x.astype(np.float64)).astype(np.float32)  # correctly rounded
    differs = got != exact
    assert np.all(np.abs(got.view(np.int32) - exact.view(np.int32))[differs] == 1)
    TABLE.write_bytes(zlib.compress(np.packbits(differs).tobytes(), 9))
    xs = sample_inputs()
    ys = torch.sqrt(torch.from_numpy(xs)).numpy()
    GOLDEN.write_text(json.dumps({
        "torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
        "inputs_sha": __import__("hashlib").sha256(xs.tobytes()).hexdigest()[:16],
        "results": ys.view(np.uint32).tolist()}) + "\n")
    print(f"{differs.mean():.4f} of [1, 4) differ from correct rounding; wrote {TABLE} "
          f"({TABLE.stat().st_size} bytes) and {GOLDEN}")


if __name__ == "__main__":
    main()
