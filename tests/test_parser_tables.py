"""The table-driven parser (gradcli.lalr) against Lark on the same grammar.

On every program Lark accepts, both must build the same AST, positions included; on
every text Lark rejects, the table parser must reject too (and Lark then words the
error). The tables are cached as JSON; a missing, damaged, stale or unwritable cache must
never change what is parsed.
"""

from __future__ import annotations

import dataclasses
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
        if dataclasses.is_dataclass(x):
            out.append(type(x).__name__)
            stack.extend(reversed([getattr(x, f.name) for f in dataclasses.fields(x)]))
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
