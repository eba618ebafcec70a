"""gradcli.torchrandom reproduces PyTorch's CPU generator bit for bit.

tests/golden/random_golden.json is recorded from PyTorch by tests/golden/record_random.py:
each scenario seeds the generator and runs a sequence of calls sharing its state; every
output must have PyTorch's exact bytes, and the final state must be PyTorch's.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pytest

from gradcli import torchrandom
from gradcli.torchrandom import Generator

GOLDEN = json.loads((Path(__file__).parent / "golden" / "random_golden.json").read_text())
SCENARIOS = GOLDEN["scenarios"]
NP = {"float32": np.float32, "float64": np.float64}


def tensor_input(shape, dtype, kind):
    """Same deterministic inputs as record_random.tensor_input."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    if kind == "mean":
        v = np.sin(i * 0.7) * 3.0 - 0.25
    elif kind == "std":
        v = 0.1 + np.abs(np.cos(i * 1.3)) * 2.0
    else:
        v = (i * 0.137) % 1.0
        if n > 2:
            v[0], v[1] = 0.0, 1.0
    return v.astype(NP[dtype]).reshape(shape)


def run_call(g: Generator, c: dict) -> np.ndarray:
    fn = c["fn"]
    shape = tuple(c.get("shape", ()))
    dt = c.get("dtype", "float32")
    if fn in ("rand", "randn"):
        return getattr(g, fn)(shape, dt)
    if fn == "rand_like":
        return g.rand_like(np.zeros(shape, dtype=dt))
    if fn == "randn_like":
        return g.randn_like(np.zeros(shape, dtype=dt))
    if fn == "randint":
        return g.randint(c["low"], c["high"], shape, dt)
    if fn == "randint_like":
        return g.randint_like(np.zeros(shape, dtype=dt), c["low"], c["high"])
    if fn == "uniform_":
        return g.uniform_(shape, dt, c["a"], c["b"])
    if fn == "normal_":
        return g.normal_(shape, dt, c["mean"], c["std"])
    if fn == "normal_ff":
        return g.normal(c["mean"], c["std"], shape, dt)
    if fn == "normal_tt":
        return g.normal(tensor_input(tuple(c["mean_shape"]), dt, "mean"),
                        tensor_input(tuple(c["std_shape"]), dt, "std"))
    if fn == "normal_tf":
        return g.normal(tensor_input(shape, dt, "mean"), c["std"])
    if fn == "normal_ft":
        return g.normal(c["mean"], tensor_input(shape, dt, "std"))
    if fn == "randperm":
        return g.randperm(c["n"], dt)
    if fn == "bernoulli":
        return g.bernoulli(tensor_input(shape, dt, "p"))
    if fn == "bernoulli_":
        return g.bernoulli_(shape, dt, c["p"])
    raise ValueError(fn)


def check(got: np.ndarray, want: dict, what: str) -> None:
    assert isinstance(got, np.ndarray), what
    assert str(got.dtype) == want["dtype"], what
    assert list(got.shape) == want["shape"], what
    hexgot = np.ascontiguousarray(got).tobytes().hex()
    if hexgot != want["hex"]:
        ref = np.frombuffer(bytes.fromhex(want["hex"]), dtype=want["dtype"])
        bad = np.flatnonzero(got.reshape(-1) != ref)
        pytest.fail(f"{what}: {bad.size} of {ref.size} differ, first at {bad[:5].tolist()}: "
                    f"{got.reshape(-1)[bad[:3]].tolist()} != {ref[bad[:3]].tolist()}")


def label(sc: dict) -> str:
    fns = "+".join(dict.fromkeys(c["fn"] for c in sc["calls"]))
    return f"seed{sc['seed']}-{fns}"[:60]


@pytest.mark.parametrize("sc", SCENARIOS, ids=[f"{i}-{label(s)}" for i, s in
                                               enumerate(SCENARIOS)])
def test_scenario_bit_for_bit(sc):
    g = Generator()
    g.manual_seed(sc["seed"])
    for k, c in enumerate(sc["calls"]):
        spec = {key: v for key, v in c.items() if key != "out"}
        check(run_call(g, c), c["out"], f"call {k} {spec}")
    assert g.initial_seed() == sc["initial_seed"]
    assert hashlib.sha256(g.get_state()).hexdigest() == sc["state_sha256"]


def test_golden_covers_every_function_and_dtype():
    fns = {c["fn"] for s in SCENARIOS for c in s["calls"]}
    assert fns >= {"rand", "randn", "rand_like", "randn_like", "randint", "randint_like",
                   "uniform_", "normal_", "normal_ff", "normal_tt", "normal_tf",
                   "normal_ft", "randperm", "bernoulli", "bernoulli_"}
    dts = {c["out"]["dtype"] for s in SCENARIOS for c in s["calls"]}
    assert dts >= {"float32", "float64", "int64"}


def test_set_state_round_trip():
    rt = GOLDEN["state_roundtrip"]
    g = Generator()
    g.set_state(bytes.fromhex(rt["state_hex"]))
    for k, want in enumerate(rt["after"]):
        fn = g.randn if k == 0 else g.rand
        check(fn(tuple(want["shape"]), want["dtype"]), want, f"after set_state {k}")
    # and our own state reproduces PyTorch's blob
    g2 = Generator().manual_seed(rt["seed"])
    g2.randn((1,), "float64")
    assert g2.get_state().hex() == rt["state_hex"]


def test_default_seed_is_pytorchs_fresh_generator_seed():
    assert torchrandom.DEFAULT_SEED == GOLDEN["default_generator_seed"]
    assert Generator().initial_seed() == GOLDEN["default_generator_seed"]
    g = Generator()
    a = g.randn((5,), "float32")
    assert np.array_equal(a, Generator().manual_seed(torchrandom.DEFAULT_SEED).randn(5))


def test_module_level_functions_share_the_default_generator():
    torchrandom.manual_seed(3)
    a = torchrandom.default_generator.rand((4,), "float32")
    state = torchrandom.get_rng_state()
    assert state.dtype == np.uint8 and state.size == 5056
    b = torchrandom.default_generator.randn((20,), "float64")
    torchrandom.set_rng_state(state)
    assert np.array_equal(torchrandom.default_generator.randn((20,), "float64"), b)
    assert torchrandom.initial_seed() == 3
    assert a.dtype == np.float32 and a.shape == (4,)


def test_shapes_and_empty():
    g = Generator().manual_seed(0)
    assert g.rand((), "float64").shape == ()
    assert g.randn((0, 3)).shape == (0, 3)
    assert g.randint(0, 5, (2, 0)).dtype == np.int64
    assert g.randperm(0).shape == (0,)
    with pytest.raises(RuntimeError):
        g.randint(5, 5, (3,))
    with pytest.raises(RuntimeError):
        g.normal_((3,), "float32", 0.0, -1.0)


def test_large_randn_is_fast():
    g = Generator().manual_seed(0)
    for dt in ("float32", "float64"):
        t = time.perf_counter()
        a = g.randn((1000, 1000), dt)
        assert a.shape == (1000, 1000) and time.perf_counter() - t < 2.0
