"""The Python values a lesson program handles besides tensors, and how they print.

Functions the program defines (run by the interpreter on its own stack of frames), the
builtins it may call (``print``, ``range``, ``len``, ...), exceptions, ``torch.Size``,
grad_fn objects, grad-mode context managers. Everything prints as Python and PyTorch
print it; tensors print through :mod:`gradcli.torchprint`.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .engine import Node
from .errors import ProgramError

MAX_REPR_DEPTH = 64
MAX_TEXT = 10**7  # characters a string operation may produce


class UserFunction:
    """A `def` or `lambda` of the program, with the scopes it closes over."""

    __slots__ = ("name", "params", "body", "defaults", "closure", "is_lambda", "grad_mode",
                 "pos", "owner")

    def __init__(self, name: str, params: tuple, body: Any, defaults: dict, closure: tuple,
                 is_lambda: bool, pos: Any) -> None:
        self.name, self.params, self.body = name, params, body
        self.defaults, self.closure, self.is_lambda = defaults, closure, is_lambda
        self.grad_mode: Any = None  # a GradMode: @torch.no_grad(), @torch.inference_mode()
        self.pos = pos
        self.owner: Any = None  # the class whose body defined it (for super())


class Builtin:
    """A function gradcli provides to programs: a Python builtin or a torch function that
    is not an op (torch.autograd.grad, torch.no_grad, ...)."""

    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Callable) -> None:
        self.name, self.fn = name, fn


class ODict(dict):
    """collections.OrderedDict (what a module's state_dict() returns)."""

    __slots__ = ()


class DictView(list):
    """d.keys(), d.values(), d.items(): iterable like a list, printed as Python prints a
    dict view (`dict_keys(['a'])`, `odict_values([...])`)."""

    __slots__ = ("kind",)

    def __init__(self, kind: str, items: Any) -> None:
        super().__init__(items)
        self.kind = kind


class BoundMethod:
    """`obj.method` read without calling it (e.g. passed to map)."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: Any, name: str) -> None:
        self.obj, self.name = obj, name


class TorchSize(tuple):
    """torch.Size: a tuple that prints as PyTorch prints it."""


class GradFn:
    """`t.grad_fn`: the node's backward function, as PyTorch shows it."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GradFn) and other.node is self.node

    def __hash__(self) -> int:
        return hash(id(self.node))

    @property
    def name(self) -> str:
        return self.node.grad_fn or "AccumulateGrad"


class AccumulateGrad:
    __slots__ = ("variable",)

    def __init__(self, variable: Node) -> None:
        self.variable = variable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return hash(id(self.variable))


class GradMode:
    """torch.no_grad() / enable_grad() / set_grad_enabled(b) / inference_mode(): what it
    sets, and the (grad enabled, inference) states it saved on entering, to restore."""

    __slots__ = ("enabled", "inference", "saved")

    def __init__(self, enabled: bool, inference: bool = False) -> None:
        self.enabled = enabled
        self.inference = inference
        self.saved: list[tuple[bool, bool]] = []


class ContextManager:
    """A context manager gradcli provides besides the grad modes (forward AD's dual_level,
    saved_tensors_hooks): `with` calls enter(ip) (its value is bound by `as`) and, however
    the block is left, exit(ip)."""

    __slots__ = ("name", "enter", "exit")

    def __init__(self, name: str, enter: Callable, exit: Callable) -> None:
        self.name, self.enter, self.exit = name, enter, exit


class ExcType:
    """An exception class a program names in `except`/`raise`."""

    __slots__ = ("name",)
    PARENTS = {"Exception": "BaseException", "RuntimeError": "Exception",
               "ValueError": "Exception", "TypeError": "Exception",
               "AssertionError": "Exception", "ZeroDivisionError": "ArithmeticError",
               "ArithmeticError": "Exception", "IndexError": "LookupError",
               "KeyError": "LookupError", "_LinAlgError": "RuntimeError", "LookupError": "Exception",
               "AttributeError": "Exception", "NameError": "Exception",
               "NotImplementedError": "RuntimeError", "StopIteration": "Exception",
               "OverflowError": "ArithmeticError", "RecursionError": "RuntimeError",
               "UnboundLocalError": "NameError", "KeyboardInterrupt": "BaseException",
               "OSError": "Exception", "FileNotFoundError": "OSError",
               "MemoryError": "Exception", "UnpicklingError": "Exception"}

    _interned: dict = {}

    def __new__(cls, name: str) -> "ExcType":  # one object per class: `type(e) is KeyError`
        t = cls._interned.get(name)
        if t is None:
            t = cls._interned[name] = super().__new__(cls)
        return t

    def __init__(self, name: str) -> None:
        self.name = name

    def covers(self, pytype: str | None) -> bool:
        t = pytype
        while t is not None:
            if t == self.name:
                return True
            t = self.PARENTS.get(t)
        return False


class ExcValue:
    """An exception object: what `except ... as e` binds and `print(e)` shows."""

    __slots__ = ("type", "message", "error")

    def __init__(self, type_: str, message: str, error: Any = None) -> None:
        self.type, self.message, self.error = type_, message, error


class Starred:
    """`*xs` evaluated inside a call's arguments or a display."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def py_error(message: str, pytype: str = "TypeError") -> ProgramError:
    return ProgramError(message, pytype)


# ------------------------------------------------------------------------ printing


def fake_address(obj: Any) -> str:
    """A stand-in for an object's address (PyTorch prints the real one), the same on
    every run: a node's comes from its number."""
    key = obj.id if isinstance(obj, Node) else id(obj)
    return f"0x7f{(key * 2654435761) % (1 << 40):010x}"


def type_name(v: Any) -> str:
    if isinstance(v, Node):
        return "Tensor"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if v is None:
        return "NoneType"
    if isinstance(v, TorchSize):
        return "Size"
    if type(v).__name__ == "Instance":  # an object of a class (the program's or nn's)
        return v.cls.name
    if isinstance(v, Builtin):
        return "builtin_function_or_method"
    if isinstance(v, list):
        return "list"
    if isinstance(v, tuple):
        return "tuple"
    if isinstance(v, dict):
        return "dict"
    if isinstance(v, UserFunction):
        return "function"
    return type(v).__name__


class Printer:
    """str() and repr() of program values, containers walked to a bounded depth."""

    def __init__(self, tensor_text: Callable[[Node], str], dtype_text: Callable[[Any], str],
                 user_text: Callable[[Any, str], str | None] | None = None):
        self.tensor_text = tensor_text
        self.dtype_text = dtype_text
        # an instance's own __str__/__repr__ (the program's method), or None
        self.user_text = user_text or (lambda v, name: None)

    def str(self, v: Any) -> str:
        if isinstance(v, str):
            return v
        if type(v).__name__ == "Instance":
            text = self.user_text(v, "__str__")
            if text is not None:
                return text
        if isinstance(v, (np.ndarray, np.generic, np.dtype)):
            return str(v)
        if isinstance(v, ExcValue):
            return v.message
        if type(v).__name__ == "_Device":
            return v.kind
        return self.repr(v)

    def repr(self, v: Any, depth: int = 0) -> str:
        if isinstance(v, Node):
            return self.tensor_text(v)
        if v is None or isinstance(v, (bool, int, str)):
            return repr(v)
        if isinstance(v, float):
            return repr(v)
        if isinstance(v, (np.ndarray, np.generic, np.dtype)):
            return repr(v)
        if depth > MAX_REPR_DEPTH:
            return "[...]"
        if isinstance(v, TorchSize):
            return f"torch.Size([{', '.join(str(d) for d in v)}])"
        if hasattr(type(v), "repr_with"):  # dispatch.NamedPair and its kin
            return v.repr_with(lambda x: self.repr(x, depth + 1))
        if type(v) is DictView:
            return f"{v.kind}([" + ", ".join(self.repr(x, depth + 1) for x in v) + "])"
        if type(v) is ODict:
            items = ", ".join(f"({self.repr(k, depth + 1)}, {self.repr(x, depth + 1)})"
                              for k, x in v.items())
            return f"OrderedDict([{items}])" if v else "OrderedDict()"
        if isinstance(v, list):
            return "[" + ", ".join(self.repr(x, depth + 1) for x in v) + "]"
        if isinstance(v, tuple):
            inner = ", ".join(self.repr(x, depth + 1) for x in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if isinstance(v, dict):
            text = "{" + ", ".join(f"{self.repr(k, depth + 1)}: {self.repr(x, depth + 1)}"
                                   for k, x in v.items()) + "}"
            kind = type(v).__name__
            if kind == "DefaultDict":  # collections.defaultdict
                return f"defaultdict({self.repr(v.factory, depth + 1)}, {text})"
            if kind == "Counter":
                inner = ", ".join(f"{self.repr(k, depth + 1)}: {self.repr(x, depth + 1)}"
                                  for k, x in v.most_common())
                return f"Counter({{{inner}}})" if v else "Counter()"
            return text
        if type(v).__name__ == "deque":
            inner = "[" + ", ".join(self.repr(x, depth + 1) for x in v) + "]"
            return f"deque({inner})" if v.maxlen is None else \
                f"deque({inner}, maxlen={v.maxlen})"
        if isinstance(v, (set, frozenset)):
            return ("{" + ", ".join(self.repr(x, depth + 1) for x in v) + "}") if v else "set()"
        if isinstance(v, GradFn):
            if v.node.op is not None and v.node.op.key.startswith("custom:"):
                return f"<torch.autograd.function.{v.name} object at {fake_address(v.node)}>"
            return f"<{v.name} object at {fake_address(v.node)}>"
        kind = type(v).__name__
        if kind == "Instance":
            from .nn import instance_repr

            text = self.user_text(v, "__repr__")
            if text is not None:
                return text
            text = instance_repr(v, self.tensor_text)
            if text is not None:
                return text
            return f"<__main__.{v.cls.name} object at {fake_address(v)}>"
        if kind == "UserClass":
            from .nn import qualified_name

            return f"<class '{qualified_name(v) or '__main__.' + v.name}'>"
        if isinstance(v, AccumulateGrad):
            return f"<AccumulateGrad object at {fake_address(v.variable)}>"
        if isinstance(v, UserFunction):
            what = "<lambda>" if v.is_lambda else v.name
            return f"<function {what} at {fake_address(v)}>"
        if isinstance(v, Builtin):
            if v.name in ("float", "int", "str", "bool", "list", "tuple", "dict", "set"):
                return f"<class '{v.name}'>"
            return f"<built-in function {v.name.rsplit('.', 1)[-1]}>"
        if type(v).__name__ == "TypeName":
            return f"<class '{v.name}'>"
        if isinstance(v, ExcValue):
            return f"{v.type}({v.message!r})"
        if isinstance(v, ExcType):
            return f"<class '{v.name}'>"
        if isinstance(v, range):
            return repr(v)
        text = self.dtype_text(v)
        if text is not None:
            return text
        if type(v).__name__ == "generator":  # model.parameters()
            return f"<generator object {v.__qualname__} at {fake_address(v)}>"
        return f"<{type_name(v)} object at {fake_address(v)}>"


def format_value(printer: Printer, v: Any, spec: str, conversion: str | None) -> str:
    """f"{v!conversion:spec}" as Python and PyTorch's Tensor.__format__ give it."""
    if conversion == "r":
        v = printer.repr(v)
    elif conversion in ("s", "a"):
        v = printer.str(v)
    if isinstance(v, Node):
        if v.value.ndim == 0:  # Tensor.__format__ formats a 0-d tensor's number
            v = v.value.item()
        else:
            text = printer.str(v)
            if spec:
                raise py_error("unsupported format string passed to Tensor.__format__")
            return text
    if isinstance(v, (int, float, str, bool)) or v is None:
        try:
            return format(v, spec)
        except (ValueError, TypeError) as e:
            raise py_error(str(e), "ValueError") from None
    if isinstance(v, np.generic):
        return format(v.item(), spec)
    text = printer.str(v)
    if spec:
        try:
            return format(text, spec)
        except (ValueError, TypeError) as e:
            raise py_error(str(e), "TypeError") from None
    return text


def percent_format(printer: Printer, fmt: str, args: Any) -> str:
    """"%.2f" % x, with tensors converted as Python converts them."""
    def plain(v: Any) -> Any:
        if isinstance(v, Node):
            if v.value.size == 1:
                return _PercentTensor(v, printer)
            return printer.str(v)
        if isinstance(v, (int, float, str, bool)) or v is None:
            return v
        return printer.str(v)
    if isinstance(args, tuple):
        conv: Any = tuple(plain(a) for a in args)
    elif isinstance(args, dict):
        conv = {k: plain(a) for k, a in args.items()}
    else:
        conv = plain(args)
    try:
        return fmt % conv
    except (TypeError, ValueError, KeyError) as e:
        raise py_error(str(e), type(e).__name__) from None


class _PercentTensor:
    """A one-element tensor inside %-formatting: a number for %f/%d, its text for %s."""

    def __init__(self, node: Node, printer: Printer) -> None:
        self.node, self.printer = node, printer

    def __float__(self) -> float:
        return float(self.node.value.reshape(-1)[0])

    def __int__(self) -> int:
        return int(self.node.value.reshape(-1)[0])

    def __index__(self) -> int:
        if self.node.value.dtype.kind in "iu":
            return int(self.node.value.reshape(-1)[0])
        raise TypeError("only integer tensors of a single element can be converted to an index")

    def __str__(self) -> str:
        return self.printer.str(self.node)

    __repr__ = __str__


def python_number(v: Any) -> Any:
    """Python's float() of a value (used by builtins)."""
    if isinstance(v, Node):
        if v.value.size != 1:
            raise py_error("only one element tensors can be converted to Python scalars",
                           "ValueError")
        return v.value.reshape(-1)[0].item()
    return v


def python_binary(op: str, a: Any, b: Any) -> Any:
    """A binary operator between Python values (numbers, strings, lists, tuples), with
    Python's semantics and gradcli's bounds on sizes."""
    try:
        if op == "+":
            r = a + b
        elif op == "-":
            r = a - b
        elif op == "*":
            for seq, n in ((a, b), (b, a)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int):
                    if len(seq) * max(n, 0) > MAX_TEXT:
                        raise ProgramError("the repeated sequence would be too long",
                                           "MemoryError")
            r = a * b
        elif op == "/":
            r = a / b
        elif op == "//":
            r = a // b
        elif op == "%":
            r = a % b
        elif op == "**":
            if isinstance(a, int) and isinstance(b, int) and b > 0 and \
                    abs(a) > 1 and b * math.log2(abs(a)) > 100_000:
                raise ProgramError("the integer power would be too large", "OverflowError")
            r = a ** b
        elif op == "&":
            r = a & b
        elif op == "|":
            r = a | b
        elif op == "@":
            raise TypeError(f"unsupported operand type(s) for @: '{type_name(a)}' and "
                            f"'{type_name(b)}'")
        else:
            raise TypeError(f"unsupported operator {op}")
    except ZeroDivisionError as e:
        raise ProgramError(str(e), "ZeroDivisionError") from None
    except OverflowError as e:
        raise ProgramError(str(e), "OverflowError") from None
    except TypeError as e:
        raise ProgramError(str(e), "TypeError") from None
    if isinstance(r, (str, list, tuple)) and len(r) > MAX_TEXT:
        raise ProgramError("the result would be too long", "MemoryError")
    return r
