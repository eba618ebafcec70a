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

torch.tanh, sin, cos and exp of a float32 tensor (nn.Tanh, the RNN cells, ...) are MKL's
too. Over every float32 input of a range (|x| < 20 for tanh, |x| < 2 pi for sin and cos,
-20 < x < 20 for exp) PyTorch's result is the function computed in float64 and rounded to
float32, or on listed inputs (0.06% for tanh, 2% for sin, 7% for cos, 0.5% for exp) the
other neighbour of the exact value. The lists (vml_f32.bin, 1.8 MB) are recorded from
PyTorch 2.13 by tests/golden/record_vml_f32.py; outside the ranges gradcli rounds from
float64, which agrees with MKL on 93-99.9% of inputs.
"""

from __future__ import annotations

import json
import struct
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


class _Listed:
    """The inputs where MKL's result is the other neighbour, for one function: sorted bit
    patterns in zlib chunks (vml_f32.bin), each chunk read the first time an input falls
    in it."""

    def __init__(self, symmetry: str, index: np.ndarray, blob: bytes, start: int) -> None:
        self.symmetry = symmetry
        self.where: dict[int, tuple[int, int]] = {}
        offset = start
        for key, _count, size in index.tolist():
            self.where[key] = (offset, size)
            offset += size
        self.blob = blob
        self.chunks: dict[int, np.ndarray] = {}
        self.merged: dict[bytes, np.ndarray] = {}

    def _chunk(self, key: int) -> np.ndarray | None:
        got = self.chunks.get(key)
        if got is None and key in self.where:
            at, size = self.where[key]
            deltas = np.frombuffer(zlib.decompress(self.blob[at:at + size]), dtype="<u4")
            got = np.cumsum(deltas, dtype=np.uint64).astype(np.uint32) + np.uint32(key << _SHIFT)
            self.chunks[key] = got
        return got

    def contains(self, patterns: np.ndarray) -> np.ndarray:
        keys = np.unique(patterns >> _SHIFT)
        signature = keys.tobytes()
        table = self.merged.get(signature)
        if table is None:  # the chunks these inputs fall in, as one sorted array
            parts = [self._chunk(k) for k in keys.tolist() if k in self.where]
            table = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint32)
            if len(self.merged) >= 16:
                self.merged.clear()
            self.merged[signature] = table  # a loop computes the same range again
        if not len(table):
            return np.zeros(patterns.shape, dtype=bool)
        at = np.minimum(np.searchsorted(table, patterns), len(table) - 1)
        return table[at] == patterns


_SHIFT = 20
_LISTED: dict[str, _Listed] | None = None


def _listed(name: str) -> _Listed:
    global _LISTED
    if _LISTED is None:
        raw = (Path(__file__).with_name("vml_f32.bin")).read_bytes()
        (n,) = struct.unpack_from("<I", raw)
        header = json.loads(raw[4:4 + n])
        at = 4 + n
        _LISTED = {}
        for fname, (symmetry, chunks) in header.items():
            index = np.frombuffer(raw, dtype="<u4", count=3 * chunks, offset=at).reshape(-1, 3)
            at += 12 * chunks
            _LISTED[fname] = _Listed(symmetry, index, raw, at)
            at += int(index[:, 2].sum())
    return _LISTED[name]


def mkl_f32(name: str, x: np.ndarray) -> np.ndarray:
    """torch.<name> (tanh, sin, cos, exp) of a float32 array, bit for bit where PyTorch's
    results were recorded (vml_f32.bin); elsewhere the function rounded from float64."""
    xa = np.asarray(x, dtype=np.float32)
    flat = xa.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        exact = getattr(np, name)(flat.astype(np.float64))
        y = exact.astype(np.float32)
    listed = _listed(name)
    patterns = flat.view(np.uint32)
    if listed.symmetry != "none":
        patterns = patterns & np.uint32(0x7FFFFFFF)
    hit = listed.contains(patterns)
    if np.any(hit):
        yh = y[hit]
        y[hit] = np.where(exact[hit] > yh, np.nextafter(yh, np.float32(np.inf)),
                          np.nextafter(yh, np.float32(-np.inf)))
    return y.reshape(xa.shape)
