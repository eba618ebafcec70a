"""Record how PyTorch 2.13 prints tensors, for tests/test_torchprint.py.

Run in a separate environment that has torch (never a dependency of gradcli):

    /tmp/torchref/bin/python tests/golden/record_repr.py

Writes tests/golden/repr_golden.json. Every array is stored as its raw bytes in hex
(little-endian), so the test rebuilds bit-identical values (nan payloads, -0.0, ...).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).resolve().parent / "repr_golden.json"
SEED = 20240613

FLOATS = ["float32", "float64", "float16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]
TORCH_DTYPE = {
    "float64": torch.float64, "float32": torch.float32, "float16": torch.float16,
    "int64": torch.int64, "int32": torch.int32, "int16": torch.int16,
    "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}
DEFAULTS = {"float32": torch.float32, "float64": torch.float64}

SMALL_SHAPES = [(), (1,), (4,), (7,), (13,), (2, 3), (3, 1), (1, 5), (4, 6), (2, 3, 4),
                (3, 1, 2), (2, 2, 2, 2), (1, 1, 1), (2, 1, 3, 1, 2)]
WIDE_SHAPES = [(25,), (60,), (3, 20), (2, 2, 17), (90,)]
BIG_SHAPES = [(1001,), (1200,), (40, 30), (11, 11, 11), (2, 600), (3, 4, 100), (7, 150),
              (1, 1001), (1001, 1), (2, 3, 2, 90)]
EMPTY_SHAPES = [(0,), (0, 3), (3, 0), (2, 0, 4), (0, 0)]

OPTION_VARIANTS = [
    {"precision": 2}, {"precision": 6}, {"precision": 0}, {"precision": 10},
    {"sci_mode": True}, {"sci_mode": False}, {"precision": 3, "sci_mode": True},
    {"threshold": 5}, {"threshold": 10, "edgeitems": 2}, {"threshold": 5, "edgeitems": 1},
    {"edgeitems": 0}, {"threshold": 4, "edgeitems": 0}, {"linewidth": 40},
    {"linewidth": 120}, {"linewidth": 20}, {"profile": "short"}, {"profile": "full"},
    {"threshold": 0}, {"linewidth": 40, "precision": 2},
]


def float_values(rng: np.random.Generator, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    if kind == "normal":
        v = rng.standard_normal(n)
    elif kind.startswith("scaled"):
        v = rng.standard_normal(n) * 10.0 ** int(kind[6:])
    elif kind == "uniform":
        v = rng.random(n)
    elif kind == "ints":
        v = rng.integers(-60, 60, n).astype(np.float64)
    elif kind == "posints":
        v = rng.integers(0, 9, n).astype(np.float64)
    elif kind == "bigints":
        v = rng.integers(-(10 ** 9), 10 ** 9, n).astype(np.float64)
    elif kind == "huge_ints":
        v = np.round(rng.standard_normal(n) * 1e17)
    elif kind == "mixedmag":
        v = 10.0 ** rng.uniform(-7, 7, n) * rng.choice([-1.0, 1.0], n)
    elif kind == "ratio":
        v = rng.uniform(1, 2, n) * rng.choice([1.0, 999.0, 1001.0], n)
    elif kind == "special":
        v = rng.standard_normal(n) * 10.0 ** rng.integers(-2, 3)
        pool = [np.nan, np.inf, -np.inf, -0.0, 0.0]
        k = max(1, n // 3)
        v[rng.choice(n, min(k, n), replace=False)] = rng.choice(pool, min(k, n))
    elif kind == "special_ints":
        v = rng.integers(-9, 9, n).astype(np.float64)
        pool = [np.nan, np.inf, -np.inf, -0.0]
        k = max(1, n // 3)
        v[rng.choice(n, min(k, n), replace=False)] = rng.choice(pool, min(k, n))
    elif kind == "nonfinite":
        v = rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0], n)
    elif kind == "zeros":
        v = rng.choice([0.0, -0.0], n)
    elif kind == "edges":
        pool = np.array([9.99995, 0.00005, 99999.5, 1e8, 1.00000001e8, 1e-4, 0.99999e-4,
                         0.5, 1.5, 2.5, -0.5, 123456.789, 0.1, 1 / 3, 2 / 3, 1e-45, 1e38,
                         65504.0, 6e-8, 1000.0, 0.001, 1.0, -1.0, 0.12345, 0.00015,
                         1.23456e-5, 7e-5, 3e7])
        v = rng.choice(pool, n)
    else:
        raise ValueError(kind)
    return v.reshape(shape)


FLOAT_KINDS = ["normal", "scaled-9", "scaled-5", "scaled-3", "scaled2", "scaled5", "scaled9",
               "scaled15", "uniform", "ints", "posints", "bigints", "huge_ints", "mixedmag",
               "ratio", "special", "special_ints", "nonfinite", "zeros", "edges"]


def int_values(rng: np.random.Generator, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    if dtype == "bool":
        return rng.integers(0, 2, n).astype(bool).reshape(shape)
    info = np.iinfo(dtype)
    mode = rng.integers(0, 4)
    if mode == 0:
        v = rng.integers(max(info.min, -9), min(info.max, 9), n, endpoint=True)
    elif mode == 1:
        v = rng.integers(max(info.min, -1000), min(info.max, 1000), n, endpoint=True)
    elif mode == 2:
        v = rng.integers(info.min, info.max, n, endpoint=True, dtype=np.int64
                         if dtype != "uint64" else np.uint64)
    else:
        v = rng.integers(0, min(info.max, 100), n, endpoint=True)
    return v.astype(dtype).reshape(shape)


def to_torch(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(arr.copy())


def pack(arr: np.ndarray) -> str:
    return np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes().hex()


GRAD_OPS = [
    ("mul", lambda x: x * 2),
    ("add", lambda x: x + 1),
    ("clone", lambda x: x.clone()),
    ("exp", lambda x: torch.exp(x)),
    ("sum", lambda x: x.sum()),
    ("mean", lambda x: x.mean()),
    ("neg", lambda x: -x),
    ("view", lambda x: x.view(x.shape)),
    ("tanh", lambda x: torch.tanh(x)),
    ("pow", lambda x: x ** 2),
]


def build_cases() -> list[dict]:
    rng = np.random.default_rng(SEED)
    specs: list[tuple[np.ndarray, str, dict, str]] = []  # (array, default, options, grad)

    def add(arr, default="float32", options=None, grad="none"):
        specs.append((arr, default, options or {}, grad))

    # Every float kind over small and wide shapes, both default dtypes.
    for dtype in FLOATS:
        for kind in FLOAT_KINDS:
            for shape in SMALL_SHAPES + WIDE_SHAPES:
                if rng.random() < 0.45:
                    continue
                default = "float32" if rng.random() < 0.5 else "float64"
                v = float_values(rng, kind, shape).astype(dtype)
                add(v, default)
    # Integer and bool dtypes.
    for dtype in INTS + ["bool"]:
        for shape in SMALL_SHAPES + WIDE_SHAPES:
            for default in DEFAULTS:
                add(int_values(rng, dtype, shape), default)
    # Empty tensors of every dtype.
    for dtype in FLOATS + INTS + ["bool"]:
        for shape in EMPTY_SHAPES:
            for default in DEFAULTS:
                add(np.zeros(shape, dtype=dtype), default)
    # Summarised tensors.
    for shape in BIG_SHAPES:
        for dtype in ["float32", "float64", "int64", "float16", "bool", "int32"]:
            if dtype in ("float16", "bool", "int32") and rng.random() < 0.6:
                continue
            if dtype.startswith("float"):
                kind = str(rng.choice(["normal", "ints", "mixedmag", "special", "scaled5"]))
                v = float_values(rng, kind, shape).astype(dtype)
            else:
                v = int_values(rng, dtype, shape)
            add(v, str(rng.choice(list(DEFAULTS))))
    # Exactly 1000 elements is not summarised.
    add(float_values(rng, "normal", (1000,)).astype("float32"))
    add(float_values(rng, "normal", (10, 100)).astype("float64"), "float64")
    # requires_grad leaves and grad_fn results.
    for i in range(80):
        dtype = ["float32", "float64"][i % 2]
        default = ["float32", "float64"][(i // 2) % 2]
        shape = SMALL_SHAPES[i % len(SMALL_SHAPES)] if i % 7 else WIDE_SHAPES[i % 5]
        kind = FLOAT_KINDS[i % len(FLOAT_KINDS)]
        v = float_values(rng, kind, shape).astype(dtype)
        grad = "leaf" if i % 4 == 0 else GRAD_OPS[i % len(GRAD_OPS)][0]
        add(v, default, grad=grad)
    for shape in [(1200,), (40, 30)]:
        add(float_values(rng, "normal", shape).astype("float64"), "float64", grad="mul")
        add(float_values(rng, "normal", shape).astype("float32"), "float32", grad="leaf")
    # Print options.
    for opts in OPTION_VARIANTS:
        for j in range(8):
            shape = [(), (5,), (3, 4), (2, 3, 4), (30,), (12,), (2, 2, 3), (4, 9)][j]
            dtype = ["float32", "float64", "int64", "float32", "float64", "float16",
                     "float32", "float64"][j]
            if dtype.startswith("float"):
                v = float_values(rng, FLOAT_KINDS[(j * 7 + len(opts)) % len(FLOAT_KINDS)],
                                 shape).astype(dtype)
            else:
                v = int_values(rng, dtype, shape)
            add(v, ["float32", "float64"][j % 2], opts, "leaf" if j == 3 else
                ("mul" if j == 4 else "none"))
        add(float_values(rng, "normal", (1001,)).astype("float16"), "float32", opts)
        add(float_values(rng, "special", (3, 5, 70)).astype("float32"), "float64", opts)
    # Hand-picked boundaries of the formatter's modes (values only; texts come from torch).
    nan, inf = np.nan, np.inf
    edge_values = [
        -0.0, 0.0, nan, inf, [-0.0, 0.0], [nan], [inf, -inf], [1e-5, nan], [0.1, 1e8],
        [1e8], [1.00000001e8], [1e-4], [9.99995e-5], [1.0, 1000.0], [1.0, 1000.0001],
        [65504.0, -65504.0], [123456789.0], [16777217.0, 1.0], [0.5, -0.5, 1.5],
        [9.99995, 1.0], [99999.5, 0.5], [1e-300, 1e300], [5e-324, 1.0], [1e308, -1e308, 0.0],
        [[-0.0, 1.0], [nan, -inf]], [1.0, 2.0, nan, -0.0], [0.00005, 0.00015],
    ]
    for v in edge_values:
        for dtype in FLOATS:
            with np.errstate(over="ignore"):
                arr = np.array(v, dtype=dtype)
            for default in DEFAULTS:
                add(arr, default)
            add(arr, "float64", {"sci_mode": False})
            add(arr, "float32", {"precision": 0})
    for shape in [(2, 1, 3, 1, 2), (3, 4, 2), (1, 1, 9)]:
        for opts in [{"linewidth": 5}, {"linewidth": 1}, {"threshold": 3, "edgeitems": 5},
                     {"threshold": 3, "linewidth": 9}, {"edgeitems": 0, "threshold": 2000}]:
            add(float_values(rng, "normal", shape).astype("float32"), "float64", opts, "mul")
    return specs


def make_tensor(arr: np.ndarray, grad: str) -> torch.Tensor:
    t = to_torch(arr)
    if grad == "none":
        return t
    t.requires_grad_(True)
    if grad == "leaf":
        return t
    return dict(GRAD_OPS)[grad](t)


def main() -> None:
    cases = []
    for arr, default, options, grad in build_cases():
        torch.set_default_dtype(DEFAULTS[default])
        torch.set_printoptions(profile="default", sci_mode=None)
        if grad != "none" and arr.dtype.kind != "f":
            grad = "none"
        t = make_tensor(arr, grad)
        torch.set_printoptions(**options)
        value = t.detach().numpy()
        case = {
            "dtype": str(value.dtype),
            "shape": list(value.shape),
            "data": pack(value),
            "default_dtype": default,
            "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            "requires_grad": bool(t.requires_grad),
            "options": options,
            "repr": repr(t),
            "str_is_repr": str(t) == repr(t),
            "size": str(t.shape),
            "size_repr": repr(t.size()),
            "dtype_str": str(t.dtype),
        }
        if t.dim() == 0:
            case["format"] = f"{t}"
            case["item"] = repr(t.item())
        if options:
            case["repr_param"] = repr(torch.nn.Parameter(t.detach().clone(),
                                                          requires_grad=t.dtype.is_floating_point))
        cases.append(case)
    torch.set_printoptions(profile="default", sci_mode=None)
    torch.set_default_dtype(torch.float32)

    # repr(t.item()) for one-element floating tensors.
    rng = np.random.default_rng(SEED + 1)
    items = []
    pool = list(float_values(rng, "mixedmag", (60,))) + list(float_values(rng, "edges", (40,)))
    pool += [0.1, 0.2, 1 / 3, -0.0, float("nan"), float("inf"), -float("inf"), 1e-40, 3.4e38,
             1e39, 65519.0, 2.0 ** -24, 16777217.0]
    for x in pool:
        for dtype in FLOATS:
            t = torch.tensor([float(x)], dtype=TORCH_DTYPE[dtype])
            items.append({"x": float(x).hex(), "dtype": dtype, "repr": repr(t.item())})

    data = {"torch": torch.__version__, "cases": cases, "items": items}
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"{len(cases)} cases, {len(items)} items -> {OUT} "
          f"({OUT.stat().st_size / 1e6:.2f} MB)", file=sys.stderr)


if __name__ == "__main__":
    main()
