"""Probes an attacker or a careless user would try: every one ends in bounded time and
memory with exit 2 and one clear message (or, where the input is fine, its result), never a
traceback or an internal error. Each runs the real command line in a forked child with an
address-space limit and an alarm (tests/probes.py)."""

from __future__ import annotations

import json
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from probes import run_api, run_cli, run_real

BAD = "bad"  # exit 2, a message on stderr (or a JSON error document), nothing else


def _npy_header(shape, dtype="<f8") -> bytes:
    """A .npy file's header claiming `shape`, with no data behind it."""
    head = repr({"descr": dtype, "fortran_order": False, "shape": tuple(shape)}).encode()
    pad = 64 - (10 + len(head) + 1) % 64
    head += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(head)) + head


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("probe_files")
    np.save(d / "ok.npy", np.arange(3.0))
    np.savez(d / "archive.npz", a=np.ones(3))
    os.replace(d / "archive.npz", d / "npz.npy")
    (d / "empty.npy").write_bytes(b"")
    (d / "huge.npy").write_bytes(_npy_header((100000, 100000)) + b"\0" * 64)
    (d / "short.npy").write_bytes(_npy_header((100,)) + b"\0" * 16)
    (d / "negative.npy").write_bytes(_npy_header((-1,)))
    (d / "object.npy").write_bytes(_npy_header((1,), "|O") + b"\0" * 8)
    (d / "complex.npy").write_bytes(_npy_header((1,), "<c16") + b"\0" * 16)
    (d / "text.npy").write_bytes(b"hello, this is not an array\n")
    np.save(d / "strings.npy", np.array(["a", "b"]))
    (d / "deep.json").write_text("[" * 100000 + "]" * 100000)
    (d / "deep_bindings.json").write_text('{"x": ' + "[" * 100000 + "]" * 100000 + "}")
    (d / "latin1.json").write_bytes(b'{"x": 2, "caf\xe9": 1}')
    (d / "latin1_bindings.json").write_bytes(b'{"x": 2}\n# caf\xe9\n')
    (d / "big_int.json").write_text('{"x": 1' + "0" * 400 + "}")
    (d / "huge_int.json").write_text('{"x": ' + "9" * 5000 + "}")
    (d / "passwd_ref.json").write_text('{"x": "@/etc/passwd"}')
    (d / "nested_ref.json").write_text('{"x": "@secret.csv"}')
    (d / "ok_ref.json").write_text('{"x": "@ok.npy"}')
    (d / "secret.csv").write_text("topsecret-line-1,2\n3,4\n")
    (d / "not_object.json").write_text("[1, 2, 3]")
    (d / "weird_values.json").write_text('{"x": {"a": 1}}')
    (d / "null.json").write_text('{"x": null}')
    (d / "ragged.json").write_text('{"x": [[1], [2, 3]]}')
    (d / "badkey.json").write_text('{"1x": 2}')
    (d / "bad.csv").write_text("1,2\nroot:x:0:0:root:/root:/bin/bash\n")
    (d / "ragged.csv").write_text("1,2\n3\n")
    (d / "x.json").write_text("[1, 2, 3]")
    (d / "str.json").write_text('["a", "b"]')
    (d / "prog_latin1.txt").write_bytes(b"x * 2 # caf\xe9\n")
    os.symlink("/dev/zero", d / "zero.json")
    os.symlink("/dev/zero", d / "zero.npy")
    os.symlink("/dev/zero", d / "zero.csv")
    os.symlink("/dev/urandom", d / "random.json")
    os.mkdir(d / "adir.json")
    return d


def check_bad(r, *, message: str | None = None, json_doc: bool = False) -> None:
    assert r.code == 2, r
    text = r.out + r.err
    assert "Traceback" not in text and "internal error" not in text, r
    if json_doc:
        doc = json.loads(r.out)
        assert doc["error"]["message"], r
        if message:
            assert re.search(message, doc["error"]["message"], re.I), r
        return
    assert r.err.startswith("error:") or '"error"' in r.out, r
    if message:
        assert re.search(message, r.err, re.I), r


def check_clean(r) -> None:
    text = r.out + r.err
    assert r.code is not None, r
    assert "Traceback" not in text and "internal error" not in text and "ESCAPED" not in text, r


E = ["eval"]
BIG = "1" + "0" * 400
HUGE = "9" * 5000

# (id, argv, expected message regex or None); each must exit 2 with one message.
BAD_CASES = [
    # numbers beyond float range
    ("int-400-digits", E + [BIG], r"too large|float range|overflow"),
    ("int-400-digits-op", E + [f"x + {BIG}", "--x", "1"], r"too big|float range|overflow"),
    ("int-5000-digits", E + [f"x * {HUGE}", "--x", "1"], r"too large|digits|float range"),
    ("arange-plus-1e20", E + ["arange(3) + 10**20"], r"overflow|int64|range"),
    ("int-tensor-overflow", E + ["torch.tensor([2**70])"], r"overflow|int64|range"),
    ("sum-dim-inf", E + ["x.sum(dim=inf)", "--x", "[1, 2]"], r"dim"),
    ("sum-dim-huge", E + ["x.sum(dim=10**30)", "--x", "[1, 2]"], r"dim|range"),
    ("index-huge", E + ["x[10**30]", "--x", "[1, 2]"], r"ind|range|64 bits"),
    ("seed-negative", E + ["x", "--x", "1", "--seed", "-1"], r"seed"),
    ("seed-too-big", E + ["x", "--x", "1", "--seed", str(2**70)], r"seed"),
    ("manual-seed-too-big", E + ["import torch\ntorch.manual_seed(2**70)\nx = torch.randn(2)\n"
                                 "print(x)"], r"overflow"),
    ("power-tower", E + ["9**9**9**9"], r"too large|range|limit"),
    ("int-power-huge", E + ["x * 2**100000000", "--x", "1"], r"too large|range|limit"),
    ("reshape-huge", E + ["x.reshape(10**20, -1)", "--x", "[1, 2]"], r"shape|reshape|invalid"),
    # constructors
    ("ones-0-1e300", E + ["ones(0, 1e300)"], r"int|size"),
    ("ones-2e40-0", E + ["ones(2**40, 2**40, 0)"], r"size|large|limit"),
    ("zeros-inf", E + ["zeros(inf)"], r"int|size"),
    ("zeros-nan", E + ["zeros(nan)"], r"int|size"),
    ("ones-negative", E + ["ones(-1)"], r"negative"),
    ("randn-2e63", E + ["randn(2**63)"], r"size|limit|range"),
    ("arange-inf", E + ["arange(0, inf)"], r"finite|inf"),
    ("arange-nan", E + ["arange(nan)"], r"finite|nan"),
    ("arange-tiny-step", E + ["arange(0, 1e30, 1e-30)"], r"limit|elements"),
    ("linspace-negative", E + ["linspace(0, 1, -5)"], r"steps|negative"),
    ("linspace-huge", E + ["linspace(0, 1, 10**12)"], r"limit|elements"),
    ("eye-huge", E + ["eye(10**10)"], r"limit|elements"),
    ("eye-negative", E + ["eye(-3)"], r"negative|n must"),
    ("full-huge", E + ["full((2**62, 2**62, 0), 1.)"], r"size|limit|large"),
    ("zeros-float-size", E + ["zeros(2.5)"], r"int|size"),
    ("randint-huge", E + ["import torch\nprint(torch.randint(0, 10, (10**10,)))"], r"limit"),
    # language
    ("eq-unbroadcastable", E + ["x == [1., 2.]", "--x", "[1, 2, 3]"], r"broadcast|size"),
    ("lt-unbroadcastable", E + ["where(x < [1., 2.], x, 0).sum()", "--x", "[1, 2, 3]"],
     r"broadcast|size"),
    ("string-index", E + ["v['a']", "--v", "[1, 2]"], r"ind"),
    ("string-slice", E + ["v['a':'b']", "--v", "[1, 2]"], r"slice|index"),
    ("float-index", E + ["v[1.5]", "--v", "[1, 2]"], r"ind"),
    ("leaky-relu-swapped", E + ["leaky_relu(1, x)", "--x", "2"], r"leaky_relu|tensor|argument"),
    ("string-arg", E + ["exp('a')"], r"exp|argument|tensor"),
    ("unknown-function", E + ["foo(x)", "--x", "1"], r"foo"),
    ("unbound", E + ["x + q", "--x", "1"], r"q"),
    ("view-two-minus-one", E + ["x.view(-1, -1)", "--x", "[1, 2]"], r"-1|infer|one"),
    ("permute-repeat", E + ["x.permute(0, 0)", "--x", "[[1, 2]]"], r"permute|dim|repeat"),
    ("transpose-bad-dim", E + ["x.transpose(5, 6)", "--x", "[[1, 2]]"], r"dim"),
    ("unsqueeze-bad-dim", E + ["x.unsqueeze(100)", "--x", "[1, 2]"], r"dim"),
    ("cat-bad-dim", E + ["torch.cat([x, x], dim=5)", "--x", "[1, 2]"], r"dim"),
    ("stack-empty", E + ["torch.stack([])"], r"stack|empty|tensor"),
    ("expand-negative", E + ["x.expand(-2)", "--x", "[1]"], r"expand|size|-2"),
    ("flip-bad-dim", E + ["x.flip(7)", "--x", "[1, 2]"], r"dim"),
    ("diag-huge-offset", E + ["torch.diag(x, 10**20)", "--x", "[1, 2]"], r"diag|range|limit"),
    ("diagonal-same-dims", E + ["x.diagonal(0, 0, 0)", "--x", "[[1, 2]]"], r"diagonal|dim"),
    ("softmax-bad-dim", E + ["softmax(x, dim=3)", "--x", "[1, 2]"], r"dim"),
    ("index-out-of-range", E + ["x[[10]]", "--x", "[1, 2]"], r"index|bounds"),
    ("nll-bad-class", E + ["F.nll_loss(x, torch.tensor([5]))", "--x", "[[1., 2.]]"],
     r"target|class|bounds"),
    ("matmul-mismatch", E + ["x @ y", "--x", "[[1, 2]]", "--y", "[[1, 2]]"], r"shape|mat"),
    ("backward-vector", E + ["y = x * 2\ny.backward()", "--x", "[1, 2]"], r"scalar"),
    ("deep-list-literal", E + ["[" * 100000 + "]" * 100000], None),
    ("deep-unary", E + ["-" * 200000 + "+x", "--x", "1", "--format", "json"], None),
    ("deep-power", E + ["x" + "**x" * 50000 + " + q", "--x", "1"], r"q"),
    ("lesson-open-file", E + ["f = open('/etc/passwd')\nprint(f.read())"], r"open"),
    ("lesson-np-load", E + ["import numpy as np\nx = np.load('/etc/passwd')\nprint(x)"],
     r"load|np|numpy"),
    ("lesson-torch-load", E + ["import torch\nx = torch.load('/etc/passwd')\nprint(x)"], r"load"),
    ("lesson-import-os", E + ["import os\nos.system('true')\nprint(1)"], r"os|system"),
    ("lesson-dunder", E + ["x = ().__class__.__bases__[0].__subclasses__()\nprint(x)"], r"."),
    ("lesson-endless-loop", E + ["while True:\n    pass", "--max-steps", "10000"], r"statements"),
    ("lesson-recursion", E + ["def f(n):\n    return f(n + 1)\nf(0)"], r"recursion"),
    ("lesson-huge-string", E + ["s = 'a' * 10**10\nprint(len(s))"], r"limit|too long|large|memory"),
    ("lesson-huge-list", E + ["s = [0] * 10**10\nprint(len(s))"], r"limit|too long|large|memory"),
    ("lesson-list-doubling", E + ["s = [0]\nfor i in range(60):\n    s = s + s\nprint(len(s))"],
     r"limit|too long|large|memory"),
    ("lesson-string-doubling", E + ["s = 'ab'\nfor i in range(60):\n    s = s + s\n"
                                    "print(len(s))"], r"limit|too long|large|memory"),
    ("lesson-int-power", E + ["n = 7 ** 10**8\nprint(n % 10)"], r"limit|large"),
    ("lesson-big-tensors", E + ["import torch\n" + "".join(
        f"t{i} = torch.ones(10**7)\n" for i in range(41)) + "print(t0.sum())",
                                "--max-memory", "400M"], r"memory|limit"),
    ("lesson-jacobian-large", E + ["import torch\nx = torch.ones(20000, requires_grad=True)\n"
                                   "J = torch.autograd.functional.jacobian(torch.exp, x)\n"
                                   "print(J.shape)"], r"limit"),
    ("lesson-randint-huge-bound", E + ["import torch\nprint(torch.randint(0, 10**30, (2,)))"],
     r"bounds"),
    ("lesson-math-comb-huge", E + ["import math\nprint(math.comb(10**7, 10**6))"], r"large"),
    ("max-memory-beyond-range", E + ["x", "--x", "1", "--max-memory", "1e400"], None),
    ("lesson-list-growth", E + ["x = []\nwhile True:\n    x = x + [1]"], r"statements"),
    ("lesson-string-growth", E + ["s = 'a'\nwhile True:\n    s = s + 'a' * 1000"],
     r"statements"),
    ("lesson-sum-huge-range", E + ["print(sum(range(10**12)))", "--max-steps", "100000"],
     r"statements"),
    ("lesson-sum-zip-ranges", E + ["print(sum(zip(range(10**12), range(10**12)), ()))"],
     r"statements|too long"),
    ("lesson-range-list", E + ["r = list(range(10**10))\nprint(len(r))"],
     r"limit|too long|large|memory"),
    # files
    ("npz-named-npy", E + ["x.sum()", "--x", "@npz.npy"], r"npz|npy|not"),
    ("empty-npy", E + ["x.sum()", "--x", "@empty.npy"], r"empty|npy|not"),
    ("npy-header-1e10", E + ["x.sum()", "--x", "@huge.npy"], r"limit|elements"),
    ("npy-truncated", E + ["x.sum()", "--x", "@short.npy"], r"npy|data|short|truncated"),
    ("npy-negative-shape", E + ["x.sum()", "--x", "@negative.npy"], r"npy|shape|header"),
    ("npy-object", E + ["x.sum()", "--x", "@object.npy"], r"npy|object|numeric|pickle"),
    ("npy-complex", E + ["x.sum()", "--x", "@complex.npy"], r"numeric|complex"),
    ("npy-strings", E + ["x.sum()", "--x", "@strings.npy"], r"numeric"),
    ("npy-text", E + ["x.sum()", "--x", "@text.npy"], r"npy"),
    ("json-deep-file", E + ["x", "--x", "@deep.json"], r"deep|nest"),
    ("json-deep-bindings", E + ["x", "--bindings", "deep_bindings.json"], r"deep|nest"),
    ("json-strings", E + ["x.sum()", "--x", "@str.json"], r"numeric|number"),
    ("json-big-int", E + ["x", "--bindings", "big_int.json"], r"float range|too large"),
    ("json-5000-digit-int", E + ["x", "--bindings", "huge_int.json"], r"digits|too large"),
    ("bindings-not-utf8", E + ["x", "--bindings", "latin1_bindings.json"], r"UTF-8"),
    ("file-not-utf8", E + ["x", "--x", "@latin1.json"], r"UTF-8"),
    ("program-not-utf8", E + ["-f", "prog_latin1.txt"], r"UTF-8"),
    ("bindings-not-object", E + ["x", "--bindings", "not_object.json"], r"object"),
    ("bindings-object-value", E + ["x", "--bindings", "weird_values.json"], r"x"),
    ("bindings-null-value", E + ["x", "--bindings", "null.json"], r"x"),
    ("bindings-ragged", E + ["x", "--bindings", "ragged.json"], r"ragged"),
    ("bindings-bad-key", E + ["x", "--bindings", "badkey.json", "--x", "1"], r"1x|name"),
    ("dev-zero-json", E + ["x", "--x", "@zero.json"], r"large|limit|JSON|UTF-8|not"),
    ("dev-zero-npy", E + ["x", "--x", "@zero.npy"], r"npy"),
    ("dev-zero-csv", E + ["x", "--x", "@zero.csv"], r"large|limit|csv|not"),
    ("dev-urandom-json", E + ["x", "--x", "@random.json"], r"large|limit|UTF-8|JSON|not"),
    ("dev-zero-bindings", E + ["x", "--bindings", "/dev/zero"], r"large|limit|UTF-8|not"),
    ("dev-zero-program", E + ["-f", "/dev/zero"], r"large|limit|UTF-8|not"),
    ("directory-file", E + ["x", "--x", "@adir.json"], r"directory|read"),
    ("missing-file", E + ["x", "--x", "@nofile.npy"], r"nofile|read"),
    ("csv-not-numbers", E + ["x", "--x", "@bad.csv"], r"csv|number"),
    ("csv-ragged", E + ["x", "--x", "@ragged.csv"], r"csv|column|row"),
    ("file-ref-in-bindings", E + ["x", "--bindings", "passwd_ref.json"], r"allow-file-refs"),
    ("file-ref-relative", E + ["x", "--bindings", "nested_ref.json"], r"allow-file-refs"),
    # output and options
    ("check-rtol-nan", ["check", "x", "--x", "1", "--expect", "x=1", "--rtol", "nan"], r"rtol"),
    ("check-rtol-inf", ["check", "x", "--x", "1", "--expect", "x=1", "--rtol", "inf"], r"rtol"),
    ("check-rtol-negative", ["check", "x", "--x", "1", "--expect", "x=1", "--rtol", "-1"],
     r"rtol"),
    ("check-atol-nan", ["check", "x", "--x", "1", "--expect", "x=1", "--atol", "nan"], r"atol"),
    ("max-elements-negative", E + ["x", "--x", "1", "--max-elements", "-5"], r"max-elements"),
    ("max-memory-negative", E + ["x", "--x", "1", "--max-memory", "-5"], r"max-memory"),
    ("graph-output-missing-dir", ["graph", "x", "--x", "1", "-o", "/nonexistent/dir/g.dot"],
     r"write"),
    ("expect-huge-int", ["check", "x", "--x", "1", "--expect", f"x={HUGE}"], r"large|digits"),
    ("tangent-bad-shape", ["jvp", "x.sum()", "--x", "[1, 2]", "--tangent", "x=[1, 2, 3]"],
     r"shape"),
    # limits
    ("diag-large", E + ["torch.diag(x).sum()", "--x", "ones(20000)"], r"limit"),
    ("advanced-index-large", E + ["M[zeros(100000, dtype=torch.int64)].sum()", "--M",
                                  "ones(1000, 1000)", "--max-elements", "10000000"], r"limit"),
    ("advanced-index-cols-large", E + ["M[:, zeros(100000, dtype=torch.int64)].sum()", "--M",
                                       "ones(1000, 1000)", "--max-elements", "10000000"],
     r"limit"),
    ("matmul-flops", E + ["(ones(10**4, 10**4) @ ones(10**4, 10**4)).sum()"], r"flop|work"),
    ("mm-flops", E + ["torch.mm(ones(4000, 4000), ones(4000, 4000)).sum()", "--max-flops",
                      "10**9"], r"flop|work"),
    ("many-statements", E + ["".join(f"t{i} = ones(10**7) * x\n" for i in range(41))
                             + "t0.sum()", "--x", "1"], r"memory"),
    ("outer-large", E + ["torch.outer(x, x).sum()", "--x", "ones(20000)"], r"limit"),
    ("broadcast-large", E + ["(x[:, None] * x[None, :]).sum()", "--x", "ones(20000)"], r"limit"),
    ("expand-large", E + ["x.expand(20000, 20000).exp().sum()", "--x", "ones(20000)"], r"limit"),
    ("clone-expanded-large", E + ["x.expand(20000, 20000).clone().sum()", "--x", "ones(20000)"],
     r"limit"),
    ("cat-large", E + ["torch.cat([x, x, x, x, x, x]).sum()", "--x", "ones(20000)",
                       "--max-elements", "100000"], r"limit"),
    ("jacobian-large", ["jacobian", "x.exp()", "--x", "ones(20000)"], r"limit|rows|Jacobian"),
    ("hessian-large", ["hessian", "(x * x).sum()", "--x", "ones(5000)"], r"rows|Hessian"),
    ("binding-too-big", E + ["x", "--x", "ones(10**9)"], r"limit"),
    ("binding-max-elements", E + ["x", "--x", "ones(100)", "--max-elements", "10"], r"limit"),
]


# Deep or large but valid input: it runs (exit 0) in bounded time and memory.
OK_CASES = [
    ("deep-parens", E + ["(" * 100000 + "x" + ")" * 100000, "--x", "1"]),
    ("manual-seed-negative", E + ["import torch\ntorch.manual_seed(-1)\nprint(torch.randn(2))"]),
    ("zero-size-tensor", E + ["ones(0, 5).sum() + x", "--x", "1"]),
    ("linspace-zero-steps", E + ["linspace(0, 1, 0).sum() + x", "--x", "1"]),
    ("integers-beyond-2-53", E + ["x * (2**60 + 1 - 2**60)", "--x", "1", "--format", "json"]),
    ("float-literal-beyond-range", E + ["x * 1e400", "--x", "1"]),
]


@pytest.mark.parametrize("case", OK_CASES, ids=[c[0] for c in OK_CASES])
def test_valid_input_runs(case, files):
    r = run_cli(case[1], cwd=files)
    check_clean(r)
    assert r.code == 0, r


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_input_exits_2_with_one_message(case, files):
    _, argv, message = case
    r = run_cli(argv, cwd=files)
    check_bad(r, message=message)


def test_the_message_names_the_spot_in_json_too(files):
    r = run_cli(["eval", "x == [1., 2.]", "--x", "[1, 2, 3]", "--format", "json"], cwd=files)
    check_bad(r, message="broadcast", json_doc=True)


# ---------------------------------------------------------------- files and security

def test_a_file_ref_in_a_bindings_file_is_not_read(files):
    r = run_cli(["eval", "x", "--bindings", "nested_ref.json"], cwd=files)
    check_bad(r, message="allow-file-refs")
    assert not any(p.endswith("secret.csv") for p in r.opened), r.opened
    r = run_cli(["eval", "x", "--bindings", "passwd_ref.json"], cwd=files)
    assert "/etc/passwd" not in r.opened


def test_file_refs_allowed_when_asked(files):
    r = run_cli(["eval", "x.sum()", "--bindings", "ok_ref.json", "--allow-file-refs"],
                cwd=files)
    assert r.code == 0, r
    assert any(p.endswith("ok.npy") for p in r.opened)


def test_an_error_never_echoes_a_line_of_a_file(files):
    for args in (["x", "--bindings", "passwd_ref.json", "--allow-file-refs"],
                 ["x", "--x", "@bad.csv"], ["x", "--bindings", "nested_ref.json"]):
        r = run_cli(["eval", *args], cwd=files)
        check_bad(r)
        assert "root:" not in r.text and "topsecret" not in r.text, r


def test_closed_stdin():
    for args in (["eval", "-"], ["eval", "x", "--bindings", "-"], ["batch", "x"]):
        r = run_real(args, close_stdin=True)
        check_bad(r, message="standard input")


def test_program_on_stdin_not_utf8():
    r = run_cli(["eval", "-"], stdin=b"x * 2 # caf\xe9\n")
    check_bad(r, message="UTF-8")


def test_endless_program_on_stdin():
    r = run_cli(["eval", "-"], stdin="/dev/zero")
    check_bad(r)


def test_huge_program_is_refused_or_runs_in_seconds(files):
    prog = files / "big_prog.txt"
    prog.write_text("x + " * (10 * 2**20 // 4) + "x")
    r = run_cli(["eval", "-f", str(prog), "--x", "1", "--format", "json"], timeout=30)
    check_clean(r)
    assert r.code in (0, 2)


def test_huge_binding_is_refused_or_runs_in_seconds(files):
    big = files / "big_binding.json"
    big.write_text(json.dumps({"x": [0.5] * (20 * 2**20 // 5)}))
    r = run_cli(["eval", "x.sum()", "--bindings", str(big)], timeout=30)
    check_clean(r)
    assert r.code in (0, 2)


def test_npy_that_loads(files):
    r = run_cli(["eval", "x.sum()", "--x", "@ok.npy", "--format", "json"], cwd=files)
    assert r.code == 0 and json.loads(r.out)["value"] == 3.0, r


# ---------------------------------------------------------------- output

def test_full_disk():
    r = run_cli(["eval", "x * 2", "--x", "1"], stdout="/dev/full")
    check_bad(r, message="write|space")
    r = run_cli(["eval", "x * 2", "--x", "1", "--format", "json"], stdout="/dev/full")
    check_bad(r, message="write|space")


def test_ascii_stdout_falls_back_to_ascii_symbols():
    for args in (["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"],
                 ["check", "x*x", "--x", "2", "--expect", "x=4"],
                 ["eval", "x = torch.tensor(1., requires_grad=True)\nfor i in range(3):\n"
                  "    y = x * i\n    y.backward()\nprint(x.grad)"]):
        r = run_real(args, env={"PYTHONIOENCODING": "ascii"})
        check_clean(r)
        assert r.code == 0, r
        assert r.out.isascii() and "y" in r.out, r


@pytest.mark.parametrize("columns", ["20", "0", "1"])
def test_narrow_terminal_shows_every_column(columns):
    r = run_cli(["eval", "(x+w)*(w+1)", "--x", "2", "--w", "1"], env={"COLUMNS": columns})
    check_clean(r)
    assert r.code == 0, r
    for text in ("AddBackward0", "MulBackward0", "requires_grad", "(x+w)*(w+1)"):
        assert text in r.out.replace("\n", "").replace(" ", "").replace("│", "") or \
            text in r.out, (text, r.out)


# ---------------------------------------------------------------- explain

def test_explain_deep_nesting_skips_the_symbolic_part():
    prog = "sin(" * 3000 + "x" + ")" * 3000
    r = run_cli(["explain", prog, "--x", "0.5"], timeout=30)
    check_clean(r)
    assert r.code == 0, r
    assert "dy/dx" in r.out and re.search(r"symbolic.*(skipped|left out)", r.out), r.out[-2000:]


def test_explain_large_sum_in_bounded_time():
    prog = " + ".join(["x"] * 20000)
    r = run_cli(["explain", prog, "--x", "0.5"], timeout=30)
    check_clean(r)
    assert r.code == 0, r
    assert "20000 paths" in r.out.replace(",", ""), r.out[:500]
    assert "symbolic part skipped" in r.out


def test_explain_doubling_graph_in_bounded_time():
    prog = "a = x\n" + "a = a*a + a\n" * 60
    r = run_cli(["explain", prog, "--x", "0.001"], timeout=30)
    check_clean(r)
    assert r.code == 0, r
    assert re.search(r"(skipped|left out)", r.out), r.out[-2000:]


# ---------------------------------------------------------------- batch

def _batch(lines: list[str], *args, **kw):
    return run_cli(["batch", *args], stdin=("\n".join(lines) + "\n").encode(), **kw)


def _rows(r) -> list[dict]:
    return [json.loads(line) for line in r.out.splitlines()]


@pytest.mark.parametrize("bad", [
    '{"x": ' + BIG + ', "w": 1}', '{"x": ' + HUGE + ', "w": 1}',
    '{"x": ' + "[" * 100000 + "]" * 100000 + ', "w": 1}', '{"x": "@/etc/passwd", "w": 1}',
    '{"x": "randn(10**10)", "w": 1}', '{"x": [1, [2]], "w": 1}', "not json", "[1, 2]",
    '{"x": 1e400, "w": 1}', '{"x": {"a": 1}, "w": 1}', '{"x": true, "w": 1}',
    '{"x": [' + ",".join(["1"] * 1000) + '], "w": 1}',
])
def test_batch_a_bad_line_gets_its_error_line(bad):
    good = '{"x": 2, "w": 1}'
    r = _batch([good, bad, good], "(x+w)*(w+1)")
    check_clean(r)
    assert r.code in (0, 2), r
    rows = _rows(r)
    assert [row["line"] for row in rows] == [1, 2, 3], r
    assert rows[0]["value"] == rows[2]["value"] == 6.0


def test_batch_bad_line_in_a_long_input():
    lines = ['{"x": %d, "w": 1}' % i for i in range(12001)]
    lines[9000] = '{"x": ' + HUGE + ', "w": 1}'
    r = _batch(lines, "(x+w)*(w+1)", timeout=60)
    check_clean(r)
    assert r.code == 2
    rows = _rows(r)
    assert len(rows) == 12001 and [row["line"] for row in rows] == list(range(1, 12002))
    assert "error" in rows[9000] and rows[9001]["value"] == (9001 + 1) * 2


def test_batch_vectorised_rows_equal_rows_alone():
    import gradcli
    from gradcli.result import jsonable

    rng = np.random.default_rng(0)
    xs = rng.uniform(0.1, 3, 300)
    ws = rng.uniform(-3, 3, 300)
    programs = ["x**w", "exp(x) * sin(w) / (1 + x**2)", "tanh(x * w) + log(x) ** w",
                "sqrt(x) + w ** 3 - 2 ** x + sigmoid(w)"]
    for prog in programs:
        lines = [json.dumps({"x": float(a), "w": float(b)}) for a, b in zip(xs, ws)]
        r = _batch(lines, prog)
        assert r.code == 0, r
        for row, a, b in zip(_rows(r), xs, ws):
            alone = gradcli.evaluate(prog, {"x": float(a), "w": float(b)})
            assert row["value"] == jsonable(alone.value), (prog, a, b)
            assert row["grads"] == {k: jsonable(v) for k, v in alone.grads.items()}, (prog, a, b)


def test_batch_skips_blank_lines():
    r = run_cli(["batch", "x * 2"], stdin=b'{"x": 1}\n\n   \n{"x": 2}\n\n')
    assert r.code == 0, r
    assert [(row["line"], row["value"]) for row in _rows(r)] == [(1, 2.0), (4, 4.0)]


def test_batch_endless_line_is_bounded():
    r = run_cli(["batch", "x * 2"], stdin="/dev/zero", timeout=30)
    check_clean(r)
    assert r.code == 2, r


# ---------------------------------------------------------------- the API raises GradcliError

API_PROGRAMS = [
    "1" + "0" * 400, "arange(3) + 10**20", "x.sum(dim=inf)", "ones(0, 1e300)", "zeros(inf)",
    "arange(0, inf)", "arange(nan)", "linspace(0, 1, -5)", "x == [1., 2., 3., 4.]", "x['a']",
    "leaky_relu(1, x)", "x[1.5]", "x.reshape(10**20)", "torch.diag(x, 10**20)",
    "9**9**9", "x ** 10**400", "round(x, 10**30)", "x.view(2**64)", "torch.tensor([2**70])",
    "x.expand(-2)", "x.transpose(0, 9)", "torch.stack([])", "x[None, None, None, 10**20]",
    "x.clamp(min='a')", "torch.where(x)", "F.softmax(x, dim=10**20)", "x.roll(10**30)",
    "x.narrow(0, 10**20, 1)", "x.topk(10**20)", "x.repeat(10**20)", "x.new_zeros(10**20)",
]


def test_api_raises_only_gradcli_errors():
    import gradcli

    def go():
        bad = []
        for prog in API_PROGRAMS:
            try:
                gradcli.evaluate(prog, {"x": [1.0, 2.0, 3.0]})
            except gradcli.GradcliError:
                pass
            except Exception as e:  # noqa: BLE001
                bad.append(f"{prog[:40]!r}: {type(e).__name__}: {str(e)[:100]}")
        return "\n".join(bad)

    r = run_api(go, timeout=60)
    assert r.code == 0 and r.out == "", r


FUZZ_ATOMS = ["x", "w", "1", "0", "-1", "2.5", "1e308", "10**20", "inf", "nan", "[]", "[1., 2.]",
              "[[1., 2.], [3., 4.]]", "None", "True", "'a'", "...", "ones(2)", "zeros(0)",
              "torch.tensor(3)", "arange(4)", "x > 0", "2**63", "-2**63"]
FUZZ_FUNCS = ["sum", "mean", "exp", "log", "reshape", "view", "t", "transpose", "permute",
              "unsqueeze", "squeeze", "expand", "flip", "roll", "diag", "diagonal", "cumsum",
              "softmax", "max", "min", "norm", "prod", "matmul", "mm", "cat", "stack",
              "clamp", "pow", "where", "leaky_relu", "tril", "var", "std", "logsumexp",
              "index_select", "gather", "repeat", "sort", "topk", "argmax", "to", "type",
              "item", "tolist", "numel", "size", "float", "double", "long", "int", "bool",
              "abs", "relu", "cross_entropy", "mse_loss", "one_hot", "flatten", "narrow"]


def test_fuzzed_programs_raise_only_gradcli_errors():
    import random

    import gradcli

    def atom(rng, depth):
        if depth > 2 or rng.random() < 0.4:
            return rng.choice(FUZZ_ATOMS)
        kind = rng.random()
        args = ", ".join(atom(rng, depth + 1) for _ in range(rng.randint(0, 3)))
        if rng.random() < 0.3:
            args += (", " if args else "") + rng.choice(["dim=", "keepdim=", "min=", "dtype="]) \
                + rng.choice(["0", "1", "-1", "10**20", "inf", "True", "torch.int64", "'a'"])
        f = rng.choice(FUZZ_FUNCS)
        if kind < 0.4:
            return f"torch.{f}({args})"
        if kind < 0.8:
            return f"({atom(rng, depth + 1)}).{f}({args})"
        return f"{atom(rng, depth + 1)}[{args}]"

    def go():
        rng = random.Random(1234)
        bad = []
        for _ in range(int(os.environ.get("GRADCLI_PROBE_FUZZ", "600"))):
            prog = atom(rng, 0) + rng.choice(["", " + w", " * x", ".sum()"])
            for b in ({"x": [1.0, -2.0, 3.0], "w": 0.5}, {"x": [[1.0, 2.0]], "w": [0.0]}):
                try:
                    gradcli.evaluate(prog, b, max_elements=10**6)
                except gradcli.GradcliError:
                    pass
                except Exception as e:  # noqa: BLE001
                    bad.append(f"{prog!r}: {type(e).__name__}: {str(e)[:100]}")
        return "\n".join(bad[:30])

    r = run_api(go, timeout=120)
    assert r.code == 0 and r.out == "", r.out or r


def test_batch_falls_back_to_rows_alone_when_vectorised_numbers_differ(monkeypatch):
    """If evaluating rows together ever gave other bits than a row alone (another NumPy
    loop, another libm), batch notices on the chunk's first row and evaluates them alone."""
    from gradcli import batch
    from gradcli.syntax import parse

    real = batch.evaluate

    def off_by_one_ulp(program, bindings, **options):
        result = real(program, bindings, **options)
        if options.get("batched"):
            node = result.output_node
            node.value = np.nextafter(node.value, np.inf)
        return result

    monkeypatch.setattr(batch, "evaluate", off_by_one_ulp)
    lines = [json.dumps({"x": 0.1 * i, "w": 1.5}) for i in range(1, 50)]
    rows = list(batch.run(parse("x**w"), lines))
    import gradcli
    for row, line in zip(rows, lines):
        assert row["value"] == float(gradcli.evaluate("x**w", json.loads(line)).value)


def test_explain_value_beyond_float_range_in_bounded_time():
    r = run_cli(["explain", "exp(" * 100 + "x" + ")" * 100, "--x", "0.01"], timeout=30)
    check_clean(r)
    assert r.code == 0 and "engine: dy/dx" in r.out, r


def test_json_float_beyond_range_is_refused(files):
    (files / "f400.json").write_text('{"x": 1e400}')
    r = run_cli(["eval", "x", "--bindings", "f400.json"], cwd=files)
    check_bad(r, message="float range")


@pytest.mark.parametrize("name, text", [
    ("col.csv", "1\n2\n3\n"), ("m.csv", "1,2\n3,4\n"), ("row.csv", "1,2,3\n"),
    ("r.txt", "1 2 3\n4 5 6\n"), ("c.csv", "# a comment\n\n1.5,-2e3\n"),
])
def test_csv_files_read_as_numpy_reads_them(name, text, tmp_path):
    """The bounded CSV reader gives the arrays np.loadtxt(..., ndmin=1) gave."""
    from gradcli.bindings import load_file

    path = tmp_path / name
    path.write_text(text)
    want = np.loadtxt(path, delimiter="," if name.endswith(".csv") else None, ndmin=1)
    if want.ndim == 2 and want.shape[0] == 1:
        want = want[0]
    got = load_file("x", str(path), np.dtype("float64"))
    assert got.shape == want.shape and np.array_equal(got, want)


@pytest.mark.parametrize("array", [
    np.asfortranarray(np.arange(6.0).reshape(2, 3)), np.array(3.5), np.arange(4, dtype=">f4"),
    np.array([True, False]), np.arange(5, dtype=np.int32), np.zeros((0, 3)),
], ids=["fortran", "0-d", "big-endian", "bool", "int32", "empty"])
def test_npy_files_read_as_numpy_reads_them(array, tmp_path):
    """The header-first .npy reader gives what np.load gives, for every layout it accepts."""
    from gradcli.bindings import load_file

    path = tmp_path / "a.npy"
    np.save(path, array)
    got = load_file("x", str(path), np.dtype("float64"))
    want = np.load(path).astype(np.float64)
    assert got.shape == want.shape and np.array_equal(got, want)
