"""The chain rule over every path, as the course writes it.

dy/dw is the sum over every path from y to w of the product of the local derivatives
along it. Paths are counted by dynamic programming over the topological order (never
enumerated to count them) and only the first few are listed. Local derivatives come from
the op registry: numerically from the VJP with a unit upstream gradient, symbolically from
each op's SymPy rule. SymPy (the optional extra gradcli[symbolic]) is imported only here;
without it the paths and their values are still shown.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine import Node
from .errors import BindingError
from .result import Result


@dataclass
class Edge:
    parent: Node
    position: int
    child: Node
    symbolic: str | None
    value: float | None


@dataclass
class Explanation:
    out: str
    wrt: str
    count: int
    paths: list[list[Edge]]
    labels: dict[int, str]
    legend: list[tuple[str, str]]
    engine: Any
    path_sum: float | None
    scalar: bool
    symbolic: str | None = None
    symbolic_value: float | None = None
    latex: str | None = None
    note: str | None = None
    conventions: list[str] = field(default_factory=list)
    omitted: str | None = None  # why no path is listed, when they are too long
    exprs: dict[int, str] = field(default_factory=dict)  # node id -> its expression

    def legend_of(self, node_id: int) -> str:
        """What a label stands for: the node's expression."""
        return self.exprs.get(node_id, self.labels[node_id])

    def to_dict(self) -> dict:
        """One entry of `explain --format json`'s "explain" list."""
        from .result import jsonable

        return {"output": self.out, "wrt": self.wrt, "paths_count": self.count,
                "paths": [[{"from": self.labels[e.parent.id], "to": self.labels[e.child.id],
                            "grad_fn": e.parent.grad_fn, "local": e.symbolic,
                            "value": jsonable(e.value)} for e in p] for p in self.paths],
                "legend": dict(self.legend), "gradient": jsonable(self.engine),
                "path_sum": jsonable(self.path_sum), "symbolic": self.symbolic,
                "symbolic_value": jsonable(self.symbolic_value), "latex": self.latex}

    def __str__(self) -> str:
        from .views.explain import chain_rule

        return "\n".join(chain_rule(self))

    def __repr__(self) -> str:
        return str(self)


MAX_LISTED_EDGES = 400  # each costs a SymPy derivative


KINKS = {
    "relu": "relu'(0) is taken as 0, as PyTorch does",
    "abs": "abs'(0) is taken as 0 (the sign function), as PyTorch does",
    "max": "ties in max() share the gradient evenly, as PyTorch does",
    "min": "ties in min() share the gradient evenly, as PyTorch does",
    "max_dim": "max(dim) sends the gradient to the first maximum only, as PyTorch does",
    "min_dim": "min(dim) sends the gradient to the first minimum only, as PyTorch does",
    "maximum": "maximum(a, b) with a == b gives half the gradient to each, as PyTorch does",
    "minimum": "minimum(a, b) with a == b gives half the gradient to each, as PyTorch does",
    "clamp": "clamp passes the gradient at its bounds, as PyTorch does",
}


NO_SYMPY = ("the symbolic forms (local derivatives, the simplified derivative, LaTeX) need "
            "SymPy, which is not installed: pip install 'gradcli[symbolic]'")


def short_labels(result: Result) -> dict[int, str]:
    """Every node's label; unnamed intermediate nodes get a, b, c, ... that clash with no
    name of the program."""
    taken = {n.name for n in result.nodes if n.name} | {result.output_name}
    taken |= set(result.variables)
    pool = (c for c in _letters() if c not in taken)
    labels: dict[int, str] = {}
    out = result.output_node
    for n in result.nodes:
        if n is out and n.name is None:
            labels[n.id] = result.output_name
        elif n.name is not None:
            labels[n.id] = n.label
        elif n.requires_grad and not n.is_leaf:
            labels[n.id] = next(pool)
        else:
            labels[n.id] = n.label
    return labels


def _letters():
    k = 0
    while True:
        for c in "abcdefghijklmnopqrstuvwxyz":
            yield c if k == 0 else f"{c}{k}"
        k += 1


def _scalar(n: Node) -> bool:
    return n.value.size == 1


def _local_value(parent: Node, pos: int) -> float:
    values = [a.value if isinstance(a, Node) else a for a in parent.args]
    g = np.ones_like(parent.value)
    with np.errstate(all="ignore"):
        d = parent.op.vjp[pos](g, parent.value, *values, **parent.params)
    return float(np.asarray(d).reshape(-1)[0])


def _sympify(v: Any, sp):
    if isinstance(v, bool):
        return sp.Integer(int(v))
    if isinstance(v, int):
        return sp.Integer(v)
    if isinstance(v, float):
        return sp.Integer(int(v)) if v.is_integer() and abs(v) < 1e15 else sp.Float(v)
    arr = np.asarray(v)
    if arr.size == 1:
        return _sympify(arr.reshape(-1)[0].item(), sp)
    raise ValueError("not a scalar")


_SIGMOID = None


def _sigmoid(sp):
    """σ as a SymPy function whose derivative is written σ(z)(1 - σ(z)), the form courses
    use (SymPy's own 1/(1 + exp(-z)) differentiates to exp(-z)/(1 + exp(-z))**2)."""
    global _SIGMOID
    if _SIGMOID is None:
        class σ(sp.Function):
            def fdiff(self, argindex=1):
                return σ(self.args[0]) * (1 - σ(self.args[0]))

            def _eval_rewrite_as_exp(self, z, **kwargs):
                return 1 / (1 + sp.exp(-z))

            def _latex(self, printer, exp=None):
                text = r"\sigma\left(%s\right)" % printer._print(self.args[0])
                return text if exp is None else f"{text}^{{{exp}}}"

        _SIGMOID = σ
    return _SIGMOID


def _text(d, sp) -> str:
    """SymPy's text, with σ's derivative in the order courses write it: σ(z)*(1 - σ(z))."""
    import re

    return re.sub(r"\(1 - σ\((.+?)\)\)\*σ\(\1\)", r"σ(\1)*(1 - σ(\1))", sp.sstr(d))


def _sym(op, sp):
    """An op's symbolic rule, with the recognisable forms above where SymPy's are not."""
    if op.key == "sigmoid":
        f = _sigmoid(sp)
        return lambda sp_, z: f(z)
    return op.sym


def _local_symbolic(parent: Node, pos: int, labels: dict[int, str], sp) -> str | None:
    op = parent.op
    sym = _sym(op, sp) if op.sym is not None else None
    if sym is None:
        return None
    slots = [sp.Symbol(f"_arg{i}", real=True) for i in range(len(parent.args))]
    args = []
    for i, a in enumerate(parent.args):
        args.append(slots[i] if isinstance(a, Node) else _sympify(a, sp))
    try:
        d = sp.diff(sym(sp, *args, **parent.params), slots[pos])
    except (TypeError, ValueError):
        return None
    back = {slots[i]: sp.Symbol(labels[a.id], real=True) for i, a in enumerate(parent.args)
            if isinstance(a, Node)}
    d = d.subs(back)
    text = _text(d, sp)
    return f"({text})" if d.is_Add else text


def whole_expression(result: Result, sp):
    """The output as one SymPy expression of the named leaves; None with a reason if not."""
    exprs: dict[int, Any] = {}
    for n in result.nodes:
        if not _scalar(n):
            return None, f"{n.label} is a tensor of shape {list(n.value.shape)}"
        if n.is_leaf:
            exprs[n.id] = (sp.Symbol(n.label, real=True) if n.requires_grad and n.name
                           else _sympify(n.value, sp))
            continue
        if n.op.sym is None:
            return None, f"{n.grad_fn} has no symbolic rule"
        args = [exprs[a.id] if isinstance(a, Node) else _sympify(a, sp) for a in n.args]
        exprs[n.id] = _sym(n.op, sp)(sp, *args, **n.params)
    return exprs[result.output_node.id], None


def explain(result: Result, wrt: str, *, max_paths: int = 12, symbolic: bool = True) -> Explanation:
    out = result.output_node
    if out is None or not result.differentiated:
        raise BindingError("there is nothing to explain: the output does not require grad")
    target = result.lookup(wrt)
    if target is None:
        names = ", ".join(sorted(k for k, v in result.variables.items() if v.requires_grad))
        raise BindingError(f"--wrt {wrt}: the program has no tensor named {wrt!r}",
                           hint=f"differentiable names: {names or 'none'}")
    if not target.requires_grad:
        raise BindingError(f"--wrt {wrt}: {wrt} does not require grad, so nothing flows to it",
                           hint="drop it from --no-grad")
    labels = short_labels(result)
    nodes = result.nodes
    count = [0] * len(nodes)
    count[target.id] = 1
    for n in nodes[target.id + 1: out.id + 1]:
        if n.op is not None:
            count[n.id] = sum(count[a.id] for a in n.args if isinstance(a, Node))
    scalar = all(_scalar(n) for n in nodes[: out.id + 1] if count[n.id])
    try:
        import sympy as sp
    except ImportError:  # an optional dependency: gradcli[symbolic]
        sp = None

    paths = _first_paths(out, target, count, max_paths)
    kept, edges = [], 0
    for path in paths:  # each listed edge costs a SymPy derivative: a bounded number of them
        if edges + len(path) > MAX_LISTED_EDGES:
            break
        kept.append(path)
        edges += len(path)
    omitted = None
    if len(kept) < len(paths) and not kept:
        omitted = (f"the paths are too long to list (the first has {len(paths[0]):,} edges, "
                   f"more than {MAX_LISTED_EDGES})")
    paths = kept
    listed = [[Edge(p, i, c, _local_symbolic(p, i, labels, sp) if scalar and sp else None,
                    _local_value(p, i) if scalar else None) for (p, i, c) in path]
              for path in paths]
    # every node a listed line names: the path's nodes and the siblings that appear in
    # local derivatives (d(a*b)/da = b)
    named = {e.parent.id for path in listed for e in path}
    named |= {a.id for path in listed for e in path for a in e.parent.inputs if not a.is_leaf}
    on_paths = sorted(named - {out.id})
    legend = [(labels[i], nodes[i].expr) for i in on_paths if labels[i] != nodes[i].expr]
    if out.name is None and labels[out.id] != out.expr:
        legend.append((labels[out.id], out.expr))
    engine = result.grad(target)
    path_sum = None
    if scalar and count[out.id] == len(listed):
        path_sum = float(sum(np.prod([e.value for e in p]) for p in listed))
    ex = Explanation(labels[out.id], labels[target.id], count[out.id], listed, labels, legend,
                     engine, path_sum, scalar,
                     exprs={e.parent.id: e.parent.expr for p in listed for e in p})
    ex.omitted = omitted
    ex.conventions = sorted({KINKS[n.op.key] for n in nodes[: out.id + 1]
                             if count[n.id] and n.op is not None and n.op.key in KINKS})
    too_big = _too_big_for_sympy(nodes[: out.id + 1])
    if symbolic and scalar and sp is None:
        ex.note = NO_SYMPY
    elif symbolic and scalar and too_big:
        ex.note = f"symbolic part skipped: {too_big}; the engine's gradient above is " \
                  "exact"
    elif symbolic and scalar:
        try:
            with _time_limit(SYMPY_SECONDS):
                _symbolic(ex, result, labels, target, sp)
        except (RecursionError, MemoryError):
            ex.symbolic = ex.latex = ex.symbolic_value = None
            ex.note = "symbolic part skipped: the expression nests deeper than SymPy can " \
                      "follow; the engine's gradient above is exact"
        except _OutOfTime:
            ex.symbolic = ex.latex = ex.symbolic_value = None
            ex.note = f"symbolic part skipped: SymPy took more than {SYMPY_SECONDS} s; the " \
                      "engine's gradient above is exact"
    elif not scalar:
        ex.note = "the graph holds tensors: local derivatives are Jacobians, so only the " \
                  "paths and the engine's gradient are shown"
    return ex


# SymPy's time grows fast with the size of the expression (and of its derivative): past
# these sizes explain leaves the symbolic form out and says so.
SYMPY_MAX_NODES = 300
SYMPY_MAX_TREE = 3000


SYMPY_SECONDS = 5


class _OutOfTime(BaseException):  # not caught by SymPy's own `except Exception`
    pass


@contextmanager
def _time_limit(seconds: float):
    """Raise _OutOfTime in the block after `seconds` (a timer signal; only in the main
    thread, where Python delivers signals: elsewhere the block runs unbounded)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _OutOfTime()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _too_big_for_sympy(nodes: list[Node]) -> str | None:
    """Why the output's expression is too large for SymPy (None if it is not): too many
    operations, or shared subexpressions that written out as a tree would be huge."""
    ops = sum(1 for n in nodes if n.op is not None)
    if ops > SYMPY_MAX_NODES:
        return f"the expression has {ops:,} operations (more than {SYMPY_MAX_NODES})"
    size: dict[int, int] = {}
    for n in nodes:
        size[n.id] = 1 + sum(size.get(a.id, 1) for a in n.args if isinstance(a, Node))
        if size[n.id] > SYMPY_MAX_TREE:
            return (f"written out, the expression would have more than {SYMPY_MAX_TREE:,} "
                    "terms (it reuses intermediate results)")
    return None


def _symbolic(ex: Explanation, result: Result, labels: dict[int, str], target: Node,
              sp) -> None:
    expr, why = whole_expression(result, sp)
    if expr is None:
        ex.note = f"no symbolic form: {why}"
        return
    d = sp.diff(expr, sp.Symbol(labels[target.id], real=True))
    if sp.count_ops(d) < 400 and not d.has(_sigmoid(sp)):  # keep σ(z)(1 - σ(z))
        # SymPy's simplest form only when it is much shorter: 1 - tanh(x)**2 and
        # the product rule's x**2*cos(x) + 2*x*sin(x) read better as they come
        simpler = sp.simplify(d)
        if sp.count_ops(simpler) < 0.75 * sp.count_ops(d):
            d = simpler
    ex.symbolic = _text(d, sp)
    ex.latex = sp.latex(d)
    subs = {sp.Symbol(labels[n.id], real=True): _sympify(n.value, sp) for n in result.leaves}
    engine = float(np.asarray(ex.engine).reshape(-1)[0]) if np.size(ex.engine) == 1 else None
    if engine is None or not np.isfinite(engine):
        return  # the exact value of a number beyond float range could take SymPy forever
    try:
        ex.symbolic_value = float(d.subs(subs).rewrite(sp.exp).evalf(30))
    except (TypeError, ValueError, OverflowError):
        ex.symbolic_value = None


def _first_paths(out: Node, target: Node, count: list[int], limit: int):
    """The first `limit` paths from out to target, by an explicit-stack depth-first walk;
    each path is a list of (parent, argument position, child) edges, output first."""
    found = []
    stack: list[tuple[Node, Any]] = [(out, None)]
    while stack and len(found) < limit:
        node, trail = stack.pop()
        if node is target:
            edges = []
            while trail is not None:
                edge, trail = trail
                edges.append(edge)
            found.append(list(reversed(edges)))
            continue
        if node.op is None:
            continue
        for i in reversed(range(len(node.args))):
            a = node.args[i]
            if isinstance(a, Node) and count[a.id]:
                stack.append((a, ((node, i, a), trail)))
    return found
