"""Record PyTorch 2.13's exact autograd error texts, warnings and reprs.

Run in the torch reference environment (torch is never a dependency of gradcli):

    /tmp/torchref/bin/python tests/golden/record_messages.py

Writes tests/golden/autograd_messages.json. Every string in it comes from running torch:
each case is a small program run with `dt` bound to torch.float64 and again to
torch.float32 (cases whose text cannot depend on the dtype run once); the record holds
the exception's type and str(e), the warnings raised (category and text) and, for
expression cases, repr() of the value. Memory addresses are normalised to ``0x...``.
"""

from __future__ import annotations

import json
import re
import textwrap
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parent / "autograd_messages.json"
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")

# name -> program. The program's last line, if an expression, is the recorded value.
# `dt` is the dtype under test; x, w: 3 elements of dt requiring grad.
PRELUDE = ("x = torch.tensor([1.0, 2.0, 3.0], dtype=dt, requires_grad=True)\n"
           "w = torch.tensor([0.5, -1.0, 2.0], dtype=dt, requires_grad=True)\n")

ERRORS = {
    # second backward
    "second_backward_mul": "y = (x * w).sum()\ny.backward()\ny.backward()",
    "second_backward_mul_0d": ("a = torch.tensor(2.0, dtype=dt, requires_grad=True)\n"
                               "y = a * a\ny.backward()\ny.backward()"),
    "second_backward_add_ok": "y = (x + w).sum()\ny.backward()\ny.backward()\nx.grad",
    "second_backward_mul_number": "y = (x * 2).sum()\ny.backward()\ny.backward()",
    "second_backward_exp": "y = x.exp().sum()\ny.backward()\ny.backward()",
    "second_backward_retain_graph_ok": ("y = (x * w).sum()\ny.backward(retain_graph=True)\n"
                                        "y.backward()\nx.grad"),
    "second_backward_autograd_grad": ("y = (x * w).sum()\ntorch.autograd.grad(y, x)\n"
                                      "torch.autograd.grad(y, x)"),
    # version counter: a saved leaf modified in place
    "version_saved_leaf_input": ("y = x.sin()\nwith torch.no_grad():\n    x.add_(1)\n"
                                 "y.sum().backward()"),
    "version_saved_leaf_no_grad_input": ("c = torch.tensor([1.0, 2.0, 3.0], dtype=dt)\n"
                                         "y = x * c\nc.add_(1)\ny.sum().backward()"),
    "version_saved_leaf_twice": ("y = x.sin()\nwith torch.no_grad():\n    x.add_(1)\n"
                                 "    x.mul_(2)\ny.sum().backward()"),
    # version counter: a saved non-leaf (a result) modified in place
    "version_saved_result_exp": "e = x.exp()\ne.add_(1)\ne.sum().backward()",
    "version_saved_result_exp_iadd": "e = x.exp()\ne += 1\ne.sum().backward()",
    "version_saved_result_exp_no_grad": ("e = x.exp()\nwith torch.no_grad():\n    e.add_(1)\n"
                                         "e.sum().backward()"),
    "version_saved_result_exp_0d": ("a = torch.tensor(0.5, dtype=dt, requires_grad=True)\n"
                                    "e = a.exp()\ne.add_(1)\ne.backward()"),
    "version_saved_result_exp_2x3": ("A = torch.ones(2, 3, dtype=dt, requires_grad=True)\n"
                                     "e = A.exp()\ne.add_(1)\ne.sum().backward()"),
    "version_saved_nonleaf_input_sin": ("h = x * 2\ny = h.sin()\nh.add_(1)\ny.sum().backward()"),
    "version_saved_result_sigmoid": "s = torch.sigmoid(x)\ns.mul_(2)\ns.sum().backward()",
    "version_saved_index_tensor": ("i = torch.tensor([0, 2])\ny = x[i]\ni.add_(0)\n"
                                   "y.sum().backward()"),
    "version_saved_bool_mask": ("m = x > 1.5\ny = x[m]\nm.copy_(m.clone())\n"
                                "y.sum().backward()"),
    "version_saved_where_condition": ("m = x > 1.5\ny = torch.where(m, x, w)\n"
                                      "m.copy_(m.clone())\ny.sum().backward()"),
    "version_unsaved_add_ok": "y = x + w\nwith torch.no_grad():\n    x.add_(1)\ny.sum().backward()\nw.grad",
    # in-place on a leaf that requires grad
    "inplace_leaf_add_": "x.add_(1)",
    "inplace_leaf_iadd": "x += 1",
    "inplace_leaf_setitem": "x[0] = 1",
    "inplace_leaf_zero_": "x.zero_()",
    "inplace_leaf_mul_": "x.mul_(2)",
    "inplace_leaf_view": "v = x[0:2]\nv.add_(1)",
    "inplace_leaf_no_grad_ok": "with torch.no_grad():\n    x.add_(1)\nx",
    # truth value, item, numpy
    "bool_two_elements": "t = torch.tensor([1.0, 2.0], dtype=dt)\nbool(t)",
    "if_two_elements": "t = torch.tensor([1.0, 2.0], dtype=dt)\nif t:\n    pass",
    "bool_empty": "t = torch.tensor([], dtype=dt)\nbool(t)",
    "item_three_elements": "x.item()",
    "item_empty": "torch.tensor([], dtype=dt).item()",
    "numpy_requires_grad": "x.numpy()",
    "tolist_requires_grad_ok": "x.tolist()",
    "float_of_three_elements": "float(x)",
    "int_of_three_elements": "int(x)",
    # backward misuse
    "backward_non_scalar": "y = x * w\ny.backward()",
    "backward_no_grad_tensor": "t = torch.tensor([1.0, 2.0], dtype=dt)\nt.sum().backward()",
    "backward_no_grad_scalar": "t = torch.tensor(1.0, dtype=dt)\nt.backward()",
    "backward_inside_no_grad": "with torch.no_grad():\n    y = (x * 2).sum()\n    y.backward()",
    "backward_grad_shape_mismatch": "y = x * w\ny.backward(torch.ones(2, dtype=dt))",
    "requires_grad_false_non_leaf": "y = x * 2\ny.requires_grad = False",
    "requires_grad_int_tensor": "torch.tensor([1, 2]).requires_grad_()",
    "requires_grad_int_tensor_ctor": "torch.tensor([1, 2], requires_grad=True)",
    "requires_grad_attr_int_tensor": "t = torch.tensor([1, 2])\nt.requires_grad = True",
    "autograd_grad_unused": "y = (x * 2).sum()\ntorch.autograd.grad(y, [x, w])",
    "autograd_grad_unused_allowed": "y = (x * 2).sum()\ntorch.autograd.grad(y, [x, w], allow_unused=True)",
    "autograd_grad_non_scalar": "y = x * w\ntorch.autograd.grad(y, x)",
    "autograd_grad_no_grad_input": ("c = torch.tensor([1.0], dtype=dt)\n"
                                    "y = (x * 2).sum()\ntorch.autograd.grad(y, [c])"),
    "autograd_grad_result": "y = (x * w).sum()\ntorch.autograd.grad(y, [x, w])",
    "grad_of_non_leaf_warning": "y = x * 2\ny.grad",
    "retain_grad_no_requires_grad": "t = torch.tensor([1.0], dtype=dt)\nt.retain_grad()",
    "retain_grad_non_leaf_ok": "y = x * 2\ny.retain_grad()\ny.sum().backward()\ny.grad",
    "grad_zero_when_none": "x.grad.zero_()",
    "grad_is_none": "x.grad",
    "detach_then_backward": "y = (x * 2).detach().sum()\ny.backward()",
    # indexing with floats
    "index_float": "x[0.5]",
    "index_float_whole": "x[1.0]",
    "index_float_list": "x[[0.5]]",
    "index_float_slice": "x[0.5:2]",
    "index_float_tensor": "x[torch.tensor([0.5])]",
    "index_out_of_range": "x[3]",
}

REPRS = {
    # grad_fn reprs, names, next_functions
    "grad_fn_mul": "y = x * w\n(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))",
    "grad_fn_mul_number": ("y = x * 2\n"
                           "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_add_number": ("y = x + 1\n"
                           "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_rsub": ("y = 2 - x\n"
                     "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_sum": ("y = x.sum()\n"
                    "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_exp": ("y = x.exp()\n"
                    "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_matmul": ("W = torch.ones(3, 2, dtype=dt, requires_grad=True)\ny = x @ W\n"
                       "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_pow": ("y = x.pow(2)\n"
                    "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_input_no_grad": ("c = torch.tensor([1.0, 2.0, 3.0], dtype=dt)\ny = x * c\n"
                              "(repr(y.grad_fn), y.grad_fn.name(), repr(y.grad_fn.next_functions))"),
    "grad_fn_chain": ("y = (x * w).exp().sum()\n"
                      "(repr(y.grad_fn.next_functions), "
                      "repr(y.grad_fn.next_functions[0][0].next_functions))"),
    "grad_fn_accumulate_grad": ("y = x * w\ng = y.grad_fn.next_functions[0][0]\n"
                                "(repr(g), g.name(), repr(g.next_functions), repr(g.variable))"),
    "grad_fn_leaf": "(repr(x.grad_fn), repr(torch.tensor([1.0]).grad_fn))",
    "grad_fn_metadata": "y = x * w\n(repr(y.grad_fn.metadata), repr(y.grad_fn._saved_self))",
    "tensor_reprs": ("y = x * w\n(repr(x), repr(y), repr(y.sum()), repr(x.detach()), "
                     "repr(torch.tensor(2.0, dtype=dt, requires_grad=True)))"),
    "tensor_repr_after_backward_grad": "y = (x * w).sum()\ny.backward()\n(repr(x.grad), repr(w.grad))",
    # other reprs
    "size": "(repr(torch.Size([2, 3])), repr(torch.Size([])), repr(x.shape), str(x.shape), "
            "repr(torch.ones(2, 3).size()))",
    "dtype": "(repr(torch.float64), repr(torch.float32), repr(torch.int64), repr(torch.bool), "
             "str(torch.float64), repr(x.dtype), repr(torch.double), repr(torch.float))",
    "autograd_grad_tuple": "y = (x * w).sum()\nrepr(torch.autograd.grad(y, [x, w]))",
    "autograd_grad_tuple_single": "y = (x * w).sum()\nrepr(torch.autograd.grad(y, x))",
}

DTYPE_FREE = {"requires_grad_int_tensor", "requires_grad_int_tensor_ctor",
              "requires_grad_attr_int_tensor", "size", "dtype"}


def normalise(s: str) -> str:
    return ADDRESS.sub("0x...", s)


def run(program: str, dt) -> dict:
    import ast

    ns = {"torch": torch, "F": F, "dt": dt}
    tree = ast.parse(PRELUDE + program)
    *body, last = tree.body
    rec: dict = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(ast.Module(body=body, type_ignores=[]), "<case>", "exec"), ns)
            if isinstance(last, ast.Expr):
                value = eval(compile(ast.Expression(last.value), "<case>", "eval"), ns)
                if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
                    rec["value"] = [normalise(v) for v in value]
                else:
                    rec["value"] = normalise(value if isinstance(value, str) else repr(value))
            else:
                exec(compile(ast.Module(body=[last], type_ignores=[]), "<case>", "exec"), ns)
            rec["exception"] = None
        except Exception as e:  # noqa: BLE001 - recording what torch raises is the point
            rec["exception"] = type(e).__name__
            rec["message"] = normalise(str(e))
    rec["warnings"] = [{"category": w.category.__name__, "message": normalise(str(w.message))}
                       for w in caught]
    return rec


def main() -> None:
    cases = []
    for group, table in (("error", ERRORS), ("repr", REPRS)):
        for name, program in table.items():
            dtypes = [torch.float64] if name in DTYPE_FREE else [torch.float64, torch.float32]
            for dt in dtypes:
                rec = {"name": name, "group": group, "dtype": str(dt).removeprefix("torch."),
                       "program": textwrap.dedent(PRELUDE + program)}
                rec.update(run(program, dt))
                cases.append(rec)
    doc = {"torch": torch.__version__, "prelude": PRELUDE, "cases": cases}
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} records to {OUT}")


if __name__ == "__main__":
    main()
