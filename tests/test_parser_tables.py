"""The table-driven parser (gradcli.lalr) against Lark on the same grammar.

On every program Lark accepts, both must build the same AST, positions included; on
every text Lark rejects, the table parser must reject too (and Lark then words the
error). The tables are cached as JSON; a missing, damaged, stale or unwritable cache must
never change what is parsed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli import lalr, syntax
from gradcli.errors import ParseError

from test_fuzz import ALPHABET, SEEDS, mutated

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("GRADCLI_FUZZ_EXAMPLES", "250"))


def flat(root) -> list:
    """The AST as a flat pre-order list (class names, fields, positions), without recursion."""
    out: list = []
    stack = [root]
    while stack:
        x = stack.pop()
        if hasattr(type(x), "_fields"):  # a syntax class (syntax._node)
            out.append(type(x).__name__)
            stack.extend(reversed([getattr(x, f) for f in type(x)._fields]))
        elif isinstance(x, tuple | list):
            out.append(("seq", len(x)))
            stack.extend(reversed(x))
        else:
            out.append((type(x).__name__, x))
    return out


def by_lark(text: str):
    """Lark's parse with the same transformer: the AST, or the error it raises."""
    indenter = syntax._INDENTER  # the post-lexer reads the text (its first line's indent)
    saved = indenter.source, indenter.shift
    indenter.source, indenter.shift = text, (0, 1, 1)
    try:
        return flat(syntax._parser().parse(text))
    except ParseError as e:
        return ("ParseError", e.message)
    except Exception as e:  # Lark's Unexpected* errors
        return ("rejected", type(e).__name__)
    finally:
        indenter.source, indenter.shift = saved


def by_tables(text: str):
    try:
        return flat(syntax._fast_parser().parse(text))
    except ParseError as e:
        return ("ParseError", e.message)
    except lalr.Reject:
        return ("rejected",)


def agree(text: str) -> None:
    want, got = by_lark(text), by_tables(text)
    if isinstance(want, tuple) and want[0] == "rejected":
        assert got == ("rejected",), text
    else:
        assert got == want, text


def corpus() -> list[str]:
    golden = json.loads((ROOT / "tests" / "golden" / "torch_golden.json").read_text())
    texts = [c["program"] for c in golden["cases"]]
    texts += [p.read_text() for p in sorted((ROOT / "examples").glob("*")) if p.is_file()]
    texts += SEEDS
    texts += [
        "", "\n\n", "# only a comment", "x;", ";;x;;", "x\n\n\ny", "f(a,\n  b)", "[1,\n 2,\n]",
        "(x\n+ w)", "x \\\n + w", "import torch\nimport torch.nn.functional as F", "from torch import nn as m, F",
        "a = 2x^2 + 3(x+1) - 2pi", "x[..., None, 1:, ::2, :-1]", "x[:]", "x[1:2:3]", "f(x, y=2,)",
        "f(y=2, x)", "(x,)", "()", "(x, w, )", "[]", "'a' + \"b\"", "1e-3 + .5 + 5. + 2E+10",
        "-x ** -2", "x @ y @ z", "a < b", "a == b != c", "x.t().sum(dim=0, keepdim=True)",
        "y.backward()", "y.retain_grad()", "x^2^3", "-(-x)", "+x", "2(x)(y)", "x\r\ny",
        "x # comment\n# another\ny", "f(\n# comment inside\nx)",
    ]
    return texts


@pytest.mark.parametrize("text", corpus())
def test_same_ast_as_lark(text):
    agree(text)


# Lesson-style programs: blocks, nested functions, closures, no_grad, try/except, f-strings,
# comprehensions, decorators, classes.
LESSONS = [
    "import torch\nx = torch.tensor([1., 2.], requires_grad=True)\nfor i in range(3):\n"
    "    y = (x ** 2).sum()\n    y.backward()\n    print(i, x.grad)\n",
    "w = torch.tensor(1.0, requires_grad=True)\nlr = 0.1\nfor step in range(100):\n"
    "    loss = (w * 3 - 6) ** 2\n    loss.backward()\n    with torch.no_grad():\n"
    "        w -= lr * w.grad\n        w.grad.zero_()\n    if step % 10 == 0:\n"
    "        print(f'step {step}: loss {loss.item():.4f}')\n",
    "def make_counter():\n    count = 0\n    def inc(by=1):\n        nonlocal count\n"
    "        count += by\n        return count\n    return inc\nc = make_counter()\nc(); c(2)\n",
    "grads = []\ndef save_grad(name):\n    def hook(g):\n        grads.append((name, g))\n"
    "    return hook\ny.register_hook(save_grad('y'))\n",
    "try:\n    y.backward()\nexcept RuntimeError as e:\n    print('error:', e)\n"
    "else:\n    print('ok')\nfinally:\n    print('done')\n",
    "squares = [i * i for i in range(10) if i % 2 == 0]\n"
    "table = {k: v for k, v in zip('abc', squares)}\ntotal = sum(x * x for x in squares)\n",
    "@torch.no_grad()\ndef evaluate(model, xs):\n    return [model(x) for x in xs]\n",
    "class Linear:\n    def __init__(self, n_in, n_out):\n        self.w = torch.randn(n_in, n_out,"
    " requires_grad=True)\n        self.b = torch.zeros(n_out, requires_grad=True)\n\n"
    "    def __call__(self, x):\n        return x @ self.w + self.b\n\n    @property\n"
    "    def parameters(self):\n        return [self.w, self.b]\n",
    "x = torch.ones(2, 2, requires_grad=True)\ny = x + 2\nz = y * y * 3\nout = z.mean()\n"
    "print(z, out)\nout.backward()\nprint(x.grad)\n",
    "a = torch.randn(2, 2)\na = ((a * 3) / (a - 1))\nprint(a.requires_grad)\n"
    "a.requires_grad_(True)\nprint(a.requires_grad)\nb = (a * a).sum()\nprint(b.grad_fn)\n",
    "if x.grad is not None and x.grad.abs().max() < 1e-3 or not converged:\n    pass\n"
    "elif 0 < lr <= 1:\n    lr *= 0.5\nelse:\n    raise ValueError(f'bad lr {lr!r}')\n",
    "def f(*args, scale=1.0, **kwargs):\n    return scale * sum(args)\nf(1, 2, *rest, **opts)\n",
    "n = 0\nwhile True:\n    n += 1\n    if n > 10: break\n    if n % 2: continue\n"
    "    print(n)\nelse:\n    print('never')\n",
    "xs = [1, 2, 3]\nfirst, *rest = xs\na, b = b, a\nx = y = 0\nv[0], v[1] = v[1], v[0]\n",
    "relu = lambda t: t.clamp(min=0)\nact = {'relu': relu, 'tanh': torch.tanh, **extra}\n",
    "print(f'{name:>10} | {value:8.3f} | {\"yes\" if ok else \"no\"}')\n",
    "from torch.autograd import grad as g\nimport torch.nn.functional as F\nfrom torch import nn, optim\n"
    "dy, = g(y, x, create_graph=True)\n",
    "def newton(f, x, steps=5):\n    for _ in range(steps):\n        x = x.detach()"
    ".requires_grad_()\n        y = f(x)\n        (dy,) = torch.autograd.grad(y, x)\n"
    "        x = x - y / dy\n    return x\n",
    "assert x.grad is None, 'no grad yet'\ndel tmp, cache[0]\nglobal counter\n",
    "with torch.enable_grad(), torch.no_grad() as ng:\n    y = x * 2\nprint(y.requires_grad)\n",
    "for i, (a, b) in enumerate(zip(xs, ys)):\n    print(i, a + b)\n",
    "s = 'single' \"double\" '''triple\n''' r'raw\\n' b'bytes'\nt = f'{s!r}' '!'\n",
    "n = 0x1F + 1_000 + 1e5 + .5 + 5.\nm = n // 3 % 2 | 1 & 3\n",
    "class A(B):\n    x = 1\n    def f(self): return self.x\n",
    "def outer():\n    def middle():\n        def inner():\n            return 1\n"
    "        return inner\n    return middle\n",
    "if a:\n    if b:\n        c\n    else:\n        d\nelif e:\n    pass\n",
    "try:\n    pass\nexcept (TypeError, ValueError):\n    pass\nexcept:\n    raise\n",
    "import torch\r\nx = torch.tensor(2.0, requires_grad=True)\r\nif x > 0:\r\n\ty = x * 2\r\n"
    "\tprint(y)   \r\n",
    "result = [[j for j in range(i)] for i in range(4)]\nnested = {(i, j) for i in r for j in r if i != j}\n",
    "print(*[p.grad for p in params], sep='\\n')\n",
    "def train(epochs):\n    # comment\n\n    for e in range(epochs):   # trailing\n"
    "            # odd comment\n        loss = step()\n\n    return loss\n",
    "x = (1 +\n     2)\nif x == 3 and \\\n   x > 0:\n    y = [1,\n2]\n",
]


@pytest.mark.parametrize("text", LESSONS)
def test_lesson_programs_agree(text):
    assert by_tables(text)[0] != "rejected", text
    agree(text)


def test_the_lesson_corpus_agrees():
    for path in sorted((ROOT / "tests" / "lessons" / "programs").glob("*.py")):
        agree(path.read_text())


@st.composite
def reindented(draw):
    """A lesson program with its layout disturbed: indentation, blank and comment lines,
    tabs, CRLF, trailing spaces, a missing final newline."""
    lines = draw(st.sampled_from(LESSONS)).split("\n")
    out = []
    for line in lines:
        op = draw(st.sampled_from(["keep"] * 6 + ["indent", "dedent", "tab", "blank",
                                                  "comment", "trailing"]))
        if op == "indent":
            line = " " * draw(st.integers(1, 4)) + line
        elif op == "dedent":
            line = line[draw(st.integers(1, 4)):] if line.startswith(" ") else line
        elif op == "tab":
            line = line.replace("    ", "\t", 1)
        elif op == "blank":
            out.append(" " * draw(st.integers(0, 6)))
        elif op == "comment":
            out.append(" " * draw(st.integers(0, 9)) + "# note")
        elif op == "trailing":
            line += " " * draw(st.integers(1, 3))
        out.append(line)
    text = draw(st.sampled_from(["\n", "\r\n"])).join(out)
    if draw(st.booleans()):
        text = text.rstrip()
    return text


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reindented())
def test_same_ast_as_lark_on_reindented_lessons(text):
    agree(text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LESSONS), st.lists(st.tuples(st.integers(0, 400), st.sampled_from(
    list(" \t\n:()[]{}'\"#\\;,=*fr") + ["if ", "else", " in ", "not ", "lambda", "for "])),
    min_size=1, max_size=4))
def test_same_ast_as_lark_on_mutated_lessons(text, edits):
    for i, s in edits:
        i %= len(text) + 1
        text = text[:i] + s + text[i:]
    agree(text)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(), st.text(alphabet=ALPHABET, max_size=60)))
def test_same_ast_as_lark_on_fuzzed_text(text):
    agree(text)


def test_deep_and_long_programs_agree():
    depth = 2000
    agree("(" * depth + "x" + ")" * depth)
    agree(" + ".join(f"x*{i}" for i in range(1, 3001)))
    agree("\n".join(f"a{i} = a{i - 1} * 2" for i in range(1, 2001)))


def test_common_path_does_not_import_lark(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    code = ("import sys, gradcli\n"
            "r = gradcli.evaluate('(x+w)*(w+1)', {'x': 2, 'w': 1})\n"
            "print(float(r.value), 'lark' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True)
    assert first.stdout.split() == ["6.0", "True"]  # the first run builds the tables with Lark
    assert list((tmp_path / "gradcli").glob("parser-*.json"))
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True)
    assert again.stdout.split() == ["6.0", "False"]


def _fresh(monkeypatch, cache: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(syntax, "_FAST", None)
    return syntax._fast_parser()


def test_damaged_or_stale_cache_is_rebuilt(tmp_path, monkeypatch):
    parser = _fresh(monkeypatch, tmp_path)
    (path,) = (tmp_path / "gradcli").glob("parser-*.json")
    good = path.read_text()
    want = flat(parser.parse("y = (x+w)*(w+1)"))
    for damaged in ["", "{", "[]", json.dumps({"format": lalr.FORMAT}),
                    good.replace('"grammar":"', '"grammar":"// an older grammar\\n'),
                    good.replace('"rules":[', '"rules":[7,')]:
        path.write_text(damaged)
        rebuilt = _fresh(monkeypatch, tmp_path)
        assert isinstance(rebuilt, lalr.Parser)
        assert flat(rebuilt.parse("y = (x+w)*(w+1)")) == want
        assert json.loads(path.read_text())["grammar"] == json.loads(good)["grammar"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only directory")
def test_read_only_cache_directory(tmp_path, monkeypatch):
    (tmp_path / "gradcli").mkdir()
    os.chmod(tmp_path / "gradcli", 0o500)
    try:
        parser = _fresh(monkeypatch, tmp_path)
        assert isinstance(parser, lalr.Parser)
        assert not list((tmp_path / "gradcli").iterdir())
    finally:
        os.chmod(tmp_path / "gradcli", 0o700)


def test_cache_that_cannot_be_written(tmp_path, monkeypatch):
    """As on a read-only file system, even for root: writing fails, parsing does not."""
    def refuse(*args, **kwargs):
        raise PermissionError(30, "Read-only file system")

    monkeypatch.setattr(os, "replace", refuse)
    parser = _fresh(monkeypatch, tmp_path)
    assert isinstance(parser, lalr.Parser)
    assert flat(parser.parse("y = x + 1")) == by_lark("y = x + 1")
    assert not list((tmp_path / "gradcli").glob("parser-*"))  # no stray temporary file


def test_unusable_cache_location(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    parser = _fresh(monkeypatch, blocker)  # the cache "directory" is a file
    assert isinstance(parser, lalr.Parser)
    assert flat(parser.parse("x")) == by_lark("x")


def test_errors_are_worded_by_lark():
    with pytest.raises(ParseError) as e:
        syntax.parse("(x + ")
    assert e.value.message == "unexpected end of input"
    assert "expected" in (e.value.hint or "")


@pytest.mark.parametrize("damage", ["no actions", "no scanners"])
def test_tables_that_do_not_fit_fall_back_to_lark(damage, tmp_path, monkeypatch):
    """Well-formed JSON whose states are wrong must not crash a run: Lark parses instead."""
    _fresh(monkeypatch, tmp_path)
    (path,) = (tmp_path / "gradcli").glob("parser-*.json")
    tables = json.loads(path.read_text())
    if damage == "no actions":
        tables["actions"] = [{} for _ in tables["actions"]]
    else:
        tables["lexer_of_state"] = [len(tables["scanners"]) + 5] * len(tables["actions"])
    path.write_text(json.dumps(tables))
    monkeypatch.setattr(syntax, "_FAST", None)
    assert isinstance(syntax._fast_parser(), lalr.Parser)  # loads: the damage shows when parsing
    program = syntax.parse("y = (x+w)*(w+1)")
    assert flat(program.statements) == by_lark("y = (x+w)*(w+1)")
