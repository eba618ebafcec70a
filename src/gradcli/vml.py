"""PyTorch's float32 square root and tanh, as MKL's vector math library computes them.

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

torch.tanh of a float32 tensor (nn.Tanh, F.tanh, the RNN cells) is MKL's too: it is odd and
equals tanh computed in float64 and rounded to float32 except on 82 383 positive inputs
(between 3.5e-4 and 9.02), where it is the other neighbour of the exact value. Their list
(tanh_f32.bin, ascending bit patterns as zlib-compressed differences) is recorded from
PyTorch 2.13 by tests/golden/record_tanh_f32.py.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

_TABLE: np.ndarray | None = None
_TANH: np.ndarray | None = None


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


def _tanh_table() -> np.ndarray:
    global _TANH
    if _TANH is None:
        raw = zlib.decompress((Path(__file__).with_name("tanh_f32.bin")).read_bytes())
        _TANH = np.cumsum(np.frombuffer(raw, dtype="<u4"), dtype=np.uint32)
    return _TANH


def tanh_f32(x: np.ndarray) -> np.ndarray:
    """torch.tanh of a float32 array, bit for bit."""
    xa = np.asarray(x, dtype=np.float32)
    flat = xa.reshape(-1)
    exact = np.tanh(flat.astype(np.float64))
    y = exact.astype(np.float32)
    table = _tanh_table()
    magnitude = flat.view(np.uint32) & np.uint32(0x7FFFFFFF)
    at = np.minimum(np.searchsorted(table, magnitude), len(table) - 1)
    hit = table[at] == magnitude
    if np.any(hit):
        yh = y[hit]
        y[hit] = np.where(exact[hit] > yh, np.nextafter(yh, np.float32(np.inf)),
                          np.nextafter(yh, np.float32(-np.inf)))
    return y.reshape(xa.shape)
