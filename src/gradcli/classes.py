"""Classes in lesson programs: plain classes (methods, attributes, __init__, super()) and
custom autograd functions (`class Exp(torch.autograd.Function)` with static forward and
backward, `ctx.save_for_backward`, `Exp.apply(x)`), whose nodes show PyTorch's grad_fn name
(`ExpBackward`) and whose backward runs the user's code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .engine import NO_PARAMS, Node
from .errors import ProgramError
from .ops import Op
from .pyvalues import UserFunction, py_error, type_name

if TYPE_CHECKING:
    from .lesson import Interpreter

FUNCTION_BASES = {"torch.autograd.Function", "torch.autograd.function.Function"}
MODULE_BASES = {"torch.nn.Module", "torch.nn.modules.module.Module"}


class UserClass:
    """A class the program defines: its namespace and its bases (classes of the program,
    or PyTorch's Function / Module named by path)."""

    def __init__(self, name: str, bases: list, namespace: dict) -> None:
        self.name, self.bases, self.namespace = name, bases, namespace

    def mro(self) -> list:
        """The class and its program-defined ancestors, depth first (enough for lessons)."""
        out, stack = [], [self]
        while stack:
            c = stack.pop(0)
            if isinstance(c, UserClass) and c not in out:
                out.append(c)
                stack.extend(c.bases)
        return out

    def lookup(self, name: str) -> Any:
        for c in self.mro():
            if name in c.namespace:
                return c.namespace[name]
        raise KeyError(name)

    def base_paths(self) -> set:
        paths = set()
        for c in self.mro():
            for b in c.bases:
                path = getattr(b, "path", None) or getattr(b, "name", None)
                if isinstance(path, str):
                    paths.add(path)
        return paths

    @property
    def is_function(self) -> bool:
        return bool(self.base_paths() & FUNCTION_BASES)


class Instance:
    __slots__ = ("cls", "attrs")

    def __init__(self, cls: UserClass) -> None:
        self.cls, self.attrs = cls, {}


class Method:
    """A function read through an instance: calling it passes the instance first."""

    __slots__ = ("fn", "obj")

    def __init__(self, fn: Any, obj: Any) -> None:
        self.fn, self.obj = fn, obj


class Super:
    __slots__ = ("cls", "obj")

    def __init__(self, cls: UserClass, obj: Any) -> None:
        self.cls, self.obj = cls, obj


class Context:
    """The `ctx` of a custom autograd function."""

    def __init__(self, needs: tuple) -> None:
        self.attrs: dict = {}
        self.saved: tuple = ()
        self.needs_input_grad = needs
        self.materialize = True  # ctx.set_materialize_grads(False): None for unused outputs
        self.freed = False  # a pass without retain_graph went through the node
        self.non_differentiable: set = set()  # ids of outputs ctx.mark_non_differentiable named


def class_attr(ip: "Interpreter", obj: Any, name: str) -> Any:
    """obj.name for instances, classes, super() and ctx; raises AttributeError as Python."""
    if isinstance(obj, Context):
        if name == "saved_tensors":
            if obj.freed and obj.saved:
                from .runtime import SECOND_TIME

                raise ProgramError(SECOND_TIME, "RuntimeError")
            return obj.saved
        if name == "needs_input_grad":
            return obj.needs_input_grad
        if name == "save_for_backward":
            return Method("save_for_backward", obj)
        if name == "set_materialize_grads":
            return Method("set_materialize_grads", obj)
        if name == "mark_non_differentiable":
            return Method("mark_non_differentiable", obj)
        if name == "mark_dirty":
            return Method("noop", obj)
        if name in obj.attrs:
            return obj.attrs[name]
    elif isinstance(obj, Instance):
        if name in obj.attrs:
            return obj.attrs[name]
        if name == "__class__":
            return obj.cls
        try:
            v = obj.cls.lookup(name)
        except KeyError:
            if name == "apply" and obj.cls.is_function:  # Fn().apply(x): the class's apply
                return Method("apply", obj.cls)
        else:
            if isinstance(v, Property):
                return ip.call_sync(v.fn, [obj])
            return bind_method(v, obj)
    elif isinstance(obj, UserClass):
        if name == "__name__":
            return obj.name
        if name == "apply" and obj.is_function:
            return Method("apply", obj)
        try:
            v = obj.lookup(name)
        except KeyError:
            pass
        else:
            if isinstance(v, ClassMethod):
                return Method(v.fn, obj)
            return v.fn if isinstance(v, StaticMethod) and not isinstance(v, Property) else v
    elif isinstance(obj, Super):
        for c in obj.cls.mro()[1:]:
            if name in c.namespace:
                return bind_method(c.namespace[name], obj.obj)
        if name == "__init__":  # Module.__init__ / object.__init__: nothing to do;
            if exception_base(obj.cls) is not None:  # Exception.__init__ keeps its args
                return Method("exception_init", obj.obj)
            return Method("noop", obj.obj)
    raise ProgramError(f"'{type_name_of(obj)}' object has no attribute '{name}'",
                       "AttributeError")


class StaticMethod:
    __slots__ = ("fn",)

    def __init__(self, fn: Any) -> None:
        self.fn = fn


class ClassMethod(StaticMethod):
    """@classmethod: called with the class first."""


class Property(StaticMethod):
    """@property: reading the attribute calls fn(instance)."""


def bind_method(v: Any, obj: Any) -> Any:
    if isinstance(v, ClassMethod):
        return Method(v.fn, obj.cls if isinstance(obj, Instance) else obj)
    if isinstance(v, StaticMethod):
        return v.fn
    if isinstance(v, UserFunction) or type(v).__name__ == "NativeMethod":
        return Method(v, obj)
    return v


def type_name_of(obj: Any) -> str:
    if isinstance(obj, Instance):
        return obj.cls.name
    if isinstance(obj, UserClass):
        return "type"
    if isinstance(obj, Context):
        return "BackwardCFunction"
    return type_name(obj)


def set_class_attr(obj: Any, name: str, value: Any) -> bool:
    """obj.name = value for instances, classes and ctx; False for other objects."""
    if isinstance(obj, Context):
        obj.attrs[name] = value
        return True
    if isinstance(obj, Instance):
        obj.attrs[name] = value
        return True
    if isinstance(obj, UserClass):
        obj.namespace[name] = value
        return True
    return False


def apply_function(ip: "Interpreter", cls: UserClass, args: list, kwargs: dict) -> Any:
    """Fn.apply(*args): forward(ctx, *args) without recording, then one node per output
    whose backward is the class's backward(ctx, *grads)."""
    if kwargs:
        raise py_error("apply() takes no keyword arguments")
    needs = tuple(isinstance(a, Node) and a.requires_grad for a in args)
    ctx = Context(needs)
    forward = cls.lookup("forward")
    backward = cls.lookup("backward")
    forward = forward.fn if isinstance(forward, StaticMethod) else forward
    backward = backward.fn if isinstance(backward, StaticMethod) else backward
    was, dual = ip.graph.grad_enabled, ip.graph.on_apply
    ip.graph.grad_enabled = False
    ip.graph.on_apply = None  # forward sees its inputs' primals only
    try:
        out = ip.call_sync(forward, [ctx, *args])
    finally:
        ip.graph.grad_enabled, ip.graph.on_apply = was, dual
    single = isinstance(out, Node)
    outs = [out] if single else list(out) if isinstance(out, (tuple, list)) else None
    if outs is None or not all(isinstance(o, Node) for o in outs):
        raise py_error(f"{cls.name}.forward must return a tensor or a tuple of tensors")
    out_tangents = _forward_ad_jvp(ip, cls, ctx, args, outs) if dual is not None else None
    if not (was and any(needs)):
        if out_tangents:
            for o, t in zip(outs, out_tangents):
                ip.forward_ad.set_tangent(o, t)
        return out
    cache: dict = {}
    tensor_args = tuple(args)

    def make_vjp(j: int, i: int):
        """Output j's node, gradient for argument i: backward(ctx, *grads) with this
        output's gradient and zeros for the others (backward is linear in them), called
        once per incoming gradient. Under create_graph the gradient arrives traced and
        backward runs recorded, so its result can be differentiated again."""
        from .autodiff import Traced

        def vjp(g, y, *values, **params):
            key = (id(g), j)
            traced = ip.graph.grad_enabled  # a pass with create_graph records
            if key not in cache:
                cache.clear()
                ctx.freed = results[j].freed  # an earlier pass freed what it saved
                grad = g.node if isinstance(g, Traced) else ip.constant(np.array(g))
                grads_out = [grad if k == j else (ip.constant(np.zeros_like(o.value))
                                                  if ctx.materialize else None)
                             for k, o in enumerate(outs)]
                was = ip.graph.grad_enabled
                ip.graph.grad_enabled = traced
                try:
                    r = ip.call_sync(backward, [ctx, *grads_out])
                finally:
                    ip.graph.grad_enabled = was
                grads = list(r) if isinstance(r, (tuple, list)) else [r]
                if len(grads) > len(tensor_args) and all(
                        v is None for v in grads[len(tensor_args):]):
                    grads = grads[:len(tensor_args)]  # extra Nones are allowed
                if len(grads) != len(tensor_args):
                    raise ProgramError(f"function {cls.name}Backward returned an incorrect "
                                       f"number of gradients (expected {len(tensor_args)}, "
                                       f"got {len(grads)})")
                cache[key] = grads
            gi = cache[key][i]
            if gi is None:
                return np.zeros(())
            if not isinstance(gi, Node):
                gi = ip.tensor(gi)
            if traced and gi.requires_grad:
                return Traced(gi, ip.graph)
            return gi.value
        return vjp

    results = []
    for j, o in enumerate(outs):
        if id(o) in ctx.non_differentiable or o.value.dtype.kind not in "fc":
            # marked non-differentiable, or integer (sort's indices): no grad_fn
            results.append(ip.constant(o.value))
            continue
        op = Op(f"custom:{cls.name}", f"{cls.name}Backward", lambda *a: None,
                tuple(make_vjp(j, i) for i in range(len(args))))
        node = ip.graph.apply(_Wrapped(op, o.value), tensor_args, NO_PARAMS,
                              expr=ip._here() or cls.name, where=ip._here())
        results.append(node)
    # an output saved with save_for_backward is unpacked in backward as that output, with
    # its grad_fn: backward computed from it records (double backward through it works)
    ctx.saved = tuple(next((r for o, r in zip(outs, results) if v is o), v)
                      for v in ctx.saved)
    if out_tangents:
        for o, t in zip(results, out_tangents):
            ip.forward_ad.set_tangent(o, t)
    return results[0] if single else tuple(results)


def _forward_ad_jvp(ip: "Interpreter", cls: UserClass, ctx: Any, args: list,
                    outs: list) -> list | None:
    """Inside a dual level: the outputs' tangents from the class's jvp(ctx, *tangents)
    (zeros for an input without one)."""
    fw = ip.forward_ad
    tangents = [fw.tangent_of(a) for a in args]
    if all(t is None for t in tangents):
        return None
    try:
        jvp = cls.lookup("jvp")
    except KeyError:
        raise ProgramError("You must implement the jvp function for custom autograd.Function "
                           "to use it with forward mode AD.", "NotImplementedError") from None
    jvp = jvp.fn if isinstance(jvp, StaticMethod) else jvp
    given = [t if t is not None else (ip.constant(np.zeros_like(a.value))
                                      if isinstance(a, Node) else None)
             for a, t in zip(args, tangents)]
    r = ip.call_sync(jvp, [ctx, *given])
    results = list(r) if isinstance(r, (tuple, list)) else [r]
    if len(results) != len(outs):
        raise ProgramError(f"function {cls.name} jvp returned an incorrect number of "
                           f"gradients (expected {len(outs)}, got {len(results)})")
    return [t if isinstance(t, Node) else ip.tensor(t) for t in results]


class _Wrapped:
    """An Op whose forward returns a value already computed (the user's forward)."""

    def __init__(self, op: Op, value: np.ndarray) -> None:
        self._op, self._value = op, value
        self.key, self.grad_fn, self.vjp = op.key, op.grad_fn, op.vjp
        self.differentiable, self.sym = True, None

    def forward(self, *args, **params):
        return np.array(self._value)


def make_dataclass(cls: UserClass) -> UserClass:
    """@dataclass: __init__ from the annotated fields in order (with the class's values as
    defaults), __repr__ as ``Name(a=1, b=2)``, __eq__ field by field."""
    from .dispatch import REQUIRED, bind
    from .nn import NativeMethod

    fields: list[str] = []
    for c in reversed(cls.mro()):  # a base dataclass's fields come first
        for name in c.namespace.get("__annotations__", {}):
            if name not in fields:
                fields.append(name)
    spec = []
    for name in fields:
        try:
            default = cls.lookup(name)
        except KeyError:
            default = REQUIRED
        if default is REQUIRED and spec and spec[-1][1] is not REQUIRED:
            raise ProgramError(f"non-default argument '{name}' follows default argument",
                               "TypeError")
        spec.append((name, default))

    def init(ip, args, kwargs):
        obj = args[0]
        obj.attrs.update(bind("__init__", args[1:], kwargs, spec))
        return None

    def text(ip, args, kwargs):
        obj = args[0]
        inner = ", ".join(f"{k}={ip.printer.repr(obj.attrs.get(k))}" for k in fields)
        return f"{cls.name}({inner})"

    def eq(ip, args, kwargs):
        a, b = args[0], args[1]
        if not isinstance(b, Instance) or b.cls is not a.cls:
            return False
        return all(ip.truth(ip._compare("==", a.attrs.get(k), b.attrs.get(k)))
                   for k in fields)

    for name, fn in (("__init__", init), ("__repr__", text), ("__eq__", eq)):
        if name not in cls.namespace:
            cls.namespace[name] = NativeMethod(f"{cls.name}.{name}", fn)
    return cls


def exception_base(cls: UserClass) -> Any:
    """The Python exception a program's class derives from (class E(ValueError): ...), as
    its ExcType, or None."""
    for c in cls.mro():
        for b in c.bases:
            if type(b).__name__ == "ExcType":
                return b
    return None
