"""Record what PyTorch 2.13 does with the random programs of programs.py.

Run with the reference PyTorch (never a gradcli dependency):

    /tmp/torchref/bin/python tests/differential/record.py [FIRST COUNT [OUT]]

By default records seeds 0..5999 into tests/differential/torch_cases.json: for each
program its output's value, every leaf's gradient under the fixed non-uniform upstream
weights of tests/helpers.py, the output's grad_fn, the sorted grad_fn names of the whole
graph, and, where PyTorch raised, the exception's type and first line instead.
"""

from __future__ import annotations

import ast
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from programs import case  # noqa: E402

torch.set_default_dtype(torch.float64)


def _golden_recorder():
    """tests/golden/record.py, whose helpers this recorder shares (loaded by path: both
    scripts are called record.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("golden_record",
                                                  HERE.parent / "golden" / "record.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_GOLDEN = _golden_recorder()
weights_for, graph_grad_fns, to_json = _GOLDEN.weights_for, _GOLDEN.graph_grad_fns, \
    _GOLDEN.to_json


def run(c: dict) -> dict:
    ns = {"torch": torch, "F": F}
    for name, value in c["bindings"].items():
        ns[name] = torch.tensor(value, dtype=torch.float64,
                                requires_grad=name not in c["no_grad"])
    tree = ast.parse(c["program"])
    *body, last = tree.body
    exec(compile(ast.Module(body=body, type_ignores=[]), "<case>", "exec"), ns)
    out = eval(compile(ast.Expression(last.value), "<case>", "eval"), ns)
    if isinstance(out, tuple):
        out = out[0]
    w = torch.tensor(weights_for(tuple(out.shape)))
    loss = (out * w).sum()
    named = {}
    for stmt in body:
        for tgt in getattr(stmt, "targets", []):
            t = ns[tgt.id]
            named[tgt.id] = [type(t.grad_fn).__name__ if t.grad_fn else None, t.is_leaf,
                             t.requires_grad]
    if loss.requires_grad:
        loss.backward()
    grads = {}
    for k in c["bindings"]:
        g = ns[k].grad
        if g is not None and g._is_zerotensor():  # sgn's zero gradient, as a real array
            g = torch.zeros_like(g) + g
        grads[k] = None if g is None else to_json(g)
    return {
        "value": to_json(out.detach()),
        "shape": list(out.shape),
        "out_grad_fn": type(out.grad_fn).__name__ if out.grad_fn else None,
        "grad_fns": graph_grad_fns(loss),
        "named": named,
        "grads": grads,
    }


def record(first: int, count: int) -> list[dict]:
    out = []
    for seed in range(first, first + count):
        c = case(seed)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                c.update(run(c))
        except Exception as e:  # noqa: BLE001 - what PyTorch raised is the record
            c["error"] = f"{type(e).__name__}: {(str(e).splitlines() or [''])[0]}"
        c["bindings"] = {k: to_json(v) for k, v in c["bindings"].items()}
        out.append(c)
    return out


def main() -> None:
    first = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
    path = Path(sys.argv[3]) if len(sys.argv) > 3 else HERE / "torch_cases.json"
    cases = record(first, count)
    doc = {"torch": torch.__version__, "first": first, "count": count, "cases": cases}
    path.write_text(json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n")
    errors = sum("error" in c for c in cases)
    print(f"wrote {len(cases)} cases ({errors} errors) to {path}")


if __name__ == "__main__":
    main()
