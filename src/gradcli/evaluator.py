"""AST + bindings -> graph of nodes (the dynamic graph, built as the program runs).

Statements run in order. Expressions are evaluated by an explicit-stack post-order walk,
so no expression depth can reach Python's recursion limit. Each operation calls a resolver
in ``dispatch.py``, which picks the registry op and records a node in the engine's graph.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any, Iterable, Mapping

import numpy as np

from . import dispatch
from .dispatch import FUNCTIONS, REQUIRED, NamedPair, bind
from .engine import (MAX_FLOPS, NO_PARAMS, Graph, Node, Where, backward,
                     no_cycle_collection)
from .errors import (CONVERTIBLE, ArgumentError, BackwardError, BindingError, GradcliError,
                     ParseError, ProgramError, ShapeError, UnboundNameError,
                     UnknownFunctionError, from_python)
from .ops import REGISTRY
from .result import Result
from .syntax import (Assign, Attr, Binary, Call, Compare, EllipsisExpr, ExprStmt, Import, Index,
                     ListExpr, Name, Num, Paren, Program, Slice, Str, TupleExpr, Unary, parse)

MODULE_ROOTS = {"torch", "F", "nn", "functional", "np", "numpy", "math", "special", "linalg"}
CONSTANTS: dict[str, Any] = {"pi": math.pi, "e": math.e, "inf": math.inf, "nan": math.nan,
                             "True": True, "False": False, "None": None}
DTYPES = {"float64": np.float64, "double": np.float64, "float32": np.float32,
          "float": np.float32, "float16": np.float16, "half": np.float16, "int64": np.int64,
          "long": np.int64, "int32": np.int32, "int": np.int32, "bool": np.bool_,
          "uint8": np.uint8, "int16": np.int16, "short": np.int16, "int8": np.int8}
RESERVED = MODULE_ROOTS | {"True", "False", "None"}
IGNORED_CALLS = {"print", "display"}
EXPR_LIMIT = 60


class Randomness:
    """PyTorch's CPU generator (gradcli.torchrandom), made on first use: `seed` is what
    torch.manual_seed(seed) would set (PyTorch's default seed when None), and `state`
    where a run continues from (after the bindings drew theirs)."""

    def __init__(self, seed: Any = None, state: bytes | None = None) -> None:
        self.seed = seed
        self.state = state
        self._generator: Any = None

    @property
    def generator(self):
        if self._generator is None:
            from .torchrandom import DEFAULT_SEED, Generator

            self._generator = Generator(DEFAULT_SEED if self.seed is None else int(self.seed))
            if self.state is not None:
                self._generator.set_state(self.state)
        return self._generator

    def draw(self, kind: str, shape: tuple, dtype: Any) -> np.ndarray:
        g = self.generator
        return g.randn(shape, dtype) if kind == "randn" else g.rand(shape, dtype)

    def manual_seed(self, seed: int) -> None:
        self.seed, self.state = seed, None
        self.generator.manual_seed(seed)


class DType:
    def __init__(self, name: str):
        self.name = name
        self.np = np.dtype(DTYPES[name])


def is_name(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*", text) is not None




class Evaluator:
    # torch.tensor([a, b]) of tensors that require grad: refused with a hint in expressions;
    # a lesson gets PyTorch's behaviour (their values, no graph)
    LIST_TENSORS_DETACH = False

    def __init__(self, program: Program, bindings: Mapping[str, np.ndarray], *,
                 no_grad: Iterable[str] = (), retain_grad: Iterable[str] = (),
                 dtype: str = "float64", seed: int | None = None,
                 max_elements: int = 10**8, trace: bool = False,
                 overrides: Mapping[str, np.ndarray] | None = None,
                 batched: bool = False, differentiate: bool | None = True,
                 random: Randomness | None = None, max_memory: int | None = None,
                 max_flops: int | None = None) -> None:
        self.program = program
        self.batched = batched
        self.differentiate = differentiate  # None: run backward only if the output allows
        self.trace = trace
        self.overrides = dict(overrides or {})
        self.source = program.source
        self.graph = Graph(DTYPES[dtype], max_elements, max_memory=max_memory,
                           max_flops=MAX_FLOPS if max_flops is None else max_flops)
        self.bindings = dict(bindings)
        self.no_grad = set(no_grad)
        self.retain_names = list(retain_grad)
        self.random = random if random is not None else Randomness(seed)
        self.env: dict[str, Any] = {}
        self.bound_nodes: dict[str, Node] = {}
        self.read_bindings: set[str] = set()
        self._current: Any = None  # the AST node being finished, for labels and positions
        for name in self.no_grad:
            if name not in self.bindings:
                raise BindingError(f"--no-grad names {name!r}, which has no binding",
                                   hint=self._given())

    # ---------------------------------------------------------------- helpers for dispatch

    def _given(self) -> str:
        return ("bindings given: " + ", ".join(sorted(self.bindings))) if self.bindings \
            else "no bindings were given"

    def _text(self, pos) -> str:
        return Where(self.source, pos.start, pos.end, pos.line, pos.column).text()

    def _here(self) -> Where | None:
        pos = self._current.pos if self._current is not None else None
        return None if pos is None else Where(self.source, pos.start, pos.end, pos.line,
                                               pos.column)

    def text_of(self, v: Any) -> str:
        return v.label if isinstance(v, Node) else repr(v)

    def apply(self, key: str, args: tuple, params: dict | None = None, *,
              expr: str | None = None) -> Node:
        where = self._here()
        label = expr if expr is not None else (where if where is not None else key)
        if key in INT_REFUSED and all(a.value.dtype.kind in "iub" for a in args
                                      if isinstance(a, Node)):
            pytype, text = INT_REFUSED[key]
            dt = str(next(a.value.dtype for a in args if isinstance(a, Node)))
            raise ProgramError(text.format(_TORCH_DTYPE.get(dt, dt)), pytype)
        try:
            return self.graph.apply(REGISTRY[key], tuple(args), params or NO_PARAMS, expr=label,
                                    where=where)
        except GradcliError:
            raise
        except (ValueError, IndexError, TypeError, np.linalg.LinAlgError) as e:
            shapes = ", ".join(str(list(a.value.shape)) for a in args if isinstance(a, Node))
            raise ShapeError(f"{key}: {e} (argument shapes {shapes})") from None

    def constant(self, value: np.ndarray, *, requires_grad: bool = False) -> Node:
        """A tensor that is not the result of a recorded op: a leaf."""
        where = self._here()
        self.graph.check_size(np.shape(value), where.text() if where is not None else "tensor")
        return self.graph.leaf(value, requires_grad=requires_grad,
                               expr=where if where is not None else "tensor", where=where)

    def operand(self, v: Any) -> Any:
        """An operand of arithmetic: a node or a Python number (lists become tensors)."""
        if isinstance(v, Node):
            return v
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, (int, float)):
            return v
        if isinstance(v, (list, tuple)) and not isinstance(v, NamedPair):
            return self.constant(self.list_value(v, float_default=True))
        raise ArgumentError(f"expected a tensor or a number, got {describe(v)}")

    def tensor(self, v: Any) -> Node:
        v = self.operand(v)
        if isinstance(v, Node):
            return v
        return self.constant(np.asarray(v, dtype=self.graph.dtype))

    def list_value(self, items: Any, *, float_default: bool,
                   float_dtype: Any = None) -> np.ndarray:
        """Nested lists of numbers (or one-element tensors) -> an array, checked and sized;
        floats in `float_dtype` (the graph's by default)."""
        flat_ok = True
        stack = [items]
        has_float = big_int = False
        while stack:
            cur = stack.pop()
            if isinstance(cur, (list, tuple)):
                stack.extend(cur)
            elif isinstance(cur, Node):
                if cur.requires_grad and not self.LIST_TENSORS_DETACH:
                    raise ArgumentError(
                        "a list of tensors that require grad cannot become one tensor",
                        hint="use torch.stack([...]) to keep the graph")
                has_float |= cur.value.dtype.kind == "f"
            elif isinstance(cur, float):
                has_float = True
            elif type(cur) is int and not -2**63 <= cur < 2**63:
                big_int = True
            elif not isinstance(cur, (int, bool)):
                flat_ok = False
        if not flat_ok:
            raise ArgumentError("a tensor literal may hold only numbers")
        if big_int and not (float_default or has_float):  # an int64 tensor cannot hold it
            from .errors import ProgramError

            raise ProgramError("Overflow when unpacking long long", "ValueError")
        plain = _to_plain(items)
        try:
            arr = np.array(plain)
        except ValueError:
            raise ShapeError("the nested lists are ragged: every row must have the same "
                             "length") from None
        if arr.dtype == object:  # integers beyond int64, or ragged rows
            try:
                arr = np.array(plain, dtype=np.float64)
            except (ValueError, TypeError):
                raise ShapeError("the nested lists are ragged: every row must have the same "
                                 "length") from None
        if float_default or has_float or arr.dtype.kind == "f" or arr.size == 0:
            arr = arr.astype(self.graph.dtype if float_dtype is None else float_dtype)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
        return arr

    def check_broadcast(self, what: str, *shapes) -> None:
        first = shapes[0]
        if all(s == first or s == () for s in shapes):  # the common case, without NumPy
            return
        try:
            out = np.broadcast_shapes(*shapes)
        except ValueError:
            raise ShapeError(f"{what}: shapes {' and '.join(str(list(s)) for s in shapes)} "
                             "cannot be broadcast together") from None
        self.graph.check_size(out, f"the result of {what}")

    # ---------------------------------------------------------------- statements

    def run(self) -> Result:
        # NaN and inf are reported from the Result, at the node that produced them; NumPy's
        # own floating point messages (including "Mean of empty slice") would be noise.
        with np.errstate(all="ignore"), warnings.catch_warnings(), no_cycle_collection():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                return self._run()
            except CONVERTIBLE as e:  # outside any one expression: output, backward
                err = from_python(e)
                pos = getattr(self._current, "pos", None)
                if pos is not None:
                    err.at(pos.line, pos.column, self.source)
                raise err from None

    def _run(self) -> Result:
        output: Any = None
        explicit: Node | None = None
        for stmt in self.program.statements:
            if isinstance(stmt, Import):  # pasted import lines: nothing to run
                continue
            self._current = stmt
            if isinstance(stmt, ExprStmt):
                handled = self._statement_call(stmt)
                if handled is not None:
                    if handled is not True:
                        explicit = handled
                    continue
                value = self.compute(stmt.value)
            else:
                value = self.compute(stmt.value)
                self._assign(stmt, value)
            output = value
        if explicit is not None:
            output = explicit
        unused = sorted(set(self.bindings) - self.read_bindings)
        if unused:
            names = ", ".join(unused)
            raise BindingError(
                f"binding{'s' if len(unused) > 1 else ''} {names} "
                f"{'are' if len(unused) > 1 else 'is'} never read by the program",
                hint=_suggest_unused(unused, self.program))
        if output is None:
            raise ParseError("the program has nothing to evaluate (no expression or "
                             "assignment)", source=self.source,
                             hint='e.g. gradcli eval "(x+w)*(w+1)" --x 2 --w 1')
        self._retain()
        if isinstance(output, NamedPair):
            output = output[0]
        if isinstance(output, (list, tuple)):
            output = self.operand(output)
        if output is not None and not isinstance(output, (Node, int, float)):
            raise ArgumentError(f"the program's last value is {describe(output)}, not a "
                                "tensor or a number")
        if type(output) is int and output.bit_length() > 1023:
            from .errors import ProgramError

            raise ProgramError("int too large to convert to float (the program's value is "
                               "beyond float range)", "OverflowError")
        grads = None
        steps: list | None = [] if self.trace else None
        if isinstance(output, Node):
            if explicit is not None and not output.requires_grad:
                raise BackwardError(
                    "element 0 of tensors does not require grad and does not have a grad_fn",
                    line=output.line or None, column=output.column or None,
                    source=self.source,
                    hint="bind a variable, or create a tensor with requires_grad=True")
            wanted = self.differentiate or (self.differentiate is None
                                             and output.value.size == 1)
            if output.requires_grad and wanted:
                try:
                    grads = backward(self.graph, output, steps, batched=self.batched,
                                     seed=self.backward_seed if explicit is not None else None)
                except BackwardError as e:
                    e.source = self.source
                    raise
        self._label()
        variables = {**self.bound_nodes,
                     **{k: v for k, v in self.env.items() if isinstance(v, Node)}}
        return Result(self.source, self.graph.nodes, output, grads,
                      explicit_backward=explicit is not None, dtype=self.graph.dtype.name,
                      variables=variables, steps=steps, bound=sorted(self.read_bindings))

    def _statement_call(self, stmt: ExprStmt) -> Any:
        """Statements that are calls for their effect: backward, retain_grad, print."""
        v = stmt.value
        if not isinstance(v, Call):
            return None
        if isinstance(v.func, Name) and v.func.id in IGNORED_CALLS and v.func.id not in self.env:
            return True
        if not isinstance(v.func, Attr) or v.func.name not in ("backward", "retain_grad"):
            return None
        self._current = v
        target = self.compute(v.func.obj)
        if not isinstance(target, Node):
            from .pyvalues import type_name

            raise ArgumentError(f"'{type_name(target)}' object has no attribute "
                                f"'{v.func.name}'", line=v.pos.line, column=v.pos.column,
                                source=self.source)
        if v.func.name == "retain_grad":
            if not target.requires_grad:
                raise BackwardError("can't retain_grad on a tensor that has requires_grad=False",
                                    line=v.pos.line, column=v.pos.column, source=self.source)
            target.retains_grad = True
            return True
        if v.args or v.kwargs:
            self._current = v
            values = [self.compute(a) for a in v.args]
            kw = {k: self.compute(e) for k, e in v.kwargs}
            p = bind("backward", values, kw, [("gradient", None), ("retain_graph", None),
                                               ("create_graph", False)])
            if p["gradient"] is not None:
                self.backward_seed = self._gradient_seed(target, p["gradient"], v)
        if self._backward_seen:
            raise ArgumentError("the program calls .backward() twice; gradcli runs one "
                                "backward pass", line=v.pos.line, column=v.pos.column,
                                source=self.source)
        self._backward_seen = True
        return target

    _backward_seen = False
    backward_seed: np.ndarray | None = None

    def _gradient_seed(self, target: Node, gradient: Any, call: Call) -> np.ndarray:
        """y.backward(gradient): the vector in the vector-Jacobian product, shaped like y."""
        g = gradient.value if isinstance(gradient, Node) else (
            self.list_value(gradient, float_default=True)
            if isinstance(gradient, (list, tuple)) else np.asarray(gradient, dtype=float))
        if np.shape(g) != target.value.shape:
            raise ShapeError(f"backward(gradient): the gradient has shape {list(np.shape(g))} "
                             f"but the output has shape {list(target.value.shape)}",
                             line=call.pos.line, column=call.pos.column, source=self.source)
        return np.asarray(g, dtype=target.value.dtype)

    def _assign(self, stmt: Assign, value: Any) -> None:
        name = stmt.target
        if name in RESERVED:
            raise ArgumentError(f"{name!r} is a reserved name and cannot be assigned",
                                line=stmt.pos.line, column=stmt.pos.column, source=self.source)
        if isinstance(value, Node) and value.name is None:
            value.name = name
            if name in self.overrides and value.is_leaf and value.requires_grad:
                # gradcheck perturbs tensors the program itself creates
                value.value = self.overrides.pop(name).astype(value.value.dtype)
        self.env[name] = value

    def _retain(self) -> None:
        for name in self.retain_names:
            node = self.env.get(name, self.bound_nodes.get(name))
            if not isinstance(node, Node):
                known = sorted(n for n, v in self.env.items() if isinstance(v, Node))
                raise BindingError(f"--retain-grad names {name!r}, which is not a tensor of "
                                   "the program", hint="tensors: " + ", ".join(known))
            if node.requires_grad:
                node.retains_grad = True

    def _label(self) -> None:
        """Give every named node a unique label. A name assigned more than once is numbered
        by version, h#1, h#2, ...; a bound variable keeps its bare name (it is version 1),
        so `x = x * 2` shows x and x#2, and gradients stay keyed by the bound name."""
        counts: dict[str, int] = {}
        for node in self.graph.nodes:
            if node.name is not None:
                counts[node.name] = counts.get(node.name, 0) + 1
        seen: dict[str, int] = {}
        for node in self.graph.nodes:
            name = node.name
            if name is None:
                continue
            seen[name] = seen.get(name, 0) + 1
            if counts[name] == 1 or self.bound_nodes.get(name) is node:
                node.label = name
            else:
                node.label = f"{name}#{seen[name]}"

    # ---------------------------------------------------------------- expressions

    def compute(self, root) -> Any:
        """Evaluate an expression with an explicit stack (post-order, left to right)."""
        stack: list[tuple[Any, int]] = [(root, -1)]
        values: list[Any] = []
        children = self._children
        push, pop = stack.append, stack.pop
        while stack:
            node, n = pop()
            if n < 0:
                kind = type(node)
                if kind is Num:  # the commonest nodes of long sums, without a second visit
                    values.append(node.value)
                    continue
                if kind is Binary:
                    push((node, 2))
                    push((node.right, -1))
                    push((node.left, -1))
                    continue
                kids = children(node)
                push((node, len(kids)))
                for k in reversed(kids):
                    push((k, -1))
                continue
            if n:
                args = values[-n:]
                del values[-n:]
            else:
                args = []
            self._current = node
            try:
                values.append(self._finish(node, args))
            except GradcliError as e:
                raise e.at(node.pos.line, node.pos.column, self.source)
            except CONVERTIBLE as e:
                raise from_python(e, self._text(node.pos)).at(
                    node.pos.line, node.pos.column, self.source) from None
        return values[0]

    def _is_module(self, expr) -> bool:
        while isinstance(expr, Attr):
            expr = expr.obj
        return (isinstance(expr, Name) and expr.id in MODULE_ROOTS
                and expr.id not in self.env and expr.id not in self.bindings)

    def _children(self, node) -> tuple:
        kids = _CHILDREN.get(type(node))
        return kids(self, node) if kids is not None else ()

    def _finish(self, node, args: list) -> Any:
        finish = _FINISH.get(type(node))
        if finish is None:
            raise ArgumentError(f"cannot evaluate {type(node).__name__}")
        return finish(self, node, args)

    def _slice(self, node, args: list) -> slice:
        it = iter(args)
        parts = [next(it) if p is not None else None for p in (node.lo, node.hi, node.step)]
        for p in parts:
            if p is not None and not isinstance(p, int):
                raise ArgumentError(f"slice bounds must be integers (got {describe(p)})")
        return slice(*parts)

    def _unary(self, node, args: list) -> Any:
        if node.op == "-":
            return dispatch.unary_minus(self, args[0])
        return self.operand(args[0])

    def _lookup(self, node: Name) -> Any:
        name = node.id
        if name in self.env:
            return self.env[name]
        if name in self.bindings:
            self.read_bindings.add(name)
            leaf = self.bound_nodes.get(name)
            if leaf is None:
                pos = node.pos
                leaf = self.graph.leaf(self.bindings[name], requires_grad=name not in self.no_grad,
                                       expr=name, where=Where(self.source, pos.start, pos.end,
                                                              pos.line, pos.column))
                leaf.name = name
                self.bound_nodes[name] = leaf
            return leaf
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in MODULE_ROOTS:
            raise ArgumentError(f"{name!r} is a module; call one of its functions, "
                                f"e.g. {name}.tanh(x)")
        known = sorted(set(self.bindings) | set(self.env))
        close = _close_matches(name, known, n=1)
        hint = self._given()
        if close:
            hint = f"did you mean {close[0]!r}? " + hint
        elif not self.bindings:
            hint = f"give a value with --{name} VALUE"
        err = UnboundNameError(f"name {name!r} is not bound", hint=hint)
        err.name = name
        raise err

    def _attr(self, node: Attr, args: list) -> Any:
        if self._is_module(node.obj):
            if node.name in DTYPES:
                return DType(node.name)
            if node.name in CONSTANTS:
                return CONSTANTS[node.name]
            raise UnknownFunctionError(f"unknown attribute {self._text(node.pos)!r}")
        obj = args[0]
        name = node.name
        if isinstance(obj, NamedPair) and name in obj.fields:
            return obj[obj.fields.index(name)]
        if isinstance(obj, Node):
            if name in ("T", "H"):
                return FUNCTIONS["T"](self, "T", [obj], {})
            if name in ("mT", "mH"):
                return FUNCTIONS["mT"](self, "mT", [obj], {})
            if name == "shape":
                return tuple(obj.value.shape)
            if name == "ndim":
                return obj.value.ndim
            if name in ("data",):
                return self.constant(obj.value)
            if name in ("requires_grad", "is_leaf"):
                return bool(getattr(obj, name))
            if name in ("grad", "grad_fn"):
                raise ArgumentError(f".{name} is not readable inside a program: gradcli shows "
                                    "every node's gradient and grad_fn in its output",
                                    hint="use --torch to see .grad as PyTorch keeps it")
        raise ArgumentError(f"{describe(obj)} has no attribute {name!r}")

    def _call(self, node: Call, args: list) -> Any:
        func = node.func
        method = isinstance(func, Attr) and not self._is_module(func.obj)
        if isinstance(func, Name):
            fname = func.id
        elif isinstance(func, Attr):
            fname = func.name
        else:
            raise ArgumentError(f"{self._text(func.pos)!r} cannot be called")
        nkw = len(node.kwargs)
        pos_args = args[: len(args) - nkw] if nkw else list(args)
        kwargs = dict(zip((k for k, _ in node.kwargs), args[len(args) - nkw:])) if nkw else {}
        if method:
            return self._method(fname, pos_args[0], pos_args[1:], kwargs)
        if fname in CONSTRUCTORS:
            return CONSTRUCTORS[fname](self, fname, pos_args, kwargs)
        if isinstance(func, Attr):
            parent = func.obj.name if isinstance(func.obj, Attr) else getattr(func.obj, "id", "")
            fname = dispatch.QUALIFIED.get((parent, fname), fname)  # torch.linalg.norm
        if fname in FUNCTIONS and fname not in dispatch.METHOD_ONLY:
            self.functional_call = _names_functional(func)
            try:
                return FUNCTIONS[fname](self, fname, pos_args, kwargs)
            finally:
                self.functional_call = False
        if isinstance(func, Name) and fname in ("float", "int") and not kwargs \
                and fname not in self.env and fname not in self.bindings:
            return _number_cast(fname, pos_args)
        if isinstance(func, Name) and (fname in self.env or fname in self.bindings):
            raise UnknownFunctionError(f"{fname!r} is a variable, not a function",
                                       hint=f"to multiply, write {fname}*(...)")
        raise UnknownFunctionError(f"unknown function {fname!r}", hint=_suggest(fname))

    def _method(self, name: str, obj: Any, args: list, kwargs: dict) -> Any:
        if isinstance(obj, NamedPair) or not isinstance(obj, Node):
            if name in FUNCTIONS and isinstance(obj, (int, float)) and not isinstance(obj, bool):
                obj = self.tensor(obj)
            else:
                raise ArgumentError(f"{describe(obj)} has no method {name!r}")
        if name == "requires_grad_":
            p = bind(name, args, kwargs, [("requires_grad", True)])
            if not obj.is_leaf:
                raise ArgumentError("requires_grad_() can only change leaf tensors")
            if obj.value.dtype.kind != "f" and p["requires_grad"]:
                raise ArgumentError("only tensors of floating point dtype can require gradients")
            obj.requires_grad = bool(p["requires_grad"])
            return obj
        if name == "where":  # x.where(condition, y) is where(condition, x, y)
            p = bind(name, args, kwargs, [("condition", REQUIRED), ("other", REQUIRED)])
            return FUNCTIONS["where"](self, name, [p["condition"], obj, p["other"]], {})
        if name in ("size",):
            p = bind(name, args, kwargs, [("dim", None)])
            shape = tuple(obj.value.shape)
            return shape if p["dim"] is None else shape[dispatch.norm_dim(name, p["dim"],
                                                                          len(shape))]
        if name in ("dim", "ndimension", "numel"):
            return int(obj.value.size) if name == "numel" else obj.value.ndim
        if name in ("double", "float", "to", "type"):
            return self._cast(name, obj, args, kwargs)
        if name in FUNCTIONS:
            return FUNCTIONS[name](self, name, [obj, *args], kwargs)
        raise UnknownFunctionError(f"unknown method {name!r}", hint=_suggest(name))

    def _cast(self, name: str, obj: Node, args: list, kwargs: dict) -> Node:
        target = {"double": "float64", "float": "float32"}.get(name)
        if target is None:
            p = bind(name, args, kwargs, [("dtype", REQUIRED)])
            if not isinstance(p["dtype"], DType):
                raise ArgumentError(f"{name}() expects a dtype such as torch.float64")
            target = p["dtype"].name
        want = np.dtype(DTYPES[target])
        if obj.value.dtype == want:
            return obj
        if not obj.requires_grad:  # a constant (a mask, labels): converted, still a leaf
            return self.constant(obj.value.astype(want))
        if want.kind == "f" and obj.value.dtype.kind == "f":
            return self.apply("to_copy", (obj,), {"dtype": want})
        raise ArgumentError(f"converting a tensor from {obj.value.dtype} to {want} is not "
                            "supported yet", hint="use --dtype to choose the precision")

    def _index(self, node: Index, obj: Any, items: list) -> Any:
        if isinstance(obj, (tuple, list)) and not isinstance(obj, Node):
            if len(items) != 1 or not isinstance(items[0], int):
                raise ArgumentError("a tuple or list is indexed by one integer")
            try:
                return obj[items[0]]
            except IndexError:
                raise ShapeError(f"index {items[0]} is out of range for "
                                 f"{len(obj)} items") from None
        if not isinstance(obj, Node):
            raise ArgumentError(f"{describe(obj)} cannot be indexed")
        return index_tensor(self, obj, items, single=len(node.items) == 1)


def _number_cast(fname: str, args: list) -> Any:
    """Python's float(...) / int(...) of a number, a string such as 'inf', or a
    one-element tensor (PyTorch code writes float('inf'))."""
    if len(args) != 1:
        raise ArgumentError(f"{fname}() takes one argument here (got {len(args)})")
    v = args[0]
    if isinstance(v, Node):
        if v.value.size != 1:
            raise ArgumentError("only one element tensors can be converted to Python scalars")
        v = v.value.reshape(()).item()
    if not isinstance(v, (str, int, float)):
        raise ArgumentError(f"{fname}() argument must be a string or a real number, not "
                            f"{describe(v)}")
    try:
        return float(v) if fname == "float" else int(v)
    except (ValueError, OverflowError) as e:
        raise ArgumentError(str(e)) from None


# Ops PyTorch refuses on integer (and bool) tensors, with its message ({} is the dtype).
_NOT_FOR = '"{kernel}" not implemented for \'{{}}\''
INT_REFUSED: dict[str, tuple[str, str]] = {
    **{key: ("NotImplementedError", _NOT_FOR.format(kernel=kernel)) for key, kernel in [
        ("frac", "frac_cpu"), ("logsigmoid", "log_sigmoid_cpu"),
        ("hardsigmoid", "hardsigmoid_cpu"), ("hardswish", "hardswish_cpu"),
        ("mish", "mish_cpu"), ("silu", "silu_cpu"), ("elu", "elu_cpu"), ("celu", "elu_cpu"),
        ("gelu", "GeluKernelImpl"), ("softplus", "softplus_cpu"),
        ("leaky_relu", "leaky_relu_cpu"), ("softmax", "softmax_lastdim_kernel_impl"),
        ("log_softmax", "log_softmax_lastdim_kernel_impl"), ("hypot", "hypot_cpu")]},
    "mean": ("RuntimeError", "mean(): could not infer output dtype. Input dtype must be "
             "either a floating point or complex dtype. Got: {}"),
    "var": ("RuntimeError", "std and var only support floating point and complex dtypes"),
    "std": ("RuntimeError", "std and var only support floating point and complex dtypes"),
    "norm": ("RuntimeError", "linalg.vector_norm: Expected a floating point or complex tensor "
             "as input. Got {}"),
    "det": ("RuntimeError", "linalg.det: Expected a floating point or complex tensor as "
            "input. Got {}"),
}
INT_REFUSED["mean_dim"] = INT_REFUSED["mean"]
_TORCH_DTYPE = {"int64": "Long", "int32": "Int", "bool": "Bool", "int16": "Short",
                "uint8": "Byte", "int8": "Char"}


# ------------------------------------------------------------------------ indexing


def index_tensor(ev: Evaluator, x: Node, items: list, *, single: bool) -> Node:
    """Indexing as PyTorch applies it: basic indices first, left to right (select, slice,
    unsqueeze), then one advanced index (IndexBackward0) for all integer lists, integer
    tensors and boolean masks, placed as NumPy places them.

    A lone slice (``v[0:2]``, even ``v[:]``) always records a slice; inside a tuple,
    full slices are skipped, and an index that changes nothing is an alias.
    """
    items = [_advanced(ev, it) for it in items]
    for it in items:
        if isinstance(it, float) or isinstance(it, bool):
            raise ArgumentError(f"indices must be integers (got {it!r})")
        if isinstance(it, str) or not isinstance(it, (int, slice, np.ndarray, list, tuple,
                                                      type(None), type(Ellipsis))):
            raise ArgumentError(f"only integers, slices (`:`), ellipsis (`...`), None and "
                                f"integer or boolean tensors are valid indices (got "
                                f"{describe(it)})")
    ndim = x.value.ndim
    consumed = [1 if isinstance(it, (int, slice)) else
                (it.ndim if isinstance(it, np.ndarray) and it.dtype == np.bool_ else
                 1 if isinstance(it, np.ndarray) else 0) for it in items]
    specified = sum(consumed)
    if sum(1 for it in items if it is Ellipsis) > 1:
        raise ArgumentError("an index can only have a single ellipsis ('...')")
    if specified > ndim:
        if ndim == 0:
            raise ShapeError("invalid index of a 0-dim tensor",
                             hint="use .item() to read its number")
        raise ShapeError(f"too many indices for a tensor of dimension {ndim} "
                         f"(shape {list(x.value.shape)})")
    result, dim = x, 0
    advanced: list[tuple[int, np.ndarray]] = []
    for it, width in zip(items, consumed):
        if it is Ellipsis:
            dim += ndim - specified
        elif it is None:
            result = ev.apply("unsqueeze", (result,), {"dim": dim})
            dim += 1
        elif isinstance(it, np.ndarray):
            advanced.append((dim, it))
            dim += width
        elif isinstance(it, int):
            size = result.value.shape[dim]
            if not -size <= it < size:
                raise ShapeError(f"index {it} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            result = ev.apply("select", (result,), {"dim": dim, "index": it % size})
        else:
            size = result.value.shape[dim]
            if it.step is not None and it.step <= 0:
                raise ArgumentError("slice step must be positive")
            start, stop, step = it.indices(size)
            stop = max(stop, start)
            # PyTorch skips a slice only when written from 0 (or nothing) to at least the
            # end: x[:, -3:] records a slice even where it covers every element
            full = (it.start in (None, 0) and (it.stop is None or it.stop >= size)
                    and it.step in (None, 1))
            if single or not full:
                result = ev.apply("slice", (result,),
                                  {"dim": dim, "start": start, "stop": stop, "step": step})
            dim += 1
    if advanced:
        index = _numpy_index(result, advanced)
        picked = np.broadcast_shapes(*(i.shape for i in index if isinstance(i, np.ndarray)))
        kept = [d for d, i in zip(result.value.shape, index) if not isinstance(i, np.ndarray)]
        ev.graph.check_size((*picked, *kept), "the result of indexing")
        return ev.apply("index", (result,), {"index": index})
    if result is x:
        return ev.apply("alias", (x,))
    return result


def _advanced(ev: Evaluator, it: Any) -> Any:
    """Integer lists, integer tensors and boolean masks become index arrays."""
    if isinstance(it, Node):
        if it.value.dtype.kind not in "iub":
            raise ArgumentError("tensors used as indices must be integer or boolean "
                                f"(got {it.value.dtype})")
        return it.value
    if isinstance(it, range):
        it = list(it)
    if isinstance(it, (list, tuple)):
        arr = ev.list_value(it, float_default=False)
        if arr.size == 0 or arr.dtype.kind == "f":  # PyTorch truncates a float list
            return arr.astype(np.int64)
        return arr
    return it


def _numpy_index(x: Node, advanced: list[tuple[int, np.ndarray]]) -> tuple:
    """The advanced index over `x`'s dims; masks become integer arrays, bounds checked."""
    index: list[Any] = [slice(None)] * x.value.ndim
    for dim, arr in advanced:
        if arr.dtype == np.bool_:
            shape = x.value.shape[dim:dim + arr.ndim]
            if tuple(arr.shape) != tuple(shape):
                raise ShapeError(f"the mask of shape {list(arr.shape)} does not match "
                                 f"dimensions {list(shape)} of the indexed tensor")
            for k, part in enumerate(np.nonzero(arr)):
                index[dim + k] = part
        else:
            size = x.value.shape[dim]
            if arr.size and (arr.max() >= size or arr.min() < -size):
                bad = int(arr.max() if arr.max() >= size else arr.min())
                raise ShapeError(f"index {bad} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            index[dim] = arr.astype(np.int64) % size if size else arr.astype(np.int64)
    try:
        np.broadcast_shapes(*(np.shape(i) for i in index if isinstance(i, np.ndarray)))
    except ValueError:
        raise ShapeError("the index arrays cannot be broadcast together") from None
    return tuple(index)


# ------------------------------------------------------------------------ constructors


def _dtype_of(ev: Evaluator, name: str, v: Any) -> np.dtype | None:
    if v is None:
        return None
    if isinstance(v, str) and v in DTYPES:  # NumPy's spelling: np.array(..., dtype='float32')
        return np.dtype(DTYPES[v])
    if not isinstance(v, DType):
        raise ArgumentError(f"{name}(): dtype must be like torch.float32 (got {describe(v)})")
    return v.np


def _finish_tensor(ev: Evaluator, name: str, value: np.ndarray, kwargs: dict) -> Node:
    dtype = _dtype_of(ev, name, kwargs.get("dtype"))
    if dtype is not None:
        value = value.astype(dtype)
    req = kwargs.get("requires_grad", False)
    if not isinstance(req, bool):
        raise ArgumentError(f"{name}(): requires_grad must be True or False")
    if req and value.dtype.kind != "f":
        from .errors import ProgramError

        raise ProgramError("Only Tensors of floating point and complex dtype can require "
                           "gradients", "RuntimeError",
                           hint="write the numbers with a decimal point, e.g. [1., 2.]")
    return ev.constant(value, requires_grad=req)


def _sized(fill):
    def make(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
        own = {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad",
                                                             "generator")}
        if "size" in own:  # torch.rand(size=(2, 4))
            bind(name, args, {k: v for k, v in own.items() if k != "size"}, [])
            shape = dispatch.size_args(name, [own["size"]])
        else:
            shape = dispatch.size_args(name, bind(name, args, own, [], varargs="size")["size"])
        ev.graph.check_size(shape, f"{name}{tuple(shape)}")
        dtype = _dtype_of(ev, name, kwargs.get("dtype")) or ev.graph.dtype
        gen = kwargs.get("generator")
        if gen is not None and not isinstance(gen, Randomness):
            raise ArgumentError(f"{name}(): generator must be a torch.Generator()")
        return _finish_tensor(ev, name, fill(gen or ev.random, shape, dtype), kwargs)
    return make


def _tensor(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
    p = bind(name, args, {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad")},
             [("data", REQUIRED)])
    data = p["data"]
    # floats go straight to the dtype asked for: torch.tensor(0.1, dtype=torch.float64) in a
    # float32 run is the double nearest 0.1, not a float32 0.1 widened
    want = _dtype_of(ev, name, kwargs.get("dtype"))
    floats = want if want is not None and want.kind == "f" else ev.graph.dtype
    if isinstance(data, Node):
        value = data.value.copy()
    elif isinstance(data, bool):
        value = np.asarray(data, dtype=np.bool_)
    elif isinstance(data, (int, float)):
        value = np.asarray(data, dtype=np.int64 if isinstance(data, int) else floats)
    elif isinstance(data, (list, tuple)):
        value = ev.list_value(data, float_default=False, float_dtype=floats)
    elif isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind in "biuf":
        # a NumPy array keeps its dtype; from_numpy shares its memory, tensor() copies
        value = data if name == "from_numpy" and isinstance(data, np.ndarray) \
            else np.array(data)
    else:
        raise ArgumentError(f"{name}() expects numbers or nested lists (got {describe(data)})")
    return _finish_tensor(ev, name, value, kwargs)


def _like(fill_name: str):
    def make(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
        p = bind(name, args, {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad")},
                 [("input", REQUIRED)])
        x = ev.tensor(p["input"])
        return CONSTRUCTORS[fill_name](ev, fill_name, [x.value.shape], kwargs)
    return make


def _eye(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
    p = bind(name, args, {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad")},
             [("n", REQUIRED), ("m", None)])
    n = dispatch.as_int(name, "n", p["n"])
    m = n if p["m"] is None else dispatch.as_int(name, "m", p["m"])
    for what, v in (("n", n), ("m", m)):
        if v < 0:
            raise ArgumentError(f"{name}(): {what} must be greater or equal to 0, got {v}")
    ev.graph.check_size((n, m), f"eye({n}, {m})")
    return _finish_tensor(ev, name, np.eye(n, m, dtype=ev.graph.dtype), kwargs)


def _arange(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
    p = bind(name, args, {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad")},
             [("start", REQUIRED), ("end", None), ("step", 1)])
    start, end, step = p["start"], p["end"], p["step"]
    if end is None:
        start, end = 0, start
    for v in (start, end, step):
        dispatch.as_float(name, "a bound", v)
        if not math.isfinite(v):
            raise ArgumentError(f"{name}(): unsupported range: {start} -> {end}",
                                hint="the bounds and the step must be finite")
    if step == 0:
        raise ArgumentError("arange(): step must be nonzero")
    count = max(0, math.ceil((end - start) / step))
    ev.graph.check_size((count,), name)
    ints = all(isinstance(v, int) for v in (start, end, step))
    value = np.arange(start, end, step, dtype=np.int64) if ints else \
        torch_arange(float(start), float(step), count, ev.graph.dtype)
    return _finish_tensor(ev, name, value, kwargs)


def torch_arange(start: float, step: float, count: int, dtype: np.dtype) -> np.ndarray:
    """PyTorch's float arange, bit for bit: in double, with fused multiply-adds; the
    vectorised body takes lanes of 8 (float32) or 4 (float64) values from a base rounded to
    the dtype, the last count % (2 * lanes) values are computed one by one."""
    from .torchrandom import _fma64

    dt = np.dtype(dtype)
    lanes = 8 if dt.itemsize == 4 else 4
    body = count - count % (2 * lanes)
    out = np.empty(count, dtype=dt)
    if body:
        groups = np.arange(0, body, lanes, dtype=np.float64)
        base = np.asarray(_fma64(np.full(groups.shape, step), groups,
                                 np.full(groups.shape, start))).astype(dt).astype(np.float64)
        k = np.broadcast_to(np.arange(lanes, dtype=np.float64), (len(groups), lanes))
        out[:body] = np.asarray(_fma64(k, np.full(k.shape, step),
                                       np.broadcast_to(base[:, None], k.shape))).reshape(-1)
    if count > body:
        i = np.arange(body, count, dtype=np.float64)
        out[body:] = np.asarray(_fma64(np.full(i.shape, step), i, np.full(i.shape, start)))
    return out


def _names_functional(func: Any) -> bool:
    """Whether a call is spelled F.NAME / torch.nn.functional.NAME (some functions, such as
    softmax without dim, are allowed only in that spelling)."""
    parts = []
    while isinstance(func, Attr):
        parts.append(func.name)
        func = func.obj
    return isinstance(func, Name) and (func.id == "F" or "functional" in parts[1:])


def _linspace(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
    p = bind(name, args, {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad")},
             [("start", REQUIRED), ("end", REQUIRED), ("steps", REQUIRED)])
    steps = dispatch.as_int(name, "steps", p["steps"])
    if steps < 0:
        raise ArgumentError(f"{name}(): number of steps must be non-negative (got {steps})")
    ev.graph.check_size((steps,), name)
    value = torch_linspace(dispatch.as_float(name, "start", p["start"]),
                           dispatch.as_float(name, "end", p["end"]), steps, ev.graph.dtype)
    return _finish_tensor(ev, name, value, kwargs)


def torch_linspace(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """PyTorch's linspace: the first half counts up from start, the second half down from
    end, in the tensor's dtype (so the last value is exactly end), each value one fused
    multiply-add as PyTorch's CPU kernel computes it (checked bit for bit)."""
    dt = np.dtype(dtype)
    if steps == 1:
        return np.array([start], dtype=dt)
    a, b = dt.type(start), dt.type(end)
    step = (b - a) / dt.type(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    if dt.kind != "f" or dt.itemsize not in (4, 8):
        return np.where(i < half, a + step * i.astype(dt),
                        b - step * (steps - i - 1).astype(dt)).astype(dt)
    from .torchrandom import _fma32, _fma64

    fma = _fma32 if dt == np.float32 else _fma64
    steps_v = np.full(steps, step, dtype=dt)
    up = fma(steps_v, i.astype(dt), np.full(steps, a, dtype=dt))
    down = fma(-steps_v, (steps - i - 1).astype(dt), np.full(steps, b, dtype=dt))
    return np.where(i < half, up, down).astype(dt)


def _full(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
    p = bind(name, args, {k: v for k, v in kwargs.items() if k not in ("dtype", "requires_grad")},
             [("size", REQUIRED), ("fill_value", REQUIRED)])
    shape = dispatch.size_args(name, [p["size"]])
    fill = dispatch.as_float(name, "fill_value", p["fill_value"])
    ev.graph.check_size(shape, f"{name}{tuple(shape)}")
    return _finish_tensor(ev, name, np.full(shape, fill, dtype=ev.graph.dtype), kwargs)


def _typed(dtype: str):
    """torch.FloatTensor([...]) and friends: a tensor of that dtype, whatever the default."""
    def make(ev: Evaluator, name: str, args: list, kwargs: dict) -> Node:
        if args and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            shape = dispatch.size_args(name, list(args))  # uninitialised: shown as zeros
            ev.graph.check_size(shape, f"{name}{shape}")
            return _finish_tensor(ev, name, np.zeros(shape, dtype=dtype), kwargs)
        node = _tensor(ev, name, args, kwargs)
        node.value = node.value.astype(dtype)
        return node
    return make


CONSTRUCTORS = {
    "tensor": _tensor, "as_tensor": _tensor, "array": _tensor,
    "Tensor": lambda ev, name, args, kwargs: _typed(ev.graph.dtype)(ev, name, args, kwargs),
    "from_numpy": _tensor, "FloatTensor": _typed("float32"), "DoubleTensor": _typed("float64"),
    "LongTensor": _typed("int64"), "IntTensor": _typed("int32"), "BoolTensor": _typed("bool"),
    "ByteTensor": _typed("uint8"),
    "randn": _sized(lambda rng, s, dt: rng.draw("randn", s, dt)),
    "rand": _sized(lambda rng, s, dt: rng.draw("rand", s, dt)),
    "zeros": _sized(lambda rng, s, dt: np.zeros(s, dtype=dt)),
    "empty": _sized(lambda rng, s, dt: np.zeros(s, dtype=dt)),
    "ones": _sized(lambda rng, s, dt: np.ones(s, dtype=dt)),
    "eye": _eye, "arange": _arange, "linspace": _linspace, "full": _full,
}
for _n in ("randn", "rand", "zeros", "ones", "empty"):
    CONSTRUCTORS[f"{_n}_like"] = _like(_n)


def _to_plain(items: Any) -> Any:
    """Nested lists with tensors replaced by their values (depth bounded by the parser)."""
    if isinstance(items, Node):
        return items.value
    if isinstance(items, (list, tuple)):
        out: list = []
        stack = [(items, out)]
        while stack:
            src, dst = stack.pop()
            for v in src:
                if isinstance(v, (list, tuple)):
                    sub: list = []
                    dst.append(sub)
                    stack.append((v, sub))
                elif isinstance(v, Node):  # torch.tensor([t, ...]): each t one number
                    if v.value.size != 1:
                        raise ArgumentError("only one element tensors can be converted to "
                                            "Python scalars")
                    dst.append(v.value.reshape(-1)[0])
                else:
                    dst.append(v)
        return out
    return items


def describe(v: Any) -> str:
    if isinstance(v, Node):
        return f"a tensor of shape {list(v.value.shape)}"
    if isinstance(v, NamedPair):
        return "a (values, indices) pair"
    if isinstance(v, tuple):
        return "a tuple"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, str):
        return f"the string {v!r}"
    if isinstance(v, DType):
        return f"the dtype {v.name}"
    if v is None:
        return "None"
    return f"the number {v!r}"


def _suggest(name: str) -> str:
    names = set(FUNCTIONS) | set(CONSTRUCTORS)
    close = _close_matches(name, sorted(names), n=2)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "run `gradcli ops` for the list of operations"


def _suggest_unused(unused: list[str], program: Program) -> str:
    from .syntax import walk

    names: set[str] = set()
    for stmt in program.statements:
        if isinstance(stmt, Import):
            continue
        for node in walk(stmt.value):
            if isinstance(node, Name):
                names.add(node.id)
    free = sorted(names - set(CONSTANTS) - MODULE_ROOTS)
    for u in unused:
        close = _close_matches(u, free, n=1)
        if close:
            return f"did you mean --{close[0]}? the program reads: {', '.join(free)}"
    return ("the program reads: " + ", ".join(free)) if free else "the program reads no names"


# ------------------------------------------------------------------------ public API


def to_array(name: str, value: Any, dtype: np.dtype) -> np.ndarray:
    """A binding value given through the API: number, nested list or NumPy array."""
    if isinstance(value, bool):
        raise BindingError(f"binding {name!r} must be a number or an array, not a boolean")
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            return np.asarray(value, dtype=dtype)
        except OverflowError:
            raise BindingError(f"binding {name!r}: the integer is beyond float range") from None
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            arr = np.asarray(value)
        except ValueError as e:
            if "maximum supported dimension" in str(e):
                raise BindingError(f"binding {name!r}: the nested lists are more than 64 "
                                   "levels deep") from None
            raise BindingError(f"binding {name!r}: the nested lists are ragged") from None
        except RecursionError:
            raise BindingError(f"binding {name!r}: the nested lists are too deep") from None
        if arr.dtype == object:  # integers beyond int64 (or beyond float range)
            try:
                arr = np.asarray(value, dtype=np.float64)
            except (OverflowError, ValueError, TypeError):
                raise BindingError(f"binding {name!r}: expected numbers within float range"
                                   ) from None
        if arr.dtype.kind not in "iuf" or arr.dtype == object:
            raise BindingError(f"binding {name!r}: expected numbers, got {arr.dtype} values")
        return arr.astype(dtype, copy=False)
    raise BindingError(f"binding {name!r}: expected a number, a nested list or an array, "
                       f"got {type(value).__name__}")



def _call_children(ev: "Evaluator", node) -> tuple:
    head = (node.func.obj,) if (type(node.func) is Attr
                                and not ev._is_module(node.func.obj)) else ()
    return (*head, *node.args, *(v for _, v in node.kwargs))


# what an expression node evaluates first (its children, left to right) and how it
# combines their values: by the node's class (syntax classes are never subclassed)
_CHILDREN: dict = {
    Binary: lambda ev, n: (n.left, n.right),
    Compare: lambda ev, n: (n.left, n.right),
    Unary: lambda ev, n: (n.operand,),
    Paren: lambda ev, n: (n.inner,),
    ListExpr: lambda ev, n: n.items,
    TupleExpr: lambda ev, n: n.items,
    Attr: lambda ev, n: () if ev._is_module(n.obj) else (n.obj,),
    Call: _call_children,
    Index: lambda ev, n: (n.obj, *n.items),
    Slice: lambda ev, n: tuple(p for p in (n.lo, n.hi, n.step) if p is not None),
}
_FINISH: dict = {
    Binary: lambda ev, n, a: dispatch.binary(ev, n.op, a[0], a[1]),
    Name: lambda ev, n, a: ev._lookup(n),
    Num: lambda ev, n, a: n.value,
    Unary: lambda ev, n, a: ev._unary(n, a),
    Paren: lambda ev, n, a: a[0],
    Compare: lambda ev, n, a: dispatch.compare(ev, n.op, a[0], a[1]),
    ListExpr: lambda ev, n, a: list(a),
    TupleExpr: lambda ev, n, a: tuple(a),
    Str: lambda ev, n, a: n.value,
    Call: lambda ev, n, a: ev._call(n, a),
    Attr: lambda ev, n, a: ev._attr(n, a),
    Index: lambda ev, n, a: ev._index(n, a[0], a[1:]),
    Slice: lambda ev, n, a: ev._slice(n, a),
    EllipsisExpr: lambda ev, n, a: Ellipsis,
}


def evaluate(program: str | Program, bindings: Mapping[str, Any] | None = None, *,
             no_grad: Iterable[str] = (), retain_grad: Iterable[str] = (),
             dtype: str = "float64", seed: int | None = None,
             max_elements: int = 10**8, trace: bool = False,
             overrides: Mapping[str, np.ndarray] | None = None,
             batched: bool = False, differentiate: bool | None = True,
             max_steps: int = 10**6, random_state: bytes | None = None,
             keep_graphs: Any = None, lesson: bool | None = None,
             max_memory: int | None = None, max_flops: int | None = None,
             progress: Any = None) -> Result:
    """Parse `program`, evaluate it at `bindings`, run backward; return the Result (a
    LessonResult for a lesson program: statements, prints, several backward passes)."""
    from . import ops

    ops.FMA_WORK_LEFT = ops.RUN_WORK  # each run computes its products the same way
    try:
        return _evaluate(program, bindings, no_grad=no_grad, retain_grad=retain_grad,
                         dtype=dtype, seed=seed, max_elements=max_elements, trace=trace,
                         overrides=overrides, batched=batched, differentiate=differentiate,
                         max_steps=max_steps, random_state=random_state,
                         keep_graphs=keep_graphs, lesson=lesson, max_memory=max_memory,
                         max_flops=max_flops, progress=progress)
    except (MemoryError, RecursionError) as e:  # anywhere: parsing, backward, results
        raise from_python(e) from None


def _evaluate(program, bindings, *, no_grad, retain_grad, dtype, seed, max_elements, trace,
              overrides, batched, differentiate, max_steps, random_state, keep_graphs,
              lesson, max_memory, max_flops, progress) -> Result:
    if dtype not in ("float64", "float32"):
        raise BindingError(f"dtype must be float64 or float32 (got {dtype!r})")
    if not isinstance(program, (str, Program)):
        raise BindingError(f"the program must be text (got {type(program).__name__})")
    if bindings is not None and not isinstance(bindings, Mapping):
        raise BindingError(f"the bindings must be a dict of names to values (got "
                           f"{type(bindings).__name__})")
    for option, value in (("max_elements", max_elements), ("max_steps", max_steps),
                          ("max_memory", max_memory), ("max_flops", max_flops)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 1):
            raise BindingError(f"{option} must be a positive integer (got {value!r})")
    prog = program if isinstance(program, Program) else parse(program)
    from .syntax import is_lesson

    if lesson is None:  # decided by the syntax unless the caller says
        lesson = is_lesson(prog)
    np_dtype = np.dtype(DTYPES[dtype])
    arrays: dict[str, np.ndarray] = {}
    for name, value in (bindings or {}).items():
        if not is_name(name) or name in RESERVED:
            raise BindingError(f"{name!r} cannot be a variable name")
        arr = to_array(name, value, np_dtype)
        if arr.size > max_elements:
            raise BindingError(f"binding {name!r} has {arr.size:,} elements, more than the "
                               f"limit of {max_elements:,}")
        arrays[name] = arr
    if lesson:
        from .lesson import Interpreter

        return Interpreter(prog, arrays, no_grad=no_grad, retain_grad=retain_grad, dtype=dtype,
                           seed=seed, max_elements=max_elements, max_steps=max_steps,
                           random=Randomness(seed, random_state), overrides=overrides,
                           keep_graphs=keep_graphs, max_memory=max_memory,
                           max_flops=max_flops, progress=progress).run()
    ev = Evaluator(prog, arrays, no_grad=no_grad, retain_grad=retain_grad, dtype=dtype,
                   seed=seed, max_elements=max_elements, trace=trace, overrides=overrides,
                   batched=batched, differentiate=differentiate,
                   random=Randomness(seed, random_state), max_memory=max_memory,
                   max_flops=max_flops)
    return ev.run()


def _close_matches(word: str, possibilities: Any, n: int) -> list:
    """difflib's suggestions, imported only when a name is unknown."""
    import difflib

    return difflib.get_close_matches(word, possibilities, n=n)
