"""Records how PyTorch 2.13 prints float32 results of small programs, for
tests/test_terminal.py (gradcli's table shows float32 numbers as PyTorch prints them).

    /tmp/torchref/bin/python tests/golden/record_float32_text.py
"""

import json
from pathlib import Path

import torch

CASES = [  # gradcli's program, bindings, the same in PyTorch
    ("x*0.1", {"x": 1.0}, lambda x: x * 0.1),
    ("x*0.1", {"x": [1.0, 2.0, 3.0]}, lambda x: x * 0.1),
    ("(x/3).sum()", {"x": [1.0, 2.0, 3.0]}, lambda x: (x / 3).sum()),
    ("exp(x)*1e-5", {"x": [1.0, 20.0]}, lambda x: torch.exp(x) * 1e-5),
    ("x*x", {"x": 7.0}, lambda x: x * x),
]

out = []
for program, bindings, f in CASES:
    y = f(torch.tensor(bindings["x"], dtype=torch.float32, requires_grad=True))
    body = lambda t: str(t.detach()).removeprefix("tensor(").removesuffix(")")  # noqa: E731
    out.append({"program": program, "bindings": bindings, "value": body(y)})
path = Path(__file__).with_name("float32_text.json")
path.write_text(json.dumps({"torch": torch.__version__, "cases": out}, indent=1) + "\n")
print(path)
