"""The autograd engine: nodes on NumPy arrays and an iterative reverse-mode pass.

Nodes are created in evaluation order, so creation order is a topological order (every
input exists before its users). ``backward`` therefore walks the node list once in reverse;
nothing recurses over the graph. Gradients accumulate, so a node used twice is right.

This module knows nothing of Rich, Typer or JSON.
"""

from __future__ import annotations

import gc
import math
import os
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from .errors import BackwardError, LimitError

if TYPE_CHECKING:
    from .ops import Op


@contextmanager
def no_cycle_collection():
    """Pause Python's cyclic garbage collector while building large acyclic structures.

    ASTs and graphs hold no reference cycles (reference counting frees them), but the
    collector would rescan the growing heap again and again: a 200 000-node program
    then takes superlinear time. The previous state is restored afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# The params of every node without any (most of them): one shared, read-only mapping.
NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


class Node:
    """One tensor of the graph, as PyTorch would hold it."""

    __slots__ = ("id", "value", "op", "args", "params", "requires_grad", "retains_grad",
                 "name", "_label", "_expr", "where",
                 # state a lesson program reads and writes (see runtime.py): .grad, the
                 # version counter (a one-element list shared with detached views), the
                 # versions of the arguments when this node was made, this node's earlier
                 # graph states after in-place ops, tensor hooks, and whether backward
                 # freed what the node saved.
                 "grad", "vc", "vers", "hist", "hooks", "freed",
                 # (base, index) for a tensor that is base[index] by basic indexing (a view:
                 # an in-place op on it also writes base, recording CopySlices there)
                 "view_of")

    def __init__(self, id: int, value: np.ndarray, op: "Op | None", args: tuple,
                 params: dict, requires_grad: bool, expr: "str | Where", where: "Where | None"):
        self.id = id
        self.value = value
        self.op = op
        self.args = args  # Node or constant per argument of `op`
        self.params = params  # non-tensor arguments of `op` (dim, keepdim, ...)
        self.requires_grad = requires_grad
        self.retains_grad = False
        self.name: str | None = None
        self._label: str | None = None
        self._expr = expr  # the text, or where to cut it from (made on first use)
        self.where = where
        self.grad = self.vc = self.vers = self.hist = self.hooks = None
        self.freed = False

    @property
    def expr(self) -> str:
        e = self._expr
        if not isinstance(e, str):
            e = self._expr = e.text()
        return e

    @property
    def label(self) -> str:
        return self._label if self._label is not None else self.expr

    @label.setter
    def label(self, text: str) -> None:
        self._label = text

    @property
    def line(self) -> int:
        return self.where.line if self.where is not None else 0

    @property
    def column(self) -> int:
        return self.where.column if self.where is not None else 0

    @property
    def is_leaf(self) -> bool:
        return self.op is None

    @property
    def grad_fn(self) -> str | None:
        return None if self.op is None else self.op.grad_fn

    @property
    def inputs(self) -> tuple["Node", ...]:
        return tuple(a for a in self.args if isinstance(a, Node))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:  # shallow on purpose: never walks the graph
        return f"Node(id={self.id}, label={self.label!r}, grad_fn={self.grad_fn})"


class Where:
    """Where a node comes from in the program: a source span, cut into a label lazily."""

    __slots__ = ("source", "start", "end", "line", "column")

    def __init__(self, source: str, start: int, end: int, line: int, column: int) -> None:
        self.source, self.start, self.end = source, start, end
        self.line, self.column = line, column

    def text(self, limit: int = 60) -> str:
        """The span's text, white space folded, cut in the middle when long; reads at most a
        few times `limit` characters, so labelling every node of a huge program is linear."""
        source, start, end = self.source, self.start, self.end
        if end - start <= 4 * limit:
            text = " ".join(source[start:end].split())
            if len(text) <= limit:
                return text
        else:
            text = " ".join(source[start:start + 2 * limit].split()) + " " + \
                " ".join(source[end - 2 * limit:end].split())
        half = (limit - 3) // 2
        return f"{text[:half]} … {text[-half:]}"


class ZeroGrad(np.ndarray):
    """PyTorch's ZeroTensor: the gradient sgn sends back (real input), known to be zero.
    The backward formulas PyTorch writes with mul/div/add keep it a ZeroTensor, so what
    they send on is exactly 0 even where a factor is infinite or NaN (ZERO_PASSES); the
    others compute with real zeros; std and a p-norm (p not 1 or 2) modify it in place
    and raise (zero_error). Measured with PyTorch 2.13 op by op."""


# (registry key, argument position) whose backward keeps a ZeroTensor a ZeroTensor
ZERO_PASSES = {(k, 0) for k in (
    "abs", "acos", "asin", "atan", "cos", "cosh", "erf", "exp", "exp2", "expm1", "frac",
    "log", "log10", "log1p", "log2", "rsqrt", "sgn", "sin", "sinh", "sqrt", "tan", "clone",
    "alias", "logsumexp", "norm", "prod", "prod_dim", "var", "view", "unsafe_view",
    "unsqueeze", "squeeze", "squeeze_dim", "squeeze_dims", "squeeze_tuple", "pow",
    "div", "div_scalar", "binary_cross_entropy_with_logits", "mv")} | {
    (k, i) for k in ("add", "sub", "mul", "atan2", "hypot", "dist") for i in (0, 1)} | {
    ("pow_base", 1), ("pow_tensor", 1)}
ZERO_PASS_ALL = {"stack", "cat"}
# ... and those whose formula multiplies it, then selects (where): plain, exact zeros
ZERO_PLAIN = {("pow_tensor", 0)}


def zero_error(key: str, params: Mapping[str, Any]) -> str | None:
    """PyTorch's error when a ZeroTensor reaches a backward that fills it in place."""
    if key == "std" or (key in ("norm", "dist") and params.get("p", 2.0) not in (1, 2, 1.0,
                                                                              2.0)):
        return ("ZeroTensors are immutable. Please use the materialized zero tensor "
                "obtained using .clone() if you want a mutable tensor.")
    return None


def zero_passes(key: str, i: int, node: "Node") -> bool:
    if key == "cumsum":  # PyTorch's cumsum_backward returns grad itself when trivial
        x = node.args[0].value
        return x.size <= 1 or x.shape[node.params["dim"]] == 1
    return (key, i) in ZERO_PASSES or key in ZERO_PASS_ALL


def add_grads(prev: Any, g: Any) -> Any:
    """prev + g, where a ZeroGrad adds nothing (and stays one only if both are)."""
    if prev is None:
        return g
    if type(g) is ZeroGrad:
        return prev
    if type(prev) is ZeroGrad:
        return g
    return prev + g


def unbroadcast(grad: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a gradient computed in a broadcast shape back to an input's `shape`: one sum over
    every broadcast dim, in PyTorch's summation order (its sum_to)."""
    grad = np.asarray(grad)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra >= 0:
        axes = tuple(range(extra)) + tuple(
            extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1)
        if axes:
            from .ops import _sum

            if math.prod(shape) == 1:  # everything into one number: the whole-tensor sum
                grad = np.asarray(_sum(grad)).reshape((1,) * grad.ndim)
            else:
                grad = np.asarray(_sum(grad, axis=axes, keepdims=True))
            if extra:
                grad = grad.reshape(grad.shape[extra:])
    if grad.shape != shape:  # a scalar gradient for a tensor input (e.g. from a constant)
        grad = np.broadcast_to(grad, shape)
    return grad


MAX_FLOPS = 10**11  # matrix products beyond this many operations are refused (seconds)


def default_max_memory() -> int:
    """What a program's tensors may take together: a quarter of the machine, at most 2 GiB."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        physical = 8 * 2**30
    return min(2 * 2**30, physical // 4)


def memory_text(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


class Graph:
    """The nodes of one evaluation, in creation (topological) order."""

    def __init__(self, dtype: Any = np.float64, max_elements: int = 10**8, *,
                 keep: bool = True, max_memory: int | None = None,
                 max_flops: int = MAX_FLOPS) -> None:
        self.nodes: list[Node] = []
        self.dtype = np.dtype(dtype)
        self.max_elements = max_elements
        # The memory the kept nodes' values take together, and its limit (--max-memory).
        self.max_memory = default_max_memory() if max_memory is None else max_memory
        self.max_flops = max_flops
        self.bytes = 0
        # A lesson program makes nodes in loops: it keeps none of them here (what a
        # backward pass reaches is found from its root), numbers them from `count`, and
        # records the versions of every node's arguments (in-place ops, saved tensors).
        self.keep = keep
        self.count = 0
        self.grad_enabled = True
        self.inference = False  # torch.inference_mode(): new tensors have no version counter
        # Called with (node, op, args, params) after each op (forward AD's dual level).
        self.on_apply: Any = None

    def _next_id(self) -> int:
        if self.keep:
            return len(self.nodes)
        self.count += 1
        return self.count

    def check_size(self, shape: Sequence[int], what: str) -> None:
        n = 1
        for d in shape:
            n *= int(d)
        if n > self.max_elements:
            raise LimitError(
                f"{what} would have {n:,} elements (shape {tuple(shape)}), more than the "
                f"limit of {self.max_elements:,}",
                hint="raise it with --max-elements if you mean it")
        if self.keep and self.bytes + n * self.dtype.itemsize > self.max_memory:
            self._over_memory(what, n * self.dtype.itemsize)

    def check_flops(self, flops: int, what: str) -> None:
        """Refuse a product that would take more than --max-flops operations."""
        if flops > self.max_flops:
            raise LimitError(f"{what} would take {flops:.3g} floating point operations, more "
                             f"than the limit of {self.max_flops:.3g} (--max-flops)",
                             hint="raise it with --max-flops if you mean it")

    def _over_memory(self, what: str, more: int) -> None:
        raise LimitError(f"{what} would bring the program's tensors to "
                         f"{memory_text(self.bytes + more)}, more than the limit of "
                         f"{memory_text(self.max_memory)} (--max-memory)",
                         hint="raise it with --max-memory if you mean it")

    def _over(self, value: np.ndarray, expr: Any) -> None:
        self.bytes -= value.nbytes
        self._over_memory(expr if isinstance(expr, str) else expr.text(), value.nbytes)

    def leaf(self, value: Any, *, requires_grad: bool, expr: "str | Where",
             where: Where | None = None) -> Node:
        value = np.asarray(value)  # callers choose the dtype: int tensors stay int, as in PyTorch
        node = Node(self._next_id(), value, None, (), NO_PARAMS, requires_grad, expr, where)
        if self.keep:
            if value.base is None:  # views share memory already counted
                self.bytes += value.nbytes
                if self.bytes > self.max_memory:
                    self._over(value, expr)
            self.nodes.append(node)
        elif not self.inference:
            node.vc = [0]
        return node

    def apply(self, op: "Op", args: tuple, params: dict, *, expr: "str | Where",
              where: Where | None = None) -> Node:
        """Run `op` forward on `args` (nodes or constants) and record the result.

        The caller sets NumPy's error state (evaluation ignores floating point warnings;
        non-finite results are reported from the Result)."""
        values = [a.value if isinstance(a, Node) else a for a in args]
        value = op.forward(*values, **params)
        if type(value) is not np.ndarray:  # NumPy scalars too: a tensor's memory is an array
            value = np.asarray(value)
        if value.size > self.max_elements:  # what no resolver checked before computing it
            self.check_size(value.shape, f"the result of {op.key}")
        dt = value.dtype
        if dt.kind == "f" and op.key not in OWN_DTYPE and (
                dt != self.dtype or any(getattr(v, "dtype", dt) != dt for v in values)):
            want = _float_dtype(values, self.dtype)  # mixed dtypes: PyTorch's promotion
            if dt != want:
                value = value.astype(want)
        requires_grad = False
        if op.differentiable and self.grad_enabled:
            for a in args:
                if isinstance(a, Node) and a.requires_grad:
                    requires_grad = True
                    break
        if not requires_grad:  # as in PyTorch: a result that needs no grad is a leaf
            node = Node(self._next_id(), value, None, (), NO_PARAMS, False, expr, where)
        else:
            node = Node(self._next_id(), value, op, args, params or NO_PARAMS, True, expr, where)
        if self.keep:
            if value.base is None:  # views share memory already counted
                self.bytes += value.nbytes
                if self.bytes > self.max_memory:
                    self._over(value, expr)
            self.nodes.append(node)
        else:
            if not self.inference:
                node.vc = [0]
            if requires_grad:
                node.vers = tuple(a.vc[0] if isinstance(a, Node) and a.vc else 0
                                  for a in args)
        if self.on_apply is not None:
            self.on_apply(node, op, args, params)
        return node


def _value_of(arg: Any) -> Any:
    return arg.value if isinstance(arg, Node) else arg


# Ops whose result dtype is their own business, not the promotion of their inputs: a copy
# to a dtype, and BCE with logits (PyTorch computes it in place on 1 - target).
OWN_DTYPE = {"to_copy", "binary_cross_entropy_with_logits"}


def _float_dtype(values: list, default: np.dtype) -> np.dtype:
    """PyTorch's promotion for a float result: the widest float among the inputs that
    have dimensions; if none is float, the widest float among 0-d inputs; else the default
    (a 0-d float64 tensor does not widen a float32 vector, and an integer tensor never
    widens a float32 graph to float64)."""
    best = best0 = None
    for v in values:
        dt = getattr(v, "dtype", None)
        if dt is None or dt.kind != "f":
            continue
        if np.ndim(v):
            if best is None or dt.itemsize > best.itemsize:
                best = dt
        elif best0 is None or dt.itemsize > best0.itemsize:
            best0 = dt
    return best if best is not None else best0 if best0 is not None else default


Step = tuple[int, np.ndarray, list[tuple[int, int, np.ndarray, np.ndarray]]]


def backward(graph: Graph, output: Node, trace: list[Step] | None = None, *,
             batched: bool = False, seed: np.ndarray | None = None) -> list[np.ndarray | None]:
    """d(output)/d(node) for every node that backward reaches; None elsewhere.

    A node that requires grad but does not lead to `output` stays None here, as its
    `.grad` would in PyTorch; mathematically its gradient is zero (see Result.grad).
    With `trace`, every step is appended to it: (node id, incoming gradient,
    [(argument position, input id, what the node sends to that input, the input's
    accumulated gradient after it)]).
    `batched`: the output holds one independent result per row (elementwise graphs
    evaluated for many rows at once); each row gets a unit upstream gradient.
    `seed`: the upstream gradient of the output (one row of a Jacobian), instead of ones.
    """
    if output.value.size != 1 and not batched and seed is None:
        raise BackwardError(
            "grad can be implicitly created only for scalar outputs "
            f"(the output has shape {list(output.value.shape)})",
            line=output.line or None, column=output.column or None,
            hint="reduce it to one element first, e.g. with .sum() or .mean(), or see its "
                 "Jacobian with `gradcli jacobian`")
    nodes = graph.nodes
    grads: list[Any] = [None] * len(nodes)
    if output.requires_grad:
        grads[output.id] = np.ones_like(output.value) if seed is None else seed
    with np.errstate(all="ignore"):
        for node in reversed(nodes[: output.id + 1]):
            g = grads[node.id]
            op = node.op
            if g is None or op is None:
                continue
            zero = type(g) is ZeroGrad
            if zero:
                message = zero_error(op.key, node.params)
                if message is not None:
                    raise BackwardError(message)
                g = g.view(np.ndarray)
            args = node.args
            values = [a.value if type(a) is Node else _value_of(a) for a in args]
            sent = [] if trace is not None else None
            for i, arg in enumerate(args):
                if isinstance(arg, Node) and arg.requires_grad:
                    shape = arg.value.shape
                    if zero and zero_passes(op.key, i, node):
                        gi = np.zeros(shape, dtype=arg.value.dtype).view(ZeroGrad)
                    elif zero and (op.key, i) in ZERO_PLAIN:
                        gi = np.zeros(shape, dtype=arg.value.dtype)
                    else:
                        gi = op.vjp[i](g, node.value, *values, **node.params)
                        if type(gi) is not np.ndarray and type(gi) is not ZeroGrad \
                                or gi.shape != shape:
                            gi = unbroadcast(gi, shape)
                    j = arg.id
                    grads[j] = add_grads(grads[j], gi)
                    if sent is not None:
                        sent.append((i, j, gi, grads[j]))
            if trace is not None:
                trace.append((node.id, g, sent))
    for node in nodes:
        g = grads[node.id]
        if type(g) is ZeroGrad:
            g = grads[node.id] = g.view(np.ndarray)
        if g is not None and g.dtype != node.value.dtype:
            grads[node.id] = g.astype(node.value.dtype)
    return grads
