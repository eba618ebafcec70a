"""Records the structure of PyTorch 2.13's autograd graph for a few programs: for every
grad_fn reached from the output, the names of its next_functions (AccumulateGrad for a
leaf that requires grad, None for an input that does not). tests/test_graph_pictures.py
checks `gradcli graph --torch` against it.

    /tmp/torchref/bin/python tests/golden/record_graph_structure.py
"""

import json
from pathlib import Path

import torch

CASES = [  # gradcli's program, bindings (requires grad unless listed in no_grad), torch
    ("(x+w)*(w+1)", {"x": 2.0, "w": 1.0}, [], lambda x, w: (x + w) * (w + 1)),
    ("(x+w)*(w+1)+c", {"x": 2.0, "w": 1.0, "c": 3.0}, ["c"],
     lambda x, w, c: (x + w) * (w + 1) + c),
    ("torch.tanh(w*x + b)", {"x": 0.5, "w": 1.5, "b": -0.25}, ["x"],
     lambda x, w, b: torch.tanh(w * x + b)),
]


def structure(root):
    """[(grad_fn name, [next function names or None]), ...] in breadth-first order."""
    out, seen, queue = [], set(), [root]
    while queue:
        fn = queue.pop(0)
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        out.append([type(fn).__name__,
                    [None if f is None else type(f).__name__ for f, _ in fn.next_functions]])
        queue += [f for f, _ in fn.next_functions]
    return out


cases = []
for program, bindings, no_grad, f in CASES:
    args = [torch.tensor(v, dtype=torch.float64, requires_grad=k not in no_grad)
            for k, v in bindings.items()]
    y = f(*args)
    cases.append({"program": program, "bindings": bindings, "no_grad": no_grad,
                  "structure": structure(y.grad_fn)})
path = Path(__file__).with_name("graph_structure.json")
path.write_text(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1) + "\n")
print(path)
