"""Run the LALR(1) tables Lark computes from ``grammar/gradcli.lark`` without importing Lark.

Lark analyses the grammar once (:func:`tables_from_lark`); its parse table, the scanners of
its contextual lexer and the shape of every rule's callback are written to a JSON file in
the user's cache directory. Later runs load that JSON and parse with :class:`Parser`, a
plain shift/reduce loop: no Lark import on the common path, which is a large part of
gradcli's start-up, and a few times fewer Python calls per token than Lark's general
machinery, which is what parsing a 200 000-term program costs.

The loop reproduces exactly what Lark does on a valid program -- the same tokens from
the same per-state scanners, the same reductions, the same callbacks with the same
children (``_rule`` inlining, ``?rule`` single-child expansion, ``[x]`` placeholders) --
and a test compares its AST with Lark's on thousands of programs. On anything it
cannot parse it raises :class:`Reject` and the caller asks Lark, whose error messages
are the ones users see.
"""

from __future__ import annotations

import re
from typing import Any, Callable

FORMAT = 3  # bump when the JSON layout or its meaning changes


class Reject(Exception):
    """The text is not a program; Lark will say why."""


def indent_width(text: str) -> int:
    """Python's width of an indentation: a tab goes to the next multiple of 8, a form feed
    starts again from 0."""
    w = 0
    for ch in text:
        if ch == " ":
            w += 1
        elif ch == "\t":
            w = (w // 8 + 1) * 8
        else:
            w = 0
    return w


def leading_width(text: str) -> int:
    """The indentation of the text's first line."""
    return indent_width(text[:len(text) - len(text.lstrip(" \t\f"))])


def end_position(text: str, line: int = 1, column: int = 1) -> tuple[int, int]:
    """(line, column) just past the end of `text`, which starts at (line, column)."""
    k = text.count("\n")
    if k:
        return line + k, len(text) - text.rindex("\n")
    return line, column + len(text)


class Layout:
    """The indentation rules of the post-lexer, shared by Lark's path and :class:`Parser`.

    After each new line outside brackets, :meth:`step` gets the next line's indentation
    and says how many _INDENT (1) or _DEDENT (-k) tokens follow the _NL. A line that ends
    with ":" opens a block, which must be indented more. Until the first block, the top
    level takes any indentation (as gradcli always did: "x\n  y" is two statements);
    from then on, the rules are Python's.
    """

    __slots__ = ("levels", "strict")

    def __init__(self, first: int):
        self.levels = [first]
        self.strict = False

    def step(self, width: int, after_colon: bool, line: int, column: int) -> int:
        from .errors import ParseError

        levels = self.levels
        top = levels[-1]
        if after_colon:
            if width > top:
                levels.append(width)
                self.strict = True
                return 1
            raise ParseError("expected an indented block", line=line, column=column)
        if width == top:
            return 0
        if width > top:
            if len(levels) == 1 and not self.strict:
                levels[0] = width
                return 0
            raise ParseError("unexpected indent", line=line, column=column)
        k = 0
        while len(levels) > 1 and width < levels[-1]:
            levels.pop()
            k += 1
        if width < levels[-1]:
            levels[0] = width  # below the first block's level: the top level moves left
        elif width > levels[-1]:
            raise ParseError("unindent does not match any outer indentation level",
                             line=line, column=column)
        return -k


class Token:
    """A token as the transformer sees it: type, text and position (as Lark's Token)."""

    __slots__ = ("type", "value", "start_pos", "end_pos", "line", "column")

    def __init__(self, type_: str, value: str, start: int, line: int, column: int):
        self.type = type_
        self.value = value
        self.start_pos = start
        self.end_pos = start + len(value)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class Tree:
    """What a rule without a callback builds; only ``_rules`` do, and their parents inline
    the children."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list):
        self.data = data
        self.children = children


# ----------------------------------------------------------------------------- building


def tables_from_lark(lark: Any) -> dict:
    """The JSON-able tables of a Lark instance built with parser="lalr",
    lexer="contextual". Raises ValueError if Lark's objects are not as expected."""
    from lark.lexer import UnlessCallback
    from lark.parse_tree_builder import (ChildFilterLALR, ChildFilterLALR_NoPlaceholders,
                                         ExpandSingleChild)
    from lark.parsers.lalr_analysis import Shift

    frontend = lark.parser
    table = frontend.parser.parser.parse_table
    if not isinstance(table.start_states, dict) or list(table.start_states) != ["start"]:
        raise ValueError("expected one start symbol")
    states = sorted(table.states)
    if states != list(range(len(states))):
        raise ValueError("expected states numbered 0..n-1")

    rules: list = []
    rule_index: dict = {}
    for rule, chain in lark._parse_tree_builder.rule_builders:
        expand1, keep = False, None
        for wrapper in chain:
            if wrapper is ExpandSingleChild:
                expand1 = True
            elif getattr(wrapper, "func", None) is ChildFilterLALR:
                to_include, append_none = wrapper.args
                keep = [[i, bool(x), n] for i, x, n in to_include], append_none
            elif getattr(wrapper, "func", None) is ChildFilterLALR_NoPlaceholders:
                (to_include,) = wrapper.args
                keep = [[i, bool(x), 0] for i, x in to_include], 0
            else:
                raise ValueError(f"unexpected tree-builder step {wrapper!r}")
        callback = rule.alias or rule.options.template_source or rule.origin.name
        rule_index[rule] = len(rules)
        rules.append({"origin": rule.origin.name, "size": len(rule.expansion),
                      "callback": callback, "expand1": expand1,
                      "keep": None if keep is None else keep[0],
                      "append_none": 0 if keep is None else keep[1]})

    actions = []
    for state in states:
        row = {}
        for symbol, (action, arg) in table.states[state].items():
            row[symbol] = arg if action is Shift else -1 - rule_index[arg]
        actions.append(row)

    contextual = frontend.lexer.lexer if hasattr(frontend.lexer, "postlexer") else frontend.lexer
    scanners: list = []
    scanner_of: dict = {}
    lexer_of_state = []
    for state in states:
        lexer = contextual.lexers[state]
        if id(lexer) not in scanner_of:
            scanner = lexer.scanner  # built lazily by Lark; sets lexer.callback
            if [m.pattern for m in scanner._mres] != [
                    "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in scanner.terminals)]:
                raise ValueError("unexpected scanner layout")
            unless = {}
            for kind, cb in lexer.callback.items():
                if type(cb) is not UnlessCallback:
                    raise ValueError(f"unexpected lexer callback for {kind}")
                unless[kind] = [[t.name, t.pattern.to_regexp()] for t in cb.scanner.terminals]
            scanner_of[id(lexer)] = len(scanners)
            scanners.append({"terminals": [[t.name, t.pattern.to_regexp()]
                                           for t in scanner.terminals],
                             "unless": unless,
                             "newline": sorted(lexer.newline_types),
                             "ignore": sorted(lexer.ignore_types)})
        lexer_of_state.append(scanner_of[id(lexer)])
    if frontend.lexer_conf.g_regex_flags:
        raise ValueError("regex flags are not supported")
    return {"format": FORMAT, "start": table.start_states["start"],
            "end": table.end_states["start"], "actions": actions, "rules": rules,
            "scanners": scanners, "lexer_of_state": lexer_of_state}


# ----------------------------------------------------------------------------- parsing


_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
RESERVED = "\0reserved"  # the type of a keyword read where only a name could stand


def reserved_word(word: str, line: int, column: int) -> Exception:
    """The error for a keyword where only a name can stand (both parsers raise it)."""
    from .errors import ParseError

    return ParseError(f"unexpected {word!r}", line=line, column=column,
                      hint=f"{word!r} is a keyword, not a name")


class _Scanner:
    """One state's scanner: its terminals, tried in Lark's order, the first match wins.

    That is what matching Lark's alternation ``(?P<A>..)|(?P<B>..)`` does. A short
    program visits a state a few times, so the terminals' own small regexes (compiled
    once for all states) are tried in turn; a state visited often compiles the whole
    alternation, which is faster per token but costs about a millisecond to build.
    """

    __slots__ = ("alternation", "terminals", "unless", "words", "newline", "ignore", "_uses",
                 "_one_by_one")
    OFTEN = 64

    def __init__(self, spec: dict, compiled: dict, reserved: frozenset = frozenset(),
                 reserved_kind: str = "NAME"):
        self.terminals = [(str(name), str(regexp)) for name, regexp in spec["terminals"]]
        for _, regexp in self.terminals:
            if regexp not in compiled:
                compiled[regexp] = re.compile(regexp).match
        self._one_by_one = [(name, compiled[regexp]) for name, regexp in self.terminals]
        self.unless = {kind: [(str(name), re.compile(regexp)) for name, regexp in ps]
                       for kind, ps in spec["unless"].items()}
        # Keywords: a name's text looked up in a dict (the common case: every pattern is a
        # plain word); a reserved word the state does not take is RESERVED (Reject).
        self.words: dict = {}
        for kind, ps in self.unless.items():
            if all(_WORD.fullmatch(p.pattern) for _, p in ps):
                self.words[kind] = {p.pattern: name for name, p in ps}
        if reserved_kind in dict(self.terminals):
            words = self.words.setdefault(reserved_kind, {}) if (
                reserved_kind in self.words or reserved_kind not in self.unless) else None
            if words is not None:
                for w in reserved:
                    words.setdefault(w, RESERVED)
        self.newline = frozenset(spec["newline"])
        self.ignore = frozenset(spec["ignore"])
        self._uses = 0
        self.alternation = None  # the compiled alternation's match, once the state is frequent

    def scan(self, text: str, pos: int) -> tuple[str, int] | None:
        """(terminal, end) of the token at `pos`, trying the terminals one by one."""
        self._uses += 1
        if self._uses >= self.OFTEN:
            self.alternation = re.compile("|".join(f"(?P<{name}>{regexp})"
                                                   for name, regexp in self.terminals)).match
        for name, match in self._one_by_one:
            m = match(text, pos)
            if m:
                return name, m.end()
        return None

    def retype(self, kind: str, value: str) -> str:
        for name, p in self.unless[kind]:
            if p.fullmatch(value):
                return name
        return kind


class Parser:
    """Parse text with the tables, calling ``transformer``'s methods as Lark would.

    ``joined`` names the newline terminal that is dropped inside brackets, and
    ``opening``/``closing`` the bracket terminals; ``indent``/``dedent`` name the tokens
    :class:`Layout` adds after a newline, and ``colon`` the token that opens a block: the
    post-lexer gradcli's grammar uses (syntax._Indenter does the same for Lark).
    """

    def __init__(self, tables: dict, transformer: Any, *, joined: str,
                 opening: frozenset, closing: frozenset, indent: str = "_INDENT",
                 dedent: str = "_DEDENT", colon: str = "COLON",
                 reserved: frozenset = frozenset(), name: str = "NAME"):
        if tables.get("format") != FORMAT:
            raise ValueError("stale tables")
        self.start = int(tables["start"])
        self.end = int(tables["end"])
        self.actions = [dict(row) for row in tables["actions"]]
        self.lexer_of_state = [int(i) for i in tables["lexer_of_state"]]
        self._scanner_specs = tables["scanners"]
        self._scanners: list = [None] * len(self._scanner_specs)
        self._compiled: dict = {}
        self.joined, self.opening, self.closing = joined, opening, closing
        self.indent, self.dedent, self.colon = indent, dedent, colon
        self.reserved, self.name = frozenset(reserved), name
        self._chains: dict = {}
        self.rules = [self._reducer(r, transformer) for r in tables["rules"]]
        if len(self.lexer_of_state) != len(self.actions):
            raise ValueError("tables do not match")

    @staticmethod
    def _reducer(rule: dict, transformer: Any) -> tuple:
        """(origin, size, build) where build(children) gives the value; build is None
        when the value is the single child itself (a ``?rule`` passing its child up)."""
        size, keep, pad = int(rule["size"]), rule["keep"], int(rule["append_none"])
        name = rule["callback"]
        f: Callable = getattr(transformer, name, None) or (lambda c, _n=name: Tree(_n, c))
        expand1 = bool(rule["expand1"])
        if keep is not None:
            keep = [(int(i), bool(x), int(n)) for i, x, n in keep]
        if expand1 and size == 1 and (keep is None or (keep == [(0, False, 0)] and not pad)):
            return rule["origin"], size, None
        if keep is None and not expand1:
            return rule["origin"], size, f  # the children as they are: call back directly

        def build(children, f=f, keep=keep, pad=pad, expand1=expand1):
            if keep is not None:
                filtered: list = []
                for i, inline, nones in keep:
                    if nones:
                        filtered += [None] * nones
                    if inline:
                        if filtered:
                            filtered += children[i].children
                        else:
                            filtered = children[i].children
                    else:
                        filtered.append(children[i])
                if pad:
                    filtered += [None] * pad
                children = filtered
            if expand1 and len(children) == 1:
                return children[0]
            return f(children)

        return rule["origin"], size, build

    def _chain(self, below: int, top: int, kind: str) -> int:
        """The state on top after every single-child reduction that follows in `top` with
        lookahead `kind`, `below` staying under it."""
        actions, rules = self.actions, self.rules
        while True:
            code = actions[top].get(kind)
            if code is None or code >= 0:
                return top
            origin, _, build = rules[-1 - code]
            if build is not None:
                return top
            top = actions[below][origin]
            if kind == "$END" and top == self.end:
                return top

    def _scanner(self, index: int) -> _Scanner:
        s = self._scanners[index]
        if s is None:
            s = self._scanners[index] = _Scanner(self._scanner_specs[index], self._compiled,
                                                 self.reserved, self.name)
        return s

    def _layout(self, layout: "Layout | None", text: str, token: Token, after_colon: bool,
                line: int, column: int) -> tuple:
        """The layout tokens after the newline `token` (reversed, to pop), and the Layout."""
        if layout is None:
            layout = Layout(leading_width(text))
        value = token.value
        if value:
            indent = value[value.rindex("\n") + 1:]
            line, column = token.line + value.count("\n"), len(indent) + 1
            width = indent_width(indent)
        else:  # the newline that ends the text
            indent, width = "", 0
        k = layout.step(width, after_colon, line, column)
        if k == 0:
            return [], layout
        at = token.end_pos
        if k > 0:
            return [Token(self.indent, indent, at - len(indent), line, 1)], layout
        return [Token(self.dedent, "", at, line, column) for _ in range(-k)], layout

    def parse(self, text: str, offset: int = 0, line: int = 1, column: int = 1) -> Any:
        """Parse `text`; positions are counted as if it started at character `offset`,
        on `line` and `column` (an f-string's field inside a larger program)."""
        actions, rules, lexer_of_state = self.actions, self.rules, self.lexer_of_state
        scanners = self._scanners
        joined, opening, closing = self.joined, self.opening, self.closing
        states = [self.start]
        values: list = []
        chains = self._chains
        pos, line_start, n = 0, 1 - column, len(text)
        first_line, first_column = line, column
        depth = 0
        last = None  # the kind of the last token read (not a layout token)
        pending: list = []  # layout tokens still to feed, last first
        layout = None
        ended = False
        while True:
            # ---- next token, scanned in the context of the current parser state
            state = states[-1]
            if pending:
                token = pending.pop()
                kind = token.type
            elif pos < n:
                scanner = scanners[lexer_of_state[state]] or self._scanner(lexer_of_state[state])
                match = scanner.alternation
                if match is not None:
                    m = match(text, pos)
                    if m is None:
                        raise Reject
                    kind, end = m.lastgroup, m.end()
                else:
                    found = scanner.scan(text, pos)
                    if found is None:
                        raise Reject
                    kind, end = found
                value = text[pos:end]
                start, column = pos, pos - line_start + 1
                tok_line = line
                pos = end
                if kind in scanner.newline:
                    k = value.count("\n")
                    if k:
                        line += k
                        line_start = start + value.rindex("\n") + 1
                if kind in scanner.ignore:
                    continue
                words = scanner.words.get(kind)
                if words is not None:
                    kind = words.get(value, kind)
                    if kind is RESERVED:
                        raise reserved_word(value, tok_line, column)
                elif kind in scanner.unless:
                    kind = scanner.retype(kind, value)
                if kind in opening:
                    depth += 1
                elif kind in closing:
                    if depth:
                        depth -= 1
                elif kind == joined:
                    if depth:
                        continue
                    token = Token(kind, value, start + offset, tok_line, column)
                    pending, layout = self._layout(layout, text, token, last == self.colon,
                                                   0, 0)
                    pending.reverse()
                    last = kind
                if kind != joined:
                    token = Token(kind, value, start + offset, tok_line, column)
                    last = kind
            elif not ended:
                # The text ends with a newline: one is added if it has none (inside
                # brackets too, where it is unexpected, as the end of the text would be).
                ended = True
                if last == joined and not depth:
                    kind, token = "$END", None
                else:
                    eline, ecol = end_position(text, first_line, first_column)
                    token = Token(joined, "", n + offset, eline, ecol)
                    kind = joined
                    if not depth:
                        pending, layout = self._layout(layout, text, token,
                                                       last == self.colon, eline, ecol)
                        pending.reverse()
                    last = joined
            else:
                kind, token = "$END", None
            # ---- reduce as long as the table says so, then shift
            row = actions[state]
            while True:
                code = row.get(kind)
                if code is None:
                    raise Reject
                if code >= 0:
                    break
                origin, size, build = rules[-1 - code]
                if build is None:
                    # A ?rule with one child: the value passes up as it is, and so through a
                    # chain of them (atom -> postfix -> primary -> ... -> sum). Only the top
                    # state changes, and where the chain ends depends only on the state
                    # below it, the top state and the lookahead: look that up once.
                    key = (states[-2], states[-1], kind)
                    goto = chains.get(key)
                    if goto is None:
                        goto = chains[key] = self._chain(*key)
                    states[-1] = goto
                    if token is None and goto == self.end:
                        return values[-1]
                    row = actions[goto]
                    continue
                else:
                    if size:
                        children = values[-size:]
                        del states[-size:]
                        del values[-size:]
                    else:
                        children = []
                    values.append(build(children))
                goto = actions[states[-1]][origin]
                states.append(goto)
                if token is None and goto == self.end:
                    return values[-1]
                row = actions[goto]
            if token is None:
                raise Reject
            states.append(code)
            values.append(token)
