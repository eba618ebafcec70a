"""Run the recorded random programs with gradcli and say where it and PyTorch differ.

    uv run python tests/differential/compare.py [CASES.json]   # agreement rate, classes

Used by tests/test_differential.py; as a script it prints the agreement rate and the
disagreements grouped by their first line, commonest first.
"""

from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import gradcli  # noqa: E402
from helpers import ancestors, from_json, weights_for  # noqa: E402

CASES = HERE / "torch_cases.json"


def load(path: Path = CASES) -> list[dict]:
    return json.loads(path.read_text())["cases"]


def wrapped(program: str) -> str:
    *body, last = program.split("\n")
    return "\n".join([*body, f"out = {last}", "loss = (out * weights).sum()"])


def same(actual, expected) -> bool:
    """float64, rtol 1e-9; NaN and infinities in the same places."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return False
    if not np.array_equal(np.isnan(a), np.isnan(e)):
        return False
    fa, fe = np.where(np.isnan(a), 0, a), np.where(np.isnan(e), 0, e)
    if not np.array_equal(np.isinf(fa) * np.sign(fa), np.isinf(fe) * np.sign(fe)):
        return False
    fin = np.isfinite(fe)
    return bool(np.allclose(fa[fin], fe[fin], rtol=1e-9, atol=1e-12))


def differences(case: dict) -> list[str]:
    """What gradcli does differently from PyTorch on `case` (empty when they agree)."""
    bindings = {k: from_json(v) for k, v in case["bindings"].items()}
    no_grad = [*case["no_grad"], "weights"]
    if "error" in case:
        bindings["weights"] = 1.0
        try:
            gradcli.evaluate(wrapped(case["program"]), bindings, no_grad=no_grad)
        except gradcli.GradcliError:
            return []
        except Exception as e:  # noqa: BLE001
            return [f"crash {type(e).__name__}: {e}"]
        return [f"accepted where PyTorch raised {case['error']}"]
    expected = from_json(case["value"]).reshape(case["shape"])
    bindings["weights"] = weights_for(expected.shape)
    try:
        r = gradcli.evaluate(wrapped(case["program"]), bindings, no_grad=no_grad)
    except gradcli.GradcliError as e:
        return [f"refused: {type(e).__name__}: {str(e).splitlines()[0]}"]
    except Exception as e:  # noqa: BLE001
        return [f"crash {type(e).__name__}: {e}"]
    out = r.variables["out"]
    diffs = []
    if not same(out.value, expected):
        diffs.append("value")
    if out.grad_fn != case["out_grad_fn"]:
        diffs.append(f"grad_fn {out.grad_fn} != {case['out_grad_fn']}")
    ours = sorted(n.grad_fn for n in ancestors(r.output_node) if n.grad_fn is not None)
    if ours != case["grad_fns"]:
        extra = collections.Counter(ours) - collections.Counter(case["grad_fns"])
        missing = collections.Counter(case["grad_fns"]) - collections.Counter(ours)
        diffs.append(f"graph +{sorted(extra.elements())} -{sorted(missing.elements())}")
    for name, (grad_fn, is_leaf, requires_grad) in case["named"].items():
        node = r.variables[name]
        if (node.grad_fn, node.is_leaf, node.requires_grad) != (grad_fn, is_leaf, requires_grad):
            diffs.append(f"named {name}: {node.grad_fn} != {grad_fn}")
    for name, want in case["grads"].items():
        got = r.torch_grad(r.variables[name])
        if (want is None) != (got is None) or want is not None and not same(got, from_json(want)):
            diffs.append(f"grad {name}")
    return diffs


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CASES
    cases = load(path)
    bad: dict[str, list] = collections.defaultdict(list)
    for c in cases:
        d = differences(c)
        if d:
            bad[d[0]].append(c)
    n_bad = sum(len(v) for v in bad.values())
    crashes = sum(len(v) for k, v in bad.items() if k.startswith("crash"))
    print(f"{len(cases) - n_bad} of {len(cases)} agree "
          f"({100 * (len(cases) - n_bad) / len(cases):.2f}%), {crashes} crashes")
    for k, v in sorted(bad.items(), key=lambda kv: -len(kv[1]))[:int(
            sys.argv[2]) if len(sys.argv) > 2 else 60]:
        print(f"{len(v):5d}  {k[:150]}")
        for c in v[:2]:
            print("         ", c["seed"], c["program"].replace("\n", " ; ")[:160],
                  c.get("error", "")[:100])


if __name__ == "__main__":
    main()
