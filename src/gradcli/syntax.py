"""Program text -> AST.

The grammar lives in ``grammar/gradcli.lark``. Lark computes its LALR(1) tables, and
:class:`_ToAst` runs at every reduce step, so the AST is built bottom-up during the parse
with no parse tree and no recursion: 100 000 nested parentheses parse like any other input.

The tables are cached as JSON in the user's cache directory and run by
:mod:`gradcli.lalr`, so a run does not import Lark unless the program has a syntax error,
in which case Lark parses it again and its exception becomes the ParseError users see.

The AST is plain slotted classes with source positions; it knows nothing of NumPy.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Iterator, Union

from .errors import ParseError

if TYPE_CHECKING:
    from . import lalr


# Syntax classes are built by _node from their annotated fields rather than by
# dataclasses: importing this module is part of every run's start-up, and parsing makes
# an object per token. A class with k fields stores them in the slots of _Fields{k} (whose
# __init__ takes them in order) and names each slot's descriptor after its field.


class _Fields1:
    __slots__ = ("_0",)

    def __init__(self, a):
        self._0 = a


class _Fields2:
    __slots__ = ("_0", "_1")

    def __init__(self, a, b):
        self._0, self._1 = a, b


class _Fields3:
    __slots__ = ("_0", "_1", "_2")

    def __init__(self, a, b, c):
        self._0, self._1, self._2 = a, b, c


class _Fields4:
    __slots__ = ("_0", "_1", "_2", "_3")

    def __init__(self, a, b, c, d):
        self._0, self._1, self._2, self._3 = a, b, c, d


class _Fields5:
    __slots__ = ("_0", "_1", "_2", "_3", "_4")

    def __init__(self, a, b, c, d, e):
        self._0, self._1, self._2, self._3, self._4 = a, b, c, d, e


_BASES = {1: _Fields1, 2: _Fields2, 3: _Fields3, 4: _Fields4, 5: _Fields5}


def _node(cls: type) -> type:
    """A syntax class: its annotated fields, in order, are its constructor's arguments and
    its attributes (`_fields` lists them)."""
    names = tuple(cls.__dict__.get("__annotations__", {}))
    base = _BASES[len(names)]
    ns = {k: v for k, v in cls.__dict__.items()
          if k not in ("__dict__", "__weakref__", "__annotations__")}
    ns.update({name: base.__dict__[f"_{i}"] for i, name in enumerate(names)})
    ns["__slots__"] = ()
    ns["_fields"] = names
    new = type(cls.__name__, (base,), ns)
    new.__qualname__, new.__module__ = cls.__qualname__, cls.__module__
    return new


@_node
class Pos:
    """Where a piece of syntax sits: character span [start, end) and 1-based line/column."""

    start: int
    end: int
    line: int
    column: int

    def __eq__(self, other: object) -> bool:
        return type(other) is Pos and (self.start, self.end, self.line, self.column) == (
            other.start, other.end, other.line, other.column)

    def __hash__(self) -> int:
        return hash((self.start, self.end, self.line, self.column))

    def __repr__(self) -> str:
        return (f"Pos(start={self.start}, end={self.end}, line={self.line}, "
                f"column={self.column})")


@_node
class Num:
    value: int | float  # an int when written without a point or exponent, as in Python
    pos: Pos


@_node
class Name:
    id: str
    pos: Pos


@_node
class Str:
    value: str
    pos: Pos


@_node
class ListExpr:
    items: tuple["Expr", ...]
    pos: Pos


@_node
class TupleExpr:
    items: tuple["Expr", ...]
    pos: Pos


@_node
class Paren:
    """A parenthesised expression: its value is `inner`'s; it only widens the span."""

    inner: "Expr"
    pos: Pos


@_node
class Unary:
    op: str  # "-" or "+"
    operand: "Expr"
    pos: Pos


@_node
class Binary:
    op: str  # "+", "-", "*", "/", "@", "**"; "^" is read as "**"
    left: "Expr"
    right: "Expr"
    pos: Pos  # span of the whole expression; line/column of the operator


@_node
class Compare:
    op: str
    left: "Expr"
    right: "Expr"
    pos: Pos


@_node
class Attr:
    obj: "Expr"
    name: str
    pos: Pos  # line/column of the attribute name


@_node
class Call:
    func: "Expr"  # Name or Attr
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    pos: Pos


@_node
class Slice:
    lo: "Expr | None"
    hi: "Expr | None"
    step: "Expr | None"
    pos: Pos


@_node
class EllipsisExpr:
    pos: Pos


@_node
class Index:
    obj: "Expr"
    items: tuple["Expr", ...]
    pos: Pos


@_node
class BoolOp:
    op: str  # "and" or "or"; short-circuits as in Python
    left: "Expr"
    right: "Expr"
    pos: Pos


@_node
class Not:
    operand: "Expr"
    pos: Pos


@_node
class ChainCompare:
    """`a < b <= c`: two or more comparisons, each operand evaluated once. A single
    comparison is a Compare. ops may include "is", "is not", "in", "not in"."""

    ops: tuple[str, ...]
    operands: tuple["Expr", ...]  # len(ops) + 1
    pos: Pos


@_node
class IfExp:
    """`body if test else orelse`."""

    test: "Expr"
    body: "Expr"
    orelse: "Expr"
    pos: Pos


@_node
class NamedExpr:
    """`name := value`: binds name, and is the value."""

    name: str
    value: "Expr"
    pos: Pos


@_node
class Param:
    name: str
    default: "Expr | None"
    kind: str  # "pos" (positional or keyword), "varargs" (*args), "kwonly", "varkw" (**kw)
    pos: Pos


@_node
class Lambda:
    params: tuple[Param, ...]
    body: "Expr"
    pos: Pos


@_node
class Comprehension:
    """One `for target in iter if cond ...` clause."""

    target: "Expr"  # Name, or TupleExpr of targets
    iter: "Expr"
    ifs: tuple["Expr", ...]
    pos: Pos


@_node
class Comp:
    """List/set/dict comprehensions and generator expressions."""

    kind: str  # "list", "set", "dict", "gen"
    elt: "Expr"  # the key for a dict comprehension
    value: "Expr | None"  # the value for a dict comprehension
    generators: tuple[Comprehension, ...]
    pos: Pos


@_node
class DictExpr:
    keys: tuple["Expr | None", ...]  # None: `**mapping` in values
    values: tuple["Expr", ...]
    pos: Pos


@_node
class SetExpr:
    items: tuple["Expr", ...]
    pos: Pos


@_node
class Starred:
    """`*xs` in a call's arguments, a list/tuple display or an assignment target."""

    value: "Expr"
    pos: Pos


@_node
class FormattedValue:
    """`{value!conversion:spec}` inside an f-string; spec may itself hold fields."""

    value: "Expr"
    conversion: str | None  # "r", "s", "a"
    spec: "FString | None"
    pos: Pos


@_node
class Yield:
    """`yield value` (a statement): the function it is in is a generator."""

    value: "Expr | None"
    pos: Pos


@_node
class FString:
    parts: tuple["str | FormattedValue", ...]
    pos: Pos


Expr = Union[Num, Name, Str, ListExpr, TupleExpr, Paren, Unary, Binary, Compare, Attr, Call, Slice,
             EllipsisExpr, Index, BoolOp, Not, ChainCompare, IfExp, Lambda, Comp, DictExpr,
             SetExpr, Starred, FString, Yield, NamedExpr]


@_node
class Assign:
    target: str
    value: Expr
    pos: Pos


@_node
class Annotated:
    """`target: annotation` (value None) or `target: annotation = value`; in a class body
    a name's annotation is recorded (the fields of a @dataclass). The annotation itself
    is never evaluated."""

    target: "Expr"
    value: "Expr | None"
    pos: Pos


@_node
class ExprStmt:
    value: Expr
    pos: Pos


# ---- statements of lesson programs (Python's subset). Blocks are tuples of statements.


@_node
class SetStmt:
    """Every assignment that is not `NAME = expr`: `a, b = ...`, `x.requires_grad = True`,
    `v[0] = 1`, chains `a = b = 0` (targets left to right), `x: float = 1`."""

    targets: tuple["Expr", ...]  # Name, Attr, Index, TupleExpr/ListExpr of targets, Starred
    value: "Expr"
    pos: Pos


@_node
class AugAssign:
    target: "Expr"  # Name, Attr or Index
    op: str  # "+", "-", "*", "/", "//", "%", "**", "@"
    value: "Expr"
    pos: Pos


@_node
class If:
    test: "Expr"
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]  # `elif` is an If alone in orelse
    pos: Pos


@_node
class While:
    test: "Expr"
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    pos: Pos


@_node
class For:
    target: "Expr"
    iter: "Expr"
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    pos: Pos


@_node
class Break:
    pos: Pos


@_node
class Continue:
    pos: Pos


@_node
class Pass:
    pos: Pos


@_node
class Return:
    value: "Expr | None"
    pos: Pos


@_node
class FunctionDef:
    name: str
    params: tuple[Param, ...]
    body: tuple["Stmt", ...]
    decorators: tuple["Expr", ...]
    pos: Pos


@_node
class ClassDef:
    name: str
    bases: tuple["Expr", ...]
    body: tuple["Stmt", ...]
    decorators: tuple["Expr", ...]
    pos: Pos


@_node
class With:
    items: tuple[tuple["Expr", "Expr | None"], ...]  # (context expression, `as` target)
    body: tuple["Stmt", ...]
    pos: Pos


@_node
class Handler:
    type: "Expr | None"  # None: a bare `except:`
    name: str | None
    body: tuple["Stmt", ...]
    pos: Pos


@_node
class Try:
    body: tuple["Stmt", ...]
    handlers: tuple[Handler, ...]
    orelse: tuple["Stmt", ...]
    finalbody: tuple["Stmt", ...]
    pos: Pos


@_node
class Raise:
    exc: "Expr | None"
    pos: Pos


@_node
class Assert:
    test: "Expr"
    msg: "Expr | None"
    pos: Pos


@_node
class Delete:
    targets: tuple["Expr", ...]
    pos: Pos


@_node
class Global:
    names: tuple[str, ...]
    nonlocal_: bool  # True for `nonlocal`
    pos: Pos


@_node
class Import:
    """`import a.b as c` (module = "a.b", names = ()) or `from a.b import x as y, z`."""

    module: str
    asname: str | None
    names: tuple[tuple[str, str | None], ...]  # for `from ... import`; ("*", None) for *
    is_from: bool
    pos: Pos


Stmt = Union[Assign, ExprStmt, SetStmt, Annotated, AugAssign, If, While, For, Break, Continue, Pass,
             Return, FunctionDef, ClassDef, With, Try, Raise, Assert, Delete, Global, Import]


@_node
class Program:
    statements: tuple[Stmt, ...]
    source: str


def children(node: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions of `node`, in evaluation order (no recursion)."""
    if isinstance(node, Binary | Compare):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Paren):
        return (node.inner,)
    if isinstance(node, ListExpr | TupleExpr):
        return node.items
    if isinstance(node, Attr):
        return (node.obj,)
    if isinstance(node, Call):
        return (node.func, *node.args, *(v for _, v in node.kwargs))
    if isinstance(node, Index):
        return (node.obj, *node.items)
    if isinstance(node, Slice):
        return tuple(p for p in (node.lo, node.hi, node.step) if p is not None)
    return ()


def walk(root: Expr) -> Iterator[Expr]:
    """Every sub-expression of `root`, pre-order, with an explicit stack."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


# --------------------------------------------------------------------------- parser


def _pos_tok(tok) -> Pos:
    return Pos(tok.start_pos, tok.end_pos, tok.line, tok.column)


def _span(first, last, anchor=None) -> Pos:
    """Span from `first` to `last` (AST nodes or tokens), positioned at `anchor`."""
    p = getattr(first, "pos", None)
    start = first.start_pos if p is None else p.start
    p = getattr(last, "pos", None)
    end = last.end_pos if p is None else p.end
    at = first if anchor is None else anchor
    p = getattr(at, "pos", None)
    return Pos(start, end, at.line, at.column) if p is None else Pos(start, end, p.line, p.column)


MAX_INT_DIGITS = 4300  # Python's own limit for integer literals (sys.get_int_max_str_digits)


def _number(tok) -> Num:
    text = tok.value
    if len(text) < 19 and text.isdigit():  # the common case: a plain integer
        return Num(int(text), Pos(tok.start_pos, tok.end_pos, tok.line, tok.column))
    if len(text) > MAX_INT_DIGITS and text.replace("_", "").isdigit():
        raise ParseError(f"the integer literal has {len(text):,} digits, more than Python's "
                         f"limit of {MAX_INT_DIGITS:,}", line=tok.line, column=tok.column)
    if text.isdigit():
        value: int | float = int(text)
    else:
        text = text.replace("_", "")
        if text[:2] in ("0x", "0X"):
            value = int(text, 16)
        elif text.isdigit():
            value = int(text)
        else:
            value = float(text)
    return Num(value, _pos_tok(tok))


def _end(node) -> int:
    """Where a node, a token or a block (a tuple of statements) ends."""
    if isinstance(node, tuple):
        node = node[-1]
    p = getattr(node, "pos", None)
    return node.end_pos if p is None else p.end


def _block_span(first, last_block, anchor=None) -> Pos:
    """From `first` (token or node) to the end of the statements `last_block`."""
    at = first if anchor is None else anchor
    p = getattr(first, "pos", None)
    start = first.start_pos if p is None else p.start
    p = getattr(at, "pos", None)
    line, column = (at.line, at.column) if p is None else (p.line, p.column)
    return Pos(start, _end(last_block), line, column)


_NAMED_CONSTANTS = ("None", "True", "False")


def _check_target(node, what: str = "assign to") -> None:
    """Raise a ParseError unless `node` can be assigned to (explicit stack, no recursion)."""
    stack = [node]
    while stack:
        t = stack.pop()
        if isinstance(t, Paren):
            stack.append(t.inner)
        elif isinstance(t, TupleExpr | ListExpr):
            stack.extend(t.items)
        elif isinstance(t, Starred):
            stack.append(t.value)
        elif isinstance(t, Name):
            if t.id in _NAMED_CONSTANTS:
                raise ParseError(f"cannot {what} {t.id}", line=t.pos.line, column=t.pos.column)
        elif not isinstance(t, Attr | Index):
            kind = type(t).__name__
            words = {"Num": "a number", "Str": "a string", "Call": "a function call",
                     "Compare": "a comparison", "ChainCompare": "a comparison",
                     "Binary": "an expression", "Unary": "an expression",
                     "FString": "an f-string", "Lambda": "a lambda", "Comp": "a comprehension"}
            raise ParseError(f"cannot {what} {words.get(kind, 'this expression')}",
                             line=t.pos.line, column=t.pos.column)


def _unparen(node):
    while isinstance(node, Paren):
        node = node.inner
    return node


def _flatten(c) -> tuple:
    out: list = []
    for s in c:
        if type(s) is tuple:
            out.extend(s)
        elif s is not None:
            out.append(s)
    return tuple(out)


def _is_bare_tuple(node) -> bool:
    return (isinstance(node, TupleExpr) and bool(node.items)
            and node.pos.start == node.items[0].pos.start)


class _ToAst:
    """Lark callbacks, one per grammar alias; each gets the rule's kept children."""

    def start(self, c):
        return _flatten(c)

    def suite(self, c):
        return _flatten(c)

    # ------------------------------------------------------------ simple statements

    def assign(self, c):
        *targets, value = c
        if len(targets) == 1 and type(targets[0]) is Name:
            name = targets[0]
            if name.id not in _NAMED_CONSTANTS:
                return Assign(name.id, value, _span(name, value))
        targets = [_unparen(t) for t in targets]
        for t in targets:
            _check_target(t)
        return SetStmt(tuple(targets), value, _span(targets[0], value))

    def annassign(self, c):
        target, _annotation, value = c if len(c) == 3 else (*c, None)
        target = _unparen(target)
        if not isinstance(target, Name | Attr | Index):
            raise ParseError("only a name, attribute or item can be annotated",
                             line=target.pos.line, column=target.pos.column)
        _check_target(target)
        return Annotated(target, value, _span(target, value if value is not None
                                              else _annotation))

    annotation = annassign

    def augassign(self, c):
        target, op, value = c
        target = _unparen(target)
        if not isinstance(target, Name | Attr | Index):
            raise ParseError(f"'{op}' needs a name, attribute or item on its left",
                             line=target.pos.line, column=target.pos.column)
        _check_target(target)
        return AugAssign(target, str(op)[:-1], value, _span(target, value, op))

    def expr_stmt(self, c):
        return ExprStmt(c[0], c[0].pos)

    def pass_stmt(self, c):
        return Pass(_pos_tok(c[0]))

    def break_stmt(self, c):
        return Break(_pos_tok(c[0]))

    def continue_stmt(self, c):
        return Continue(_pos_tok(c[0]))

    def yield_stmt(self, c):
        kw, value = c
        pos = _span(kw, value if value is not None else kw, kw)
        return ExprStmt(Yield(value, pos), pos)

    def return_stmt(self, c):
        kw, value = c
        return Return(value, _span(kw, value if value is not None else kw, kw))

    def raise_stmt(self, c):
        kw, exc = c
        return Raise(exc, _span(kw, exc if exc is not None else kw, kw))

    def assert_stmt(self, c):
        kw, test, msg = c
        return Assert(test, msg, _span(kw, msg if msg is not None else test, kw))

    def del_stmt(self, c):
        kw, target = c
        targets = target.items if _is_bare_tuple(target) else (target,)
        for t in targets:
            if isinstance(_unparen(t), Starred):
                raise ParseError("cannot delete a starred expression",
                                 line=t.pos.line, column=t.pos.column)
            _check_target(t, "delete")
        return Delete(tuple(targets), _span(kw, target, kw))

    def global_stmt(self, c):
        return Global(tuple(str(n) for n in c[1:]), False, _span(c[0], c[-1], c[0]))

    def nonlocal_stmt(self, c):
        return Global(tuple(str(n) for n in c[1:]), True, _span(c[0], c[-1], c[0]))

    def dotted(self, c):
        return (".".join(str(t) for t in c), c[-1])

    def dotted_as(self, c):
        (module, last), asname = c
        return (module, None if asname is None else str(asname), last if asname is None else asname)

    def import_as(self, c):
        name, asname = c
        return (str(name), None if asname is None else str(asname), asname or name)

    def import_stmt(self, c):
        kw = c[0]
        return tuple(Import(module, asname, (), False, _span(kw, last, kw))
                     for module, asname, last in c[1:])

    def from_stmt(self, c):
        kw, (module, _), *what = c
        if len(what) == 1 and getattr(what[0], "type", None) == "STAR":
            names: tuple = (("*", None),)
            last = what[0]
        else:
            names = tuple((name, asname) for name, asname, _ in what)
            last = what[-1][2]
        return Import(module, None, names, True, _span(kw, last, kw))

    # ------------------------------------------------------------ compound statements

    def if_stmt(self, c):
        orelse = c[-1] if c[-1] is not None else ()
        groups = c[:-1]
        node = None
        for i in range(len(groups) - 3, -1, -3):
            kw, test, body = groups[i:i + 3]
            end = orelse if orelse else body
            node = If(test, body, orelse, _block_span(kw, end))
            orelse = (node,)
        return node

    def while_stmt(self, c):
        kw, test, body, orelse = c
        return While(test, body, orelse or (), _block_span(kw, orelse or body))

    def for_stmt(self, c):
        kw, target, _in, iter_, body, orelse = c
        _check_target(target)
        return For(target, iter_, body, orelse or (), _block_span(kw, orelse or body))

    def try_except(self, c):
        kw, body, *handlers, orelse, final = c
        for h in handlers[:-1]:
            if h.type is None:
                raise ParseError("a bare 'except:' must be the last handler",
                                 line=h.pos.line, column=h.pos.column)
        last = final or orelse or handlers[-1].body
        return Try(body, tuple(handlers), orelse or (), final or (), _block_span(kw, last))

    def try_finally(self, c):
        kw, body, final = c
        return Try(body, (), (), final, _block_span(kw, final))

    def handler(self, c):
        kw, body = c[0], c[-1]
        middle = [x for x in c[1:-1]]
        type_ = middle[0] if middle else None
        name = middle[1] if len(middle) > 1 else None
        return Handler(type_, None if name is None else str(name), body, _block_span(kw, body))

    def with_stmt(self, c):
        kw, *items, body = c
        return With(tuple(items), body, _block_span(kw, body))

    def with_item(self, c):
        expr, target = c
        if target is not None:
            _check_target(target)
        return (expr, target)

    def funcdef(self, c):
        decorators, kw, name, params, _returns, body = c
        first = decorators[0][0] if decorators else kw
        return FunctionDef(str(name), params or (), body,
                           tuple(d for _, d in decorators or ()), _block_span(first, body, kw))

    def classdef(self, c):
        decorators, kw, name, args, body = c
        bases = []
        for a in args or ():
            if isinstance(a, tuple):
                raise ParseError("class keywords (metaclass=...) are not supported",
                                 line=kw.line, column=kw.column)
            bases.append(a)
        first = decorators[0][0] if decorators else kw
        return ClassDef(str(name), tuple(bases), body,
                        tuple(d for _, d in decorators or ()), _block_span(first, body, kw))

    def decorators(self, c):
        return c

    def decorator(self, c):
        at, expr = c
        if str(at) != "@":
            raise ParseError("unexpected '@'", line=at.line, column=at.column)
        return (at, expr)

    def param(self, c):
        name, _annotation, default = c
        return ("p", name, default)

    def lparam(self, c):
        name, default = c
        return ("p", name, default)

    def star_param(self, c):
        star, name = c[0], c[1]
        return ("*", star, name)

    lstar_param = star_param

    def dstar_param(self, c):
        tok, name = c[0], c[1]
        if str(tok) != "**":
            raise ParseError("unexpected '^'", line=tok.line, column=tok.column)
        return ("**", tok, name)

    ldstar_param = dstar_param

    def parameters(self, c):
        params: list = []
        kind = "pos"
        seen: set = set()
        default_seen = False
        for item in c:
            tag = item[0]
            if tag == "p":
                _, name, default = item
                if kind == "varkw_done":
                    raise ParseError("no parameter may follow **kwargs",
                                     line=name.line, column=name.column)
                if kind == "pos":
                    if default is None and default_seen:
                        raise ParseError("a parameter without a default follows one with a "
                                         "default", line=name.line, column=name.column)
                    default_seen = default_seen or default is not None
                last = default if default is not None else name
                params.append(Param(str(name), default, kind, _span(name, last, name)))
            elif tag == "*":
                _, star, name = item
                if kind != "pos":
                    raise ParseError("* may appear only once among the parameters",
                                     line=star.line, column=star.column)
                if name is not None:
                    params.append(Param(str(name), None, "varargs", _span(star, name, name)))
                kind = "kwonly"
            else:
                _, tok, name = item
                if kind == "varkw_done":
                    raise ParseError("** may appear only once among the parameters",
                                     line=tok.line, column=tok.column)
                params.append(Param(str(name), None, "varkw", _span(tok, name, name)))
                kind = "varkw_done"
        for p in params:
            if p.name in seen:
                raise ParseError(f"duplicate parameter '{p.name}'", line=p.pos.line,
                                 column=p.pos.column)
            seen.add(p.name)
        return tuple(params)

    # ------------------------------------------------------------ expressions

    def bare_tuple(self, c):
        return TupleExpr(tuple(c), _span(c[0], c[-1]))

    def starred(self, c):
        star, value = c
        return Starred(value, _span(star, value, star))

    def ifexp(self, c):
        body, test, orelse = c
        return IfExp(test, body, orelse, _span(body, orelse))

    def walrus(self, c):
        name, value = c
        return NamedExpr(str(name), value, _span(name, value))

    def lambdef(self, c):
        kw, params, body = c
        return Lambda(params or (), body, _span(kw, body, kw))

    def boolop(self, c):
        left, tok, right = c
        return BoolOp(str(tok), left, right, _span(left, right, tok))

    def not_op(self, c):
        tok, operand = c
        return Not(operand, _span(tok, operand, tok))

    def compare(self, c):
        left, right = c[0], c[-1]
        ops = c[1:-1]
        op = ops[0].value if len(ops) == 1 else " ".join(str(t) for t in ops)
        if type(left) is Compare:
            return ChainCompare((left.op, op), (left.left, left.right, right),
                                Pos(left.pos.start, right.pos.end, left.pos.line, left.pos.column))
        if type(left) is ChainCompare:
            return ChainCompare((*left.ops, op), (*left.operands, right),
                                Pos(left.pos.start, right.pos.end, left.pos.line, left.pos.column))
        return Compare(op, left, right, _span(left, right, ops[0]))

    def _binary(self, c, op):
        left, tok, right = c
        lp, rp = getattr(left, "pos", None), getattr(right, "pos", None)
        if lp is None or rp is None:
            return Binary(op, left, right, _span(left, right, tok))
        return Binary(op, left, right, Pos(lp.start, rp.end, tok.line, tok.column))

    def add(self, c):
        return self._binary(c, "+")

    def sub(self, c):
        return self._binary(c, "-")

    def mul(self, c):
        return self._binary(c, "*")

    def div(self, c):
        return self._binary(c, "/")

    def floordiv(self, c):
        return self._binary(c, "//")

    def mod(self, c):
        return self._binary(c, "%")

    def bitor(self, c):
        return self._binary(c, "|")

    def bitand(self, c):
        return self._binary(c, "&")

    def matmul(self, c):
        return self._binary(c, "@")

    def pow(self, c):
        return self._binary(c, "**")

    def implicit(self, c):
        num, operand = c
        left = _number(num)
        return Binary("*", left, operand, _span(left, operand, operand))

    def neg(self, c):
        tok, operand = c
        return Unary("-", operand, _span(tok, operand, tok))

    def pos(self, c):
        tok, operand = c
        return Unary("+", operand, _span(tok, operand, tok))

    def number(self, c):
        return _number(c[0])

    def name(self, c):
        tok = c[0]
        return Name(tok.value, Pos(tok.start_pos, tok.end_pos, tok.line, tok.column))

    def string(self, c):
        return _strings(c)

    def attr(self, c):
        obj, name = c
        p = _pos_tok(name)
        return Attr(obj, str(name), Pos(obj.pos.start, p.end, p.line, p.column))

    def call(self, c):
        func, args, rpar = c
        pos_args, kwargs = [], []
        for a in args or ():
            if isinstance(a, tuple):
                kwargs.append(a)
            elif kwargs and not isinstance(a, Starred):
                raise ParseError("positional argument after keyword argument",
                                 line=a.pos.line, column=a.pos.column)
            elif isinstance(a, Starred) and any(k == "**" for k, _ in kwargs):
                raise ParseError("*iterable argument after **mapping argument",
                                 line=a.pos.line, column=a.pos.column)
            else:
                pos_args.append(a)
        return Call(func, tuple(pos_args), tuple(kwargs), _span(func, rpar, func))

    def call_gen(self, c):
        func, elt, gens, rpar = c
        gen = Comp("gen", elt, None, gens, _span(elt, gens[-1], elt))
        return Call(func, (gen,), (), _span(func, rpar, func))

    def args(self, c):
        return c

    def kwarg(self, c):
        name, value = c
        return (str(name), value)

    def dstar_arg(self, c):
        tok, value = c
        if str(tok) != "**":
            raise ParseError("unexpected '^'", line=tok.line, column=tok.column)
        return ("**", value)

    def index(self, c):
        obj, lsqb, items, rsqb = c
        return Index(obj, tuple(items), _span(obj, rsqb, lsqb))

    def subscripts(self, c):
        return c

    def slice(self, c):
        lo, colon, hi, step = c
        first = lo if lo is not None else colon
        last = step if step is not None else (hi if hi is not None else colon)
        return Slice(lo, hi, step, _span(first, last, colon))

    def ellipsis(self, c):
        return EllipsisExpr(_pos_tok(c[0]))

    def exprs(self, c):
        return c

    def list(self, c):
        lsqb, items, rsqb = c
        return ListExpr(tuple(items or ()), _span(lsqb, rsqb))

    def paren(self, c):
        lpar, inner, rpar = c
        return Paren(inner, _span(lpar, rpar, inner))

    def empty_tuple(self, c):
        lpar, rpar = c
        return TupleExpr((), _span(lpar, rpar))

    def tuple(self, c):
        lpar, first, rest, rpar = c
        return TupleExpr((first, *(rest or ())), _span(lpar, rpar))

    def genexp(self, c):
        lpar, elt, gens, rpar = c
        return Comp("gen", elt, None, gens, _span(lpar, rpar))

    def listcomp(self, c):
        lsqb, elt, gens, rsqb = c
        return Comp("list", elt, None, gens, _span(lsqb, rsqb))

    def setcomp(self, c):
        lb, elt, gens, rb = c
        return Comp("set", elt, None, gens, _span(lb, rb))

    def dictcomp(self, c):
        lb, key, value, gens, rb = c
        return Comp("dict", key, value, gens, _span(lb, rb))

    def comp_for(self, c):
        return tuple(c)

    def comprehension(self, c):
        kw, target, _in, iter_, *ifs = c
        _check_target(target)
        return Comprehension(target, iter_, tuple(ifs), _span(kw, ifs[-1] if ifs else iter_, kw))

    def empty_dict(self, c):
        lb, rb = c
        return DictExpr((), (), _span(lb, rb))

    def dict(self, c):
        lb, items, rb = c
        return DictExpr(tuple(k for k, _ in items), tuple(v for _, v in items), _span(lb, rb))

    def dict_items(self, c):
        return c

    def kv(self, c):
        return (c[0], c[1])

    def dstar(self, c):
        tok, value = c
        if str(tok) != "**":
            raise ParseError("unexpected '^'", line=tok.line, column=tok.column)
        return (None, value)

    def set(self, c):
        lb, items, rb = c
        return SetExpr(tuple(items), _span(lb, rb))


# --------------------------------------------------------------------------- strings

_ESCAPES = {"\n": "", "\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
            "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


def _position_in(tok, k: int) -> tuple[int, int, int]:
    """(offset, line, column) of character `k` of token `tok`'s text."""
    text = str(tok)
    nl = text.rfind("\n", 0, k)
    if nl < 0:
        return tok.start_pos + k, tok.line, tok.column + k
    return tok.start_pos + k, tok.line + text.count("\n", 0, k), k - nl


def _decode(body: str, tok, at: int, is_bytes: bool) -> str:
    """Python's backslash escapes in `body` (which starts at character `at` of the token)."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        j = body.find("\\", i)
        if j < 0:
            out.append(body[i:])
            break
        out.append(body[i:j])
        if j + 1 >= n:
            out.append("\\")
            break
        ch = body[j + 1]
        i = j + 2
        if ch == "\r" and body.startswith("\n", i):
            i += 1
            continue
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch in _OCTAL:
            k = i
            while k < n and k < j + 4 and body[k] in _OCTAL:
                k += 1
            out.append(chr(int(body[j + 1:k], 8)))
            i = k
        elif ch in "xuU" and not (is_bytes and ch != "x"):
            size = {"x": 2, "u": 4, "U": 8}[ch]
            digits = body[i:i + size]
            if len(digits) < size or any(d not in _HEX for d in digits):
                _, line, column = _position_in(tok, at + j)
                raise ParseError(f"truncated \\{ch} escape in a string", line=line,
                                 column=column)
            code = int(digits, 16)
            if code > 0x10FFFF:
                _, line, column = _position_in(tok, at + j)
                raise ParseError("\\U escape out of range in a string", line=line, column=column)
            out.append(chr(code))
            i += size
        elif ch == "N" and not is_bytes and body.startswith("{", i) and "}" in body[i:]:
            import unicodedata

            close = body.index("}", i)
            try:
                out.append(unicodedata.lookup(body[i + 1:close]))
            except KeyError:
                _, line, column = _position_in(tok, at + j)
                raise ParseError(f"unknown Unicode character name {body[i + 1:close]!r}",
                                 line=line, column=column) from None
            i = close + 1
        else:
            out.append("\\" + ch)  # not an escape: kept, as Python does
    return "".join(out)


def _split_string(tok) -> tuple[str, str, int, int]:
    """(prefix in lower case, body, offset of the body in the token, quote length)."""
    text = str(tok)
    k = 0
    while text[k] not in "'\"":
        k += 1
    q = 3 if text[k:k + 3] in ("'''", '"""') else 1
    return text[:k].lower(), text[k + q:len(text) - q], k + q, q


_FSTRING_DEPTH = [0]
MAX_FSTRING_NESTING = 4


def _fstring_parts(tok, body: str, at: int, raw: bool, nesting: int) -> list:
    """The parts of an f-string's body: text and FormattedValue fields."""
    parts: list = []
    chunk: list[str] = []
    chunk_at = at
    i, n = 0, len(body)

    def flush():
        if chunk:
            text = "".join(chunk)
            parts.append(text if raw else _decode(text, tok, chunk_at, False))
            chunk.clear()

    while i < n:
        ch = body[i]
        if ch == "\\" and not raw and i + 1 < n:
            if body[i + 1] == "N" and body.startswith("{", i + 2) and "}" in body[i + 2:]:
                close = body.index("}", i + 2)
                if not chunk:
                    chunk_at = at + i
                chunk.append(body[i:close + 1])
                i = close + 1
                continue
            if body[i + 1] not in "{}":
                if not chunk:
                    chunk_at = at + i
                chunk.append(body[i:i + 2])
                i += 2
                continue
            if not chunk:
                chunk_at = at + i
            chunk.append("\\")
            i += 1
            continue
        if ch == "{" and body.startswith("{", i + 1):
            if not chunk:
                chunk_at = at + i
            chunk.append("{")
            i += 2
            continue
        if ch == "}":
            if body.startswith("}", i + 1):
                if not chunk:
                    chunk_at = at + i
                chunk.append("}")
                i += 2
                continue
            _, line, column = _position_in(tok, at + i)
            raise ParseError("single '}' is not allowed in an f-string", line=line,
                             column=column)
        if ch != "{":
            if not chunk:
                chunk_at = at + i
            chunk.append(ch)
            i += 1
            continue
        flush()
        i = _fstring_field(tok, body, at, i, raw, nesting, parts)
    flush()
    merged: list = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif not (isinstance(p, str) and not p):
            merged.append(p)
    return merged


def _fstring_field(tok, body: str, at: int, i: int, raw: bool, nesting: int,
                   parts: list) -> int:
    """Parse the field that starts with '{' at body[i]; append it; return where it ends."""
    n = len(body)
    open_at = i
    j = i + 1
    depth = 0
    quote = None
    while j < n:
        ch = body[j]
        if quote:
            if body.startswith(quote, j):
                j += len(quote)
                quote = None
                continue
            j += 1
            continue
        if ch in "'\"":
            quote = body[j:j + 3] if body[j:j + 3] in ("'''", '"""') else ch
            j += len(quote)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (ch == ":" or (ch == "!" and not body.startswith("=", j + 1))):
            break
        j += 1
    if j >= n:
        _, line, column = _position_in(tok, at + open_at)
        raise ParseError("expected '}' in an f-string", line=line, column=column)
    expr_text = body[i + 1:j]
    if not expr_text.strip():
        _, line, column = _position_in(tok, at + open_at)
        raise ParseError("empty expression in an f-string", line=line, column=column)
    offset, line, column = _position_in(tok, at + i + 1)
    stripped = expr_text.rstrip()
    self_doc = (stripped.endswith("=") and not stripped.endswith(("==", "!=", "<=", ">="))
                and len(stripped) > 1)
    if self_doc:  # f"{x=}": the text, then the value (its repr unless a spec is given)
        parts.append(expr_text)
        expr_text = stripped[:-1]
    value = _parse_fragment(expr_text, offset, line, column)
    conversion = "r" if self_doc and body[j] not in "!:" else None
    if body[j] == "!":
        conversion = body[j + 1:j + 2]
        if conversion not in ("r", "s", "a") or body[j + 2:j + 3] not in (":", "}"):
            _, line, column = _position_in(tok, at + j)
            raise ParseError("an f-string conversion must be !r, !s or !a", line=line,
                             column=column)
        j += 2
    spec = None
    if body[j] == ":":
        k = j + 1
        level = 0
        while k < n:
            if body[k] == "{":
                level += 1
            elif body[k] == "}":
                if level == 0:
                    break
                level -= 1
            k += 1
        if k >= n:
            _, line, column = _position_in(tok, at + open_at)
            raise ParseError("expected '}' in an f-string", line=line, column=column)
        if nesting >= 2:
            _, line, column = _position_in(tok, at + j)
            raise ParseError("f-string format specs nested too deeply", line=line,
                             column=column)
        spec_parts = _fstring_parts(tok, body[j + 1:k], at + j + 1, raw, nesting + 1)
        s_off, s_line, s_col = _position_in(tok, at + j + 1)
        e_off = _position_in(tok, at + k)[0]
        spec = FString(tuple(spec_parts), Pos(s_off, e_off, s_line, s_col))
        j = k
    o_off, o_line, o_col = _position_in(tok, at + open_at)
    parts.append(FormattedValue(value, conversion, spec,
                                Pos(o_off, tok.start_pos + at + j + 1, o_line, o_col)))
    return j + 1


def _strings(tokens) -> Str | FString:
    """Adjacent string literals, concatenated; an f-string among them makes an FString."""
    parts: list = []
    is_f = False
    for tok in tokens:
        prefix, body, at, _ = _split_string(tok)
        raw = "r" in prefix
        if "f" in prefix:
            is_f = True
            parts.extend(_fstring_parts(tok, body, at, raw, 0))
        else:
            parts.append(body if raw else _decode(body, tok, at, "b" in prefix))
    pos = _span(tokens[0], tokens[-1]) if len(tokens) > 1 else _pos_tok(tokens[0])
    if not is_f:
        return Str("".join(parts), pos)
    merged: list = []
    for p in parts:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif not (isinstance(p, str) and not p):
            merged.append(p)
    return FString(tuple(merged), pos)


def _parse_fragment(text: str, offset: int, line: int, column: int) -> Expr:
    """An f-string field's expression, parsed as if in parentheses, with positions in the
    whole program."""
    if _FSTRING_DEPTH[0] >= MAX_FSTRING_NESTING:
        raise ParseError("f-strings nested too deeply", line=line, column=column)
    _FSTRING_DEPTH[0] += 1
    try:
        statements = _parse_text("(" + text + ")", offset - 1, line, column - 1)
    finally:
        _FSTRING_DEPTH[0] -= 1
    if len(statements) != 1 or not isinstance(statements[0], ExprStmt):
        raise ParseError("expected an expression in the f-string", line=line, column=column)
    value = statements[0].value
    return value.inner if isinstance(value, Paren) else value


# Words that are never names: the grammar's keywords.
KEYWORDS = frozenset({
    "if", "else", "elif", "for", "while", "in", "is", "not", "and", "or", "lambda", "def",
    "return", "yield", "class", "with", "as", "try", "except", "finally", "raise", "assert", "del",
    "pass", "break", "continue", "global", "nonlocal", "import", "from"})


class _Indenter:
    """Lark's post-lexer: newlines inside (...), [...] and {...} join lines; after every
    other newline, :class:`gradcli.lalr.Layout` says which _INDENT/_DEDENT follow; the
    text always ends with a _NL. :meth:`gradcli.lalr.Parser.parse` does the same."""

    # NAME is read in every state, so that "x orb" is x and the name orb (an error), never
    # x, the keyword or, and b.
    always_accept = ("_NL", "NAME")
    OPENING = frozenset({"LPAR", "LSQB", "LBRACE"})
    CLOSING = frozenset({"RPAR", "RSQB", "RBRACE"})

    def __init__(self):
        self.source = ""
        self.shift = (0, 1, 1)  # offset, line, column of the text's first character
        self.brackets: list = []
        self.shifted: list = []

    def process(self, stream):
        from lark import Token as LarkToken

        from .lalr import Layout, end_position, indent_width, leading_width, reserved_word

        text = self.source
        offset, line0, col0 = self.shift
        layout = None
        depth = 0
        last = None
        brackets = self.brackets = []  # the open brackets, for the error hints
        shifted = self.shifted = []  # tokens moved to the fragment's place (f-string fields)

        def layout_tokens(tok, line, column):
            nonlocal layout
            if layout is None:
                layout = Layout(leading_width(text))
            value = str(tok)
            if value:
                indent = value[value.rindex("\n") + 1:]
                line, column = tok.line + value.count("\n"), len(indent) + 1
                width = indent_width(indent)
            else:
                indent, width = "", 0
            k = layout.step(width, last == "COLON", line, column)
            at = tok.end_pos
            if k > 0:
                return [LarkToken("_INDENT", indent, at - len(indent), line, 1)]
            return [LarkToken("_DEDENT", "", at, line, column) for _ in range(-k)]

        for tok in stream:
            if offset or line0 != 1 or col0 != 1:
                shifted.append(tok)
                if tok.line == 1:
                    tok.column += col0 - 1
                tok.line += line0 - 1
                tok.start_pos += offset
                tok.end_pos += offset
            kind = tok.type
            if kind == "NAME" and tok in KEYWORDS:
                raise reserved_word(str(tok), tok.line, tok.column)
            if kind in self.OPENING:
                depth += 1
                brackets.append(kind)
            elif kind in self.CLOSING:
                depth = max(0, depth - 1)
                if brackets:
                    brackets.pop()
            elif kind == "_NL":
                if depth:
                    continue
                extra = layout_tokens(tok, 0, 0)
                last = kind
                yield tok
                yield from extra
                continue
            last = kind
            yield tok
        if depth or last != "_NL":
            line, column = end_position(text, line0, col0)
            tok = LarkToken("_NL", "", len(text) + offset, line, column, line, column,
                            len(text) + offset)
            extra = [] if depth else layout_tokens(tok, line, column)
            yield tok
            yield from extra


def grammar_path() -> str:
    """The grammar file: inside the installed package, or at the repository root."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "grammar", "gradcli.lark")
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "grammar", "gradcli.lark")


def _grammar_text() -> str:
    with open(grammar_path(), encoding="utf-8") as f:
        return f.read()


def _cache_dir() -> str | None:
    """gradcli's folder in the user's cache directory, or None if it cannot be written."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "gradcli")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return folder


_PARSER = None


def _postlex_key() -> str:
    """What of the post-lexer shapes the tables: the terminals every state reads."""
    import zlib

    return f"{zlib.crc32(repr(_Indenter.always_accept).encode()):08x}"

_INDENTER = _Indenter()


def _parser():
    """Lark's parser: builds the tables, and gives the error messages."""
    global _PARSER
    if _PARSER is None:
        from lark import Lark

        text = _grammar_text()
        opts = dict(parser="lalr", lexer="contextual", transformer=_ToAst(),
                    postlex=_INDENTER, maybe_placeholders=True)
        folder = _cache_dir()
        # Lark's cache does not cover the post-lexer, which decides the lexer's states
        cache = os.path.join(folder, f"grammar-{_postlex_key()}.lark-cache") if folder else False
        try:
            _PARSER = Lark(text, cache=cache, **opts)
        except OSError:  # an unwritable or broken cache never stops gradcli
            _PARSER = Lark(text, **opts)
    return _PARSER


_FAST: "lalr.Parser | None | bool" = None


def _fast_parser():
    """The table-driven parser, from the cached tables when they match the grammar.

    The tables live in ``parser-<crc>.json`` next to Lark's cache and hold the grammar
    text they were built from; a missing, stale or damaged file is rebuilt (with Lark),
    and an unwritable cache directory only means the tables are rebuilt in memory.
    Returns None if the tables cannot be built, and gradcli parses with Lark alone.
    """
    global _FAST
    if _FAST is None:
        import json
        import zlib

        from . import lalr

        grammar = _grammar_text()
        folder = _cache_dir()
        name = f"parser-{lalr.FORMAT}-{zlib.crc32((grammar + _postlex_key()).encode()):08x}.json"
        path = os.path.join(folder, name) if folder else None
        options = dict(joined="_NL", opening=_Indenter.OPENING, closing=_Indenter.CLOSING,
                       indent="_INDENT", dedent="_DEDENT", colon="COLON",
                       reserved=KEYWORDS, name="NAME")
        _FAST = False
        try:
            if path:
                with open(path, encoding="utf-8") as f:
                    tables = json.load(f)
                if tables.get("grammar") == grammar:
                    _FAST = lalr.Parser(tables, _ToAst(), **options)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, re.error):
            _FAST = False
        if _FAST is False:
            try:
                tables = {**lalr.tables_from_lark(_parser()), "grammar": grammar}
                _FAST = lalr.Parser(tables, _ToAst(), **options)
            except (ValueError, KeyError, TypeError, AttributeError, ImportError):
                return None
            if path:
                _write_atomically(path, json.dumps(tables, separators=(",", ":")))
    return _FAST or None


def _write_atomically(path: str, text: str) -> None:
    """Write a cache file so that readers see the old file or the whole new one."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


# Maths typography people paste, and what to type instead.
TYPOGRAPHY = {"²": "write x^2 or x**2", "³": "write x^3 or x**3", "×": "write * to multiply",
              "·": "write * to multiply", "÷": "write / to divide", "−": "write - (ASCII minus)",
              "√": "write sqrt(x)", "π": "write pi", "∑": "write .sum()", "–": "write - (ASCII minus)"}

_TOKEN_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": "a string", "$END": "end of input",
    "_NL": "a new line", "COMPARE": "a comparison", "POW": "'**'",
    "_INDENT": "an indented block", "_DEDENT": "the end of an indented block",
    "AUGOP": "'+=' (or another augmented assignment)",
    "STATEMENT": "a statement (if, for, def, ...)",
}


def _describe(term: str) -> str:
    if term in _TOKEN_WORDS:
        return _TOKEN_WORDS[term]
    try:
        pattern = _parser().get_terminal(term).pattern
        if pattern.type == "str":
            return repr(pattern.value)
    except (KeyError, AttributeError):
        pass
    return term.lower()


_CLOSING = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
_STATEMENT_WORDS = frozenset({"ASSERT", "BREAK", "CLASS", "CONTINUE", "DEF", "DEL", "FOR", "FROM",
                              "GLOBAL", "IF", "IMPORT", "NONLOCAL", "PASS", "RAISE", "RETURN",
                              "TRY", "WHILE", "WITH", "AT"})


def _useful(terms, brackets) -> set:
    """What an error hint lists: of the closing brackets the state allows (LALR merges
    them), the one that closes the innermost open bracket, without the 'for' of a
    comprehension; a statement's keywords as one word."""
    terms = set(terms)
    closers = terms & {"RPAR", "RSQB", "RBRACE"}
    if closers:
        want = _CLOSING.get(brackets[-1]) if brackets else None
        terms -= closers - {want}
        if want in closers:
            terms.discard("FOR")
    if "PASS" in terms:
        terms = (terms - _STATEMENT_WORDS) | {"STATEMENT"}
    return terms


def _expected(terms) -> str:
    words = sorted({_describe(t) for t in terms})
    return ", ".join(words[:12]) + (", ..." if len(words) > 12 else "")


# The largest program gradcli reads: room for a 1 000 000-term sum, refused well before
# parsing would exhaust memory.
MAX_PROGRAM_CHARS = 4 * 1024 * 1024  # a 1 000 000-term sum fits; larger would take minutes


def parse(source: str) -> Program:
    """Parse a program; raises ParseError with line, column and what was expected."""
    from .errors import LimitError

    if len(source) > MAX_PROGRAM_CHARS:
        raise LimitError(f"the program has {len(source):,} characters, more than the limit of "
                         f"{MAX_PROGRAM_CHARS:,}")

    from .engine import no_cycle_collection

    try:
        with no_cycle_collection():
            return Program(_parse_text(source), source)
    except ParseError as e:
        e.source = source
        raise


def _parse_text(text: str, offset: int = 0, line: int = 1, column: int = 1) -> tuple:
    """The statements of `text` (positions as if it started at offset/line/column): the
    table-driven parser, or Lark, whose exception becomes the ParseError users see."""
    fast = _fast_parser()
    if fast is not None:
        from .lalr import Reject

        try:
            return fast.parse(text, offset, line, column)
        except (Reject, KeyError, IndexError):
            pass  # not a program (or tables that do not fit): Lark says why, in its words
    return _lark_parse(text, offset, line, column)


def _lark_parse(text: str, offset: int = 0, line: int = 1, column: int = 1) -> tuple:
    """Parse with Lark; its exceptions become ParseErrors."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    parser = _parser()
    saved = _INDENTER.source, _INDENTER.shift, _INDENTER.brackets
    _INDENTER.source, _INDENTER.shift = text, (offset, line, column)
    try:
        return parser.parse(text)
    except UnexpectedToken as e:
        tok = e.token
        hint = f"expected {_expected(_useful(e.expected, _INDENTER.brackets))}"
        if tok.type == "$END" or (tok.type == "_NL" and not str(tok)):
            what = "unexpected end of input"
            line, col = _end_position(text, line, column)
        else:
            if tok.type == "_NL":
                shown = "a new line"
            elif tok.type == "_INDENT":
                shown = "indent"
            elif tok.type == "_DEDENT":
                shown = "end of the indented block"
            else:
                shown = repr(str(tok))
            what = f"unexpected {shown}"
            line_, col = tok.line, tok.column
            if (offset or line != 1 or column != 1) and not any(t is tok for t in
                                                                  _INDENTER.shifted):
                # the lexer's own error: a token that never reached the post-lexer
                line_, col = line_ + line - 1, col + (column - 1 if line_ == 1 else 0)
            line = line_
        raise ParseError(what, line=line, column=col, hint=hint) from None
    except UnexpectedCharacters as e:
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else "?"
        line_, col = e.line + line - 1, e.column + (column - 1 if e.line == 1 else 0)
        raise ParseError(f"unexpected character {ch!r}", line=line_, column=col,
                         hint=TYPOGRAPHY.get(ch)) from None
    except UnexpectedEOF as e:
        line, col = _end_position(text, line, column)
        raise ParseError("unexpected end of input", line=line, column=col,
                         hint=f"expected {_expected(e.expected)}") from None
    finally:
        _INDENTER.source, _INDENTER.shift, _INDENTER.brackets = saved


def _end_position(text: str, line: int = 1, column: int = 1) -> tuple[int, int]:
    """Line and column just past the last character of the last line: where "unexpected
    end" points (for a text that starts at line/column)."""
    lines = text.splitlines() or [""]
    col = len(lines[-1]) + 1
    if len(lines) == 1:
        col += column - 1
    return line + len(lines) - 1, col


def parse_expression(source: str) -> Expr:
    """Parse text that must be a single expression (binding values)."""
    program = parse(source)
    if len(program.statements) != 1 or not isinstance(program.statements[0], ExprStmt):
        raise ParseError("expected a single expression", line=1, column=1, source=source)
    return program.statements[0].value


# What marks a lesson program (run by gradcli.lesson's interpreter) rather than a
# straight-line one: decided here, from the syntax, so that start-up does not import it.
LESSON_ATTRS = {"grad", "grad_fn", "data", "register_hook", "no_grad", "autograd",
                "requires_grad_", "enable_grad", "set_grad_enabled"}


_LESSON_MEMO: dict[int, tuple[Program, bool]] = {}


def is_lesson(program: Program) -> bool:
    """Whether a program needs the lesson interpreter: statements beyond `name = expr`
    and expressions, or what reads autograd state (print, .grad, several backward calls).
    Remembered for the last programs asked about (a program evaluated again and again,
    as batch and the API do, is walked once)."""
    memo = _LESSON_MEMO.get(id(program))
    if memo is not None and memo[0] is program:
        return memo[1]
    answer = _is_lesson(program)
    if len(_LESSON_MEMO) >= 64:
        _LESSON_MEMO.clear()
    _LESSON_MEMO[id(program)] = (program, answer)
    return answer


def _is_lesson(program: Program) -> bool:
    backwards = 0
    for stmt in program.statements:
        if isinstance(stmt, Import):
            continue
        if not isinstance(stmt, (Assign, ExprStmt)):
            return True
        for node in walk(stmt.value):
            if isinstance(node, (BoolOp, Not, ChainCompare, IfExp, Lambda, Comp, DictExpr,
                                 SetExpr, Starred, FString)):
                return True
            if isinstance(node, Attr):
                if node.name in LESSON_ATTRS or (node.name.endswith("_")
                                                 and not node.name.startswith("_")):
                    return True
                if node.name == "backward":
                    backwards += 1
            if isinstance(node, Name) and node.id == "print":
                return True
            if isinstance(node, Compare) and node.op in ("is", "is not", "in", "not in"):
                return True
            if isinstance(node, Binary) and node.op in ("%", "//", "&", "|"):
                return True
    return backwards > 1
