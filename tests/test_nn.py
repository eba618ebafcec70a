"""torch.nn, nn.init and torch.optim in lesson programs: what the lesson corpus (recorded
from PyTorch) does not pin down -- the homework check of a custom autograd.Function, the
errors PyTorch raises for bad module and optimizer arguments, and the optimizers' rounding
rules against an independent float64 computation of the same formulas."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

import gradcli
from gradcli import nn, optim
from gradcli.cli import app

runner = CliRunner()

SQUARE = """
import torch

class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 2

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return FACTOR * x * grad_output

x = torch.tensor([1.0, 2.0, -3.0], requires_grad=True)
y = Square.apply(x).sum()
y.backward()
print(x.grad)
"""


@pytest.mark.parametrize("factor, code", [("2", 0), ("3", 1)])
def test_gradcheck_tests_the_users_backward(tmp_path, factor, code):
    f = tmp_path / "square.py"
    f.write_text(SQUARE.replace("FACTOR", factor))
    r = runner.invoke(app, ["check", "-f", str(f), "--gradcheck"], env={"COLUMNS": "120"})
    assert r.exit_code == code, r.output
    assert ("PASS" in r.output) == (code == 0) and ("FAIL" in r.output) == (code == 1)


def run(src: str):
    return gradcli.evaluate(textwrap.dedent(src), lesson=True)


@pytest.mark.parametrize("src, message", [
    ("import torch\nopt = torch.optim.SGD([], lr=0.1)\n",
     "optimizer got an empty parameter list"),
    ("import torch\nw = torch.zeros(2, requires_grad=True)\n"
     "opt = torch.optim.SGD([w], lr=-1)\n", "Invalid learning rate: -1"),
    ("import torch\nw = torch.zeros(2, requires_grad=True)\n"
     "opt = torch.optim.Adam([w], betas=(1.5, 0.9))\n", "Invalid beta parameter at index 0"),
    ("import torch\nw = torch.zeros(2, requires_grad=True)\n"
     "opt = torch.optim.SGD([w * 2], lr=0.1)\n", "can't optimize a non-leaf Tensor"),
    ("import torch.nn as nn\nclass M(nn.Module):\n    pass\nM()(1)\n",
     'missing the required "forward" function'),
    ("import torch.nn as nn\nm = nn.Sequential(nn.Linear(2, 2))\nm[3]\n", "out of range"),
    ("import torch.nn as nn\nnn.Dropout(0.5)(1)\n", "dropout"),
])
def test_bad_module_and_optimizer_arguments(src, message):
    """The program stops there with PyTorch's message, as an uncaught exception would."""
    r = run(src)
    assert r.error is not None and message in str(r.error)


def test_parameter_order_and_sharing():
    r = run("""
        import torch
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
                self.w = nn.Parameter(torch.zeros(3))
                self.head = self.body[0]        # shared: listed once

        net = Net()
        print([n for n, _ in net.named_parameters()])
        print(len(list(net.parameters())), [type(m).__name__ for m in net.modules()])
    """)
    assert r.stdout.splitlines() == [
        "['w', 'body.0.weight', 'body.0.bias']",
        "3 ['Net', 'Sequential', 'Linear', 'Tanh']",
    ]


def test_fused_multiply_add_rounding_of_updates():
    """add_alpha and lerp round once (a fused multiply-add): against exact float64 maths
    rounded to float32 once, and never further than one float32 step from the two-rounding
    result."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal(1000).astype(np.float32)
    b = rng.standard_normal(1000).astype(np.float32)
    alpha = -0.0123
    exact = (a.astype(np.float64) + np.float64(np.float32(alpha)) * b.astype(np.float64))
    assert np.array_equal(optim.add_alpha(a, b, alpha), exact.astype(np.float32))
    w = 0.1
    exact = a.astype(np.float64) + np.float64(np.float32(w)) * (b - a).astype(np.float64)
    assert np.array_equal(optim.lerp(a, b, w), exact.astype(np.float32))


def test_data_loader_collates_as_pytorch():
    r = run("""
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Pairs(Dataset):
            def __len__(self):
                return 5

            def __getitem__(self, i):
                return {"x": float(i), "n": i, "t": torch.tensor([i, -i])}

        loader = DataLoader(Pairs(), batch_size=2)
        print(len(loader))
        for b in loader:
            print(b["x"].dtype, b["n"].tolist(), b["t"].shape)
        print(len(DataLoader(Pairs(), batch_size=2, drop_last=True)))
    """)
    assert r.error is None, r.error
    assert r.stdout.splitlines() == [
        "3",
        "torch.float64 [0, 1] torch.Size([2, 2])",
        "torch.float64 [2, 3] torch.Size([2, 2])",
        "torch.float64 [4] torch.Size([1, 2])",
        "2",
    ]


def test_data_loader_rejects_a_bad_batch_size():
    r = run("import torch\nfrom torch.utils.data import DataLoader\n"
            "DataLoader([1, 2], batch_size=0)\n")
    assert r.error is not None and "batch_size should be a positive integer" in str(r.error)
