"""torch.autograd.graph.saved_tensors_hooks in lessons.

While a ``with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):`` block
runs, every op that records a node calls ``pack_hook`` on each tensor its backward saves,
in the order PyTorch saves them (``saved.PACKS``, recorded from PyTorch), and keeps what
the hook returns; the backward pass through that node calls ``unpack_hook`` on each kept
object and computes with the tensors it returns. Without retain_graph the kept objects go
with the pass, as PyTorch frees saved tensors. Tensors a node saves that a program cannot
see (LU factors, max_pool2d's indices, ...) are not passed to the hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dispatch import REQUIRED, bind
from .engine import Node
from .errors import ProgramError
from .pyvalues import ContextManager, type_name

if TYPE_CHECKING:
    from .lesson import Interpreter


class SavedHooks:
    """The hooks in force (innermost last) and what each node packed."""

    def __init__(self, ip: "Interpreter") -> None:
        self.ip = ip
        self.stack: list[tuple[Any, Any]] = []
        self.packed: dict[int, tuple[Node, Any, list, tuple]] = {}

    def context(self, args: list, kwargs: dict) -> ContextManager:
        p = bind("saved_tensors_hooks", args, kwargs, [("pack_hook", REQUIRED),
                                                       ("unpack_hook", REQUIRED)])
        pair = (p["pack_hook"], p["unpack_hook"])

        def enter(ip: "Interpreter") -> None:
            self.stack.append(pair)
            ip.refresh_on_apply()

        def exit(ip: "Interpreter") -> None:
            if self.stack and self.stack[-1] is pair:
                self.stack.pop()
            ip.refresh_on_apply()

        return ContextManager("torch.autograd.graph.saved_tensors_hooks", enter, exit)

    def on_apply(self, node: Node, op: Any, args: tuple, params: dict) -> None:
        if not self.stack or node.op is None:
            return
        from .saved import NUMBER_PACKS, PACKS

        order = None
        for i, a in enumerate(args):
            if isinstance(a, (int, float)) and not isinstance(a, bool) and \
                    (op.key, i) in NUMBER_PACKS:
                order = NUMBER_PACKS[op.key, i]
        if order is None:
            combo = frozenset(i for i, a in enumerate(args)
                              if isinstance(a, Node) and a.requires_grad)
            order = PACKS.get(op.key, {}).get(combo)
        if not order or not order[0]:
            return
        pack, unpack = self.stack[-1]
        kept = []
        for label in order[0]:
            t = node if label == "result" else (
                args[int(label)] if label.isdigit() and int(label) < len(args) else None)
            if not isinstance(t, Node):
                continue
            kept.append((label, self.ip.call_sync(pack, [t])))
        self.packed[id(node)] = (node, unpack, kept, order[1])

    def unpack(self, node: Node, values: list, result: Any, retain: bool) -> tuple[list, Any]:
        entry = self.packed.get(id(node))
        if entry is None or entry[0] is not node:
            return values, result
        if not retain:
            del self.packed[id(node)]
        _, unpack, kept, order = entry
        objs = dict(kept)
        values = list(values)
        for label in order:
            if label not in objs:
                continue
            t = self.ip.call_sync(unpack, [objs[label]])
            if not isinstance(t, Node):
                raise ProgramError("Output of saved tensor unpack_hook expected to be a Tensor "
                                   f"but got result of type {type_name(t)}", "TypeError")
            if label == "result":
                result = t.value
            else:
                values[int(label)] = t.value
        return values, result
