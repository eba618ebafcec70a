"""torch.autograd.forward_ad in lessons: dual tensors carry a tangent through every op.

Inside ``with fwAD.dual_level():`` a program makes dual tensors with
``fwAD.make_dual(primal, tangent)``; every op the program then runs on one computes its
result's tangent with the op's forward-mode rule (``ops.JVP``, the rules
``gradcli jvp`` uses); ``fwAD.unpack_dual(t)`` gives ``(primal, tangent)``. Leaving the
level drops every tangent, as PyTorch does. A dual tensor prints with its tangent
(``tensor([1., 2.], tangent=tensor([1., 1.]))``). Tangents are plain tensors: PyTorch
records a graph for the tangent of a primal that requires grad, gradcli does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .dispatch import REQUIRED, NamedPair, bind
from .engine import Node
from .errors import ProgramError
from .ops import JVP, REGISTRY

if TYPE_CHECKING:
    from .lesson import Interpreter

NO_LEVEL = ("Trying to create a dual Tensor for forward AD but no level exists, make sure "
            "to enter_dual_level() first.")


class UnpackedDual(NamedPair):
    """What fwAD.unpack_dual returns: UnpackedDualTensor(primal=..., tangent=...)."""

    kind = "UnpackedDualTensor"
    fields = ("primal", "tangent")

    def repr_with(self, r) -> str:
        return f"UnpackedDualTensor(primal={r(self[0])}, tangent={r(self[1])})"

    @property
    def primal(self):
        return self[0]

    @property
    def tangent(self):
        return self[1]


class ForwardAD:
    """The dual level of one program run: the tangent of each dual tensor."""

    def __init__(self, ip: "Interpreter") -> None:
        self.ip = ip
        self.active = False
        self.tangents: dict[int, tuple[Node, Node]] = {}  # id(primal) -> (primal, tangent)

    def tangent_of(self, x: Any) -> Node | None:
        if not isinstance(x, Node):
            return None
        pair = self.tangents.get(id(x))
        return pair[1] if pair is not None else None

    # ------------------------------------------------------------------ the level

    def enter(self, ip: "Interpreter") -> None:
        if self.active:
            raise ProgramError("Nested forward mode AD is not supported at the moment",
                               "RuntimeError")
        self.active = True
        ip.refresh_on_apply()

    def exit(self, ip: "Interpreter") -> None:
        self.active = False
        self.tangents.clear()
        ip.refresh_on_apply()

    # ------------------------------------------------------------------ propagation

    def set_tangent(self, node: Node, tangent: Node) -> None:
        self.tangents[id(node)] = (node, tangent)

    def on_apply(self, node: Node, op: Any, args: tuple, params: dict) -> None:
        """The tangent of an op's result, from its arguments' tangents (forward mode)."""
        ts = [self.tangent_of(a) for a in args]
        if all(t is None for t in ts):
            return
        if op.key.startswith("custom:"):  # classes.apply_function calls the class's jvp
            return
        rule = JVP.get(op.key)
        if rule is None:
            raise ProgramError(f"Trying to use forward AD with {op.grad_fn[:-len('Backward0')] or op.key} "
                               "that does not support it because it has not been implemented "
                               "yet.", "NotImplementedError")
        values = [a.value if isinstance(a, Node) else a for a in args]
        with np.errstate(all="ignore"):
            t = rule([None if t is None else t.value for t in ts], node.value, *values, **params)
        t = np.array(np.broadcast_to(np.asarray(t, dtype=node.value.dtype), node.value.shape))
        self.tangents[id(node)] = (node, self.ip.graph.leaf(t, requires_grad=False,
                                                            expr="tangent"))

    # ------------------------------------------------------------------ functions

    def make_dual(self, ip: "Interpreter", args: list, kwargs: dict) -> Node:
        p = bind("make_dual", args, kwargs, [("tensor", REQUIRED), ("tangent", REQUIRED),
                                             ("level", None)])
        primal, tangent = ip.tensor(p["tensor"]), ip.tensor(p["tangent"])
        if not self.active:
            raise ProgramError(NO_LEVEL, "RuntimeError")
        if tangent.value.shape != primal.value.shape:
            raise ProgramError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(primal.value.shape)} while the given forward gradient is of size "
                f"{list(tangent.value.shape)}.", "RuntimeError")
        if primal.value.dtype.kind != "f":
            raise ProgramError("Expected primal to be floating point or complex, but got: "
                               f"{primal.value.dtype}", "ValueError")
        dual = ip.graph.apply(REGISTRY["view"], (primal,), {"shape": primal.value.shape},
                              expr=ip._here() or "make_dual", where=ip._here())
        if tangent.value.strides != primal.value.strides or tangent.value.dtype != \
                primal.value.dtype:  # PyTorch copies a tangent of another layout
            tangent = ip.graph.leaf(np.array(tangent.value, dtype=primal.value.dtype, order="C"),
                                    requires_grad=False, expr="tangent")
        self.tangents[id(dual)] = (dual, tangent)
        return dual

    def func_jvp(self, ip: "Interpreter", args: list, kwargs: dict) -> tuple:
        """torch.func.jvp(func, primals, tangents): (func(*primals), its JVP), by one
        forward pass with dual inputs."""
        p = bind("jvp", args, kwargs, [("func", REQUIRED), ("primals", REQUIRED),
                                       ("tangents", REQUIRED), ("strict", False),
                                       ("has_aux", False)])
        primals, tangents = p["primals"], p["tangents"]
        if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
            raise ProgramError("jvp(f, primals, tangents): Expected primals and tangents to be "
                               "tuples", "RuntimeError")
        if len(primals) != len(tangents):
            raise ProgramError("jvp(f, primals, tangents): Expected primals and tangents to "
                               f"have the same python structure. For example, if primals is "
                               f"a tuple of 3 tensors, tangents also must be. Got primals "
                               f"with {len(primals)} and tangents with {len(tangents)}",
                               "RuntimeError")
        nested = self.active
        if not nested:
            self.enter(ip)
        try:
            duals = [self.make_dual(ip, [x, t], {}) for x, t in zip(primals, tangents)]
            out = ip.call_sync(p["func"], duals)
            aux = None
            if p["has_aux"]:
                out, aux = out
            single = isinstance(out, Node)
            outs = [out] if single else list(out)
            pairs = [self.unpack_dual(ip, [o], {}) for o in outs]
            values = [u.primal for u in pairs]
            jvps = [u.tangent if u.tangent is not None else
                    ip.constant(np.zeros_like(u.primal.value)) for u in pairs]
        finally:
            if not nested:
                self.exit(ip)
        result = (values[0], jvps[0]) if single else (tuple(values), tuple(jvps))
        return (*result, aux) if p["has_aux"] else result

    def unpack_dual(self, ip: "Interpreter", args: list, kwargs: dict) -> UnpackedDual:
        p = bind("unpack_dual", args, kwargs, [("tensor", REQUIRED), ("level", None)])
        x = ip.tensor(p["tensor"])
        t = self.tangent_of(x)
        if not self.active:
            return UnpackedDual((x, None))
        was, ip.graph.on_apply = ip.graph.on_apply, None
        try:
            primal = ip.graph.apply(REGISTRY["view"], (x,), {"shape": x.value.shape},
                                    expr=ip._here() or "unpack_dual", where=ip._here())
        finally:
            ip.graph.on_apply = was
        return UnpackedDual((primal, t))

