"""The Python subset lesson programs use: statements, blocks by indentation, and the
expressions beyond gradcli's maths (AST shapes, a few positions, and the errors)."""

from __future__ import annotations

import pytest

from gradcli import syntax
from gradcli.errors import ParseError
from gradcli.syntax import (Annotated, AugAssign, Assert, Assign, Attr, Binary, BoolOp, Break, Call,
                            ChainCompare, ClassDef, Comp, Compare, Continue, Delete, DictExpr,
                            ExprStmt, For, FormattedValue, FString, FunctionDef, Global, If,
                            IfExp, Import, Index, Lambda, ListExpr, Name, Not, Num, Paren, Pass,
                            Raise, Return, SetExpr, SetStmt, Starred, Str, Try, TupleExpr, Unary,
                            While, With)


def stmts(text):
    return syntax.parse(text).statements


def one(text):
    (s,) = stmts(text)
    return s


def expr(text):
    s = one(text)
    assert isinstance(s, ExprStmt)
    return s.value


def err(text) -> ParseError:
    with pytest.raises(ParseError) as info:
        syntax.parse(text)
    assert info.value.line is not None and info.value.column is not None
    return info.value


def src(node, text):
    return text[node.pos.start:node.pos.end]


# ---------------------------------------------------------------- assignments


def test_set_stmt_and_aug_assign():
    s = one("a, b = 1, 2")
    assert isinstance(s, SetStmt) and isinstance(s.targets[0], TupleExpr)
    assert [t.id for t in s.targets[0].items] == ["a", "b"]
    assert [v.value for v in s.value.items] == [1, 2]
    s = one("a = b = 0")
    assert isinstance(s, SetStmt) and [t.id for t in s.targets] == ["a", "b"]
    s = one("x.requires_grad = True")
    assert isinstance(s.targets[0], Attr) and s.targets[0].name == "requires_grad"
    s = one("v[0] = 1")
    assert isinstance(s.targets[0], Index)
    s = one("first, *rest = xs")
    assert isinstance(s.targets[0].items[1], Starred)
    s = one("x: float = 1.5")
    assert isinstance(s, Annotated) and s.target.id == "x" and s.value.value == 1.5
    s = one("x: float")  # a bare annotation (a dataclass field): no value
    assert isinstance(s, Annotated) and s.target.id == "x" and s.value is None
    for op in ["+", "-", "*", "/", "//", "%", "**", "@"]:
        s = one(f"w {op}= lr * g")
        assert isinstance(s, AugAssign) and s.op == op and s.target.id == "w"
    s = one("w.data -= 0.1 * w.grad")
    assert isinstance(s.target, Attr) and isinstance(s.value, Binary)
    assert isinstance(one("x = 1"), Assign)


def test_bad_targets():
    assert err("f() = 1").message == "cannot assign to a function call"
    assert err("1 = x").message == "cannot assign to a number"
    assert err("None = 1").message == "cannot assign to None"
    assert "name, attribute or item" in err("a, b += 1").message


# ---------------------------------------------------------------- blocks


def test_if_elif_else():
    text = "if x > 0:\n    y = 1\nelif x < 0:\n    y = -1\nelse:\n    y = 0\n"
    s = one(text)
    assert isinstance(s, If) and isinstance(s.test, Compare)
    (inner,) = s.orelse
    assert isinstance(inner, If) and inner.test.op == "<"
    assert isinstance(inner.orelse[0], Assign) and inner.orelse[0].value.value == 0
    assert (s.pos.line, s.pos.column) == (1, 1) and src(s, text) == text.rstrip("\n")
    assert (inner.pos.line, inner.pos.column) == (3, 1)


def test_one_line_suites():
    s = one("if x: y = 1; z = 2")
    assert [type(b) for b in s.body] == [Assign, Assign]
    s = one("for i in range(3): print(i)")
    assert isinstance(s, For) and s.target.id == "i" and isinstance(s.body[0], ExprStmt)
    s = one("while n > 0: n -= 1")
    assert isinstance(s, While) and isinstance(s.body[0], AugAssign)
    assert isinstance(one("def f(x): return x * 2").body[0], Return)


def test_loops():
    s = one("for i, (a, b) in enumerate(pairs):\n    if a: continue\n    break\nelse:\n    pass")
    assert isinstance(s.target, TupleExpr) and isinstance(s.target.items[1], TupleExpr)
    assert isinstance(s.body[0].body[0], Continue) and isinstance(s.body[1], Break)
    assert isinstance(s.orelse[0], Pass)
    s = one("while True:\n    x = x - 1\n    if x < 0:\n        break\n")
    assert isinstance(s, While) and s.test.id == "True" and isinstance(s.body[1].body[0], Break)


def test_functions_and_params():
    text = "def f(a, b=2, *args, c, d=4, **kw):\n    return a + b\n"
    s = one(text)
    assert isinstance(s, FunctionDef) and s.name == "f"
    assert [(p.name, p.kind) for p in s.params] == [
        ("a", "pos"), ("b", "pos"), ("args", "varargs"), ("c", "kwonly"), ("d", "kwonly"),
        ("kw", "varkw")]
    assert s.params[1].default.value == 2 and s.params[0].default is None
    assert (s.params[2].pos.line, s.params[2].pos.column) == (1, 16)
    s = one("def g(x, *, scale=1.0):\n    pass")
    assert [(p.name, p.kind) for p in s.params] == [("x", "pos"), ("scale", "kwonly")]
    s = one("def h(x: torch.Tensor) -> torch.Tensor:\n    return x")
    assert s.params[0].name == "x" and isinstance(s.body[0], Return)
    s = one("def outer():\n    n = 0\n    def inner():\n        nonlocal n\n        n += 1\n"
            "        return n\n    return inner\n")
    inner = s.body[1]
    assert isinstance(inner, FunctionDef) and isinstance(inner.body[0], Global)
    assert inner.body[0].nonlocal_ and inner.body[0].names == ("n",)
    assert isinstance(one("def f():\n    return\n").body[0].value, type(None))
    assert "default" in err("def f(a=1, b): pass").message
    assert "duplicate" in err("def f(a, a): pass").message


def test_decorators_and_classes():
    s = one("@torch.no_grad()\ndef step(w):\n    w -= 1\n")
    assert isinstance(s, FunctionDef) and isinstance(s.decorators[0], Call)
    assert (s.pos.line, s.pos.column) == (2, 1) and s.pos.start == 0
    text = ("@dataclass\nclass Net(nn.Module, Base):\n    @staticmethod\n    def f(x):\n"
            "        return x\n\n    def forward(self, x):\n        return self.lin(x)\n")
    c = one(text)
    assert isinstance(c, ClassDef) and c.name == "Net" and len(c.bases) == 2
    assert c.decorators[0].id == "dataclass"
    f, fwd = c.body
    assert f.decorators[0].id == "staticmethod" and fwd.name == "forward"
    assert isinstance(one("class A:\n    pass").body[0], Pass)


def test_with():
    s = one("with torch.no_grad():\n    w -= lr * w.grad\n    w.grad.zero_()\n")
    assert isinstance(s, With) and s.items[0][1] is None and len(s.body) == 2
    s = one("with open(p) as f, torch.enable_grad() as g:\n    pass")
    assert [t.id for _, t in s.items] == ["f", "g"]


def test_try():
    text = ("try:\n    x = 1\nexcept ValueError:\n    pass\nexcept (TypeError, KeyError) as e:\n"
            "    print(e)\nexcept RuntimeError as e:\n    raise\nexcept:\n    raise Exception('x')\n"
            "else:\n    y = 2\nfinally:\n    z = 3\n")
    s = one(text)
    assert isinstance(s, Try) and len(s.handlers) == 4
    h0, h1, h2, h3 = s.handlers
    assert h0.type.id == "ValueError" and h0.name is None
    assert isinstance(h1.type, TupleExpr) and h1.name == "e"
    assert h2.name == "e" and isinstance(h2.body[0], Raise) and h2.body[0].exc is None
    assert h3.type is None and isinstance(h3.body[0].exc, Call)
    assert s.orelse[0].target == "y" and s.finalbody[0].target == "z"
    s = one("try:\n    x\nfinally:\n    y\n")
    assert s.handlers == () and len(s.finalbody) == 1
    assert "last" in err("try:\n    x\nexcept:\n    y\nexcept E:\n    z").message


def test_small_statements():
    s = one("assert x > 0, 'x must be positive'")
    assert isinstance(s, Assert) and s.msg.value == "x must be positive"
    assert one("assert x").msg is None
    s = one("del a[0], b")
    assert isinstance(s, Delete) and len(s.targets) == 2
    s = one("global a, b")
    assert isinstance(s, Global) and s.names == ("a", "b") and not s.nonlocal_
    assert isinstance(one("raise ValueError('bad')"), Raise)


def test_imports():
    (a,) = stmts("import torch")
    assert (a.module, a.asname, a.names, a.is_from) == ("torch", None, (), False)
    (a,) = stmts("import torch.nn as nn")
    assert (a.module, a.asname) == ("torch.nn", "nn")
    (a,) = stmts("import torch.nn.functional as F")
    assert (a.module, a.asname) == ("torch.nn.functional", "F")
    a, b = stmts("import os, math as m")
    assert (a.module, b.module, b.asname) == ("os", "math", "m")
    (a,) = stmts("from torch import nn, optim")
    assert a.is_from and a.module == "torch" and a.names == (("nn", None), ("optim", None))
    (a,) = stmts("from torch.autograd import grad as g")
    assert a.module == "torch.autograd" and a.names == (("grad", "g"),)
    (a,) = stmts("from x import *")
    assert a.names == (("*", None),)
    (a,) = stmts("from torch import (\n    nn,\n    optim,\n)")
    assert len(a.names) == 2
    assert all(isinstance(s, Import) for s in stmts("import torch\nfrom torch import nn"))


# ---------------------------------------------------------------- expressions


def test_boolean_operators_and_not():
    e = expr("a or b and c or d")
    assert isinstance(e, BoolOp) and e.op == "or"  # ((a or (b and c)) or d)
    assert e.left.op == "or" and e.left.right.op == "and" and e.right.id == "d"
    e = expr("not a == b")
    assert isinstance(e, Not) and isinstance(e.operand, Compare)
    e = expr("not a and b")
    assert isinstance(e, BoolOp) and isinstance(e.left, Not)
    e = expr("-x")
    assert isinstance(e, Unary)


def test_comparisons():
    for op in ["is", "is not", "in", "not in", "<", "=="]:
        e = expr(f"a {op} b")
        assert isinstance(e, Compare) and e.op == op
    text = "0 <= i < n is not None"
    e = expr(text)
    assert isinstance(e, ChainCompare) and e.ops == ("<=", "<", "is not")
    assert [getattr(o, "id", getattr(o, "value", None)) for o in e.operands] == [0, "i", "n", "None"]
    assert src(e, text) == text and (e.pos.line, e.pos.column) == (1, 3)
    assert isinstance(expr("(a < b) < c").left, Paren)


def test_binary_precedence():
    e = expr("a | b & c + d % e // f")
    assert e.op == "|" and e.right.op == "&" and e.right.right.op == "+"
    assert e.right.right.right.op == "//" and e.right.right.right.left.op == "%"
    assert expr("x ^ 2").op == "**"
    assert expr("2x^2").op == "*" and expr("2x^2").right.op == "**"


def test_if_expression_and_lambda():
    e = expr("a if c else b")
    assert isinstance(e, IfExp) and (e.body.id, e.test.id, e.orelse.id) == ("a", "c", "b")
    e = expr("lambda x, y=1, *a, **k: x + y")
    assert isinstance(e, Lambda) and [p.kind for p in e.params] == ["pos", "pos", "varargs", "varkw"]
    assert isinstance(expr("lambda: 0").body, Num)
    s = one("f = lambda g: g * 2")
    assert isinstance(s, Assign) and isinstance(s.value, Lambda)


def test_comprehensions():
    e = expr("[x * x for x in xs if x > 0 if x < 9 for y in ys]")
    assert isinstance(e, Comp) and e.kind == "list" and len(e.generators) == 2
    assert len(e.generators[0].ifs) == 2 and e.generators[1].target.id == "y"
    e = expr("{k: v for k, v in d.items()}")
    assert e.kind == "dict" and e.elt.id == "k" and e.value.id == "v"
    assert isinstance(e.generators[0].target, TupleExpr)
    assert expr("{x for x in s}").kind == "set"
    assert expr("(x for x in s)").kind == "gen"
    text = "sum(x*x for x in xs)"
    c = expr(text)
    assert isinstance(c, Call) and c.args[0].kind == "gen" and c.kwargs == ()
    assert src(c.args[0], text) == "x*x for x in xs"


def test_displays_and_starred():
    e = expr("{**d, 'a': 1}")
    assert isinstance(e, DictExpr) and e.keys[0] is None and e.keys[1].value == "a"
    assert expr("{}").keys == ()
    e = expr("{1, 2}")
    assert isinstance(e, SetExpr) and len(e.items) == 2
    e = expr("[*a, 1]")
    assert isinstance(e, ListExpr) and isinstance(e.items[0], Starred)
    e = expr("f(*args, k=1, **kwargs)")
    assert isinstance(e.args[0], Starred) and e.kwargs[0][0] == "k" and e.kwargs[1][0] == "**"
    assert isinstance(expr("(*a, b)"), TupleExpr)
    assert err("f(k=1, x)").message == "positional argument after keyword argument"


# ---------------------------------------------------------------- literals


def test_strings():
    assert expr(r"'a\n\t\x41\u00e9\101\\'").value == "a\n\tAé" + "A\\"
    assert expr(r"'\N{GREEK SMALL LETTER ALPHA}'").value == "α"
    assert expr(r"r'\n'").value == "\\n"
    assert expr(r"'\q'").value == "\\q"
    assert expr("b'ab'").value == "ab" and expr("Rb'\\n'").value == "\\n"
    assert expr('"""a\nb"""').value == "a\nb"
    assert expr("'''it's'''").value == "it's"
    assert expr("\"say \\\"hi\\\"\"").value == 'say "hi"'
    text = "'a' \"b\"  'c'"
    e = expr(text)
    assert e.value == "abc" and src(e, text) == text
    assert "escape" in err(r"'\x4'").message


def test_fstrings():
    text = "f'{x!r:>{w}} and {{y}} {z:.4f}'"
    e = expr(text)
    assert isinstance(e, FString)
    x, lit, z = e.parts
    assert isinstance(x, FormattedValue) and x.conversion == "r" and x.value.id == "x"
    assert x.spec.parts[0] == ">" and x.spec.parts[1].value.id == "w"
    assert lit == " and {y} "
    assert z.spec.parts == (".4f",) and z.conversion is None
    assert (x.value.pos.start, x.value.pos.line, x.value.pos.column) == (3, 1, 4)
    assert src(z.value, text) == "z"
    e = expr("'loss: ' f'{loss.item():.3f}' '!'")
    assert isinstance(e, FString) and e.parts[0] == "loss: " and e.parts[-1] == "!"
    assert isinstance(e.parts[1].value, Call)
    text = "print(\n  F'{a + b}'\n)"
    v = expr(text).args[0].parts[0].value
    assert isinstance(v, Binary) and (v.pos.line, v.pos.column) == (2, 8) and src(v, text) == "a + b"
    e = expr("f\"{d['k']} {f'{x}'}\"")
    assert isinstance(e.parts[0].value, Index) and isinstance(e.parts[2].value, FString)
    assert expr("rf'\\n{x}'").parts[0] == "\\n"
    assert "'}'" in err("f'{x'").message
    assert err("f'}'").message == "single '}' is not allowed in an f-string"
    assert "empty" in err("f'{}'").message
    deep = "f'''{f\"\"\"{f'{f\"{x}\"}'}\"\"\"}'''"  # four levels, one per kind of quote
    e = expr(deep)
    for _ in range(3):
        e = e.parts[0].value
    assert isinstance(e, FString) and e.parts[0].value.id == "x"
    e = err("x = 1\ny = f'{a +}'")
    assert e.line == 2


def test_numbers():
    assert expr("1_000").value == 1000 and isinstance(expr("1_000").value, int)
    assert expr("0x1F").value == 31
    v = expr("1e5").value
    assert v == 1e5 and isinstance(v, float)
    assert expr("2.5").value == 2.5 and expr(".5").value == 0.5


def test_keywords_are_not_names():
    for text in ["lambda = 1", "x = if", "f(in=1)", "x.not", "def f(if): pass", "x orb"]:
        err(text)
    assert one("x = None").value.id == "None"
    assert one("True").value.id == "True"
    assert one("iffy = 1").target == "iffy"
    assert err("f(if)").hint == "'if' is a keyword, not a name"


# ---------------------------------------------------------------- layout


def test_comments_blank_lines_and_continuations():
    text = ("# top\n\nfor i in range(3):  # loop\n\n    # inside\n        # deeper comment\n"
            "    x = i \\\n        + 1\n\n  # odd comment\n    y = [1,\n  2]\n# end")
    (s,) = stmts(text)
    assert isinstance(s, For) and len(s.body) == 2
    assert isinstance(s.body[0].value, Binary)


def test_crlf_tabs_trailing_spaces_and_no_final_newline():
    text = "if x:  \r\n\tif y:\r\n\t\tz = 1   \r\n\tw = 2\r\nv = 3"
    s, v = stmts(text)
    assert isinstance(s.body[0], If) and s.body[1].target == "w" and v.target == "v"
    # a tab goes to the next multiple of 8: 8 spaces and a tab are the same level
    a, = stmts("if x:\n\ty = 1\n        z = 2\n")
    assert len(a.body) == 2
    assert len(stmts("if x:\n    y\n   \n")) == 1
    assert len(stmts("def f():\n    return 1\n\n\n  \n# bye")) == 1


def test_indentation_errors():
    e = err("if x:\n    y = 1\n  z = 2")
    assert e.message == "unindent does not match any outer indentation level"
    assert (e.line, e.column) == (3, 3)
    e = err("if x:\n    y = 1\n        z = 2")
    assert e.message == "unexpected indent" and e.line == 3
    assert err("if x:\ny = 1").message == "expected an indented block"
    assert err("for i in x:").message == "expected an indented block"
    e = err("def f():\n    x = (1 +\n")
    assert e.message == "unexpected end of input"


def test_the_top_level_keeps_gradcli_freedom():
    # gradcli always read indented lines at the top level as statements of their own
    assert len(stmts("a = x\nb = a * a\n\n b")) == 3
    assert len(stmts("  x = 1\n  if x:\n      y = 2\n  z = 3")) == 3


def test_single_line_programs_unchanged():
    s = stmts("a = x + w; y = a * (w + 1)")
    assert [type(x) for x in s] == [Assign, Assign]
    assert expr("1/2x").op == "/" and expr("1/2x").right.op == "*"
    e = expr("v[:, 1]")
    assert isinstance(e, Index) and len(e.items) == 2
    e = expr("f(dim=0)")
    assert e.kwargs[0][0] == "dim"
    e = err("(x+w)*(w+1")
    assert e.message == "unexpected end of input" and e.hint == "expected ')', ','"


def test_errors_are_parse_errors_not_lark_tracebacks():
    for text in ["if x:\n  y\n else:\n  z", "def (x): pass", "class : pass", "try:\n  x\n",
                 "for in x: pass", "with: pass", "lambda x y: 1", "f(**)", "{**}", "x = [i for]",
                 "@\ndef f(): pass", "import", "from . import x", "else: x", "return return",
                 "f'{'", "x = 1 if y", "if x:\n\n", "\tx\n  y\n\tz:"]:
        err(text)


def test_fstring_nesting_is_capped(monkeypatch):
    monkeypatch.setattr(syntax, "MAX_FSTRING_NESTING", 1)
    assert isinstance(expr("f'{x}'"), FString)
    assert err("f'{f\"{x}\"}'").message == "f-strings nested too deeply"
