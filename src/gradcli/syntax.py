"""Program text -> AST.

The grammar lives in ``grammar/gradcli.lark``. Lark computes its LALR(1) tables, and
:class:`_ToAst` runs at every reduce step, so the AST is built bottom-up during the parse
with no parse tree and no recursion: 100 000 nested parentheses parse like any other input.

The tables are cached as JSON in the user's cache directory and run by
:mod:`gradcli.lalr`, so a run does not import Lark unless the program has a syntax error,
in which case Lark parses it again and its exception becomes the ParseError users see.

The AST is plain frozen dataclasses with source positions; it knows nothing of NumPy.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Union

from .errors import ParseError

if TYPE_CHECKING:
    from . import lalr


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a piece of syntax sits: character span [start, end) and 1-based line/column."""

    start: int
    end: int
    line: int
    column: int


_AST = dict(frozen=True, slots=True, eq=False, repr=False)


@dataclass(**_AST)
class Num:
    value: int | float  # an int when written without a point or exponent, as in Python
    pos: Pos


@dataclass(**_AST)
class Name:
    id: str
    pos: Pos


@dataclass(**_AST)
class Str:
    value: str
    pos: Pos


@dataclass(**_AST)
class ListExpr:
    items: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class TupleExpr:
    items: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class Paren:
    """A parenthesised expression: its value is `inner`'s; it only widens the span."""

    inner: "Expr"
    pos: Pos


@dataclass(**_AST)
class Unary:
    op: str  # "-" or "+"
    operand: "Expr"
    pos: Pos


@dataclass(**_AST)
class Binary:
    op: str  # "+", "-", "*", "/", "@", "**"; "^" is read as "**"
    left: "Expr"
    right: "Expr"
    pos: Pos  # span of the whole expression; line/column of the operator


@dataclass(**_AST)
class Compare:
    op: str
    left: "Expr"
    right: "Expr"
    pos: Pos


@dataclass(**_AST)
class Attr:
    obj: "Expr"
    name: str
    pos: Pos  # line/column of the attribute name


@dataclass(**_AST)
class Call:
    func: "Expr"  # Name or Attr
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...]
    pos: Pos


@dataclass(**_AST)
class Slice:
    lo: "Expr | None"
    hi: "Expr | None"
    step: "Expr | None"
    pos: Pos


@dataclass(**_AST)
class EllipsisExpr:
    pos: Pos


@dataclass(**_AST)
class Index:
    obj: "Expr"
    items: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class BoolOp:
    op: str  # "and" or "or"; short-circuits as in Python
    left: "Expr"
    right: "Expr"
    pos: Pos


@dataclass(**_AST)
class Not:
    operand: "Expr"
    pos: Pos


@dataclass(**_AST)
class ChainCompare:
    """`a < b <= c`: two or more comparisons, each operand evaluated once. A single
    comparison is a Compare. ops may include "is", "is not", "in", "not in"."""

    ops: tuple[str, ...]
    operands: tuple["Expr", ...]  # len(ops) + 1
    pos: Pos


@dataclass(**_AST)
class IfExp:
    """`body if test else orelse`."""

    test: "Expr"
    body: "Expr"
    orelse: "Expr"
    pos: Pos


@dataclass(**_AST)
class Param:
    name: str
    default: "Expr | None"
    kind: str  # "pos" (positional or keyword), "varargs" (*args), "kwonly", "varkw" (**kw)
    pos: Pos


@dataclass(**_AST)
class Lambda:
    params: tuple[Param, ...]
    body: "Expr"
    pos: Pos


@dataclass(**_AST)
class Comprehension:
    """One `for target in iter if cond ...` clause."""

    target: "Expr"  # Name, or TupleExpr of targets
    iter: "Expr"
    ifs: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class Comp:
    """List/set/dict comprehensions and generator expressions."""

    kind: str  # "list", "set", "dict", "gen"
    elt: "Expr"  # the key for a dict comprehension
    value: "Expr | None"  # the value for a dict comprehension
    generators: tuple[Comprehension, ...]
    pos: Pos


@dataclass(**_AST)
class DictExpr:
    keys: tuple["Expr | None", ...]  # None: `**mapping` in values
    values: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class SetExpr:
    items: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class Starred:
    """`*xs` in a call's arguments, a list/tuple display or an assignment target."""

    value: "Expr"
    pos: Pos


@dataclass(**_AST)
class FormattedValue:
    """`{value!conversion:spec}` inside an f-string; spec may itself hold fields."""

    value: "Expr"
    conversion: str | None  # "r", "s", "a"
    spec: "FString | None"
    pos: Pos


@dataclass(**_AST)
class FString:
    parts: tuple["str | FormattedValue", ...]
    pos: Pos


Expr = Union[Num, Name, Str, ListExpr, TupleExpr, Paren, Unary, Binary, Compare, Attr, Call, Slice,
             EllipsisExpr, Index, BoolOp, Not, ChainCompare, IfExp, Lambda, Comp, DictExpr,
             SetExpr, Starred, FString]


@dataclass(**_AST)
class Assign:
    target: str
    value: Expr
    pos: Pos


@dataclass(**_AST)
class ExprStmt:
    value: Expr
    pos: Pos


# ---- statements of lesson programs (Python's subset). Blocks are tuples of statements.


@dataclass(**_AST)
class SetStmt:
    """Every assignment that is not `NAME = expr`: `a, b = ...`, `x.requires_grad = True`,
    `v[0] = 1`, chains `a = b = 0` (targets left to right), `x: float = 1`."""

    targets: tuple["Expr", ...]  # Name, Attr, Index, TupleExpr/ListExpr of targets, Starred
    value: "Expr"
    pos: Pos


@dataclass(**_AST)
class AugAssign:
    target: "Expr"  # Name, Attr or Index
    op: str  # "+", "-", "*", "/", "//", "%", "**", "@"
    value: "Expr"
    pos: Pos


@dataclass(**_AST)
class If:
    test: "Expr"
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]  # `elif` is an If alone in orelse
    pos: Pos


@dataclass(**_AST)
class While:
    test: "Expr"
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    pos: Pos


@dataclass(**_AST)
class For:
    target: "Expr"
    iter: "Expr"
    body: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    pos: Pos


@dataclass(**_AST)
class Break:
    pos: Pos


@dataclass(**_AST)
class Continue:
    pos: Pos


@dataclass(**_AST)
class Pass:
    pos: Pos


@dataclass(**_AST)
class Return:
    value: "Expr | None"
    pos: Pos


@dataclass(**_AST)
class FunctionDef:
    name: str
    params: tuple[Param, ...]
    body: tuple["Stmt", ...]
    decorators: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class ClassDef:
    name: str
    bases: tuple["Expr", ...]
    body: tuple["Stmt", ...]
    decorators: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class With:
    items: tuple[tuple["Expr", "Expr | None"], ...]  # (context expression, `as` target)
    body: tuple["Stmt", ...]
    pos: Pos


@dataclass(**_AST)
class Handler:
    type: "Expr | None"  # None: a bare `except:`
    name: str | None
    body: tuple["Stmt", ...]
    pos: Pos


@dataclass(**_AST)
class Try:
    body: tuple["Stmt", ...]
    handlers: tuple[Handler, ...]
    orelse: tuple["Stmt", ...]
    finalbody: tuple["Stmt", ...]
    pos: Pos


@dataclass(**_AST)
class Raise:
    exc: "Expr | None"
    pos: Pos


@dataclass(**_AST)
class Assert:
    test: "Expr"
    msg: "Expr | None"
    pos: Pos


@dataclass(**_AST)
class Delete:
    targets: tuple["Expr", ...]
    pos: Pos


@dataclass(**_AST)
class Global:
    names: tuple[str, ...]
    nonlocal_: bool  # True for `nonlocal`
    pos: Pos


@dataclass(**_AST)
class Import:
    """`import a.b as c` (module = "a.b", names = ()) or `from a.b import x as y, z`."""

    module: str
    asname: str | None
    names: tuple[tuple[str, str | None], ...]  # for `from ... import`; ("*", None) for *
    is_from: bool
    pos: Pos


Stmt = Union[Assign, ExprStmt, SetStmt, AugAssign, If, While, For, Break, Continue, Pass,
             Return, FunctionDef, ClassDef, With, Try, Raise, Assert, Delete, Global, Import]


@dataclass(**_AST)
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


def _number(tok) -> Num:
    text = str(tok)
    value = int(text) if text.isdigit() else float(text)
    return Num(value, _pos_tok(tok))


class _ToAst:
    """Lark callbacks, one per grammar alias; each gets the rule's kept children."""

    def start(self, c):
        return tuple(s for s in c if s is not None)

    def assign(self, c):
        name, value = c
        return Assign(str(name), value, _span(name, value))

    def expr_stmt(self, c):
        return ExprStmt(c[0], c[0].pos)

    def import_stmt(self, c):
        return None

    def dotted(self, c):
        return None

    def compare(self, c):
        left, op, right = c
        return Compare(str(op), left, right, _span(left, right, op))

    def _binary(self, c, op):
        left, tok, right = c
        return Binary(op, left, right, _span(left, right, tok))

    def add(self, c):
        return self._binary(c, "+")

    def sub(self, c):
        return self._binary(c, "-")

    def mul(self, c):
        return self._binary(c, "*")

    def div(self, c):
        return self._binary(c, "/")

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
        return Name(str(c[0]), _pos_tok(c[0]))

    def string(self, c):
        return Str(str(c[0])[1:-1], _pos_tok(c[0]))

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
            elif kwargs:
                raise ParseError("positional argument after keyword argument",
                                 line=a.pos.line, column=a.pos.column)
            else:
                pos_args.append(a)
        return Call(func, tuple(pos_args), tuple(kwargs), _span(func, rpar, func))

    def args(self, c):
        return c

    def kwarg(self, c):
        name, value = c
        return (str(name), value)

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


class _JoinBracketedLines:
    """Post-lexer: newlines inside (...) and [...] join lines, as in Python."""

    always_accept = ("_NL",)
    OPENING = frozenset({"LPAR", "LSQB"})
    CLOSING = frozenset({"RPAR", "RSQB"})

    def process(self, stream):
        depth = 0
        for tok in stream:
            kind = tok.type
            if kind in self.OPENING:
                depth += 1
            elif kind in self.CLOSING:
                depth = max(0, depth - 1)
            elif kind == "_NL" and depth:
                continue
            yield tok


def grammar_path() -> Path:
    """The grammar file: inside the installed package, or at the repository root."""
    here = Path(__file__).resolve().parent
    packaged = here / "grammar" / "gradcli.lark"
    if packaged.is_file():
        return packaged
    return here.parent.parent / "grammar" / "gradcli.lark"


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


def _parser():
    """Lark's parser: builds the tables, and gives the error messages."""
    global _PARSER
    if _PARSER is None:
        from lark import Lark

        text = grammar_path().read_text(encoding="utf-8")
        opts = dict(parser="lalr", lexer="contextual", transformer=_ToAst(),
                    postlex=_JoinBracketedLines(), maybe_placeholders=True)
        folder = _cache_dir()
        cache = os.path.join(folder, "grammar.lark-cache") if folder else False
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

        grammar = grammar_path().read_text(encoding="utf-8")
        folder = _cache_dir()
        name = f"parser-{lalr.FORMAT}-{zlib.crc32(grammar.encode()):08x}.json"
        path = os.path.join(folder, name) if folder else None
        options = dict(joined="_NL", opening=_JoinBracketedLines.OPENING,
                       closing=_JoinBracketedLines.CLOSING)
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


def _expected(terms) -> str:
    words = sorted({_describe(t) for t in terms})
    return ", ".join(words[:12]) + (", ..." if len(words) > 12 else "")


# The largest program gradcli reads: room for a 1 000 000-term sum, refused well before
# parsing would exhaust memory.
MAX_PROGRAM_CHARS = 64 * 1024 * 1024


def parse(source: str) -> Program:
    """Parse a program; raises ParseError with line, column and what was expected."""
    from .errors import LimitError

    if len(source) > MAX_PROGRAM_CHARS:
        raise LimitError(f"the program has {len(source):,} characters, more than the limit of "
                         f"{MAX_PROGRAM_CHARS:,}")

    from .engine import no_cycle_collection

    fast = _fast_parser()
    if fast is not None:
        from .lalr import Reject

        try:
            with no_cycle_collection():
                return Program(fast.parse(source), source)
        except ParseError as e:
            e.source = source
            raise
        except (Reject, KeyError, IndexError):
            pass  # not a program (or tables that do not fit): Lark says why, in its words
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        with no_cycle_collection():
            statements = _parser().parse(source)
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            what = "unexpected end of input"
            line, col = _end_position(source)
        else:
            shown = "a new line" if tok.type == "_NL" else repr(str(tok))
            what = f"unexpected {shown}"
            line, col = e.line, e.column
        raise ParseError(what, line=line, column=col, source=source,
                         hint=f"expected {_expected(e.expected)}") from None
    except UnexpectedCharacters as e:
        ch = source[e.pos_in_stream] if e.pos_in_stream < len(source) else "?"
        raise ParseError(f"unexpected character {ch!r}", line=e.line, column=e.column,
                         source=source, hint=TYPOGRAPHY.get(ch)) from None
    except UnexpectedEOF as e:
        line, col = _end_position(source)
        raise ParseError("unexpected end of input", line=line, column=col, source=source,
                         hint=f"expected {_expected(e.expected)}") from None
    except ParseError as e:
        e.source = source
        raise
    return Program(statements, source)


def _end_position(source: str) -> tuple[int, int]:
    """Line and column just past the last character: where "unexpected end" points."""
    lines = source.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def parse_expression(source: str) -> Expr:
    """Parse text that must be a single expression (binding values)."""
    program = parse(source)
    if len(program.statements) != 1 or not isinstance(program.statements[0], ExprStmt):
        raise ParseError("expected a single expression", line=1, column=1, source=source)
    return program.statements[0].value
