"""Record PyTorch's float32 tanh, sin, cos and exp (MKL's vector math library) for gradcli.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_vml_f32.py

PyTorch computes these functions of a float32 tensor with MKL, which is not correctly
rounded. Measured over every float32 input of the ranges below, its result is always
either the function computed in float64 and rounded to float32 (what gradcli computes),
or the other neighbour of the exact value -- never further -- and tanh and sin are odd, cos
even. So the list of inputs where it is the other neighbour gives PyTorch's result for
every input of the range:

    tanh  |x| < 20     (82 383 inputs, all between 3.5e-4 and 9.02; beyond, tanh is +-1)
    sin   |x| < 2 pi
    cos   |x| < 2 pi
    exp   -20 < x < 20

Writes
- src/gradcli/vml_f32.bin: for each function, its inputs' bit patterns (of |x| for tanh,
  sin and cos), ascending, in chunks of the patterns that share their top 12 bits (about
  an eighth of a binade), so a program reads only the chunks its inputs fall in. Layout:
  a little-endian uint32 header length, a JSON header {name: [symmetry, chunks]}, then per
  function its chunk index (uint32 triples: top bits, count, compressed bytes) and the
  chunks, each the differences of its patterns from the previous one (the first from the
  chunk's base), little-endian uint32, zlib-compressed;
- tests/golden/vml_f32_golden.json: PyTorch's results (raw float32 bits) for inputs inside
  and outside the ranges, both signs, specials and some of the listed inputs, for
  tests/test_vml.py.
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
import zlib
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "src" / "gradcli" / "vml_f32.bin"
GOLDEN = Path(__file__).with_name("vml_f32_golden.json")
SHIFT = 20  # a chunk: the patterns that share their top 12 bits

# name -> (symmetry, low, high): the inputs recorded are the float32 values in [low, high)
# ("odd"/"even": magnitudes, the sign follows; "none": signed values)
SPECS = {
    "tanh": ("odd", 0.0, 20.0),
    "sin": ("odd", 0.0, 2 * math.pi),
    "cos": ("even", 0.0, 2 * math.pi),
    "exp": ("none", -20.0, 20.0),
}


def _patterns(low: float, high: float):
    """The float32 values in [low, high), as chunks of their (int32) bit patterns."""
    lo32, hi32 = np.float32(low), np.float32(high)
    parts = []
    if lo32 < 0:  # negative values: bit patterns from -0 (0x80000000) up to low's
        top = int(np.array([lo32]).view(np.uint32)[0]) + 1
        parts.append((0x80000000, top))
        lo32 = np.float32(0.0)
    parts.append((int(np.array([lo32]).view(np.uint32)[0]),
                  int(np.array([hi32]).view(np.uint32)[0])))
    for a, b in parts:
        for start in range(a, b, 1 << 25):
            yield np.arange(start, min(start + (1 << 25), b), dtype=np.uint32)


def record(name: str) -> np.ndarray:
    symmetry, low, high = SPECS[name]
    fn64 = getattr(np, name)
    found = []
    for bits in _patterns(low, high):
        x = bits.view(np.float32)
        got = getattr(torch, name)(torch.from_numpy(x)).numpy()
        with np.errstate(over="ignore"):
            exact = fn64(x.astype(np.float64))
            near = exact.astype(np.float32)
        differs = np.nonzero(got.view(np.uint32) != near.view(np.uint32))[0]
        other = np.where(exact[differs] > near[differs],
                         np.nextafter(near[differs], np.float32(np.inf)),
                         np.nextafter(near[differs], np.float32(-np.inf)))
        assert np.array_equal(other, got[differs]), f"{name}: not the other neighbour"
        if symmetry != "none":
            mirrored = getattr(torch, name)(torch.from_numpy(-x[differs])).numpy()
            sign = -1 if symmetry == "odd" else 1
            assert np.array_equal(mirrored, sign * got[differs]), f"{name}: not {symmetry}"
        found.append(bits[differs])
    return np.sort(np.concatenate(found))


def sample_inputs(tables: dict) -> np.ndarray:
    rng = np.random.default_rng(2013)
    anywhere = rng.integers(0, 0x7F800000, 4000, dtype=np.uint32).view(np.float32)
    signs = np.where(rng.random(4000) < 0.5, -1, 1).astype(np.float32)
    typical = rng.uniform(-25, 25, 8000).astype(np.float32)
    special = np.array([0.0, -0.0, 1.0, -1.0, 9.02, 20.0, -20.0, 6.2831855, 3.1415927,
                        np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.4e38], dtype=np.float32)
    listed = [t[rng.integers(0, len(t), 1500)].view(np.float32) for t in tables.values()]
    return np.concatenate([anywhere * signs, typical, special, *listed])


def main() -> None:
    torch.set_num_threads(1)
    tables = {name: record(name) for name in SPECS}
    header, body, sizes = {}, [], {}
    for name, t in tables.items():
        keys = t >> SHIFT
        index, blobs = [], []
        for k in np.unique(keys):
            part = t[keys == k]
            deltas = np.diff(part, prepend=np.uint32(int(k) << SHIFT)).astype("<u4")
            blob = zlib.compress(deltas.tobytes(), 9)
            index.append((int(k), len(part), len(blob)))
            blobs.append(blob)
        header[name] = [SPECS[name][0], len(index)]
        body.append(np.array(index, dtype="<u4").tobytes() + b"".join(blobs))
        sizes[name] = len(body[-1])
    text = json.dumps(header).encode()
    TABLE.write_bytes(struct.pack("<I", len(text)) + text + b"".join(body))
    xs = sample_inputs(tables)
    results = {}
    for name in SPECS:
        results[name] = getattr(torch, name)(torch.from_numpy(xs)).numpy().view(
            np.uint32).tolist()
    GOLDEN.write_text(json.dumps({
        "torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
        "inputs_sha": hashlib.sha256(xs.tobytes()).hexdigest()[:16],
        "inputs": xs.view(np.uint32).tolist(), "results": results}) + "\n")
    for name in SPECS:
        print(f"{name}: {len(tables[name])} inputs listed, {sizes[name]} bytes")
    print(f"wrote {TABLE} ({TABLE.stat().st_size} bytes) and {GOLDEN}")


if __name__ == "__main__":
    main()
