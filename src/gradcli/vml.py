"""PyTorch's float32 square root, as MKL's vector math library computes it.

torch.sqrt of a float32 tensor (and the optimizers' ``.sqrt()``: Adam, RMSprop, Adagrad)
runs MKL's vsSqrt, which is not correctly rounded: for about 17% of inputs it returns
the other neighbour of the exact square root, never one further. Its result scales
exactly with the exponent (sqrt(4x) = 2 sqrt(x)) for normal inputs, so a table of one bit
per float32 in [1, 4) -- "PyTorch's result is the other neighbour" -- gives it for every
normal input. The table (sqrt_f32.bin, 2**24 bits, zlib) is recorded from PyTorch 2.13
by tests/golden/record_sqrt_f32.py. Subnormal inputs, zeros, negatives and specials are
correctly rounded by MKL too.

Other square roots in PyTorch (x ** 0.5, a norm's, std's) are correctly rounded and stay
NumPy's.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

_TABLE: np.ndarray | None = None


def _table() -> np.ndarray:
    global _TABLE
    if _TABLE is None:
        raw = zlib.decompress((Path(__file__).with_name("sqrt_f32.bin")).read_bytes())
        _TABLE = np.frombuffer(raw, dtype=np.uint8)
    return _TABLE


def sqrt_f32(x: np.ndarray) -> np.ndarray:
    """torch.sqrt of a float32 array, bit for bit."""
    xa = np.asarray(x, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        y = np.sqrt(xa).reshape(-1)
    flat = xa.reshape(-1)
    bits = flat.view(np.uint32)
    exponent = (bits >> 23) & 0xFF
    normal = (exponent > 0) & (exponent < 0xFF) & (bits >> 31 == 0)
    # the float in [1, 4) with x's mantissa and exponent parity: its bit in the table
    index = ((exponent + 1) & 1) << 23 | (bits & 0x7FFFFF)
    table = _table()
    flip = normal & (((table[index >> 3] >> (7 - (index & 7))) & 1) == 1)
    if np.any(flip):
        yf = y[flip]
        below = yf.astype(np.float64) ** 2 < flat[flip]  # y is under the exact root
        y[flip] = np.where(below, np.nextafter(yf, np.float32(np.inf)),
                           np.nextafter(yf, np.float32(0)))
    return y.reshape(xa.shape)
