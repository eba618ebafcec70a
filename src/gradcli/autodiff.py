"""Beyond the printed graph: forward mode (JVP), Jacobians and Hessians.

Forward mode pushes tangents through the graph in creation order with each op's JVP rule
(ops.JVP, beside its VJP). A Jacobian is built row by row with reverse mode (one backward
pass per output element) or column by column with forward mode (one pass per input
element), whichever needs fewer passes. A Hessian is reverse over reverse: the backward
pass is run again with every value wrapped in :class:`Traced`, whose arithmetic and NumPy
calls record registry ops, so the registry's own VJP formulas build a graph of the
gradient; differentiating each gradient element once more gives a row of the Hessian.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .engine import Graph, Node, backward
from .errors import GradcliError
from .ops import JVP, REGISTRY
from .result import Result


class AutodiffError(GradcliError):
    """A derivative gradcli cannot compute for this program."""


# ------------------------------------------------------------------------ forward mode


def tangents(result: Result, seeds: dict[int, np.ndarray]) -> list[np.ndarray | None]:
    """The tangent of every node, given the tangents of some leaves (others are zero)."""
    nodes = result.nodes
    tan: list[Any] = [None] * len(nodes)
    with np.errstate(all="ignore"):
        for n in nodes:
            if n.id in seeds:
                tan[n.id] = np.broadcast_to(np.asarray(seeds[n.id], dtype=n.value.dtype),
                                            n.value.shape)
                continue
            if n.op is None:
                continue
            ts = [tan[a.id] if isinstance(a, Node) else None for a in n.args]
            if all(t is None for t in ts):
                continue
            rule = JVP.get(n.op.key)
            if rule is None:
                raise AutodiffError(f"forward mode has no rule for {n.grad_fn} (node {n.id} "
                                    f"'{n.label}')")
            values = [a.value if isinstance(a, Node) else a for a in n.args]
            t = rule(ts, n.value, *values, **n.params)
            tan[n.id] = np.broadcast_to(np.asarray(t, dtype=n.value.dtype), n.value.shape)
    return tan


# ------------------------------------------------------------------------ Jacobians


MAX_PASSES = 2000  # rows of a Hessian, passes of a Jacobian: each is a pass over the graph


def jacobian(result: Result, wrt: list[Node], progress: Callable[[int], None] | None = None,
             *, batched: bool = True) -> tuple[dict[str, np.ndarray], str, int]:
    """d(output)/d(leaf) with shape output.shape + leaf.shape for each leaf; the mode and
    the number of passes. Batched: forward mode, each pass carrying a chunk of input
    directions at once; otherwise (or when an op has no forward rule) "reverse", one
    backward pass per output element, or "forward", one pass per input element, whichever
    is fewer. `progress(k)` is told of the directions or passes done."""
    out = result.output_node
    m = out.value.size
    n = sum(leaf.value.size for leaf in wrt)
    jac = {leaf.label: np.zeros(out.value.shape + leaf.value.shape) for leaf in wrt}
    graph = _graph_of(result)
    if batched:
        try:  # one forward pass per chunk of input directions
            return _batched_jacobian(result, wrt, jac, progress)
        except AutodiffError:
            pass  # an op without a forward rule: passes one by one below
    if m <= n:
        with np.errstate(all="ignore"):
            for k in range(m):
                seed = np.zeros(out.value.size, dtype=out.value.dtype)
                seed[k] = 1.0
                grads = backward(graph, out, seed=seed.reshape(out.value.shape))
                idx = np.unravel_index(k, out.value.shape) if out.value.shape else ()
                for leaf in wrt:
                    g = grads[leaf.id]
                    if g is not None:
                        jac[leaf.label][idx] = g
                if progress is not None:
                    progress(k + 1)
        return jac, "reverse", m
    done = 0
    for leaf in wrt:
        for j in range(leaf.value.size):
            seed = np.zeros(leaf.value.size, dtype=leaf.value.dtype)
            seed[j] = 1.0
            tan = tangents(result, {leaf.id: seed.reshape(leaf.value.shape)})[out.id]
            idx = np.unravel_index(j, leaf.value.shape) if leaf.value.shape else ()
            if tan is not None:
                jac[leaf.label][(...,) + tuple(idx)] = tan
            done += 1
            if progress is not None:
                progress(done)
    return jac, "forward", n


def _graph_of(result: Result) -> Graph:
    """The result's graph again, to run more passes over (and, for Hessians, to grow)."""
    g = Graph(result.dtype, max_elements=10**12)
    g.nodes = result.nodes
    return g


# ------------------------------------------------------------------------ Hessians

_UFUNCS = {"add": "+", "subtract": "-", "multiply": "*", "true_divide": "/", "divide": "/",
           "power": "**", "matmul": "@"}
UNARY_UFUNCS = {"exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan",
                "tanh": "tanh", "sqrt": "sqrt", "cosh": "cosh", "sinh": "sinh", "sign": "sign",
                "log1p": "log1p", "arctan": "atan", "arcsin": "asin", "arccos": "acos",
                "absolute": "abs", "negative": "neg", "reciprocal": "reciprocal",
                "exp2": "exp2", "log2": "log2", "log10": "log10", "floor": "floor",
                "ceil": "ceil"}
COMPARISONS = {"greater", "greater_equal", "less", "less_equal", "equal", "not_equal"}


class Traced:
    """A graph node seen as an array: NumPy calls on it record registry ops."""

    __slots__ = ("node", "graph")
    __array_priority__ = 1000

    def __init__(self, node: Node, graph: Graph) -> None:
        self.node, self.graph = node, graph

    # what formulas read
    shape = property(lambda self: self.node.value.shape)
    ndim = property(lambda self: self.node.value.ndim)
    dtype = property(lambda self: self.node.value.dtype)
    size = property(lambda self: self.node.value.size)

    def _op(self, key: str, args: tuple, params: dict | None = None) -> "Traced":
        return _record(self.graph, key, args, params)

    @property
    def T(self) -> "Traced":
        if self.ndim <= 2:
            return self._op("t", (self,))
        return self._op("permute", (self,), {"dims": tuple(reversed(range(self.ndim)))})

    def __array__(self, dtype=None, copy=None):
        raise AutodiffError("this op's backward formula leaves the registry's ops, so its "
                            "second derivative is not available")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = ufunc.__name__
        if method == "__call__" and name in COMPARISONS:
            vals = [i.node.value if isinstance(i, Traced) else i for i in inputs]
            return getattr(np, name)(*vals)
        if method == "__call__" and name in _UFUNCS and not kwargs:
            return _binary(self.graph, _UFUNCS[name], inputs[0], inputs[1])
        if method == "__call__" and name in UNARY_UFUNCS and not kwargs:
            return _record(self.graph, UNARY_UFUNCS[name], (inputs[0],))
        if method == "__call__" and name in ("maximum", "minimum"):
            return _record(self.graph, name, inputs)
        return NotImplemented

    def __array_function__(self, func, types, args, kwargs):
        name = func.__name__
        if name == "where":
            c, a, b = args
            cond = c.node.value if isinstance(c, Traced) else np.asarray(c)
            return _record(self.graph, "where", (cond, a, b))
        if name == "broadcast_to":
            x, shape = args
            return _expand(self.graph, x, tuple(shape))
        if name == "prod":
            x = args[0]
            axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
            if axis is None:
                return _record(self.graph, "prod", (x,))
            return _record(self.graph, "prod_dim", (x,),
                           {"dim": int(axis) % x.ndim, "keepdim": bool(kwargs.get("keepdims"))})
        if name in ("sum", "mean"):
            x = args[0]
            axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
            keep = bool(kwargs.get("keepdims", False))
            return _reduce(self.graph, name, x, axis, keep)
        if name == "reshape":
            return args[0].reshape(args[1])
        if name == "expand_dims":
            x, dims = args[0], args[1]
            dims = dims if isinstance(dims, tuple) else (dims,)
            ndim = x.ndim + len(dims)
            for d in sorted(d % ndim for d in dims):
                x = _record(self.graph, "unsqueeze", (x,), {"dim": d})
            return x
        if name == "squeeze":  # an unsqueeze's backward: grad.squeeze(dim)
            x = args[0]
            axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
            if axis is None:
                return _record(self.graph, "squeeze", (x,))
            if isinstance(axis, tuple):
                return _record(self.graph, "squeeze_dims",
                               (x,), {"dims": tuple(int(d) % x.ndim for d in axis)})
            return _record(self.graph, "squeeze_dim", (x,), {"dim": int(axis) % x.ndim})
        if name == "transpose":
            return _record(self.graph, "permute", (args[0],), {"dims": tuple(args[1])})
        if name == "swapaxes":
            return _record(self.graph, "transpose", (args[0],),
                           {"dim0": int(args[1]), "dim1": int(args[2])})
        if name == "outer":
            a, b = args
            col = _record(self.graph, "view", (a,), {"shape": (int(np.size(_val(a))), 1)})
            return _binary(self.graph, "*", col, b)
        if name in ("zeros_like", "ones_like"):
            return getattr(np, name)(_val(args[0]))
        if name in ("shape", "ndim", "size"):
            return getattr(np, name)(_val(args[0]))
        raise AutodiffError(f"second derivatives need np.{name} on graph values, which "
                            "gradcli does not record yet")

    def sum(self, axis=None, keepdims=False):
        return _reduce(self.graph, "sum", self, axis, keepdims)

    def reshape(self, *shape) -> "Traced":
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return self._op("view", (self,), {"shape": tuple(shape)})  # NumPy resolves a -1

    def __add__(self, o): return _binary(self.graph, "+", self, o)
    def __radd__(self, o): return _binary(self.graph, "+", o, self)
    def __sub__(self, o): return _binary(self.graph, "-", self, o)
    def __rsub__(self, o): return _binary(self.graph, "-", o, self)
    def __mul__(self, o): return _binary(self.graph, "*", self, o)
    def __rmul__(self, o): return _binary(self.graph, "*", o, self)
    def __truediv__(self, o): return _binary(self.graph, "/", self, o)
    def __rtruediv__(self, o): return _binary(self.graph, "/", o, self)
    def __pow__(self, o): return _binary(self.graph, "**", self, o)
    def __rpow__(self, o): return _binary(self.graph, "**", o, self)
    def __matmul__(self, o): return _binary(self.graph, "@", self, o)
    def __rmatmul__(self, o): return _binary(self.graph, "@", o, self)
    def __neg__(self): return _record(self.graph, "neg", (self,))
    def __gt__(self, o): return self.node.value > _val(o)
    def __ge__(self, o): return self.node.value >= _val(o)
    def __lt__(self, o): return self.node.value < _val(o)
    def __le__(self, o): return self.node.value <= _val(o)
    def __eq__(self, o): return self.node.value == _val(o)  # type: ignore[override]
    def __ne__(self, o): return self.node.value != _val(o)  # type: ignore[override]
    __hash__ = None  # type: ignore[assignment]


def _val(x: Any) -> Any:
    return x.node.value if isinstance(x, Traced) else x


def _arg(graph: Graph, x: Any) -> Any:
    """A node for traced values and constant arrays; Python numbers stay numbers."""
    if isinstance(x, Traced):
        return x.node
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    if isinstance(x, np.generic) and x.ndim == 0:
        return float(x)
    return graph.leaf(np.asarray(x), requires_grad=False, expr="constant")


def _record(graph: Graph, key: str, args: tuple, params: dict | None = None) -> Any:
    nodes = tuple(_arg(graph, a) for a in args)
    if not any(isinstance(a, Node) and a.requires_grad for a in nodes):
        vals = [a.value if isinstance(a, Node) else a for a in nodes]
        return REGISTRY[key].forward(*vals, **(params or {}))
    node = graph.apply(REGISTRY[key], nodes, params or {}, expr="∂")
    return Traced(node, graph)


def _binary(graph: Graph, symbol: str, a: Any, b: Any) -> Any:
    ta, tb = isinstance(a, Traced), isinstance(b, Traced)
    if not ta and not tb:
        return {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
                "**": np.power, "@": np.matmul}[symbol](a, b)
    scalar_a = not ta and np.ndim(a) == 0
    scalar_b = not tb and np.ndim(b) == 0
    if symbol == "@":
        av, bv = _val(a), _val(b)
        key = {(2, 2): "mm", (2, 1): "mv", (1, 1): "dot", (3, 3): "bmm"}.get(
            (np.ndim(av), np.ndim(bv)))
        if key is None:
            raise AutodiffError("second derivatives through this matrix product are not "
                                "available")
        return _record(graph, key, (a, b))
    if symbol == "+":
        return _record(graph, "add", (a, b) if not scalar_a else (b, a))
    if symbol == "*":
        return _record(graph, "mul", (a, b) if not scalar_a else (b, a))
    if symbol == "-":
        return _record(graph, "rsub", (b, float(a))) if scalar_a else _record(graph, "sub", (a, b))
    if symbol == "/":
        if scalar_a:
            return _record(graph, "mul", (_record(graph, "reciprocal", (b,)), float(a)))
        return _record(graph, "div", (a, b))
    if scalar_b:
        return _record(graph, "pow", (a, float(b)))
    if scalar_a:
        return _record(graph, "pow_base", (float(a), b))
    return _record(graph, "pow_tensor", (a, b))


def _expand(graph: Graph, x: Any, shape: tuple) -> Any:
    if not isinstance(x, Traced):
        return np.broadcast_to(x, shape)
    if x.shape == shape:
        return x
    return _record(graph, "expand", (x,), {"shape": shape})


def _reduce(graph: Graph, which: str, x: Any, axis: Any, keepdims: bool) -> Any:
    if not isinstance(x, Traced):
        return getattr(np, which)(x, axis=axis, keepdims=keepdims)
    if axis is None and not keepdims:
        return _record(graph, which, (x,))
    nd = x.ndim
    if nd == 0:  # the sum or mean of one element over its (no) dims: the element itself
        return x
    dims = tuple(range(nd)) if axis is None else (
        tuple(a % nd for a in axis) if isinstance(axis, tuple) else (axis % nd,))
    return _record(graph, f"{which}_dim", (x,), {"dim": dims, "keepdim": keepdims})


def _unbroadcast(graph: Graph, grad: Any, shape: tuple) -> Any:
    gshape = np.shape(_val(grad))
    if gshape == shape:
        return grad
    extra = len(gshape) - len(shape)
    if extra > 0:
        grad = _reduce(graph, "sum", grad, tuple(range(extra)), False)
        gshape = np.shape(_val(grad))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and gshape[i] != 1)
    if axes:
        grad = _reduce(graph, "sum", grad, axes, True)
    if np.shape(_val(grad)) != shape:
        grad = _expand(graph, grad, shape)
    return grad


# Ops whose VJP is itself a registry op: the gradient graph records that op.
VJP_OPS = {"select": "select_backward", "slice": "slice_backward",
           "unbind": "select_backward"}


def _vjp(graph: Graph, node: Node, i: int, g: Any, y: "Traced", args: tuple) -> Any:
    key = VJP_OPS.get(node.op.key)
    shape = node.args[0].value.shape
    if key is not None:
        return _record(graph, key, (g,), {"shape": shape, **node.params})
    if node.op.key in ("max_dim", "min_dim"):
        x, dim = node.args[0].value, node.params["dim"]
        index = (np.argmax if node.op.key == "max_dim" else np.argmin)(x, axis=dim)
        return _record(graph, "scatter_first", (g,), {"shape": shape, "dim": dim,
                                                      "keepdim": node.params["keepdim"],
                                                      "index": index})
    return node.op.vjp[i](g, y, *args, **node.params)


def _directions(wrt: list[Node], start: int, stop: int) -> dict[int, np.ndarray]:
    """Stacked one-hot tangents for directions start..stop over the leaves' elements."""
    seeds, offset = {}, 0
    for leaf in wrt:
        size = leaf.value.size
        seed = np.zeros((stop - start, size), dtype=leaf.value.dtype)
        lo, hi = max(start, offset), min(stop, offset + size)
        if lo < hi:
            seed[np.arange(lo - start, hi - start), np.arange(lo - offset, hi - offset)] = 1
        seeds[leaf.id] = seed.reshape((stop - start,) + leaf.value.shape)
        offset += size
    return seeds


def _batched_jacobian(result: Result, wrt: list[Node], jac: dict,
                      progress: Callable[[int], None] | None) -> tuple[dict, str, int]:
    from . import batched

    out = result.output_node
    n = sum(leaf.value.size for leaf in wrt)
    widest = batched.widest(result.nodes)
    step = batched.chunk_size(n, widest)
    passes = 0
    for start in range(0, n, step):
        stop = min(n, start + step)
        passes += 1
        t = batched.tangents(result.nodes, _directions(wrt, start, stop), {out.id}).get(out.id)
        offset = 0
        for leaf in wrt:
            size = leaf.value.size
            lo, hi = max(start, offset), min(stop, offset + size)
            if lo < hi and t is not None:
                block = np.moveaxis(np.asarray(t[lo - start:hi - start]), 0, -1)
                flat = jac[leaf.label].reshape(out.value.shape + (size,))
                flat[..., lo - offset:hi - offset] = block
            offset += size
        if progress is not None:
            progress(stop)
    return jac, "forward", passes


def gradient_graph(result: Result, graph: Graph) -> dict[int, Any]:
    """d(output)/d(node) for every node, recorded as graph nodes (create_graph=True)."""
    out = result.output_node
    forward = list(graph.nodes[: out.id + 1])
    grads: dict[int, Any] = {out.id: np.ones_like(out.value)}
    for node in reversed(forward):
        g = grads.get(node.id)
        if g is None or node.op is None:
            continue
        args = tuple(Traced(a, graph) if isinstance(a, Node) and a.requires_grad
                     else (a.value if isinstance(a, Node) else a) for a in node.args)
        y = Traced(node, graph)
        for i, a in enumerate(node.args):
            if isinstance(a, Node) and a.requires_grad:
                try:
                    gi = _vjp(graph, node, i, g, y, args)
                except AutodiffError as e:
                    raise AutodiffError(f"second derivatives through {node.grad_fn} are not "
                                        f"available ({e.message})") from None
                except (TypeError, ValueError, AttributeError):
                    raise AutodiffError(f"second derivatives through {node.grad_fn} are not "
                                        "available yet") from None
                gi = _unbroadcast(graph, gi, a.value.shape)
                prev = grads.get(a.id)
                grads[a.id] = gi if prev is None else _binary(graph, "+", prev, gi)
    return grads


def hessian(result: Result, wrt: list[Node], progress: Callable[[int], None] | None = None
            ) -> tuple[np.ndarray, list[str]]:
    """The matrix of second derivatives over the flattened elements of `wrt`, and labels;
    `progress(rows)` is told of each row done."""
    out = result.output_node
    if out.value.size != 1:
        raise AutodiffError("a Hessian needs a one-element output",
                            hint="reduce it first, e.g. with .sum()")
    labels = []
    for leaf in wrt:
        if leaf.value.ndim == 0:
            labels.append(leaf.label)
        else:
            labels += [f"{leaf.label}[{','.join(map(str, i))}]"
                       for i in np.ndindex(leaf.value.shape)]
    graph = _graph_of(result)
    graph.nodes = list(result.nodes)  # the gradient graph grows a copy of the node list
    size = len(labels)
    H = np.zeros((size, size))
    with np.errstate(all="ignore"):
        grads = gradient_graph(result, graph)
        try:  # forward over reverse: the gradient's tangents, a chunk of rows per pass
            return _batched_hessian(graph, grads, wrt, H, progress), labels
        except AutodiffError:
            pass  # an op without a forward rule: a backward pass per row below
        row = 0
        for leaf in wrt:
            g = grads.get(leaf.id)
            for k in range(leaf.value.size):
                if isinstance(g, Traced):
                    flat = g if g.ndim == 0 else _record(graph, "view", (g,), {"shape": (-1,)})
                    elem = flat if g.ndim == 0 else _record(graph, "select", (flat,),
                                                             {"dim": 0, "index": k})
                    if isinstance(elem, Traced):
                        second = backward(graph, elem.node)
                        col = 0
                        for other in wrt:
                            s = second[other.id]
                            w = other.value.size
                            if s is not None:
                                H[row, col:col + w] = np.asarray(s).reshape(-1)
                            col += w
                row += 1
                if progress is not None:
                    progress(row)
    return H, labels


def _batched_hessian(graph: Graph, grads: dict, wrt: list[Node], H: np.ndarray,
                     progress: Callable[[int], None] | None) -> np.ndarray:
    from . import batched

    n = H.shape[0]
    targets = {leaf.id: grads.get(leaf.id) for leaf in wrt}
    wanted = {g.node.id for g in targets.values() if isinstance(g, Traced)}
    widest = batched.widest(graph.nodes)
    step = batched.chunk_size(n, widest)
    for start in range(0, n, step):
        stop = min(n, start + step)
        tans = batched.tangents(graph.nodes, _directions(wrt, start, stop), wanted)
        col = 0
        for leaf in wrt:
            g = targets[leaf.id]
            w = leaf.value.size
            t = tans.get(g.node.id) if isinstance(g, Traced) else None
            if t is not None:
                H[start:stop, col:col + w] = np.asarray(t).reshape(stop - start, w)
            col += w
        if progress is not None:
            progress(stop)
    return H


def leaves_named(result: Result, names: list[str]) -> list[Node]:
    if not names:
        return list(result.leaves)
    out = []
    for name in names:
        node = result.lookup(name)
        if node is None or not (node.is_leaf and node.requires_grad):
            known = ", ".join(n.label for n in result.leaves)
            raise AutodiffError(f"--wrt {name}: not a variable that requires grad",
                                hint=f"variables: {known or 'none'}")
        out.append(node)
    return out


def finite_difference_hessian(rerun, result: Result, wrt: list[Node], eps: float = 1e-5
                              ) -> np.ndarray:
    """A cross-check only: central differences of the engine's gradient."""
    cols = []
    for leaf in wrt:
        x = leaf.value.astype(np.float64)
        for i in np.ndindex(x.shape):
            hi, lo = x.copy(), x.copy()
            hi[i] += eps
            lo[i] -= eps
            r_hi, r_lo = rerun(leaf.label, hi), rerun(leaf.label, lo)
            col = []
            for other in wrt:
                gh = np.asarray(r_hi.grad(r_hi.lookup(other.label)), dtype=np.float64)
                gl = np.asarray(r_lo.grad(r_lo.lookup(other.label)), dtype=np.float64)
                col.append(((gh - gl) / (2 * eps)).reshape(-1))
            cols.append(np.concatenate(col))
    return np.array(cols).T if cols else np.zeros((0, 0))

