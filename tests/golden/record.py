"""Record golden data from PyTorch 2.13 for every case in cases.py.

Run in a separate environment that has torch (never a dependency of gradcli):

    python3 -m venv /tmp/torchref && /tmp/torchref/bin/pip install torch==2.13.0 numpy
    /tmp/torchref/bin/python tests/golden/record.py

Writes tests/golden/torch_golden.json, which the tests read.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import CASES, HESSIAN_CASES, UNARY  # noqa: E402

torch.set_default_dtype(torch.float64)
OUT = Path(__file__).resolve().parent / "torch_golden.json"


def weights_for(shape: tuple[int, ...]) -> np.ndarray:
    """The fixed, non-uniform upstream weights (the tests build the same array)."""
    n = int(np.prod(shape)) if shape else 1
    return (1.0 + 0.5 * np.sin(np.arange(n) + 1.0)).reshape(shape)


def graph_grad_fns(t: torch.Tensor) -> list[str]:
    names, seen, stack = [], set(), [t.grad_fn]
    while stack:
        f = stack.pop()
        if f is None or f in seen:
            continue
        seen.add(f)
        name = type(f).__name__
        if name != "AccumulateGrad":
            names.append(name)
        stack.extend(n for n, _ in f.next_functions)
    return sorted(names)


def to_json(v):
    a = np.asarray(v, dtype=np.float64)
    if not np.isfinite(a).all():
        o = a.astype(object)
        o[np.isnan(a)] = "NaN"
        o[a == np.inf] = "Infinity"
        o[a == -np.inf] = "-Infinity"
        return o.tolist()
    return a.tolist()


def materialized(g: torch.Tensor) -> torch.Tensor:
    """sgn's gradient reaches a leaf as a ZeroTensor, which has no array: real zeros."""
    return torch.zeros_like(g) + g if g._is_zerotensor() else g


def run(program: str, bindings: dict, no_grad: list[str]) -> dict:
    ns = {"torch": torch, "F": F}
    ns.update({name: getattr(torch, name) for name in UNARY})  # gradcli's bare spellings
    for name, value in bindings.items():
        ns[name] = torch.tensor(value, dtype=torch.float64, requires_grad=name not in no_grad)
    tree = ast.parse(program)
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
            if isinstance(t, torch.Tensor):
                named[tgt.id] = [type(t.grad_fn).__name__ if t.grad_fn else None, t.is_leaf,
                                 t.requires_grad]
    leaves = {k: ns[k] for k in bindings}
    for k, t in named.items():
        if t[1] and t[2]:
            leaves[k] = ns[k]
    loss.backward()
    return {
        "value": to_json(out.detach()),
        "out_grad_fn": type(out.grad_fn).__name__ if out.grad_fn else None,
        "grad_fns": graph_grad_fns(loss),
        "named": named,
        "grads": {k: (None if t.grad is None else to_json(materialized(t.grad)))
                  for k, t in leaves.items()},
    }


def main() -> None:
    records = []
    for program, bindings, no_grad in CASES:
        rec = {"program": program, "bindings": bindings, "no_grad": no_grad}
        try:
            rec.update(run(program, bindings, no_grad))
        except (RuntimeError, IndexError, ValueError) as e:
            rec["error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
        records.append(rec)
    hessians = []
    for program, bindings in HESSIAN_CASES:
        names = list(bindings)
        shapes = [np.shape(bindings[k]) for k in names]

        def f(*tensors):
            ns = {"torch": torch, "F": F, **dict(zip(names, tensors))}
            return eval(compile(ast.Expression(ast.parse(program).body[0].value), "<h>", "eval"), ns)

        inputs = tuple(torch.tensor(bindings[k], dtype=torch.float64) for k in names)
        blocks = torch.autograd.functional.hessian(f, inputs)
        sizes = [int(np.prod(s)) for s in shapes]
        rows = [torch.cat([blocks[i][j].reshape(sizes[i], sizes[j]) for j in range(len(names))],
                          dim=1) for i in range(len(names))]
        H = torch.cat(rows, dim=0)
        hessians.append({"program": program, "bindings": bindings, "hessian": to_json(H)})
    doc = {"torch": torch.__version__, "numpy": np.__version__, "cases": records,
           "hessians": hessians}
    OUT.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    errors = sum("error" in r for r in records)
    print(f"wrote {len(records)} cases ({errors} errors) to {OUT}")


if __name__ == "__main__":
    main()
