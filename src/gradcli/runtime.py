"""Autograd state as PyTorch keeps it, for lesson programs that run many backward passes.

A lesson's tensors are the engine's nodes, with the state PyTorch keeps on a tensor:
``.grad`` (None until a backward pass reaches it), a version counter that in-place ops
bump (shared with ``detach()``ed views), the versions of its arguments when it was made,
hooks, and whether backward freed what it saved. Each ``backward()`` or
``torch.autograd.grad`` is one :func:`run_pass` over the part of the graph its roots reach.

In-place ops keep the tensor's identity: the tensor object takes the new graph state and
its earlier state moves to ``node.hist``; a node made from the earlier version finds it
there by the version it recorded (:func:`resolve`), as PyTorch's edges point at the
earlier grad_fn. What each op's backward saves comes from ``saved.SAVES`` (recorded from
PyTorch), so the "backward through the graph a second time" and "modified by an inplace
operation" errors come exactly where PyTorch raises them.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np

from .engine import (NO_PARAMS, ZERO_PLAIN, Graph, Node, ZeroGrad, add_grads, unbroadcast,
                     zero_error, zero_passes)
from .errors import ProgramError
from .saved import NUMBER_OPERAND_SECOND_BACKWARD, SAVES, SECOND_BACKWARD_WHEN

SECOND_TIME = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")
NOT_USED = ("The differentiated Tensor at index {} appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")
NO_GRAD_FN = "element 0 of tensors does not require grad and does not have a grad_fn"
SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"

TENSOR_TYPES = {"float64": "torch.DoubleTensor", "float32": "torch.FloatTensor",
                "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
                "int32": "torch.IntTensor", "bool": "CPUBoolType"}


def resolve(arg: Node, version: int) -> Node:
    """`arg` as it was at `version`: itself, or its earlier state from before an in-place
    op (the first one recorded at or after that version)."""
    if arg.vc is None or arg.vc[0] == version or not arg.hist:
        return arg
    best = None
    for v, state in arg.hist:
        if v >= version and (best is None or v < best[0]):
            best = (v, state)
    return arg if best is None else best[1]


def saved_items(node: Node) -> list[tuple[str, Node]]:
    """The tensors `node`'s backward saved that a program can change in place: (item,
    tensor) for argument positions and the result (what PyTorch checks versions of)."""
    spec = SAVES.get(node.op.key)
    if not spec:
        return []
    out = []
    args = node.args
    for item, when in spec:
        if not any(i < len(args) and isinstance(args[i], Node) and args[i].requires_grad
                   for i in when):
            continue
        if item == "result":
            out.append((item, node))
        elif item.isdigit():
            i = int(item)
            if i < len(args) and isinstance(args[i], Node):
                out.append((item, args[i]))
    return out


def saves_anything(node: Node) -> bool:
    """Whether a second backward through `node` (without retain_graph) fails."""
    key = node.op.key
    args = node.args
    when = SECOND_BACKWARD_WHEN.get(key)
    if when and any(i < len(args) and isinstance(args[i], Node) and args[i].requires_grad
                    for i in when):
        return True
    for i, a in enumerate(args):
        if not isinstance(a, Node) and NUMBER_OPERAND_SECOND_BACKWARD.get((key, i)):
            return True
    return False


def _check_saved(node: Node, own_version: int, inplace: bool) -> None:
    """PyTorch's two errors when a node unpacks what it saved. An in-place op's node
    saved a copy of the tensor it changed (PyTorch clones `self` first), which nothing
    can modify later."""
    if node.freed and saves_anything(node):
        raise ProgramError(SECOND_TIME)
    for item, t in saved_items(node):
        if inplace and item == "0":
            continue
        if item == "result":
            expected, current = own_version, node.vc[0] if node.vc else 0
        else:
            i = int(item)
            expected = node.vers[i] if node.vers else 0
            current = t.vc[0] if t.vc else 0
        if expected != current:
            raise ProgramError(version_message(t, item, node, current, expected))


def version_message(t: Node, item: str, node: Node, current: int, expected: int) -> str:
    kind = TENSOR_TYPES.get(str(t.value.dtype), "torch.Tensor")
    shape = ", ".join(str(d) for d in t.value.shape)
    made_by = ""
    fn = node.grad_fn if item == "result" else t.grad_fn
    if fn is not None:
        name = fn[:-len("Backward0")] if re.search(r"Backward[0-9]$", fn) else \
            f"torch::autograd::{fn}"
        made_by = f", which is output 0 of {name},"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{kind} [{shape}]]{made_by} is at version {current}; "
            f"expected version {expected} instead. Hint: enable anomaly detection to find "
            "the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class Pass:
    """One backward pass: what it started from and how much it reached (always kept),
    and the nodes it reached (inputs first) with their gradients, for the views (kept for
    the passes a user asks to see: `drop()` lets the others' tensors go).
    `kind` is "backward" or "autograd.grad"."""

    def __init__(self, kind: str, roots: list[Node], nodes: list[Node],
                 grads: dict[int, np.ndarray], line: int) -> None:
        self.kind, self.line = kind, line
        self.roots: list[Node] | None = roots
        self.nodes: list[Node] | None = nodes
        self.grads: dict[int, np.ndarray] | None = grads
        root = roots[0]
        self.root_name = root.name or root.expr
        self.root_grad_fn = root.grad_fn
        self.root_value = root.value.copy()
        self.node_count = len(nodes)

    @property
    def kept(self) -> bool:
        return self.nodes is not None

    def drop(self) -> None:
        self.roots = self.nodes = self.grads = None


def reachable(roots: list[Node], users: dict[int, int] | None = None) -> list[Node]:
    """Every node that requires grad and leads to a root, in creation order, with each
    argument resolved to the version its user saw; `users` gets how many gradients each
    node will receive (one per use). Iterative: no recursion."""
    seen: dict[int, Node] = {}
    stack = [r for r in roots if r.requires_grad]
    while stack:
        n = stack.pop()
        if n.id in seen:
            continue
        seen[n.id] = n
        if n.op is None:
            continue
        vers = n.vers
        for i, a in enumerate(n.args):
            if type(a) is Node and a.requires_grad:
                if vers is not None:
                    a = resolve(a, vers[i])
                if users is not None:
                    users[a.id] = users.get(a.id, 0) + 1
                if a.id not in seen:
                    stack.append(a)
    return [seen[k] for k in sorted(seen)]


def run_pass(graph: Graph, roots: list[Node], seeds: list[np.ndarray], *,
             retain_graph: bool, create_graph: bool,
             call_hook: Callable[[Any, Node], Any] | None = None,
             own_versions: dict[int, int] | None = None,
             fn_hooks: Any = None,
             on_done: Callable[[Node, Any], None] | None = None,
             unpack: Callable[[Node, list, Any], tuple[list, Any]] | None = None
             ) -> tuple[list[Node], dict[int, Any]]:
    """d(roots)/d(node) (weighted by `seeds`) for every node the roots reach.

    Runs each node's tensor hooks (`call_hook(fn, grad_tensor)` may return a new gradient)
    when its gradient is complete, and the hooks on its grad_fn (`fn_hooks(node, kind,
    grad_outputs, grad_inputs)`: "pre" before its backward, "post" after, each may return
    replacements); `on_done(node, grad)` gets each leaf's and retained node's gradient as
    soon as it is complete (so a pass that fails later has already accumulated those, as
    PyTorch's engine has); checks and frees saved tensors as PyTorch does. `unpack(node,
    values, result)` gives the argument values and result a node's backward uses (what
    saved_tensors_hooks' unpack hooks return).
    With `create_graph` the gradients are recorded as graph nodes (Traced values)."""
    if create_graph:
        from .autodiff import Traced, _binary, _unbroadcast, _vjp

    users: dict[int, int] = {}
    nodes = reachable(roots, users)
    grads: dict[int, Any] = {}
    for r, s in zip(roots, seeds):
        if r.requires_grad:
            grads[r.id] = s if r.id not in grads else grads[r.id] + s
    was = graph.grad_enabled
    graph.grad_enabled = create_graph
    try:
        def complete(node: Node) -> Any:
            """The node's gradient is final: its tensor hooks, then .grad if it keeps one."""
            g = grads.get(node.id)
            if g is None:
                return None
            if node.hooks and call_hook is not None:
                if type(g) is ZeroGrad:
                    g = g.view(np.ndarray)
                for fn in node.hooks:
                    given = as_node(graph, g, None)
                    new = call_hook(fn, given)
                    if new is None:  # the hook may have changed the gradient in place
                        if type(g) is np.ndarray:
                            g = given.value
                    else:
                        g = new.value if not create_graph else (
                            Traced(new, graph) if new.requires_grad else new.value)
                grads[node.id] = g
            if on_done is not None and node.requires_grad and (
                    node.op is None or node.retains_grad):
                on_done(node, g.view(np.ndarray) if type(g) is ZeroGrad else g)
            return g

        # A leaf's gradient is accumulated as soon as its last user has sent its part, as
        # PyTorch's AccumulateGrad runs first among ready nodes: a pass that fails later
        # has already changed those leaves' .grad.
        for r in roots:
            if r.op is None and not users.get(r.id):
                complete(r)

        def sent_to(arg: Node) -> None:
            left = users[arg.id] = users[arg.id] - 1
            if left == 0 and arg.op is None:
                complete(arg)

        for node in reversed(nodes):
            op = node.op
            if op is None:
                continue
            g = complete(node)
            if g is None:
                continue
            zero = type(g) is ZeroGrad and not create_graph
            if zero:
                message = zero_error(op.key, node.params)
                if message is not None:
                    raise ProgramError(message)
                g = g.view(np.ndarray)
            _check_saved(node, own_version(node, own_versions),
                         own_versions is not None and node.id in own_versions)
            args = node.args
            vers = node.vers
            if vers is not None:
                args = tuple(resolve(a, vers[i]) if type(a) is Node else a
                             for i, a in enumerate(args))
            if create_graph:
                targs = tuple(Traced(a, graph) if isinstance(a, Node) and a.requires_grad
                              else (a.value if isinstance(a, Node) else a) for a in args)
                y = Traced(node, graph)
            values = [a.value if type(a) is Node else a for a in args]
            result = node.value
            if unpack is not None and not create_graph:
                values, result = unpack(node, values, result)
            if fn_hooks is not None and not create_graph:
                g = fn_hooks(node, "pre", g, None)
            sent: list = []
            for i, arg in enumerate(args):
                if type(arg) is not Node or not arg.requires_grad:
                    continue
                if create_graph:
                    try:
                        gi = _unbroadcast(graph, _vjp(graph, node, i, g, y, targs),
                                          arg.value.shape)
                    except (TypeError, ValueError, AttributeError):
                        raise ProgramError(f"gradcli cannot record the gradient of "
                                           f"{node.grad_fn} as a graph yet (create_graph=True)"
                                           ) from None
                    prev = grads.get(arg.id)
                    grads[arg.id] = gi if prev is None else _binary(graph, "+", prev, gi)
                    sent_to(arg)
                elif zero and zero_passes(op.key, i, node):
                    sent.append((arg, np.zeros(arg.value.shape, dtype=arg.value.dtype)
                                 .view(ZeroGrad)))
                elif zero and (op.key, i) in ZERO_PLAIN:
                    sent.append((arg, np.zeros(arg.value.shape, dtype=arg.value.dtype)))
                else:
                    gi = op.vjp[i](g, result, *values, **node.params)
                    shape = arg.value.shape
                    if type(gi) is not np.ndarray and type(gi) is not ZeroGrad \
                            or gi.shape != shape:
                        gi = unbroadcast(gi, shape)
                    sent.append((arg, gi))
            if sent and fn_hooks is not None:
                sent = fn_hooks(node, "post", g, sent)
            for arg, gi in sent:
                grads[arg.id] = add_grads(grads.get(arg.id), gi)
                sent_to(arg)
            if not retain_graph:
                node.freed = True
    finally:
        graph.grad_enabled = was
    return nodes, grads


def own_version(node: Node, table: dict[int, int] | None) -> int:
    """The version `node`'s value had when the node was made (0, or after in-place ops
    the version recorded when the state moved to history)."""
    if table is not None and node.id in table:
        return table[node.id]
    return 0


def as_array(g: Any) -> np.ndarray:
    if type(g) is np.ndarray:
        return g
    from .autodiff import Traced

    return g.node.value if isinstance(g, Traced) else np.asarray(g)


def as_node(graph: Graph, g: Any, dtype: np.dtype | None) -> Node:
    """A gradient as a tensor: a graph node under create_graph, else a new leaf (of
    `dtype`, or the gradient's own)."""
    if type(g) is not np.ndarray:
        from .autodiff import Traced

        if isinstance(g, Traced):
            return g.node
    return graph.leaf(np.array(g, dtype=dtype), requires_grad=False, expr="grad")


def accumulate(graph: Graph, leaf: Node, g: Any) -> None:
    """leaf.grad += g, in place as PyTorch does (out of place under create_graph)."""
    traced = False
    if type(g) is not np.ndarray:
        from .autodiff import Traced

        traced = isinstance(g, Traced)
    if traced or (leaf.grad is not None and leaf.grad.requires_grad):
        from .ops import REGISTRY

        new = as_node(graph, g, leaf.value.dtype)
        was = graph.grad_enabled
        graph.grad_enabled = True
        try:
            if leaf.grad is None:  # PyTorch copies the graph's gradient into .grad
                empty = graph.leaf(np.zeros_like(leaf.value), requires_grad=False,
                                   expr="grad")
                leaf.grad = graph.apply(REGISTRY["copy_from"], (empty, new), NO_PARAMS,
                                        expr="grad")
            else:
                leaf.grad = graph.apply(REGISTRY["add"], (leaf.grad, new), NO_PARAMS,
                                        expr="grad")
        finally:
            graph.grad_enabled = was
        return
    g = np.asarray(g)
    if leaf.grad is None:  # laid out as the leaf is (PyTorch's gradient layout contract)
        order = "C" if leaf.value.flags.c_contiguous else "K"
        leaf.grad = graph.leaf(np.array(g, dtype=leaf.value.dtype, order=order),
                               requires_grad=False, expr="grad")
        return
    cur = leaf.grad.value
    if cur.flags.writeable and cur.shape == np.broadcast_shapes(cur.shape, g.shape):
        np.add(cur, g.astype(cur.dtype, copy=False), out=cur, casting="unsafe")
    else:
        leaf.grad.value = (cur + g).astype(cur.dtype)
    if leaf.grad.vc is not None:
        leaf.grad.vc[0] += 1
