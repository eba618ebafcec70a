"""Record PyTorch's CPU random numbers for tests/test_torchrandom.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/golden/record_random.py

Writes tests/golden/random_golden.json: scenarios, each a seed and a sequence of calls
that share the generator state, with the exact bytes PyTorch returned (hex of the raw
little-endian bytes), the final ``torch.get_rng_state()`` (sha256) and
``torch.initial_seed()``.  The call sequences are drawn from a fixed-seed Python
``random.Random`` so re-running reproduces the same file.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).with_name("random_golden.json")

DT = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
      "int32": torch.int32, "int16": torch.int16, "uint8": torch.uint8, "bool": torch.bool}
NP = {"float32": np.float32, "float64": np.float64}

SIZES = [(), (1,), (2,), (3,), (5,), (15,), (16,), (17,), (31,), (32,), (33,), (47,), (100,),
         (20, 10), (1, 10), (5, 3), (0,), (2, 0), (4, 4), (7, 1, 3)]
BIG = [(1000,), (4097,), (257,)]


def hexof(a: np.ndarray) -> str:
    return np.ascontiguousarray(a).tobytes().hex()


def tensor_input(shape, dtype, kind):
    """A deterministic input tensor (not drawn from the generator)."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    if kind == "mean":
        v = np.sin(i * 0.7) * 3.0 - 0.25
    elif kind == "std":
        v = 0.1 + np.abs(np.cos(i * 1.3)) * 2.0
    else:  # probabilities, including 0 and 1
        v = (i * 0.137) % 1.0
        if n > 2:
            v[0], v[1] = 0.0, 1.0
    return v.astype(NP[dtype]).reshape(shape)


def enc(a: np.ndarray) -> dict:
    return {"dtype": str(a.dtype), "shape": list(a.shape), "hex": hexof(a)}


def run_call(c: dict) -> np.ndarray:
    fn = c["fn"]
    shape = tuple(c.get("shape", ()))
    dt = DT.get(c.get("dtype", "float32"))
    if fn == "rand":
        return torch.rand(shape, dtype=dt).numpy()
    if fn == "randn":
        return torch.randn(shape, dtype=dt).numpy()
    if fn == "rand_like":
        return torch.rand_like(torch.zeros(shape, dtype=dt)).numpy()
    if fn == "randn_like":
        return torch.randn_like(torch.zeros(shape, dtype=dt)).numpy()
    if fn == "randint":
        return torch.randint(c["low"], c["high"], shape, dtype=dt).numpy()
    if fn == "randint_like":
        return torch.randint_like(torch.zeros(shape, dtype=dt), c["low"], c["high"]).numpy()
    if fn == "uniform_":
        return torch.empty(shape, dtype=dt).uniform_(c["a"], c["b"]).numpy()
    if fn == "normal_":
        return torch.empty(shape, dtype=dt).normal_(c["mean"], c["std"]).numpy()
    if fn == "normal_ff":
        return torch.normal(c["mean"], c["std"], shape, dtype=dt).numpy()
    if fn == "normal_tt":
        m = torch.from_numpy(tensor_input(tuple(c["mean_shape"]), c["dtype"], "mean"))
        s = torch.from_numpy(tensor_input(tuple(c["std_shape"]), c["dtype"], "std"))
        return torch.normal(m, s).numpy()
    if fn == "normal_tf":
        m = torch.from_numpy(tensor_input(shape, c["dtype"], "mean"))
        return torch.normal(m, c["std"]).numpy()
    if fn == "normal_ft":
        s = torch.from_numpy(tensor_input(shape, c["dtype"], "std"))
        return torch.normal(c["mean"], s).numpy()
    if fn == "randperm":
        return torch.randperm(c["n"], dtype=dt).numpy()
    if fn == "bernoulli":
        p = torch.from_numpy(tensor_input(shape, c["dtype"], "p"))
        return torch.bernoulli(p).numpy()
    if fn == "bernoulli_":
        return torch.empty(shape, dtype=dt).bernoulli_(c["p"]).numpy()
    raise ValueError(fn)


def random_call(r: random.Random, big_ok: bool) -> dict:
    shape = list(r.choice(BIG if big_ok and r.random() < 0.15 else SIZES))
    fdt = r.choice(["float32", "float64"])
    kind = r.choices(
        ["rand", "randn", "rand_like", "randn_like", "randint", "randint_like", "uniform_",
         "normal_", "normal_ff", "normal_tt", "normal_tf", "normal_ft", "randperm",
         "bernoulli", "bernoulli_"],
        weights=[10, 14, 3, 4, 8, 3, 5, 6, 3, 3, 2, 2, 4, 3, 2])[0]
    c = {"fn": kind, "shape": shape, "dtype": fdt}
    if kind in ("randint", "randint_like"):
        c["dtype"] = r.choice(["int64", "int64", "int32", "float32", "float64", "int16",
                               "uint8"] if kind == "randint" else ["int64", "float32"])
        lo, hi = r.choice([(0, 10), (-5, 5), (0, 2), (3, 4), (-1000, 1000), (0, 255),
                           (0, 2**32), (-2**40, 2**40), (10, 2**33 + 7), (0, 2**31 - 1)])
        if c["dtype"] in ("int32",) and hi > 2**31:
            lo, hi = -100, 100
        if c["dtype"] in ("int16",) and (hi > 2**15 or lo < -2**15):
            lo, hi = -300, 300
        if c["dtype"] == "uint8":
            lo, hi = r.choice([(0, 255), (0, 10), (7, 200)])
        c["low"], c["high"] = lo, hi
    elif kind == "uniform_":
        c["a"], c["b"] = r.choice([(0.0, 1.0), (-1.0, 1.0), (-3.7, 5.1), (2.0, 2.5),
                                   (-0.01, 0.01), (100.0, 1000.0)])
    elif kind in ("normal_", "normal_ff"):
        c["mean"], c["std"] = r.choice([(0.0, 1.0), (0.3, 2.7), (-5.0, 0.1), (1.0, 0.0),
                                        (10.0, 3.0)])
    elif kind == "normal_tt":
        a = r.choice([[3], [5, 4], [17], [2, 16], [1], [33]])
        b = r.choice([a, a[-1:], [1]])
        if r.random() < 0.5:
            a, b = b, a
        c["mean_shape"], c["std_shape"] = a, b
        c.pop("shape")
    elif kind == "normal_tf":
        c["std"] = r.choice([1.0, 0.5, 2.25])
    elif kind == "normal_ft":
        c["mean"] = r.choice([0.0, 1.5, -2.0])
    elif kind == "randperm":
        c["n"] = r.choice([0, 1, 2, 3, 5, 10, 16, 17, 100, 1000])
        c["dtype"] = r.choice(["int64", "int64", "int32", "float32", "float64"])
        c.pop("shape")
    elif kind == "bernoulli_":
        c["p"] = r.choice([0.5, 0.1, 0.9, 0.0, 1.0])
        c["dtype"] = r.choice(["float32", "float64", "int64"])
    return c


def scenarios() -> list[dict]:
    r = random.Random(20260513)
    out = []
    # 1. every size for every function, one call after the seed
    for fn in ("rand", "randn"):
        for dt in ("float32", "float64"):
            for shape in SIZES + BIG:
                out.append({"seed": 0, "calls": [{"fn": fn, "shape": list(shape), "dtype": dt}]})
    # 2. state carried over: small/large normals interleaved (the cached scalar normal)
    for seed in (0, 42):
        calls = []
        for shape in [(1,), (3,), (16,), (1,), (17,), (), (5,), (33,), (2,), (15,)]:
            for dt in ("float32", "float64"):
                calls.append({"fn": "randn", "shape": list(shape), "dtype": dt})
                calls.append({"fn": "rand", "shape": [1], "dtype": dt})
        out.append({"seed": seed, "calls": calls})
    # 3. mixed random sequences for many seeds
    seeds = [0, 1, 2, 10, 42, 123, 2024, 2**31 - 1, 2**32 - 1, 2**32, 2**32 + 5,
             2**40 + 3, 123456789012345, 67280421310721, 2**63 - 1, 2**64 - 1]
    for i, seed in enumerate(seeds * 2):
        n = r.randint(6, 14)
        out.append({"seed": seed, "calls": [random_call(r, big_ok=i % 4 == 0)
                                            for _ in range(n)]})
    # 4. more than one MT19937 block (624 words) inside and across calls
    out.append({"seed": 7, "calls": [{"fn": "rand", "shape": [623], "dtype": "float32"},
                                     {"fn": "rand", "shape": [2], "dtype": "float32"},
                                     {"fn": "randn", "shape": [311], "dtype": "float64"},
                                     {"fn": "randint", "shape": [700], "dtype": "int64",
                                      "low": 0, "high": 2**35},
                                     {"fn": "randperm", "n": 2000, "dtype": "int64"}]})
    # 5. every function x dtype over the size boundaries, state carried through the sequence
    shapes = [[], [3], [15], [16], [17], [5, 3], [33], [1]]
    for fn, dts, extra in [
            ("rand_like", ["float32", "float64"], {}), ("randn_like", ["float32", "float64"], {}),
            ("uniform_", ["float32", "float64"], {"a": -2.5, "b": 7.25}),
            ("normal_", ["float32", "float64"], {"mean": -1.5, "std": 0.75}),
            ("normal_ff", ["float32", "float64"], {"mean": 2.0, "std": 3.5}),
            ("normal_tf", ["float32", "float64"], {"std": 0.5}),
            ("normal_ft", ["float32", "float64"], {"mean": 1.5}),
            ("bernoulli", ["float32", "float64"], {}),
            ("bernoulli_", ["float32", "float64", "int64"], {"p": 0.3}),
            ("randint", ["int64", "int32", "float32", "float64"], {"low": -7, "high": 9}),
            ("randint", ["int64", "float64"], {"low": 0, "high": 2**28}),
            ("randint", ["int64", "float32"], {"low": 0, "high": 2**28 - 1}),
            ("randint_like", ["int64", "float32", "float64"], {"low": 1, "high": 1000})]:
        for dt in dts:
            out.append({"seed": 5, "calls": [{"fn": fn, "shape": sh, "dtype": dt, **extra}
                                             for sh in shapes]})
    out.append({"seed": 5, "calls": [{"fn": "randperm", "n": n, "dtype": "int64"}
                                     for n in (0, 1, 2, 3, 4, 7, 16, 33, 250)]})
    return out


def main() -> None:
    torch.set_num_threads(1)
    data = {"torch": torch.__version__,
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "default_generator_seed": torch.Generator().initial_seed(),
            "scenarios": []}
    for sc in scenarios():
        torch.manual_seed(sc["seed"])
        for c in sc["calls"]:
            c["out"] = enc(run_call(c))
        sc["initial_seed"] = torch.initial_seed()
        sc["state_sha256"] = hashlib.sha256(torch.get_rng_state().numpy().tobytes()).hexdigest()
        data["scenarios"].append(sc)
    # get/set_rng_state round trip: a state saved mid-sequence, with a cached normal
    torch.manual_seed(99)
    torch.randn(1, dtype=torch.float64)
    state = torch.get_rng_state().numpy().tobytes()
    after = [enc(torch.randn(3, dtype=torch.float64).numpy()),
             enc(torch.rand(5).numpy())]
    data["state_roundtrip"] = {"seed": 99, "state_hex": state.hex(), "after": after}
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    ncalls = sum(len(s["calls"]) for s in data["scenarios"])
    print(f"{OUT}: {len(data['scenarios'])} scenarios, {ncalls} calls, "
          f"{OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
