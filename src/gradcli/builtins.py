"""What a lesson program can call besides the op registry: Python's builtins, the torch
functions that are not ops (torch.autograd.grad, torch.no_grad, ...) and the tensor
methods that read or change autograd state (backward, item, zero_, register_hook, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from .dispatch import FUNCTIONS, REQUIRED, NamedPair, bind
from .engine import Node
from .errors import ArgumentError, GradcliError, ProgramError
from .stdlib import SPECIAL_STDLIB
from .serialization import SPECIAL_SERIALIZATION
from .evaluator import DTYPES, DType
from .pyvalues import (Builtin, ContextManager, ExcType, GradMode, Starred, TorchSize, UserFunction,
                       py_error, python_number, type_name)

if TYPE_CHECKING:
    from .lesson import Interpreter

MAX_RANGE_LIST = 10**7


def _print(ip: "Interpreter", args: list, kwargs: dict) -> None:
    sep = kwargs.get("sep", " ")
    end = kwargs.get("end", "\n")
    sep = " " if sep is None else sep
    end = "\n" if end is None else end
    if not isinstance(sep, str) or not isinstance(end, str):
        raise py_error("sep and end must be None or a string")
    ip.write(sep.join(ip.printer.str(a) for a in args) + end)
    return None


def _range(ip, args, kwargs):
    vals = [_index(a) for a in args]
    if not 1 <= len(vals) <= 3:
        raise py_error(f"range expected at most 3 arguments, got {len(vals)}")
    try:
        return range(*vals)
    except ValueError as e:
        raise py_error(str(e), "ValueError") from None


def _index(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, Node) and v.value.size == 1 and v.value.dtype.kind in "iu":
        return int(v.value.reshape(-1)[0])
    raise py_error(f"'{type_name(v)}' object cannot be interpreted as an integer")


def _len(ip, args, kwargs):
    (v,) = args
    if isinstance(v, Node):
        if v.value.ndim == 0:
            raise py_error("len() of a 0-d tensor")
        return v.value.shape[0]
    found, n = ip.dunder(v, "__len__", [])
    if found:
        return n
    try:
        return len(v)
    except TypeError:
        raise py_error(f"object of type '{type_name(v)}' has no len()") from None


def _float(ip, args, kwargs):
    if not args:
        return 0.0
    v = args[0]
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError as e:
            raise py_error(str(e), "ValueError") from None
    v = python_number(v)
    if not isinstance(v, (int, float, bool, np.generic)):
        raise py_error(f"float() argument must be a string or a real number, not "
                       f"'{type_name(v)}'")
    return float(v)


def _int(ip, args, kwargs):
    if not args:
        return 0
    v = args[0]
    if isinstance(v, str):
        try:
            return int(v)
        except ValueError as e:
            raise py_error(str(e), "ValueError") from None
    v = python_number(v)
    try:
        return int(v)
    except (ValueError, OverflowError, TypeError) as e:
        raise py_error(str(e), type(e).__name__) from None


def _bool(ip, args, kwargs):
    return ip.truth(args[0]) if args else False


def _str(ip, args, kwargs):
    return ip.printer.str(args[0]) if args else ""


def _repr(ip, args, kwargs):
    return ip.printer.repr(args[0])


def _abs(ip, args, kwargs):
    (v,) = args
    if isinstance(v, Node):
        return FUNCTIONS["abs"](ip, "abs", [v], {})
    return abs(v)


def _round(ip, args, kwargs):
    v = args[0]
    nd = args[1] if len(args) > 1 else kwargs.get("ndigits")
    if isinstance(v, Node):
        return FUNCTIONS["round"](ip, "round", [v], {})
    return round(v) if nd is None else round(v, nd)


def _sum(ip, args, kwargs):
    items = _consumed(ip, args[0])
    total = args[1] if len(args) > 1 else kwargs.get("start", 0)
    for x in items:
        total = ip._binary("+", total, x)
    return total


def _extreme(which: str):
    def fn(ip, args, kwargs):
        if len(args) == 1:
            items = _materialized(ip, args[0])
        else:
            items = list(args)
        if isinstance(args[0], Node) and len(args) == 1:
            items = _materialized(ip, args[0])
        if not items:
            if "default" in kwargs:
                return kwargs["default"]
            raise py_error(f"{which}() arg is an empty sequence", "ValueError")
        key = kwargs.get("key")
        best, best_k = items[0], ip.call_sync(key, [items[0]]) if key else items[0]
        for x in items[1:]:
            k = ip.call_sync(key, [x]) if key else x
            better = ip._compare("<" if which == "min" else ">", k, best_k)
            if ip.truth(better):
                best, best_k = x, k
        return best
    return fn


def _enumerate(ip, args, kwargs):
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    return enumerate(ip.iterate(args[0]), start)


def _zip(ip, args, kwargs):
    return zip(*(ip.iterate(a) for a in args))


def _list(ip, args, kwargs):
    if not args:
        return []
    return _bounded(_materialized(ip, args[0]))


def _tuple(ip, args, kwargs):
    if not args:
        return ()
    v = args[0]
    if isinstance(v, TorchSize):
        return tuple(v)
    return tuple(_bounded(_materialized(ip, v)))


def _consumed(ip, v: Any) -> Iterator:
    """The items of `v` for a builtin that runs through them (sum, max, sorted, list, ...):
    every 16 items count as one statement of the lesson's --max-steps budget, so that
    sum(range(10**12)) stops like an endless loop instead of running for hours."""
    from .errors import LimitError

    budget = ip.max_steps
    for k, x in enumerate(ip.iterate(v), 1):
        if not k & 15:
            ip.steps += 1
            if ip.steps > budget:
                raise LimitError(f"the program ran more than {budget:,} statements (a builtin "
                                 "going through its items counts one per 16)",
                                 hint="raise the budget with --max-steps")
        yield x


def _materialized(ip, v: Any) -> list:
    """The items of `v` as a list, refusing a range too long to hold before making it."""
    if isinstance(v, range) and len(v) > MAX_RANGE_LIST:
        raise ProgramError("the list would be too long", "MemoryError")
    return list(_consumed(ip, v))


def _bounded(items: list) -> list:
    if len(items) > MAX_RANGE_LIST:
        raise ProgramError("the list would be too long", "MemoryError")
    return items


def _dict(ip, args, kwargs):
    out = dict(args[0]) if args else {}
    out.update(kwargs)
    return out


def _set(ip, args, kwargs):
    return set(_consumed(ip, args[0])) if args else set()


def _sorted(ip, args, kwargs):
    items = _materialized(ip, args[0])
    ip._py_method(items, "sort", [], kwargs)
    return items


def _reversed(ip, args, kwargs):
    v = args[0]
    if isinstance(v, (list, tuple, range, str)):
        return reversed(v)
    return reversed(_materialized(ip, v))


def _map(ip, args, kwargs):
    fn, *its = args
    return iter([ip.call_sync(fn, list(t)) for t in zip(*(ip.iterate(i) for i in its))])


def _filter(ip, args, kwargs):
    fn, it = args
    return iter([x for x in ip.iterate(it)
                 if ip.truth(x if fn is None else ip.call_sync(fn, [x]))])


def _any(ip, args, kwargs):
    return any(ip.truth(x) for x in _consumed(ip, args[0]))


def _all(ip, args, kwargs):
    return all(ip.truth(x) for x in _consumed(ip, args[0]))


def _isinstance(ip, args, kwargs):
    v, kinds = args
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    for k in kinds:
        if type(k).__name__ == "UserClass":
            if type(v).__name__ == "Instance" and k in v.cls.mro():
                return True
            continue
        name = k.name if isinstance(k, Builtin) else getattr(k, "path", None)
        if name in ("float",) and isinstance(v, float):
            return True
        if name == "int" and isinstance(v, int) and not isinstance(v, bool):
            return True
        if name == "bool" and isinstance(v, bool):
            return True
        if name == "str" and isinstance(v, str):
            return True
        if name == "list" and isinstance(v, list):
            return True
        if name == "tuple" and isinstance(v, tuple):
            return True
        if name == "dict" and isinstance(v, dict):
            return True
        if name in ("torch.Tensor", "Tensor") and isinstance(v, Node):
            return True
        if name in ("torch.nn.Parameter", "torch.nn.parameter.Parameter") and \
                isinstance(v, Node) and id(v) in ip.parameters:
            return True
        if name in ("torch.autograd.graph.Node", "torch.autograd.Function") and \
                type(v).__name__ in ("GradFn", "AccumulateGrad"):
            return True
    return False


def _hash(ip, args):
    if len(args) != 1:
        raise py_error(f"hash() takes exactly one argument ({len(args)} given)")
    v = ip._hashable(args[0])
    try:
        return hash(v)
    except TypeError as e:
        raise py_error(str(e)) from None


def _issubclass(ip, args, kwargs):
    if len(args) != 2:
        raise py_error(f"issubclass expected 2 arguments, got {len(args)}")
    c, kinds = args
    if type(c).__name__ != "UserClass":
        raise py_error("issubclass() arg 1 must be a class")
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    return any(type(k).__name__ == "UserClass" and k in c.mro() for k in kinds)


def _type(ip, args, kwargs):
    v = args[0]
    if isinstance(v, Node):
        return TypeName("torch.nn.parameter.Parameter" if id(v) in ip.parameters
                        else "torch.Tensor")
    kind = type(v).__name__
    if kind == "GradFn":
        return TypeName(v.name)
    if kind == "AccumulateGrad":
        return TypeName("AccumulateGrad")
    if kind == "Instance":
        return v.cls
    if isinstance(v, np.ndarray):
        return TypeName("numpy.ndarray")
    if isinstance(v, np.generic):
        return TypeName(f"numpy.{type(v).__name__}")
    if kind == "ExcValue":
        return ExcType(v.type)
    if hasattr(type(v), "repr_with"):  # a named tuple: torch.return_types.max, ...
        return TypeName(v.kind)
    name = type_name(v)
    return ip.builtins[name] if name in PY_TYPES else TypeName(name)


PY_TYPES = {"float", "int", "str", "bool", "list", "tuple", "dict", "set"}


class TypeName:
    """What type(v) gives for values that are not Python's own types."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TypeName) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


def _format(ip, args, kwargs):
    from .pyvalues import format_value
    return format_value(ip.printer, args[0], args[1] if len(args) > 1 else "", None)


def _pow(ip, args, kwargs):
    return ip._binary("**", args[0], args[1])


def _divmod(ip, args, kwargs):
    return (ip._binary("//", args[0], args[1]), ip._binary("%", args[0], args[1]))


def _next(ip, args, kwargs):
    it = args[0]
    try:
        return next(it)
    except StopIteration:
        if len(args) > 1:
            return args[1]
        raise ProgramError("", "StopIteration") from None
    except TypeError:
        raise py_error(f"'{type_name(it)}' object is not an iterator") from None


def _iter(ip, args, kwargs):
    return ip.iterate(args[0])


def _callable(ip, args, kwargs):
    from .pyvalues import BoundMethod
    return isinstance(args[0], (UserFunction, Builtin, BoundMethod, ExcType))


def _hasattr(ip, args, kwargs):
    obj, name = args
    if isinstance(obj, Node):
        return name in ("grad", "grad_fn", "data", "shape", "dtype", "requires_grad",
                        "is_leaf") or name in FUNCTIONS or name in TENSOR_METHODS
    try:
        ip.attribute(obj, _attr_name("hasattr", name))
    except GradcliError as e:
        if getattr(e, "pytype", None) == "AttributeError":
            return False
        raise
    return True


def _attr_name(fn: str, name: Any) -> str:
    if not isinstance(name, str):
        raise py_error(f"{fn}(): attribute name must be string, not '{type_name(name)}'")
    return name


def _getattr(ip, args, kwargs):
    if len(args) not in (2, 3):
        raise py_error(f"getattr expected 2 or 3 arguments, got {len(args)}")
    name = _attr_name("getattr", args[1])
    try:
        return ip.attribute(args[0], name)
    except GradcliError as e:
        if len(args) == 3 and getattr(e, "pytype", None) == "AttributeError":
            return args[2]
        raise


def _setattr_builtin(ip, args, kwargs):
    if len(args) != 3:
        raise py_error(f"setattr expected 3 arguments, got {len(args)}")
    ip._setattr(args[0], _attr_name("setattr", args[1]), args[2])
    return None


def _delattr(ip, args, kwargs):
    if len(args) != 2:
        raise py_error(f"delattr expected 2 arguments, got {len(args)}")
    obj, name = args[0], _attr_name("delattr", args[1])
    attrs = getattr(obj, "attrs", None)
    if not isinstance(attrs, dict) or name not in attrs:
        raise ProgramError(f"'{type_name(obj)}' object has no attribute '{name}'",
                           "AttributeError")
    del attrs[name]
    return None


PYTHON = {
    "print": _print, "range": _range, "len": _len, "float": _float, "int": _int,
    "bool": _bool, "str": _str, "repr": _repr, "abs": _abs, "round": _round, "sum": _sum,
    "min": _extreme("min"), "max": _extreme("max"), "enumerate": _enumerate, "zip": _zip,
    "list": _list, "tuple": _tuple, "dict": _dict, "set": _set, "sorted": _sorted,
    "reversed": _reversed, "map": _map, "filter": _filter, "any": _any, "all": _all,
    "isinstance": _isinstance, "issubclass": _issubclass, "type": _type,
    "hash": lambda ip, a, k: _hash(ip, a), "format": _format, "pow": _pow,
    "divmod": _divmod, "next": _next, "iter": _iter, "callable": _callable,
    "hasattr": _hasattr, "staticmethod": lambda ip, a, k: a[0],
    "getattr": _getattr, "setattr": _setattr_builtin, "delattr": _delattr,
    "id": lambda ip, a, k: _identity(a[0]),
    "super": lambda ip, a, k: _super(ip, a),
    "display": lambda ip, a, k: _print(ip, [ip.printer.repr(v) for v in a], {}),
    "classmethod": lambda ip, a, k: _wrapped_method("ClassMethod", a),
    "property": lambda ip, a, k: _wrapped_method("Property", a),
    "input": lambda ip, a, k: _no_input(),
}


def _no_input():
    raise ProgramError("input(): a lesson run by gradcli reads no keyboard input (its "
                       "standard input is not the program's)", "RuntimeError")


def _super(ip, args):
    """super() in a method: the class that defined the method, and its first argument."""
    from .classes import Super

    if len(args) == 2:
        return Super(args[0], args[1])
    f = ip._frame
    fn = getattr(f, "fn", None)
    if not isinstance(fn, UserFunction) or fn.owner is None or not fn.params:
        raise ProgramError("super(): no arguments", "RuntimeError")
    return Super(fn.owner, f.scope.get(fn.params[0].name))


def _identity(v: Any) -> int:
    """id(v): for a tensor, the identity of its memory (what lessons compare to show that
    an in-place op keeps it); for other values, the object's."""
    if isinstance(v, Node):
        return int(v.value.__array_interface__["data"][0]) if v.value.size else id(v)
    return id(v)


def _pprint(ip, args, kwargs):
    return _print(ip, [ip.printer.repr(args[0])] if args else [], {})


class _PrettyPrinter:
    """pprint.PrettyPrinter(): its pprint(v) prints v's repr."""


def make(ip: "Interpreter") -> dict:
    out: dict[str, Any] = {name: Builtin(name, fn) for name, fn in PYTHON.items()}
    for name in ExcType.PARENTS:
        out[name] = ExcType(name)
    out["Exception"] = ExcType("Exception")
    out["__name__"] = "__main__"
    return out


# ------------------------------------------------------------------------ torch functions


def _grad_mode(enabled: bool, inference: bool = False):
    def fn(ip, args, kwargs):
        if inference and args and not python_number(args[0]):
            return GradMode(ip.graph.grad_enabled)  # inference_mode(False): no change
        return GradMode(enabled, inference)
    return fn


def _set_grad_enabled(ip, args, kwargs):
    p = bind("set_grad_enabled", args, kwargs, [("mode", REQUIRED)])
    mode = GradMode(bool(p["mode"]))
    # a function call as well as a context manager: it takes effect at once
    mode.saved.append(ip.mode_state())
    ip.graph.grad_enabled = mode.enabled
    return mode


def _is_grad_enabled(ip, args, kwargs):
    return ip.graph.grad_enabled


def _manual_seed(ip, args, kwargs):
    p = bind("manual_seed", args, kwargs, [("seed", REQUIRED)])
    seed = python_number(p["seed"])
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise py_error(f"manual_seed expected an int, got {type_name(seed)}")
    try:
        ip.random.manual_seed(seed)
    except (ValueError, OverflowError) as e:
        raise ProgramError(str(e)) from None
    return _GeneratorValue()


class _GeneratorValue:
    """What torch.manual_seed returns (a torch._C.Generator); lessons ignore it."""


def _initial_seed(ip, args, kwargs):
    return ip.torch_random.initial_seed()


def _random_tensor(kind: str):
    """torch.randint / normal / randperm with PyTorch's generator."""
    def fn(ip, args, kwargs):
        g = _generator_of(ip, kwargs.get("generator"))
        own = {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad",
                                                            "device", "generator")}
        dt = kwargs.get("dtype")
        if kind == "randint":
            if len(args) >= 3 or (len(args) == 2 and isinstance(args[1], (tuple, list))):
                low, high, size = (args[0], args[1], args[2]) if len(args) >= 3 else \
                    (0, args[0], args[1])
            else:
                p = bind("randint", args, own, [("low", 0), ("high", REQUIRED),
                                                ("size", REQUIRED)])
                low, high, size = p["low"], p["high"], p["size"]
            size = tuple(size)
            ip.graph.check_size(size, "randint")
            value = g.randint(int(low), int(high), size,
                              "int64" if dt is None else dt.np.name)
        elif kind == "randperm":
            p = bind("randperm", args, own, [("n", REQUIRED)])
            n = int(p["n"])
            ip.graph.check_size((n,), "randperm")
            value = g.randperm(n, "int64" if dt is None else dt.np.name)
        else:
            p = bind("normal", args, own, [("mean", 0.0), ("std", 1.0), ("size", None)])
            mean, std = p["mean"], p["std"]
            mv = mean.value if isinstance(mean, Node) else mean
            sv = std.value if isinstance(std, Node) else std
            size = None if p["size"] is None else tuple(p["size"])
            if size is not None:
                ip.graph.check_size(size, "normal")
            dtype = dt.np if dt is not None else (
                np.result_type(*(v.dtype for v in (mv, sv) if isinstance(v, np.ndarray)))
                if any(isinstance(v, np.ndarray) for v in (mv, sv)) else ip.graph.dtype)
            value = g.normal(mv, sv, size, dtype)
        node = ip.constant(np.asarray(value))
        if kwargs.get("requires_grad"):
            node.requires_grad = True
        return node
    return fn


def _random_like(kind: str):
    def fn(ip, args, kwargs):
        x = ip.tensor(args[0])
        dt = kwargs.get("dtype")
        dtype = dt.np if dt is not None else x.value.dtype
        value = ip.torch_random.randn(x.value.shape, dtype) if kind == "randn" else \
            ip.torch_random.rand(x.value.shape, dtype)
        node = ip.constant(value)
        if kwargs.get("requires_grad"):
            node.requires_grad = True
        return node
    return fn


def _tensors(v: Any, what: str) -> list:
    if isinstance(v, Node):
        return [v]
    if hasattr(v, "__next__"):  # a generator such as model.parameters()
        v = list(v)
    if isinstance(v, (list, tuple)):
        for x in v:
            if not isinstance(x, Node):
                raise py_error(f"{what}: expected a Tensor or a sequence of Tensors, got "
                               f"{type_name(x)}")
        return list(v)
    raise py_error(f"{what}: expected a Tensor or a sequence of Tensors, got {type_name(v)}")


def _autograd_grad(ip, args, kwargs):
    p = bind("grad", args, kwargs, [("outputs", REQUIRED), ("inputs", REQUIRED),
                                     ("grad_outputs", None), ("retain_graph", None),
                                     ("create_graph", False), ("only_inputs", True),
                                     ("allow_unused", None), ("is_grads_batched", False),
                                     ("materialize_grads", False)])
    outputs = _tensors(p["outputs"], "grad")
    inputs = _tensors(p["inputs"], "grad")
    gos = p["grad_outputs"]
    gos = [None] * len(outputs) if gos is None else (
        [gos] if isinstance(gos, Node) else list(gos))
    for x in inputs:
        if not x.requires_grad:
            raise ProgramError("One of the differentiated Tensors does not require grad")
    if p["is_grads_batched"]:
        return _batched_grads(ip, p, outputs, inputs, gos)
    result = ip.backward(outputs, gos, retain_graph=p["retain_graph"],
                         create_graph=bool(p["create_graph"]), kind="autograd.grad",
                         inputs=inputs, allow_unused=bool(p["allow_unused"])
                         or bool(p["materialize_grads"]))
    if p["materialize_grads"]:
        result = tuple(ip.constant(np.zeros_like(x.value)) if g is None else g
                       for g, x in zip(result, inputs))
    return result


def _batched_grads(ip, p: dict, outputs: list, inputs: list, gos: list) -> tuple:
    """autograd.grad(..., is_grads_batched=True): the first dim of each grad_output is a
    batch; the result stacks one pass per batch entry (what PyTorch's vmap computes)."""
    sizes = set()
    for i, (o, go) in enumerate(zip(outputs, gos)):
        shape = None if go is None else tuple(ip.tensor(go).value.shape)
        if shape is None or shape[1:] != o.value.shape:
            got = "torch.Size([])" if shape is None else f"torch.Size({list(shape[1:])})"
            raise ProgramError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions "
                "are expected to match the shape of corresponding output, but a mismatch "
                f"was detected: grad_output[{i}] has a shape of {got} and output[{i}] has a "
                f"shape of torch.Size({list(o.value.shape)}). If you only want some tensors "
                "in `grad_output` to be considered batched, consider using vmap.")
        sizes.add(shape[0])
    if len(sizes) != 1:
        raise ProgramError("If `is_grads_batched=True`, every grad_output must have the same "
                           "size in its first (batch) dimension")
    batch = sizes.pop()
    gos = [ip.tensor(go) for go in gos]
    per_input: list[list] = [[] for _ in inputs]
    for b in range(batch):
        last = b == batch - 1
        seeds = [ip.constant(np.asarray(go.value[b], dtype=o.value.dtype))
                 for go, o in zip(gos, outputs)]
        res = ip.backward(outputs, seeds, retain_graph=True if not last else p["retain_graph"],
                          create_graph=bool(p["create_graph"]), kind="autograd.grad",
                          inputs=inputs, allow_unused=bool(p["allow_unused"])
                          or bool(p["materialize_grads"]))
        for lst, g, x in zip(per_input, res, inputs):
            lst.append(ip.constant(np.zeros_like(x.value)) if g is None else g)
    return tuple(FUNCTIONS["stack"](ip, "stack", [lst], {}) for lst in per_input)


def _autograd_backward(ip, args, kwargs):
    p = bind("backward", args, kwargs, [("tensors", REQUIRED), ("grad_tensors", None),
                                         ("retain_graph", None), ("create_graph", False),
                                         ("grad_variables", None), ("inputs", None)])
    roots = _tensors(p["tensors"], "backward")
    gs = p["grad_tensors"]
    gs = [None] * len(roots) if gs is None else ([gs] if isinstance(gs, Node) else list(gs))
    return ip.backward(roots, gs, retain_graph=p["retain_graph"],
                       create_graph=bool(p["create_graph"]))


def _functional(which: str):
    def fn(ip, args, kwargs):
        p = bind(which, args, kwargs, [("func", REQUIRED), ("inputs", REQUIRED),
                                       ("v", None), ("create_graph", False),
                                       ("strict", False), ("vectorize", False),
                                       ("strategy", "reverse-mode"), ("outer_jacobian_strategy",
                                                                      "reverse-mode")])
        return _jacobian_like(ip, which, p["func"], p["inputs"], p["v"],
                              bool(p["create_graph"]))
    return fn


def _jacobian_like(ip, which: str, func: Any, inputs: Any, v: Any, create_graph: bool) -> Any:
    """torch.autograd.functional.jacobian/hessian/vjp/jvp by reverse passes; with
    create_graph the results are graph nodes (stacked rows, viewed into shape, as PyTorch
    builds them)."""
    single = isinstance(inputs, Node)
    xs = [inputs] if single else list(inputs)
    if create_graph:
        leaves = [x if x.requires_grad else
                  ip.graph.leaf(x.value, requires_grad=True, expr="input") for x in xs]
    else:
        leaves = [ip.graph.leaf(np.array(x.value), requires_grad=True, expr="input")
                  for x in xs]
    was = ip.graph.grad_enabled
    ip.graph.grad_enabled = True
    try:
        out = ip.call_sync(func, list(leaves))
        if not isinstance(out, Node):
            raise py_error(f"{which}: the function must return a Tensor")
        if which == "hessian":
            if out.value.size != 1:
                raise ProgramError("The function given to hessian should return a single "
                                   "element Tensor")
            grads = ip.backward([out], [None], retain_graph=True, create_graph=True,
                                kind="autograd.grad", inputs=leaves, allow_unused=True)
            rows = [tuple(_jac(ip, gi, xj, xi.value.shape, create_graph) for xj in leaves)
                    for gi, xi in zip(grads, leaves)]
            return rows[0][0] if single else tuple(rows)
        if which in ("hvp", "vhp"):
            if out.value.size != 1:
                raise ProgramError(f"The Tensor returned by the function given to {which} "
                                   "should contain a single element")
            grads = ip.backward([out], [None], retain_graph=True, create_graph=True,
                                kind="autograd.grad", inputs=leaves, allow_unused=True)
            vs = [v] if isinstance(v, Node) else list(v)
            total = None
            for g, vv in zip(grads, vs):
                if g is not None and g.requires_grad:
                    term = FUNCTIONS["sum"](ip, "sum", [ip._binary("*", g, vv)], {})
                    total = term if total is None else ip._binary("+", total, term)
            if total is None:
                hv = tuple(ip.constant(np.zeros_like(x.value)) for x in leaves)
            else:
                hv = ip.backward([total], [None], retain_graph=True, create_graph=create_graph,
                                 kind="autograd.grad", inputs=leaves, allow_unused=True)
                hv = tuple(ip.constant(np.zeros_like(x.value)) if g is None else g
                           for g, x in zip(hv, leaves))
            return (_detached(ip, out, create_graph), hv[0] if single else hv)
        if which == "vjp":
            vv = np.ones_like(out.value) if v is None else (
                v.value if isinstance(v, Node) else np.asarray(v, dtype=out.value.dtype))
            gs = ip.backward([out], [ip.constant(vv)], retain_graph=True,
                             create_graph=create_graph, kind="autograd.grad", inputs=leaves,
                             allow_unused=True)
            gs = tuple(ip.constant(np.zeros_like(x.value)) if g is None else g
                       for g, x in zip(gs, leaves))
            return (_detached(ip, out, create_graph), gs[0] if single else gs)
        blocks = [_jac(ip, out, x, out.value.shape, create_graph) for x in leaves]
        if which == "jvp":
            tv = [v] if isinstance(v, Node) else list(v or [])
            total = np.zeros(out.value.shape)
            for b, x, t in zip(blocks, leaves, tv):
                total = total + np.tensordot(b.value, t.value, axes=x.value.ndim)
            return (_detached(ip, out, create_graph),
                    ip.constant(total.astype(out.value.dtype)))
        return blocks[0] if single else tuple(blocks)
    finally:
        ip.graph.grad_enabled = was


def _functional_call(ip, args, kwargs):
    """torch.func.functional_call(module, parameter_and_buffer_dicts, args, kwargs=None):
    the module called with the named tensors in place of its own, which come back
    afterwards."""
    p = bind("functional_call", args, kwargs, [("module", REQUIRED),
                                               ("parameter_and_buffer_dicts", REQUIRED),
                                               ("args", ()), ("kwargs", None),
                                               ("tie_weights", True), ("strict", False)])
    module, tensors = p["module"], p["parameter_and_buffer_dicts"]
    if isinstance(tensors, (tuple, list)):
        merged: dict = {}
        for d in tensors:
            merged.update(d)
        tensors = merged
    if not isinstance(tensors, dict):
        raise py_error("functional_call: parameter_and_buffer_dicts must be a dict")
    swapped = []
    try:
        for name, value in tensors.items():
            *path, last = str(name).split(".")
            owner = module
            for part in path:
                owner = ip.attribute(owner, part)
            attrs = getattr(owner, "attrs", None)
            if not isinstance(attrs, dict):
                raise ProgramError(f"'{type_name(owner)}' object has no attribute '{last}'",
                                   "AttributeError")
            swapped.append((attrs, last, attrs.get(last, _MISSING)))
            attrs[last] = value
        call_args = p["args"]
        call_args = list(call_args) if isinstance(call_args, tuple) else [call_args]
        return ip.call_sync(module, call_args, dict(p["kwargs"] or {}))
    finally:
        for attrs, last, old in reversed(swapped):
            if old is _MISSING:
                attrs.pop(last, None)
            else:
                attrs[last] = old


_MISSING = object()


def _argnums(argnums: Any) -> tuple[bool, list]:
    """A transform's argnums: whether it was a tuple, and the positions as a list."""
    many = isinstance(argnums, tuple)
    nums = list(argnums) if many else [argnums]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in nums):
        raise py_error(f"argnums must be int or Tuple[int, ...], got: {type_name(argnums)}")
    return many, nums


def _swap_halves(v: np.ndarray, nd: int) -> np.ndarray:
    """A Jacobian of shape x.shape + x.shape with its two halves of dims swapped."""
    return np.ascontiguousarray(np.transpose(v, tuple(range(nd, 2 * nd)) + tuple(range(nd))))


def _split_aux(res: Any, who: str) -> tuple:
    """(output, aux) of a function given to a transform with has_aux=True."""
    if not isinstance(res, tuple) or len(res) != 2:
        raise py_error(f"{who}: output of function f should be a tuple: (output, aux) if "
                       "has_aux is True")
    return res


def _flat(v: Any) -> tuple[list, Any]:
    """A torch.func argument's tensors and how to put results back in its shape: a
    tensor, or a dict, list or tuple of tensors (one level, as parameter dicts are)."""
    if isinstance(v, Node):
        return [v], None
    if isinstance(v, dict) and all(isinstance(x, Node) for x in v.values()):
        return list(v.values()), ("dict", list(v.keys()), type(v))
    if isinstance(v, (list, tuple)) and all(isinstance(x, Node) for x in v):
        return list(v), ("seq", type(v))
    raise py_error(f"grad(f)(*args): expected the differentiated argument to be a Tensor or a "
                   f"dict, list or tuple of Tensors, got {type_name(v)}")


def _unflat(spec: Any, items: list) -> Any:
    if spec is None:
        return items[0]
    if spec[0] == "dict":
        out = spec[2]() if spec[2] is not dict else {}
        for k, v in zip(spec[1], items):
            out[k] = v
        return out
    return spec[1](items)


def _func_grad(ip, args, kwargs):
    """torch.func.grad(f, argnums=0, has_aux=False): a function giving f's gradient with
    respect to the argnums arguments (each a tensor or a dict/list/tuple of tensors, the
    gradient in the same shape); nested, grad(grad(f)) gives the second derivative."""
    p = bind("grad", args, kwargs, [("func", REQUIRED), ("argnums", 0), ("has_aux", False)])
    func, argnums, has_aux = p["func"], p["argnums"], bool(p["has_aux"])
    many, nums = _argnums(argnums)

    def call(ip2, a, k):
        a = list(a)
        for n in nums:
            if not -len(a) <= n < len(a):
                raise py_error(f"grad(f)(*args): Got argnums={argnums}, but only {len(a)} "
                               "positional inputs")
        specs, leaves, outer = [], [], []
        for n in nums:
            items, spec = _flat(a[n])
            made = []
            for x in items:
                outer.append(x.requires_grad)
                made.append(x if x.requires_grad else
                            ip.graph.leaf(x.value, requires_grad=True, expr="input"))
            a[n] = _unflat(spec, made)
            specs.append((spec, len(made)))
            leaves += made
        was = ip.graph.grad_enabled
        ip.graph.grad_enabled = True
        try:
            res = ip.call_sync(func, a, k)
            aux = None
            if has_aux:
                res, aux = _split_aux(res, "grad_and_value(f)(*args)")
            if not isinstance(res, Node) or res.value.size != 1:
                raise ProgramError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   "scalar Tensor")
            # a graph of the gradient only where an outer transform needs one (nested
            # grad, or inputs that require grad)
            # an output that does not depend on the inputs has zero gradients (torch.func)
            gs = ip.backward([res], [None], retain_graph=True, create_graph=any(outer),
                             kind="autograd.grad", inputs=leaves, allow_unused=True) \
                if res.requires_grad else [None] * len(leaves)
        finally:
            ip.graph.grad_enabled = was
        done = []
        for g, x, o in zip(gs, leaves, outer):
            if g is None:
                g = ip.constant(np.zeros_like(x.value))
            done.append(g if o else ip.constant(g.value.copy()))
        out, i = [], 0
        for spec, count in specs:
            out.append(_unflat(spec, done[i:i + count]))
            i += count
        grads = tuple(out) if many else out[0]
        if isinstance(aux, Node):  # the auxiliary output comes back detached
            aux = _detached(ip, aux, False)
        return (grads, aux) if has_aux else grads
    return Builtin("torch.func.grad(f)", call)


def _func_transform(ip, args, kwargs, which: str):
    """torch.func.jacrev/jacfwd/hessian(f, argnums=0, has_aux=False): a function giving
    f's Jacobian (or Hessian) with respect to the argnums arguments (a tuple of them for a
    tuple of argnums), and f's auxiliary output with has_aux."""
    p = bind("jacrev", args, kwargs, [("func", REQUIRED), ("argnums", 0), ("has_aux", False)])
    func, argnums, has_aux = p["func"], p["argnums"], bool(p["has_aux"])
    many, nums = _argnums(argnums)
    if has_aux and which == "hessian":
        raise ArgumentError("torch.func.hessian: has_aux=True is not supported")

    def call(ip2, a, k):
        a = list(a)
        for n in nums:
            if not -len(a) <= n < len(a) or not isinstance(a[n], Node):
                raise py_error(f"jacrev(f)(*args): Got argnums={argnums}, but only {len(a)} "
                               "positional inputs")
        pos = [n % len(a) for n in nums]
        aux: list = []

        def only(ip3, xs, kw):
            full = list(a)
            for n, x in zip(pos, xs):
                full[n] = x
            r = ip.call_sync(func, full, k)
            if has_aux:
                r, extra = _split_aux(r, "jacrev(f, ...)(*args)")
                aux.append(extra)
            return r
        inputs = tuple(a[n] for n in pos) if many else a[pos[0]]
        # nested transforms (jacrev(jacrev(f))) need the inner result as a graph
        nested = any(a[n].requires_grad for n in pos)
        jac = _jacobian_like(ip, "jacobian" if which == "jacfwd" else which,
                             Builtin("f", only), inputs, None, nested)
        if which == "hessian" and not many and isinstance(jac, Node) and not jac.requires_grad:
            # torch.func.hessian is jacfwd(jacrev(f)): the transpose of reverse over
            # reverse, the same numbers (a Hessian is symmetric) with forward mode's signs
            # of zero
            jac = ip.constant(_swap_halves(jac.value, a[pos[0]].value.ndim))
        if which == "jacfwd" and not nested:
            # forward mode gives the same numbers with its own signs of zero; where an
            # inner transform hides the tangents (jacfwd(jacrev(f))) reverse mode's stand
            aux.clear()
            fwd = _jacfwd(ip, Builtin("f", only), [a[n] for n in pos])
            rev = list(jac) if many else [jac]
            if all(f.value.shape == r.value.shape and np.allclose(
                    f.value, r.value, rtol=1e-6, atol=1e-12, equal_nan=True)
                   for f, r in zip(fwd, rev)):
                jac = tuple(fwd) if many else fwd[0]
            elif not many and rev[0].value.ndim == 2 * a[pos[0]].value.ndim:
                # forward over an inner reverse transform (jacfwd(jacrev(f))): reverse mode
                # gave the numbers; a symmetric result (a Hessian) takes forward mode's
                # signs of zero by transposing
                v = rev[0].value
                t = _swap_halves(v, a[pos[0]].value.ndim)
                if t.shape == v.shape and np.array_equal(t, v, equal_nan=True):
                    jac = ip.constant(t)
        if not has_aux:
            return jac
        extra = aux[0]
        return jac, (_detached(ip, extra, False) if isinstance(extra, Node) else extra)
    return Builtin("torch.func.jacrev(f)", call)


def _jacfwd(ip, func: Any, xs: list) -> list:
    """jacfwd: one forward-mode pass per input element (a one-hot tangent), the
    Jacobian's columns as PyTorch's vmapped jvp computes them (signed zeros included)."""
    base = [ip.constant(np.array(x.value)) for x in xs]
    zeros = [np.zeros_like(x.value) for x in xs]
    blocks = []
    for i, x in enumerate(xs):
        cols = []
        for k in range(x.value.size):
            t = [ip.constant(z) for z in zeros]
            one = np.zeros(x.value.size, dtype=x.value.dtype)
            one[k] = 1
            t[i] = ip.constant(one.reshape(x.value.shape))
            _, tan = ip.forward_ad.func_jvp(ip, [func, tuple(base), tuple(t)], {})
            if not isinstance(tan, Node):
                raise py_error("jacfwd: the function must return a Tensor")
            cols.append(np.array(tan.value))
        shape = cols[0].shape + x.value.shape if cols else x.value.shape
        block = np.stack(cols, axis=-1).reshape(shape) if cols else np.zeros(shape)
        blocks.append(ip.constant(block.astype(x.value.dtype)))
    return blocks


def _linearize(ip, args, kwargs):
    """torch.func.linearize(func, *primals): (func(*primals), jvp_fn), jvp_fn(*tangents)
    giving the Jacobian-vector product at the primals (a forward-mode pass per call)."""
    if not args:
        raise py_error("linearize() missing required argument 'func'")
    func, primals = args[0], tuple(ip.tensor(x) for x in args[1:])
    out, _ = ip.forward_ad.func_jvp(ip, [func, primals, tuple(
        ip.constant(np.zeros_like(x.value)) for x in primals)], {})

    def jvp_fn(ip2, a, k):
        if len(a) != len(primals):
            raise py_error(f"jvp_fn: expected {len(primals)} tangents, got {len(a)}")
        _, t = ip.forward_ad.func_jvp(ip, [func, primals, tuple(ip.tensor(v) for v in a)], {})
        return t
    return out, Builtin("jvp_fn", jvp_fn)


def _func_vjp(ip, args, kwargs):
    """torch.func.vjp(func, *primals, has_aux=False): (func(*primals), vjp_fn[, aux]);
    func may return a tensor or a dict, list or tuple of tensors, and vjp_fn takes
    cotangents of the same shape and gives the pullback to each primal, as a tuple."""
    if not args:
        raise py_error("vjp() missing required argument 'func'")
    has_aux = bool(kwargs.pop("has_aux", False))
    if kwargs:
        raise py_error(f"vjp() got an unexpected keyword argument '{next(iter(kwargs))}'")
    func, primals = args[0], list(args[1:])
    leaves = [ip.graph.leaf(np.array(ip.tensor(x).value), requires_grad=True, expr="primal")
              for x in primals]
    was = ip.graph.grad_enabled
    ip.graph.grad_enabled = True
    try:
        res = ip.call_sync(func, list(leaves))
    finally:
        ip.graph.grad_enabled = was
    aux = None
    if has_aux:
        res, aux = _split_aux(res, "vjp(f, *primals)")
    outs, spec = _flat(res)

    def vjp_fn(ip2, a, k):
        if len(a) != 1:
            raise py_error(f"vjp_fn() takes 1 cotangent ({len(a)} given)")
        cot = a[0]
        cots, cspec = _flat(cot if not isinstance(cot, (int, float)) else ip.tensor(cot))
        if len(cots) != len(outs) or (spec is None) != (cspec is None):
            raise py_error("Expected pytree structure of cotangents to be the same as "
                           "pytree structure of outputs to the function.", "RuntimeError")
        for i, (c, o) in enumerate(zip(cots, outs)):
            if c.value.shape != o.value.shape:
                raise ProgramError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"torch.Size({list(c.value.shape)}) and output[{i}] has "
                                   f"a shape of torch.Size({list(o.value.shape)}).")
        pairs = [(o, c) for o, c in zip(outs, cots) if o.requires_grad]
        if not pairs:
            return tuple(ip.constant(np.zeros_like(x.value)) for x in leaves)
        grads = ip.backward([o for o, _ in pairs], [c for _, c in pairs], retain_graph=True,
                            create_graph=False, kind="autograd.grad", inputs=leaves,
                            allow_unused=True)
        return tuple(ip.constant(np.zeros_like(x.value)) if g is None else
                     ip.constant(np.array(g.value)) for g, x in zip(grads, leaves))
    primal_out = _unflat(spec, [ip.constant(np.array(o.value)) for o in outs])
    if has_aux:
        return primal_out, Builtin("vjp_fn", vjp_fn), aux
    return primal_out, Builtin("vjp_fn", vjp_fn)


def _parameter(ip, args, kwargs):
    """nn.Parameter(t, requires_grad=True): a leaf that requires grad, sharing t's memory
    (printed as PyTorch prints a Parameter)."""
    p = bind("Parameter", args, kwargs, [("data", None), ("requires_grad", True)])
    t = ip.tensor(p["data"]) if p["data"] is not None else ip.constant(np.zeros(0))
    v = ip.graph.leaf(t.value, requires_grad=bool(p["requires_grad"]), expr=t._expr,
                      where=t.where)
    ip.parameters.add(id(v))
    ip._parameter_nodes.append(v)
    return v


def _one_hot(ip, args, kwargs):
    """F.one_hot(indices, num_classes=-1): int64, no gradient."""
    p = bind("one_hot", args, kwargs, [("tensor", REQUIRED), ("num_classes", -1)])
    t = ip.tensor(p["tensor"])
    if t.value.dtype.kind not in "iu":
        raise ProgramError("one_hot is only applicable to index tensor of type LongTensor.")
    n = int(p["num_classes"])
    if n < 0:
        n = int(t.value.max()) + 1 if t.value.size else 0
    if t.value.size and (t.value.min() < 0 or t.value.max() >= n):
        raise ProgramError("Class values must be smaller than num_classes.")
    ip.graph.check_size((*t.value.shape, n), "one_hot")
    return ip.constant(np.eye(n, dtype=np.int64)[t.value])


def _generator(ip, args, kwargs):
    """torch.Generator(): a generator of its own (PyTorch's default seed until seeded)."""
    from .evaluator import Randomness
    return Randomness(None)


def _variable(ip, args, kwargs):
    """torch.autograd.Variable(t, requires_grad=False): old tutorials' spelling of a
    tensor; today it gives a leaf sharing t's memory."""
    p = bind("Variable", args, kwargs, [("data", REQUIRED), ("requires_grad", False),
                                         ("volatile", False)])
    t = ip.tensor(p["data"])
    if p["requires_grad"] and t.value.dtype.kind != "f":
        raise ProgramError("only Tensors of floating point and complex dtype can require "
                           "gradients")
    v = ip.graph.leaf(t.value, requires_grad=bool(p["requires_grad"]), expr=t._expr,
                      where=t.where)
    return v


def _detached(ip, out: Node, create_graph: bool) -> Node:
    return out if create_graph else ip.constant(out.value.copy())


def _jac(ip, out: Any, x: Node, out_shape: tuple, create_graph: bool = False) -> Node:
    """d(out)/d(x) with shape out.shape + x.shape, one reverse pass per output element."""
    shape = tuple(out_shape) + x.value.shape
    ip.graph.check_size(shape, "the Jacobian")
    if out is None or not isinstance(out, Node) or not out.requires_grad:
        return ip.constant(np.zeros(shape, dtype=x.value.dtype))
    rows = []
    for k in range(out.value.size):
        seed = np.zeros(out.value.size, dtype=out.value.dtype)
        seed[k] = 1
        (g,) = ip.backward([out], [seed.reshape(out.value.shape)], retain_graph=True,
                           create_graph=create_graph, kind="autograd.grad", inputs=[x],
                           allow_unused=True)
        rows.append(ip.constant(np.zeros_like(x.value)) if g is None else g)
    if create_graph and any(r.requires_grad for r in rows):
        stacked = FUNCTIONS["stack"](ip, "stack", [rows], {})
        return ip.apply("view", (stacked,), {"shape": shape})
    return ip.constant(np.stack([r.value for r in rows]).reshape(shape))


def _device(ip, args, kwargs):
    from .lesson import _Device
    kind = str(args[0]) if args else "cpu"
    if not kind.startswith("cpu"):
        raise ProgramError(f"gradcli runs on the CPU only (asked for {kind!r})",
                           hint="use torch.device('cpu')")
    return _Device("cpu")


def _cuda_available(ip, args, kwargs):
    return False


def _get_default_dtype(ip, args, kwargs):
    return DType(ip.default_dtype)


def _set_default_dtype(ip, args, kwargs):
    (d,) = args
    if not isinstance(d, DType) or d.np.kind != "f":
        raise py_error("only floating-point types are supported as the default type")
    ip.graph.dtype = d.np
    ip.default_dtype = str(d.np)
    return None


def _none(ip, args, kwargs):
    return None


def _gradcheck(ip, args, kwargs):
    """torch.autograd.gradcheck: the function's Jacobian by reverse passes against central
    differences (float64 inputs that require grad)."""
    p = bind("gradcheck", args, kwargs, [("func", REQUIRED), ("inputs", REQUIRED),
                                         ("eps", 1e-6), ("atol", 1e-5), ("rtol", 1e-3),
                                         ("raise_exception", True)], )
    inputs = p["inputs"]
    xs = [inputs] if isinstance(inputs, Node) else list(inputs)
    for x in xs:
        if isinstance(x, Node) and x.requires_grad and x.value.dtype != np.float64:
            ip.warnings_out.append(
                "UserWarning: Input #0 requires gradient and is not a double precision "
                "floating point or complex. This check will likely fail if all the inputs are "
                "not of double precision floating point or complex.")
    eps, atol, rtol = float(p["eps"]), float(p["atol"]), float(p["rtol"])
    was = ip.graph.grad_enabled
    ip.graph.grad_enabled = True
    try:
        for i, x in enumerate(xs):
            if not (isinstance(x, Node) and x.requires_grad):
                continue
            leaves = [ip.graph.leaf(np.array(v.value), requires_grad=isinstance(v, Node)
                                    and v.requires_grad, expr="input") if isinstance(v, Node)
                      else v for v in xs]
            out = ip.call_sync(p["func"], list(leaves))
            outs = [out] if isinstance(out, Node) else list(out)
            for o_i, o in enumerate(outs):
                analytic = _jac(ip, o, leaves[i], o.value.shape).value.reshape(
                    o.value.size, -1)
                numeric = np.zeros_like(analytic)
                flat = x.value.reshape(-1)
                for k in range(flat.size):
                    vals = []
                    for sign in (1, -1):
                        moved = np.array(x.value, dtype=np.float64)
                        moved.reshape(-1)[k] += sign * eps
                        args_k = [ip.graph.leaf(moved, requires_grad=False, expr="input")
                                  if j == i else (ip.graph.leaf(np.array(v.value),
                                                                requires_grad=False,
                                                                expr="input")
                                                  if isinstance(v, Node) else v)
                                  for j, v in enumerate(xs)]
                        r = ip.call_sync(p["func"], args_k)
                        r = [r] if isinstance(r, Node) else list(r)
                        vals.append(np.array(r[o_i].value, dtype=np.float64).reshape(-1))
                    numeric[:, k] = (vals[0] - vals[1]) / (2 * eps)
                if not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
                    if not p["raise_exception"]:
                        return False
                    raise ProgramError(
                        f"Jacobian mismatch for output {o_i} with respect to input {i},\n"
                        f"numerical:{ip.printer.str(ip.constant(numeric.T))}\n"
                        f"analytical:{ip.printer.str(ip.constant(analytic.T))}\n",
                        "GradcheckError")
    finally:
        ip.graph.grad_enabled = was
    return True


def _gradgradcheck(ip, args, kwargs):
    """torch.autograd.gradgradcheck: gradcheck of the function's vector-Jacobian product
    (with grad_outputs of ones, recorded with create_graph) -- second derivatives
    against central differences of the first."""
    p = bind("gradgradcheck", args, kwargs, [("func", REQUIRED), ("inputs", REQUIRED),
                                             ("grad_outputs", None), ("eps", 1e-6),
                                             ("atol", 1e-5), ("rtol", 1e-3),
                                             ("raise_exception", True)])
    func = p["func"]
    inputs = p["inputs"]
    wants = [isinstance(x, Node) and x.requires_grad
             for x in ([inputs] if isinstance(inputs, Node) else list(inputs))]

    def first(ip2, xs, kw):
        # the central differences pass inputs that do not require grad: the first
        # derivative is still taken with respect to the inputs that did
        xs = [ip.graph.leaf(np.array(x.value), requires_grad=True, expr="input")
              if w and isinstance(x, Node) and not x.requires_grad else x
              for x, w in zip(xs, wants)]
        out = ip.call_sync(func, list(xs))
        outs = [out] if isinstance(out, Node) else list(out)
        wrt = [x for x in xs if isinstance(x, Node) and x.requires_grad]
        grads = _autograd_grad(ip, [outs, wrt], {
            "grad_outputs": [ip.constant(np.ones_like(o.value)) for o in outs],
            "create_graph": True, "allow_unused": True})
        return tuple(g if g is not None else ip.constant(np.zeros_like(x.value))
                     for g, x in zip(grads, wrt))

    return _gradcheck(ip, [Builtin("vjp", first), p["inputs"]],
                      {k: p[k] for k in ("eps", "atol", "rtol", "raise_exception")})


def _vmap(ip, args, kwargs):
    """torch.vmap(func, in_dims=0, out_dims=0): func over the slices of its inputs along
    in_dims, results stacked along out_dims. gradcli calls func once per slice (the values
    and gradients are vmap's; the graph holds a select per slice and a stack)."""
    p = bind("vmap", args, kwargs, [("func", REQUIRED), ("in_dims", 0), ("out_dims", 0),
                                    ("randomness", "error"), ("chunk_size", None)])
    func, in_dims, out_dims = p["func"], p["in_dims"], p["out_dims"]

    def call(ip2, a, k):
        a = list(a)
        dims = list(in_dims) if isinstance(in_dims, (tuple, list)) else [in_dims] * len(a)
        if len(dims) != len(a):
            raise py_error(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                           "compatible with the structure of `inputs`. in_dims has "
                           f"{len(dims)} entries but inputs has {len(a)}.", "ValueError")
        sizes = []
        for x, d in zip(a, dims):
            if d is None:
                continue
            if not isinstance(x, Node):
                raise py_error(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} "
                               f"for an input but the input is of type {type_name(x)}. We "
                               "cannot vmap over non-Tensor arguments, please use None as "
                               "the respective in_dim", "ValueError")
            nd = x.value.ndim
            if not isinstance(d, int) or not -nd <= d < nd:
                raise py_error(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} "
                               f"for some input, but that input is a Tensor of "
                               f"dimensionality {nd} so expected in_dim to satisfy "
                               f"-{nd} <= in_dim < {nd}.", "ValueError")
            sizes.append(x.value.shape[d])
        if not sizes:
            raise py_error(f"vmap(f, in_dims={in_dims}, ...)(<inputs>): at least one input "
                           "must be a Tensor batched along an in_dim", "ValueError")
        if len(set(sizes)) > 1:
            raise py_error("vmap: Expected all tensors to have the same size in the mapped "
                           f"dimension, got sizes {sizes} for the mapped dimension",
                           "ValueError")
        outs = []
        for b in range(sizes[0]):
            items = [x if d is None else ip._method("select", x, [d, b], {})
                     for x, d in zip(a, dims)]
            outs.append(ip.call_sync(func, items, k))
        stack = FUNCTIONS["stack"]
        if isinstance(outs[0], dict):
            return {key: stack(ip, "stack", [[ip.tensor(o[key]) for o in outs]],
                               {"dim": out_dims}) for key in outs[0]}
        if isinstance(outs[0], tuple):
            ods = list(out_dims) if isinstance(out_dims, (tuple, list)) \
                else [out_dims] * len(outs[0])
            return tuple(stack(ip, "stack", [[ip.tensor(o[j]) for o in outs]],
                               {"dim": ods[j]}) for j in range(len(outs[0])))
        return stack(ip, "stack", [[ip.tensor(o) for o in outs]], {"dim": out_dims})
    return Builtin("torch.vmap(f)", call)


MATH = {"sqrt", "exp", "log", "sin", "cos", "tan", "tanh", "factorial", "floor", "ceil",
        "fabs", "isclose", "isnan", "isinf", "atan", "asin", "acos", "log2", "log10", "pow",
        "comb", "gcd", "erf", "hypot", "degrees", "radians", "fsum", "prod", "copysign"}


def math_function(name: str):
    import math

    def fn(ip, args, kwargs):
        plain = [python_number(a) if isinstance(a, Node) else a for a in args]
        if name == "factorial" and plain and isinstance(plain[0], int) and plain[0] > 5000:
            raise ProgramError("the factorial would be too large", "OverflowError")
        if name in ("comb", "perm") and any(isinstance(v, int) and v > 5000 for v in plain):
            raise ProgramError(f"math.{name} of numbers above 5000 would be too large",
                               "OverflowError")
        try:
            return getattr(math, name)(*plain, **kwargs)
        except (ValueError, TypeError, OverflowError) as e:
            raise py_error(str(e), type(e).__name__) from None
    return fn


def _wrapped_method(kind: str, args: list) -> Any:
    """classmethod(f) / property(f) called as functions (the decorator forms are made in
    the def)."""
    from . import classes

    if len(args) != 1:
        raise py_error(f"{kind.lower()} expected 1 argument, got {len(args)}")
    return getattr(classes, kind)(args[0])


def _set_printoptions(ip, args, kwargs):
    """torch.set_printoptions(precision, threshold, edgeitems, linewidth, profile,
    sci_mode): how the lesson's tensors print from now on."""
    from .torchprint import set_printoptions

    p = bind("set_printoptions", args, kwargs, [
        ("precision", None), ("threshold", None), ("edgeitems", None), ("linewidth", None),
        ("profile", None), ("sci_mode", None)])
    for k in ("precision", "edgeitems", "linewidth"):
        if p[k] is not None and (isinstance(p[k], bool) or not isinstance(p[k], int)):
            raise py_error(f"set_printoptions(): {k} must be an int (got {type_name(p[k])})")
    if p["threshold"] is not None and not isinstance(p["threshold"], (int, float)):
        raise py_error("set_printoptions(): threshold must be a number")
    if p["profile"] not in (None, "default", "short", "full"):
        raise ProgramError(f"set_printoptions(): unknown profile {p['profile']!r}",
                           "ValueError")
    ip.print_options = set_printoptions(ip.print_options, **p)
    return None


def _ordered_dict(ip, args, kwargs):
    from .pyvalues import ODict

    out = ODict()
    if args:
        src = args[0]
        pairs = src.items() if isinstance(src, dict) else ip.iterate(src)
        for pair in pairs:
            k, v = pair
            out[ip._hashable(k)] = v
    out.update(kwargs)
    return out


def _checkpoint(ip, args, kwargs):
    """torch.utils.checkpoint.checkpoint(fn, *args, use_reentrant=..., ...): fn(*args).
    Recomputing the forward pass during backward saves memory in PyTorch and changes
    neither values nor gradients; gradcli keeps the forward pass's graph."""
    if not args:
        raise py_error("checkpoint() missing required argument 'function'")
    rest = {k: v for k, v in kwargs.items()
            if k not in ("use_reentrant", "preserve_rng_state", "context_fn",
                         "determinism_check", "debug")}
    return ip.call_sync(args[0], list(args[1:]), rest)


def _py_random(ip):
    """The lesson's Python `random` module state: CPython's own Mersenne Twister, so
    random.seed(n) followed by randint/random/choice/shuffle gives Python's numbers. A
    program that never seeds it starts from seed 0 (documented), not from the clock."""
    import random

    r = getattr(ip, "_py_random", None)
    if r is None:
        r = ip._py_random = random.Random(0)
    return r


def _random_call(name: str):
    def call(ip, args, kwargs):
        r = _py_random(ip)
        plain = [python_number(a) if isinstance(a, Node) and a.value.size == 1 else a
                 for a in args]
        if name == "seed":
            if plain and not isinstance(plain[0], (int, float, str, type(None))):
                raise py_error("The only supported seed types are: None, int, float, str, "
                               "bytes, and bytearray.")
            r.seed(*plain[:1])
            return None
        if name == "shuffle" and not isinstance(plain[0] if plain else None, list):
            raise py_error("random.shuffle: only lists are shuffled in place")
        if name in ("choice", "sample", "choices") and plain and not isinstance(
                plain[0], (list, tuple, range, str)):
            raise py_error(f"random.{name}: the population must be a list, tuple, range "
                           "or string")
        try:
            return getattr(r, name)(*plain, **kwargs)
        except (TypeError, ValueError, IndexError) as e:
            raise py_error(str(e), type(e).__name__) from None
    return call


class FInfo(NamedPair):
    """torch.finfo(dtype): a float type's limits, read as attributes."""

    kind = "torch.finfo"
    fields = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def repr_with(self, r) -> str:
        v = dict(zip(self.fields, self))
        shown = ", ".join(f"{k}={v[k]:.6g}" for k in ("resolution", "min", "max", "eps",
                                                      "smallest_normal", "tiny"))
        return f"finfo({shown}, dtype={v['dtype']})"


class IInfo(NamedPair):
    """torch.iinfo(dtype): an integer type's limits."""

    kind = "torch.iinfo"
    fields = ("bits", "max", "min", "dtype")

    def repr_with(self, r) -> str:
        v = dict(zip(self.fields, self))
        return f"iinfo(min={v['min']:.6g}, max={v['max']:.6g}, dtype={v['dtype']})"


class Layout(NamedPair):
    """A tensor's layout: torch.strided, the only one gradcli's tensors have."""

    kind = "torch.layout"
    fields = ()

    def repr_with(self, r) -> str:
        return "torch.strided"


def _type_info(integer: bool):
    def fn(ip, args, kwargs):
        p = bind("iinfo" if integer else "finfo", args, kwargs, [("type", None)])
        d = p["type"]
        if d is None and not integer:
            d = DType(str(ip.graph.dtype))
        if not isinstance(d, DType) or (d.np.kind in "iub") != integer:
            raise py_error(f"{'iinfo' if integer else 'finfo'}(): argument 'type' must be an "
                           f"{'integer' if integer else 'floating point'} torch.dtype")
        if integer:
            i = np.iinfo(d.np)
            return IInfo((i.bits, int(i.max), int(i.min), d.name))
        f = np.finfo(d.np)
        return FInfo((f.bits, float(f.eps), float(f.max), float(f.min), float(f.tiny),
                      float(f.smallest_normal), float(f.resolution), d.name))
    return fn


SPECIAL = {
    "collections.OrderedDict": _ordered_dict,
    # @once_differentiable: gradcli's backward formulas already run without a graph
    "torch.autograd.function.once_differentiable": lambda ip, a, k: a[0],
    "torch.finfo": _type_info(False), "torch.iinfo": _type_info(True),
    "torch.is_tensor": lambda ip, a, k: isinstance(
        bind("is_tensor", a, k, [("obj", REQUIRED)])["obj"], Node),
    "torch.numel": lambda ip, a, k: int(ip.tensor(
        bind("numel", a, k, [("input", REQUIRED)])["input"]).value.size),
    "torch.no_grad": _grad_mode(False), "torch.enable_grad": _grad_mode(True),
    "torch.inference_mode": _grad_mode(False, inference=True),
    "torch.is_inference_mode_enabled": lambda ip, a, k: ip.graph.inference,
    "torch.autograd.no_grad": _grad_mode(False),
    "torch.autograd.enable_grad": _grad_mode(True),
    "torch.set_grad_enabled": _set_grad_enabled,
    "torch.autograd.set_grad_enabled": _set_grad_enabled,
    "torch.is_grad_enabled": _is_grad_enabled,
    "torch.manual_seed": _manual_seed, "torch.random.manual_seed": _manual_seed,
    "torch.initial_seed": _initial_seed,
    "torch.randint": _random_tensor("randint"), "torch.normal": _random_tensor("normal"),
    "torch.randperm": _random_tensor("randperm"), "torch.randn_like": _random_like("randn"),
    "torch.rand_like": _random_like("rand"),
    "numpy.random.seed": _none,
    "torch.autograd.grad": _autograd_grad, "torch.autograd.backward": _autograd_backward,
    "torch.autograd.functional.jacobian": _functional("jacobian"),
    "torch.autograd.functional.hessian": _functional("hessian"),
    "torch.autograd.functional.vjp": _functional("vjp"),
    "torch.autograd.functional.jvp": _functional("jvp"),
    "torch.autograd.functional.hvp": _functional("hvp"),
    "torch.autograd.functional.vhp": _functional("vhp"),
    "torch.func.grad": lambda ip, a, k: _func_grad(ip, a, k),
    "torch.func.functional_call": _functional_call,
    "torch.nn.utils.stateless.functional_call": _functional_call,
    "torch.device": _device, "torch.cuda.is_available": _cuda_available,
    "torch.get_default_dtype": _get_default_dtype,
    "torch.set_default_dtype": _set_default_dtype,
    "torch.set_printoptions": lambda ip, a, k: _set_printoptions(ip, a, k),
    "torch.autograd.set_detect_anomaly": lambda ip, a, k: _anomaly_mode(),
    "torch.autograd.detect_anomaly": lambda ip, a, k: _anomaly_mode(),
    "torch.autograd.anomaly_mode.set_detect_anomaly": lambda ip, a, k: _anomaly_mode(),
    "torch.autograd.anomaly_mode.detect_anomaly": lambda ip, a, k: _anomaly_mode(),
    "torch.is_anomaly_enabled": lambda ip, a, k: False,
    "pprint.pprint": _pprint, "pprint.pp": _pprint,
    "pprint.PrettyPrinter": lambda ip, a, k: _PrettyPrinter(),
    "torch.func.jacrev": lambda ip, a, k: _func_transform(ip, a, k, "jacobian"),
    "torch.func.jacfwd": lambda ip, a, k: _func_transform(ip, a, k, "jacfwd"),
    "torch.func.hessian": lambda ip, a, k: _func_transform(ip, a, k, "hessian"),
    "torch.func.vjp": lambda ip, a, k: _func_vjp(ip, a, k),
    "torch.func.linearize": lambda ip, a, k: _linearize(ip, a, k),
    "torch.utils.checkpoint.checkpoint": _checkpoint,
    **{f"random.{n}": _random_call(n) for n in (
        "seed", "random", "randint", "randrange", "uniform", "choice", "choices", "shuffle",
        "sample", "gauss", "normalvariate", "getrandbits")},
    "torch.vmap": _vmap, "torch.func.vmap": _vmap, "functorch.vmap": _vmap,
    "torch.autograd.gradgradcheck": _gradgradcheck,
    "torch.autograd.gradcheck.gradgradcheck": _gradgradcheck,
    "torch.autograd.gradcheck": _gradcheck, "torch.autograd.gradcheck.gradcheck": _gradcheck,
    "torch.autograd.Variable": lambda ip, a, k: _variable(ip, a, k),
    "torch.nn.Parameter": lambda ip, a, k: _parameter(ip, a, k),
    "torch.nn.parameter.Parameter": lambda ip, a, k: _parameter(ip, a, k),
    "torch.argmax": lambda ip, a, k: _arg_extreme("argmax")(ip, ip.tensor(a[0]), a[1:], k),
    "torch.argmin": lambda ip, a, k: _arg_extreme("argmin")(ip, ip.tensor(a[0]), a[1:], k),
    "torch.Generator": lambda ip, a, k: _generator(ip, a, k),
    "torch.nn.functional.one_hot": lambda ip, a, k: _one_hot(ip, a, k),
    "torch.autograd.variable.Variable": lambda ip, a, k: _variable(ip, a, k),
    "torch.autograd.forward_ad.dual_level": lambda ip, a, k: _dual_level(ip),
    "torch.autograd.forward_ad.make_dual": lambda ip, a, k: ip.forward_ad.make_dual(ip, a, k),
    "torch.autograd.forward_ad.unpack_dual":
        lambda ip, a, k: ip.forward_ad.unpack_dual(ip, a, k),
    "torch.func.jvp": lambda ip, a, k: ip.forward_ad.func_jvp(ip, a, k),
    "torch.autograd.graph.saved_tensors_hooks": lambda ip, a, k: ip.saved_hooks.context(a, k),
    "torch.autograd.graph.save_on_cpu": lambda ip, a, k: _save_on_cpu(ip, a, k),
    "torch.autograd.graph.increment_version": lambda ip, a, k: _increment_version(ip, a, k),
    "torch.autograd.graph.register_multi_grad_hook":
        lambda ip, a, k: _register_multi_grad_hook(ip, a, k),
}


def _anomaly_mode():
    """torch.autograd.set_detect_anomaly(mode) / detect_anomaly(): accepted, also as a
    `with` block; gradcli's backward already names the node that gave NaN where it
    matters, and PyTorch's anomaly traceback has nothing a program prints."""
    nothing = lambda ip: None  # noqa: E731
    return ContextManager("torch.autograd.detect_anomaly", nothing, nothing)


def _save_on_cpu(ip, args, kwargs):
    """torch.autograd.graph.save_on_cpu(pin_memory=False): on a CPU-only machine its hooks
    keep each saved tensor as it is."""
    bind("save_on_cpu", args, kwargs, [("pin_memory", False), ("device_type", "cuda")])
    same = Builtin("save_on_cpu", lambda ip_, a, k: a[0])
    return ip.saved_hooks.context([same, same], {})


def _dual_level(ip):
    fw = ip.forward_ad
    return ContextManager("torch.autograd.forward_ad.dual_level", fw.enter, fw.exit)
SPECIAL.update({f"math.{name}": math_function(name) for name in MATH})
SPECIAL.update(SPECIAL_STDLIB)
SPECIAL.update(SPECIAL_SERIALIZATION)


# ------------------------------------------------------------------------ tensor methods


def _backward(ip, x, args, kwargs):
    p = bind("backward", args, kwargs, [("gradient", None), ("retain_graph", None),
                                         ("create_graph", False), ("inputs", None)])
    return ip.backward([x], [p["gradient"]], retain_graph=p["retain_graph"],
                       create_graph=bool(p["create_graph"]))


def _retain_grad(ip, x, args, kwargs):
    if not x.requires_grad:
        raise ProgramError("can't retain_grad on Tensor that has requires_grad=False")
    if x.op is not None:
        x.retains_grad = True
    return None


def _register_hook(ip, x, args, kwargs):
    from .lesson import HookHandle
    (fn,) = args
    if not x.requires_grad:
        raise ProgramError("cannot register a hook on a tensor that doesn't require gradient")
    x.hooks = (x.hooks or []) + [fn]
    return HookHandle(x, fn)


def _register_post_accumulate_grad_hook(ip, x, args, kwargs):
    from .lesson import HookHandle
    p = bind("register_post_accumulate_grad_hook", args, kwargs, [("hook", REQUIRED)])
    if not x.requires_grad:
        raise ProgramError("cannot register a hook on a tensor that doesn't require gradient")
    if not x.is_leaf:
        raise ProgramError("post accumulate grad hooks cannot be registered on non-leaf "
                           "tensors")
    entry = ip.post_accumulate_hooks.get(id(x))
    if entry is None or entry[0] is not x:
        entry = ip.post_accumulate_hooks[id(x)] = (x, [])
    entry[1].append(p["hook"])
    return HookHandle(None, p["hook"], entry[1])


def _increment_version(ip, args, kwargs):
    """torch.autograd.graph.increment_version(tensor): its version moves on as after an
    in-place op (saved copies of it then fail PyTorch's version check)."""
    p = bind("increment_version", args, kwargs, [("tensor", REQUIRED)])
    ts = p["tensor"] if isinstance(p["tensor"], (list, tuple)) else [p["tensor"]]
    for t in ts:
        t = ip.tensor(t)
        if t.vc is None:
            if ip.graph.inference:
                raise ProgramError("Inference tensors do not track version counter.")
            t.vc = [0]
        t.vc[0] += 1
    return None


def _register_multi_grad_hook(ip, args, kwargs):
    from .lesson import HookHandle
    p = bind("register_multi_grad_hook", args, kwargs, [("tensors", REQUIRED), ("fn", REQUIRED),
                                                        ("mode", "all")])
    if p["mode"] != "all":
        raise ArgumentError("register_multi_grad_hook: gradcli runs mode='all' hooks only")
    tensors = tuple(p["tensors"]) if isinstance(p["tensors"], (list, tuple)) else None
    if not tensors or not all(isinstance(t, Node) for t in tensors):
        raise py_error("register_multi_grad_hook expects a sequence of tensors")
    entry = (tensors, p["fn"])
    ip.multi_grad_hooks.append(entry)
    return HookHandle(None, entry, ip.multi_grad_hooks)


def _item(ip, x, args, kwargs):
    if x.value.size != 1:
        raise ProgramError(f"a Tensor with {x.value.size} elements cannot be converted to "
                           "Scalar")
    return x.value.reshape(-1)[0].item()


def _tolist(ip, x, args, kwargs):
    return x.value.tolist()


def _numpy(ip, x, args, kwargs):
    if x.requires_grad:
        raise ProgramError("Can't call numpy() on Tensor that requires grad. Use "
                           "tensor.detach().numpy() instead.")
    return x.value


def _detach(ip, x, args, kwargs):
    d = ip.graph.leaf(x.value, requires_grad=False, expr=x._expr, where=x.where)
    d.vc = x.vc  # a detached tensor shares the version counter
    return d


def _detach_(ip, x, args, kwargs):
    if x.op is not None and x.hist is None:
        pass
    x.op, x.args, x.params, x.vers = None, (), {}, None
    x.requires_grad = False
    return x


def _requires_grad_(ip, x, args, kwargs):
    p = bind("requires_grad_", args, kwargs, [("requires_grad", True)])
    flag = ip.truth(p["requires_grad"])
    if not x.is_leaf:
        if not flag:
            raise ProgramError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        return x
    if flag and x.value.dtype.kind != "f":
        raise ProgramError("only Tensors of floating point dtype can require gradients")
    x.requires_grad = flag
    return x


def _fill(key: str, value_of):
    """zero_()/fill_(v): the new value does not depend on the old one; on a tensor in a
    graph PyTorch records ZeroBackward0/FillBackward2."""
    def fn(ip, x, args, kwargs):
        v = np.broadcast_to(np.asarray(value_of(args), dtype=x.value.dtype), x.value.shape)
        if ip.graph.grad_enabled and x.requires_grad and x.op is not None:
            return ip._inplace(x, lambda: ip.apply(key, (x,), {"value": v.copy()}))
        return ip._inplace(x, lambda: ip.constant(v.copy()))
    return fn


def _random_fill(kind: str):
    def fn(ip, x, args, kwargs):
        if kind == "uniform_":
            p = bind("uniform_", args, kwargs, [("a", 0.0), ("b", 1.0), ("generator", None)])
            v = ip.torch_random.uniform_(x.value.shape, x.value.dtype, float(p["a"]),
                                         float(p["b"]))
        else:
            p = bind("normal_", args, kwargs, [("mean", 0.0), ("std", 1.0),
                                               ("generator", None)])
            v = ip.torch_random.normal_(x.value.shape, x.value.dtype, float(p["mean"]),
                                        float(p["std"]))
        return ip._inplace(x, lambda: ip.constant(np.asarray(v)))
    return fn


def _random_(ip, x, args, kwargs):
    """x.random_(), x.random_(to), x.random_(from, to): integers from PyTorch's generator
    (random_from_to: a 32-bit draw modulo the range, 64-bit for ranges of 2**32 or more;
    without bounds, PyTorch's full range for the dtype)."""
    p = bind("random_", args, kwargs, [("from", None), ("to", None), ("generator", None)])
    frm, to = p["from"], p["to"]
    if frm is not None and to is None:
        frm, to = 0, frm
    g = ip.torch_random
    shape, dt = x.value.shape, x.value.dtype
    if to is None:
        n = int(np.prod(shape, dtype=np.int64))
        if dt == np.float32:
            v = g._words(n).astype(np.uint64) % np.uint64(2**24 + 1)
        elif dt == np.float64:
            v = g._words64(n) % np.uint64(2**53 + 1)
        elif dt == np.int64:
            v = g._words64(n) % np.uint64(2**63)
        else:
            v = g._words(n).astype(np.uint64) % np.uint64(int(np.iinfo(dt).max) + 1)
        value = v.astype(dt).reshape(shape)
    else:
        lo, hi = int(python_number(frm or 0)), int(python_number(to))
        if lo >= hi:
            raise ProgramError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={lo} >= to={hi}")
        value = g.randint(lo, hi, shape, dt.name)
    return ip._inplace(x, lambda: ip.constant(np.asarray(value, dtype=dt)))


def _bernoulli_(ip, x, args, kwargs):
    """x.bernoulli_(p): PyTorch's draws (a double uniform per element, kept where < p)."""
    p = bind("bernoulli_", args, kwargs, [("p", 0.5), ("generator", None)])["p"]
    g = ip.torch_random
    try:
        if isinstance(p, Node):
            v = g.bernoulli(np.broadcast_to(p.value, x.value.shape).astype(p.value.dtype))
        else:
            v = g.bernoulli_(x.value.shape, x.value.dtype, float(python_number(p)))
    except RuntimeError as e:
        raise ProgramError(str(e)) from None
    return ip._inplace(x, lambda: ip.constant(np.asarray(v, dtype=x.value.dtype)))


def _bernoulli(ip, args, kwargs):
    """torch.bernoulli(p): 0/1 draws with the probabilities of p (p's dtype)."""
    p = bind("bernoulli", args, kwargs, [("input", REQUIRED), ("p", None),
                                         ("generator", None)])
    t = ip.tensor(p["input"])
    if p["p"] is not None:
        out = ip.constant(np.zeros_like(t.value))
        return _bernoulli_(ip, out, [p["p"]], {})
    try:
        return ip.constant(np.asarray(ip.torch_random.bernoulli(t.value)))
    except (RuntimeError, TypeError) as e:
        raise ProgramError(str(e)) from None


SPECIAL["torch.bernoulli"] = _bernoulli


def _generator_of(ip, g: Any):
    """The generator a `generator=` argument names (PyTorch's default one for None)."""
    if g is None:
        return ip.torch_random
    from .evaluator import Randomness

    if not isinstance(g, Randomness):
        raise py_error(f"generator must be a torch.Generator, not {type_name(g)}")
    return g.generator


def _multinomial(ip, args, kwargs):
    """torch.multinomial as PyTorch's CPU kernel draws: one sample, or any number without
    replacement, as argmax / topk of p / q with q ~ Exponential(1) (one double per element,
    -log1p(-u)); several with replacement by a binary search of each double uniform in the
    row's cumulative sums (added in p's dtype, divided by the total)."""
    p = bind("multinomial", args, kwargs, [("input", REQUIRED), ("num_samples", REQUIRED),
                                           ("replacement", False), ("generator", None)])
    t = ip.tensor(p["input"])
    x = t.value
    n = p["num_samples"]
    if isinstance(n, bool) or not isinstance(n, int):
        raise py_error(f"multinomial(): argument 'num_samples' must be int, not {type_name(n)}")
    if x.ndim not in (1, 2):
        raise ProgramError("prob_dist must be 1 or 2 dim")
    if x.dtype.kind != "f":
        kind = {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte"}.get(
            str(x.dtype), str(x.dtype))
        raise ProgramError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{kind}")
    if n <= 0:
        raise ProgramError("cannot sample n_sample <= 0 samples")
    cats = x.shape[-1]
    if not p["replacement"] and n > cats:
        raise ProgramError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    g = _generator_of(ip, p["generator"])
    rows = x.reshape(-1, cats)
    if not p["replacement"] or n == 1:
        if not (np.all(rows < np.inf) and np.all(rows >= 0)):
            raise ProgramError("probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(rows.sum(axis=1) == 0):
            raise ProgramError("invalid multinomial distribution (sum of probabilities <= 0)")
        u = g._uniform01(rows.size, np.float64).reshape(rows.shape)
        q = (-np.log1p(-u)).astype(x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = rows / q
        # argmax / topk: the largest first, the first index among equals
        out = np.argsort(-ratio, axis=1, kind="stable")[:, :n]
    else:
        out = np.empty((rows.shape[0], n), dtype=np.int64)
        for i, row in enumerate(rows):
            if np.any(row < 0):
                raise ProgramError("invalid multinomial distribution (encountering probability "
                                   "entry < 0)")
            if not np.all(np.isfinite(row)):
                raise ProgramError("invalid multinomial distribution (encountering probability "
                                   "entry = infinity or NaN)")
            cum = np.cumsum(row, dtype=x.dtype)  # one addition after another, as the kernel
            total = cum[-1]
            if not total > 0:
                raise ProgramError("invalid multinomial distribution (sum of probabilities <= 0)")
            cum = (cum / total).astype(x.dtype)
            cum[-1] = 1
            u = g._uniform01(n, np.float64)
            # the first slot whose cumulative probability is not below the draw
            out[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return ip.constant(out.reshape(x.shape[:-1] + (n,)) if x.ndim == 2 else out.reshape(n))


SPECIAL["torch.multinomial"] = _multinomial


def _copy_(ip, x, args, kwargs):
    (src,) = args
    src = ip.tensor(src) if not isinstance(src, Node) else src

    def make():
        return ip.apply("copy_from", (x, src), {})
    return ip._inplace(x, make)


def _cast(target: str):
    def fn(ip, x, args, kwargs):
        return _to_dtype(ip, x, np.dtype(DTYPES[target]))
    return fn


def _to_dtype(ip, x: Node, dt: np.dtype) -> Node:
    if x.value.dtype == dt:
        return x
    return ip.apply("to_copy", (x,), {"dtype": dt.name})


def _to(ip, x, args, kwargs):
    target = None
    for a in list(args) + [kwargs.get("dtype")]:
        if isinstance(a, DType):
            target = a
        elif isinstance(a, Node):
            target = DType(str(a.value.dtype))
    if target is None:
        return x
    return _to_dtype(ip, x, target.np)


# x.type(torch.FloatTensor) / x.type('torch.FloatTensor'): the legacy names of dtypes
LEGACY_TENSOR_TYPES = {"FloatTensor": "float32", "DoubleTensor": "float64",
                       "HalfTensor": "float16", "LongTensor": "int64", "IntTensor": "int32",
                       "ShortTensor": "int16", "CharTensor": "int8", "ByteTensor": "uint8",
                       "BoolTensor": "bool"}


def _type_method(ip, x, args, kwargs):
    if not args and "dtype" not in kwargs:
        name = {"float64": "DoubleTensor", "float32": "FloatTensor", "int64": "LongTensor",
                "int32": "IntTensor", "bool": "BoolTensor", "float16": "HalfTensor"}.get(
            str(x.value.dtype), "Tensor")
        return f"torch.{name}"
    target = args[0] if args else kwargs["dtype"]
    legacy = target.name if isinstance(target, Builtin) else target
    if isinstance(legacy, str) and legacy.rsplit(".", 1)[-1] in LEGACY_TENSOR_TYPES:
        target = DType(LEGACY_TENSOR_TYPES[legacy.rsplit(".", 1)[-1]])
    if not isinstance(target, DType):
        raise ArgumentError("type() expects a dtype such as torch.float64")
    return _to_dtype(ip, x, target.np)


def _same_tensor(ip, x, args, kwargs):
    return x


def _size(ip, x, args, kwargs):
    p = bind("size", args, kwargs, [("dim", None)])
    shape = TorchSize(x.value.shape)
    if p["dim"] is None:
        return shape
    from .dispatch import norm_dim
    return shape[norm_dim("size", p["dim"], len(shape))]


def _equal(ip, x, args, kwargs):
    (o,) = args
    return bool(x.value.shape == o.value.shape and np.array_equal(x.value, o.value))


def _allclose(ip, x, args, kwargs):
    p = bind("allclose", args, kwargs, [("other", REQUIRED), ("rtol", 1e-5), ("atol", 1e-8),
                                         ("equal_nan", False)])
    o = p["other"]
    ov = o.value if isinstance(o, Node) else np.asarray(o)
    return bool(np.allclose(x.value, ov, rtol=p["rtol"], atol=p["atol"],
                            equal_nan=p["equal_nan"]))


def _all(ip, x, args, kwargs):
    if args or kwargs:
        return FUNCTIONS["all"](ip, "all", [x, *args], kwargs)
    return ip.constant(np.asarray(bool(np.all(x.value))))


def _any(ip, x, args, kwargs):
    p = bind("any", args, kwargs, [("dim", None), ("keepdim", False)])
    if p["dim"] is None:
        return ip.constant(np.asarray(bool(np.any(x.value))))
    from .dispatch import norm_dim
    d = norm_dim("any", p["dim"], max(x.value.ndim, 1))
    return ip.constant(np.any(x.value, axis=d, keepdims=bool(p["keepdim"])))


def _arg_extreme(which: str):
    """argmax/argmin: indices, not differentiable (a new tensor with no grad_fn)."""
    def fn(ip, x, args, kwargs):
        kw = {("dim" if k == "axis" else k): v for k, v in kwargs.items()}
        p = bind(which, args, kw, [("dim", None), ("keepdim", False)])
        f = np.argmax if which == "argmax" else np.argmin
        if p["dim"] is None:
            value = np.asarray(f(x.value.reshape(-1)), dtype=np.int64)
        else:
            from .dispatch import norm_dim
            d = norm_dim(which, p["dim"], x.value.ndim)
            value = f(x.value, axis=d)
            if p["keepdim"]:
                value = np.expand_dims(value, d)
        return ip.constant(np.asarray(value, dtype=np.int64))
    return fn


def _expand_as(ip, x, args, kwargs):
    p = bind("expand_as", args, kwargs, [("other", REQUIRED)])
    return FUNCTIONS["expand"](ip, "expand", [x, *p["other"].value.shape], {})


def _is_floating_point(ip, x, args, kwargs):
    return x.value.dtype.kind == "f"


def _element_size(ip, x, args, kwargs):
    return x.value.dtype.itemsize


def _memory(x) -> tuple[int, int]:
    """(address of the tensor's first element, address of its storage's start): a view
    shares its base's memory, as a PyTorch view shares its storage."""
    base = x.value
    while isinstance(base.base, np.ndarray):
        base = base.base
    return x.value.__array_interface__["data"][0], base.__array_interface__["data"][0]


def _stride(ip, x, args, kwargs):
    """x.stride() / x.stride(dim): steps in elements between neighbours along each dim."""
    p = bind("stride", args, kwargs, [("dim", None)])
    size = x.value.dtype.itemsize
    steps = tuple(int(s) // size if n > 1 else _dense_step(x.value.shape, i)
                  for i, (s, n) in enumerate(zip(x.value.strides, x.value.shape)))
    if p["dim"] is None:
        return steps
    from .dispatch import norm_dim

    return steps[norm_dim("stride", p["dim"], max(x.value.ndim, 1))] if steps else 1


def _dense_step(shape: tuple, i: int) -> int:
    """The stride PyTorch gives a dim of size 1 (or 0): the product of the later sizes."""
    step = 1
    for n in shape[i + 1:]:
        step *= max(n, 1)
    return step


def _apply_inplace(op_name: str, arity: int = 1):
    def fn(ip, x, args, kwargs):
        return ip._inplace(x, lambda: FUNCTIONS[op_name](ip, op_name, [x, *args], kwargs))
    return fn


def _arith_inplace(symbol: str):
    def fn(ip, x, args, kwargs):
        other = args[0] if args else kwargs.get("other")
        alpha = kwargs.get("alpha", args[1] if len(args) > 1 else None)
        if alpha is not None:
            other = ip._binary("*", other, alpha)
        return ip._inplace(x, lambda: ip._binary(symbol, x, other))
    return fn


TENSOR_METHODS = {
    "backward": _backward, "retain_grad": _retain_grad, "register_hook": _register_hook,
    "register_post_accumulate_grad_hook": _register_post_accumulate_grad_hook,
    "item": _item, "tolist": _tolist, "numpy": _numpy, "detach": _detach,
    "detach_": _detach_, "requires_grad_": _requires_grad_,
    "zero_": _fill("zero_inplace", lambda a: 0),
    "fill_": _fill("fill_inplace", lambda a: python_number(a[0])),
    "copy_": _copy_, "random_": _random_, "bernoulli_": _bernoulli_,
    "multinomial": lambda ip, x, a, k: _multinomial(ip, [x, *a], k),
    # the bytes of the tensor's memory (as a NumPy array: tolist(), len(), ==)
    "untyped_storage": lambda ip, x, a, k: np.frombuffer(
        np.ascontiguousarray(x.value).tobytes(), dtype=np.uint8).copy(),
    "uniform_": _random_fill("uniform_"), "normal_": _random_fill("normal_"),
    "add_": _arith_inplace("+"), "sub_": _arith_inplace("-"), "mul_": _arith_inplace("*"),
    "div_": _arith_inplace("/"), "pow_": _arith_inplace("**"),
    "double": _cast("float64"), "float": _cast("float32"), "half": _cast("float16"),
    "long": _cast("int64"), "int": _cast("int32"), "bool": _cast("bool"),
    "to": _to, "type": _type_method, "cpu": _same_tensor, "contiguous_": _same_tensor,
    "size": _size, "equal": _equal, "allclose": _allclose, "all": _all, "any": _any,
    "argmax": _arg_extreme("argmax"), "argmin": _arg_extreme("argmin"),
    "is_inference": lambda ip, x, a, k: x.vc is None,
    "nelement": lambda ip, x, a, k: int(x.value.size), "expand_as": _expand_as,
    "is_floating_point": _is_floating_point, "element_size": _element_size,
    "stride": _stride,
    "storage_offset": lambda ip, x, a, k: (_memory(x)[0] - _memory(x)[1])
        // x.value.dtype.itemsize,
    "data_ptr": lambda ip, x, a, k: _memory(x)[0],
    "is_contiguous": lambda ip, x, a, k: bool(x.value.flags.c_contiguous or x.value.size <= 1),
}
_ = Starred  # re-exported for builtins that expand *args
