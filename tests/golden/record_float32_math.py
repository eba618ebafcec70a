"""Record PyTorch's float32 elementwise functions bit for bit for tests/test_sleef.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_float32_math.py

Writes tests/golden/float32_math_golden.json.  Inputs and outputs are stored as the hex
of their raw little-endian float32 bytes (8 hex digits a value).

* ``inputs``: randn * k for several k, uniform values in (-1, 0), values near the
  functions' thresholds, special values (+-0, +-inf, NaN, subnormals, huge) and random
  bit patterns; padded to a multiple of 32 (the AVX512 kernels' block).
* ``functions[name]["vector"]``: ``f`` of the whole input tensor at once, which PyTorch
  computes in its vectorised body only (the size is a multiple of 32).
* ``functions[name]["scalar"]``: ``f`` of every input alone (a one-element tensor),
  which goes through the scalar lambda of ``cpu_kernel_vec`` (or, for the at::vml
  functions, the same vectorised code).
* ``backward``: PyTorch's tanh_backward, sigmoid_backward (float32, float64) and
  silu_backward (float32) kernels on random gradients and inputs, several sizes.
* ``float64[name]``: the same for float64 sigmoid (blocks of 16), expm1 and log1p.
* ``layouts``: sigmoid of transposed, sliced and broadcast views (``VIEWS``).
* ``sweeps[name]``: ``f(x[:n])`` for n = 1..40, 47, 63, 64, 65, 96 and 1000, where x
  starts with values whose vector and scalar results differ (found here), so the
  vector/tail split shows.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("float32_math_golden.json")
BLOCK = 32
SIZES = list(range(1, 41)) + [47, 63, 64, 65, 96, 1000]
NAMES = ("sigmoid", "silu", "exp2", "sinh", "cosh", "expm1", "log1p", "mish", "softplus")


def hexf(x: np.ndarray) -> str:
    return np.ascontiguousarray(x, dtype=np.float32).tobytes().hex()


def make_inputs(rng: np.random.Generator) -> np.ndarray:
    parts = [rng.standard_normal(256) * k for k in (0.001, 0.1, 0.5, 1, 3, 10, 30, 100)]
    parts.append(rng.uniform(-1, 0, 256))
    parts.append(rng.uniform(-1e-3, 1e-3, 64) - 1)
    edges = [88.0, 88.7, 88.72, 88.73, 89.0, 89.5, -87.3, -88.0, -103.0, -103.9, -104.0,
             -104.1, 100.0, 100.1, 127.9, 128.0, -149.9, -150.0, -150.1, 8.66, 8.67,
             -16.6, -16.7, 0.5, -0.5, 1.0, -1.0, 2.0, 1e-7, -1e-7]
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 1e-40, -1e-40,
                1.1754944e-38, 3e38, -3e38, 1e38, 2e38, 3.4028235e38, -3.4028235e38]
    parts += [np.array(edges), np.array(specials)]
    bits = rng.integers(0, 2 ** 32, 512, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = np.concatenate([p.astype(np.float32) for p in parts] + [bits])
    pad = (-x.size) % BLOCK
    return np.concatenate([x, (rng.standard_normal(pad) * 2).astype(np.float32)])


def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a.view(np.uint32) == b.view(np.uint32)) | (np.isnan(a) & np.isnan(b))


def record_backward(rng: np.random.Generator) -> list:
    """tanh_backward(g, y), sigmoid_backward(g, y) (float32 and float64) and
    silu_backward(g, x) (float32) as the autograd engine calls them."""
    import torch
    import torch.nn.functional as F
    cases = []
    for n in (1, 5, 31, 32, 33, 47, 1000):
        for dtype in ("float32", "float64"):
            g = rng.standard_normal(n).astype(dtype)
            x = (rng.standard_normal(n) * 3).astype(dtype)
            tx, tg = torch.from_numpy(x), torch.from_numpy(g)
            kernels = {"tanh": (torch.tanh(tx), torch.ops.aten.tanh_backward),
                       "sigmoid": (torch.sigmoid(tx), torch.ops.aten.sigmoid_backward)}
            for name, (y, kernel) in kernels.items():
                cases.append({"op": name, "dtype": dtype, "g": g.tobytes().hex(),
                              "x": x.tobytes().hex(), "y": y.numpy().tobytes().hex(),
                              "grad": kernel(tg, y).numpy().tobytes().hex()})
            if dtype == "float32":
                cases.append({"op": "silu", "dtype": dtype, "g": g.tobytes().hex(),
                              "x": x.tobytes().hex(), "y": F.silu(tx).numpy().tobytes().hex(),
                              "grad": torch.ops.aten.silu_backward(tg, tx).numpy().tobytes().hex()})
    return cases


# Views on an (8, 70, 3) array, written with what NumPy arrays and torch tensors share,
# so tests/test_sleef.py builds the same strides (bc: the library's broadcast_to).
VIEWS = {
    "contiguous": lambda a, bc: a,
    "swapaxes": lambda a, bc: a.swapaxes(0, 1),
    "permuted": lambda a, bc: a.swapaxes(0, 2).swapaxes(1, 2),
    "columns": lambda a, bc: a[:, :40],
    "step": lambda a, bc: a[:, ::2],
    "rows": lambda a, bc: a[::2],
    "last": lambda a, bc: a[..., 0],
    "window": lambda a, bc: a[1:7, 3:60, 1:],
    "broadcast_inner": lambda a, bc: bc(a[:1, :, :1], (8, 70, 5)),
    "broadcast_middle": lambda a, bc: bc(a[:, :1, :], (8, 33, 3)),
    "one": lambda a, bc: a[3, 4, 1:2],
}


def digest(x: np.ndarray) -> str:
    """sha256 of the raw bytes of x in C order."""
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()


def layout_base(dtype: str) -> np.ndarray:
    """The array the views are taken of (shared with tests/test_sleef.py)."""
    return (np.random.default_rng(7).standard_normal((8, 70, 3)) * 4).astype(dtype)


def record_layouts() -> dict:
    """sigmoid (float32, float64) of strided views: which elements take the scalar tail
    follows TensorIterator's loop order and inner rows.  Results as sha256."""
    import torch
    return {dtype: {name: digest(torch.sigmoid(view(torch.from_numpy(layout_base(dtype)),
                                                    torch.broadcast_to)).numpy())
                    for name, view in VIEWS.items()}
            for dtype in ("float32", "float64")}


def record_float64(rng: np.random.Generator) -> dict:
    """torch.sigmoid (blocks of 16 under AVX512), expm1 and log1p on float64: the whole
    input at once, every input alone, and a size sweep."""
    import torch
    parts = [rng.standard_normal(256) * k for k in (0.001, 1, 3, 30, 300)]
    parts.append(rng.uniform(-1, 0, 256))
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1e-310, 709.7, 709.8, -709.8,
                -745.2, -1000.0, -1000.5, 36.0, -36.0, -36.8, 1e300, -1e300, 2e307, 1.7e308,
                -1.0, -0.9999999999]
    bits = rng.integers(0, 2 ** 63, 256, dtype=np.int64).view(np.float64)
    x = np.concatenate(parts + [np.array(specials), bits, -bits])
    x = np.concatenate([x, rng.standard_normal((-x.size) % 16)])
    t = torch.from_numpy(x)
    sizes = list(range(1, 41)) + [47, 1000]
    sx = rng.standard_normal(1000) * 4
    out = {}
    for name in ("sigmoid", "expm1", "log1p"):
        f = getattr(torch, name)
        scalar = np.array([f(t[i:i + 1]).item() for i in range(x.size)])
        out[name] = {
            "inputs": x.tobytes().hex(), "vector": f(t).numpy().tobytes().hex(),
            "scalar": scalar.tobytes().hex(), "sweep_inputs": sx.tobytes().hex(),
            # expm1 and log1p have no scalar tail: a short sweep
            "sweep": {str(n): f(torch.from_numpy(sx[:n].copy())).numpy().tobytes().hex()
                      for n in (sizes if name == "sigmoid" else sizes[:20])}}
    return out


def main() -> None:
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    rng = np.random.default_rng(20261122)
    x = make_inputs(rng)
    functions, sweeps = {}, {}
    for name in NAMES:
        f = getattr(F, name) if name in ("silu", "mish", "softplus") else getattr(torch, name)
        vec = f(torch.from_numpy(x)).numpy()
        scalar = np.array([f(torch.from_numpy(x[i:i + 1])).numpy()[0] for i in range(x.size)],
                          dtype=np.float32)
        functions[name] = {"vector": hexf(vec), "scalar": hexf(scalar)}
        # values whose vector and scalar results differ lead the sweep input
        pool = (rng.standard_normal(20000) * 4).astype(np.float32)
        pv = f(torch.from_numpy(pool)).numpy()
        ps = np.array([f(torch.from_numpy(pool[i:i + 1])).numpy()[0] for i in range(2000)],
                      dtype=np.float32)
        differ = pool[:2000][~same(pv[:2000], ps)]
        sx = np.concatenate([differ[:70], pool[2000:3000]])[:1000]
        sweeps[name] = {"inputs": hexf(sx), "differing": int(min(differ.size, 70)),
                        "outputs": {str(n): hexf(f(torch.from_numpy(sx[:n].copy())).numpy())
                                    for n in SIZES}}
    out = {"torch": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
           "block": BLOCK, "inputs": hexf(x), "functions": functions, "sweeps": sweeps,
           "backward": record_backward(rng), "float64": record_float64(rng),
           "layouts": record_layouts()}
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{x.size} inputs, {len(functions)} functions, {OUT.stat().st_size} bytes -> {OUT}")


if __name__ == "__main__":
    main()
