"""Lesson programs: the subset of Python that autograd lessons are written in.

The interpreter runs statements on an explicit stack of frames (no Python recursion:
a user function call pushes a frame, its `return` pops it), each frame a stack of blocks
(function body, loop, `with`, `try`). Expressions are evaluated by the Evaluator's
explicit-stack walk, which pauses at a call of a user function and resumes with its
value. Tensors are the engine's nodes with PyTorch's state (runtime.py); every
`backward()` and `torch.autograd.grad` is one pass over the part of the graph it reaches.
A step budget bounds loops, a depth limit bounds recursion.
"""

from __future__ import annotations

import collections
import math
from typing import Any, Iterator

import numpy as np

from . import dispatch, runtime, stdlib
from .dispatch import FUNCTIONS, REQUIRED, NamedPair, bind
from .engine import Graph, Node
from .errors import (CONVERTIBLE, ArgumentError, GradcliError, LimitError, ProgramError,
                     ShapeError, UnknownFunctionError, from_python)
from .evaluator import CONSTANTS, CONSTRUCTORS, DTYPES, DType, Evaluator, Randomness
from .pyvalues import (AccumulateGrad, BoundMethod, Builtin, ContextManager, ExcType,
                       ExcValue, GradFn, GradMode, ODict, Printer, Starred, TorchSize,
                       UserFunction, fake_address, format_value, py_error, python_binary,
                       python_number, type_name)
from .syntax import (AugAssign, Assign, Attr, Binary, BoolOp, Break, Call, ChainCompare,
                     ClassDef, Comp, Compare, Continue, Delete, DictExpr, ExprStmt, For,
                     FormattedValue, FString, FunctionDef, Global, If, IfExp, Import, Index,
                     NamedExpr, Paren, Lambda, ListExpr, Name, Not, Num, Pass, Program, Raise, Return, SetExpr,
                     SetStmt, Str, TupleExpr, Try, Unary, While, With, Yield, Annotated)
from .syntax import Assert as AssertStmt
from .syntax import Starred as StarredExpr

MODULE_NAMES = frozenset({"torch", "F", "nn", "np", "numpy", "math"})
MISSING = object()  # no scope binds the name
MAX_DEPTH = 1000  # frames, as Python's default recursion limit
MAX_NATIVE_DEPTH = 32  # user code called back from gradcli's own code (hooks, jacobian)
MAX_OUTPUT = 16 * 1024 * 1024
TORCH_DTYPE_NAMES = {"float64": "float64", "double": "float64", "float32": "float32",
                     "float": "float32", "float16": "float16", "half": "float16",
                     "int64": "int64", "long": "int64", "int32": "int32", "int": "int32",
                     "bool": "bool"}
EXCEPTIONS = set(ExcType.PARENTS) | {"BaseException"}


class CallRequest:
    """A user function call met inside an expression: the frame pauses until it returns.
    `result`: what the call gives instead of the function's value (a new instance, for
    a class's __init__)."""

    __slots__ = ("fn", "args", "kwargs", "result")

    def __init__(self, fn: UserFunction, args: list, kwargs: dict) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.result = None


class YieldSignal:
    """A generator's frame reached `yield value`: it pauses until the next value is asked."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class Generator:
    """What calling a generator function gives: an iterator whose next value runs the
    function's paused frame until its next `yield`."""

    def __init__(self, ip: "Interpreter", frame: "Frame") -> None:
        self.ip, self.frame, self.started, self.done = ip, frame, False, False

    def __iter__(self) -> "Generator":
        return self

    def __next__(self) -> Any:
        return self.ip.resume(self)


class Task:
    """An expression being evaluated: its compiled post-order `code` and the position
    reached, or (for expressions with short-circuits and comprehensions) the walk's stack;
    the values so far; the scopes of the comprehensions it is inside."""

    __slots__ = ("stack", "values", "scopes", "code", "pc")

    def __init__(self, expr: Any, code: list | None = None) -> None:
        self.code = code
        self.pc = 0
        self.stack: list = [] if code is not None else [(expr, -1)]
        self.values: list = []
        self.scopes: list[dict] = []


SPECIAL_NODES = (BoolOp, IfExp, ChainCompare, Comp)


class Frame:
    __slots__ = ("scope", "outer", "blocks", "task", "cont", "native", "grad_saved",
                 "declared", "fn", "result")

    def __init__(self, scope: dict, outer: tuple, blocks: list, fn: Any = None) -> None:
        self.scope, self.outer, self.blocks, self.fn = scope, outer, blocks, fn
        self.task: Task | None = None
        self.cont: tuple = ()
        self.native = False
        self.grad_saved: tuple[bool, bool] | None = None
        self.declared: dict[str, str] = {}  # name -> "global" | "nonlocal"
        self.result: Any = None  # what the call gives instead of the return value


class HookHandle:
    """What register_hook returns: .remove() takes the hook off again."""

    __slots__ = ("node", "fn", "where")

    def __init__(self, node: Node, fn: Any, where: list | None = None) -> None:
        self.node, self.fn, self.where = node, fn, where


class Interpreter(Evaluator):
    """Runs a lesson program; the expression machinery is the Evaluator's."""

    LIST_TENSORS_DETACH = True

    def __init__(self, program: Program, bindings: dict, *, max_steps: int = 10**6,
                 keep_graphs: Any = None, progress: Any = None, **options: Any) -> None:
        super().__init__(program, bindings, **options)
        self.progress = progress  # told the statement count every 16384 statements
        self.keep_graphs = keep_graphs
        self.node_hooks: dict[tuple[Node, str], list] = {}  # hooks on grad_fn objects
        self.parameters: set[int] = set()  # nn.Parameter tensors print as Parameters
        self._parameter_nodes: list[Node] = []  # ... and stay alive, so ids stay theirs
        self.graph = Graph(self.graph.dtype, self.graph.max_elements, keep=False,
                           max_memory=self.graph.max_memory, max_flops=self.graph.max_flops)
        self.max_steps = max_steps
        self.numpy_random: Any = None  # np.random's state, once the program uses it
        self.module_hooks: dict = {}  # (id(module), kind): forward (pre-)hooks
        self._forward_ad: Any = None  # forward_ad.ForwardAD, made on first use
        self._saved_hooks: Any = None  # saved_hooks.SavedHooks, made on first use
        self.post_accumulate_hooks: dict[int, tuple[Node, list]] = {}  # id(leaf) -> hooks
        self.multi_grad_hooks: list = []  # (tensors, fn) of register_multi_grad_hook
        self._route_memo: dict = {}  # Attr call node -> (epoch, path, nn value, functional)
        self.steps = 0
        self.out: list[str] = []
        self.out_size = 0
        self.passes: list[runtime.Pass] = []
        self.own_versions: dict[int, int] = {}
        self.modules: dict[str, str] = {}
        self.frames: list[Frame] = []
        self.native_depth = 0
        self._last_return: Any = None
        self._task: Task | None = None
        self._frame: Frame | None = None
        self.warnings_out: list[str] = []
        self.default_dtype = self.graph.dtype.name
        self.print_options = None  # torch.set_printoptions (None: PyTorch's defaults)
        self.made_inference_tensors = False  # an inference_mode block ran
        self._codes: dict[Any, tuple[int, list | None]] = {}
        self._epoch = 0  # bumped when a module's name is bound: compiled code is stale
        self._module_memo: dict[Any, tuple[int, bool]] = {}
        self.printer = Printer(self._tensor_text, self._dtype_text, self._user_text)

        self.builtins = self._make_builtins()

    # ---------------------------------------------------------------- running

    def run(self):  # type: ignore[override]
        import warnings

        from .engine import no_cycle_collection
        from .result import LessonResult

        error: GradcliError | None = None
        with np.errstate(all="ignore"), warnings.catch_warnings(), no_cycle_collection():
            warnings.simplefilter("ignore", RuntimeWarning)
            module = Frame(self.env, (), [[self.program.statements, 0, "module", None]])
            self.frames.append(module)
            try:
                self._exec(0)
            except GradcliError as e:
                if e.source is None:
                    e.source = self.source
                error = e
        unused = sorted(set(self.bindings) - self.read_bindings)
        if unused and error is None:
            from .errors import BindingError
            error = BindingError(f"binding{'s' if len(unused) > 1 else ''} "
                                 f"{', '.join(unused)} never read by the program")
        variables = {**self.bound_nodes,
                     **{k: v for k, v in self.env.items() if isinstance(v, Node)}}
        seen = {id(v) for v in variables.values()}
        for k, v in self._module_parameters().items():
            if id(v) not in seen:
                seen.add(id(v))
                variables[k] = v
        return LessonResult(self.source, "".join(self.out), self.passes, variables,
                            error, dtype=self.graph.dtype.name, printer=self.printer,
                            warnings=self.warnings_out)

    def _name_parameters(self, name: str, value: Any) -> None:
        """`model = Net()` at the top level: the model's parameters are called
        model.linear.weight, ... in graphs and tables (unless they have a name already)."""
        from .nn import is_module, named_parameters

        if is_module(value):
            for pname, p in named_parameters(self, value):
                if p.name is None:
                    p.name = f"{name}.{pname}"

    def _module_parameters(self) -> dict:
        """The parameters of the modules the program's names hold (`model.linear.weight`),
        so the final state shows what training changed."""
        from .classes import Instance

        out: dict = {}
        if not any(isinstance(v, Instance) for v in self.env.values()):
            return out
        from .nn import is_module, named_parameters

        for k, v in sorted(self.env.items(), key=lambda kv: kv[0]):
            if is_module(v):
                for name, p in named_parameters(self, v):
                    out[f"{k}.{name}"] = p
        return out

    def _exec(self, base: int) -> None:
        """Run frames until the stack is back to `base` frames."""
        frames = self.frames
        while len(frames) > base:
            f = frames[-1]
            self._frame = f
            try:
                if f.task is not None:
                    task = f.task
                    self._task = task
                    req = self._walk(task)
                    if req is not None:
                        if type(req) is YieldSignal:
                            self._yield(req)
                        else:
                            self._call_user(req.fn, req.args, req.kwargs)
                            if req.result is not None and self.frames[-1] is not f:
                                self.frames[-1].result = req.result
                        continue
                    value = task.values.pop()
                    f.task = None
                    self._task = None
                    self._resume(f, value)
                    continue
                blocks = f.blocks
                if not blocks:
                    self._return(None)
                    continue
                blk = blocks[-1]
                if blk[1] >= len(blk[0]):
                    self._end_block(f, blk)
                    continue
                stmt = blk[0][blk[1]]
                blk[1] += 1
                self.steps += 1
                if not self.steps & 0x3FFF and self.progress is not None:
                    self.progress(self.steps)
                if self.steps > self.max_steps:
                    raise LimitError(f"the program ran more than {self.max_steps:,} statements",
                                     line=stmt.pos.line, column=stmt.pos.column,
                                     hint="an endless loop? raise the budget with --max-steps")
                self._current = stmt
                self._start(f, stmt)
            except (GradcliError, *CONVERTIBLE) as e:
                if not isinstance(e, GradcliError):
                    e = from_python(e)
                if e.line is None and self._current is not None:
                    pos = getattr(self._current, "pos", None)
                    if pos is not None:
                        e.at(pos.line, pos.column, self.source)
                self._unwind(e, base)

    def _unwind(self, e: GradcliError, base: int) -> None:
        """Find an `except` that catches `e`, popping blocks and frames above `base`."""
        pytype = e.pytype
        frames = self.frames
        while len(frames) > base:
            f = frames[-1]
            f.task = None
            while f.blocks:
                blk = f.blocks[-1]
                if blk[2] == "try" and pytype is not None:
                    stmt = blk[3]
                    for h in stmt.handlers:
                        if h.type is None or self._catches(h.type, pytype, e):
                            self._pop_block(f)
                            if h.name:
                                inst = getattr(e, "instance", None)
                                self._bind_name(f, h.name, inst if inst is not None else
                                                ExcValue(pytype, e.message, e))
                            if stmt.finalbody:
                                f.blocks.append([stmt.finalbody, 0, "finally", None])
                            if h.name:  # `except E as e:` unbinds e when the handler ends
                                f.blocks.append([(), 0, "unbind", h.name])
                            f.blocks.append([h.body, 0, "body", None])
                            return
                    if stmt.finalbody:
                        self._pop_block(f)
                        f.blocks.append([stmt.finalbody, 0, "reraise", e])
                        return
                self._pop_block(f)
            self._pop_frame()
        raise e

    def _catches(self, type_expr: Any, pytype: str, e: Any = None) -> bool:
        from .classes import UserClass, exception_base

        t = self._sync(type_expr)
        kinds = t if isinstance(t, tuple) else (t,)
        inst = getattr(e, "instance", None)  # an exception of the program's own class
        for k in kinds:
            if isinstance(k, UserClass) and exception_base(k) is not None:
                if inst is not None and k in inst.cls.mro():
                    return True
                continue
            if not isinstance(k, ExcType):
                raise py_error("catching classes that do not inherit from BaseException is "
                               "not allowed")
            if k.covers(exception_base(inst.cls).name if inst is not None else pytype):
                return True
        return False

    def _pop_block(self, f: Frame) -> None:
        blk = f.blocks.pop()
        if blk[2] == "with":
            for mode in reversed(blk[3]):
                self._exit_mode(mode)
        elif blk[2] == "unbind":
            (self.env if f.declared.get(blk[3]) == "global" else f.scope).pop(blk[3], None)

    def _pop_frame(self) -> Frame:
        f = self.frames.pop()
        while f.blocks:
            self._pop_block(f)
        if f.grad_saved is not None:
            self.set_mode_state(f.grad_saved)
        return f

    def _pending_finally(self, f: Frame, stop_at_loop: bool) -> bool:
        """Before `return` (or break/continue) leaves a try with a `finally`, run it: pop
        the blocks down to that try and push its finally body; True if one was found."""
        for k in range(len(f.blocks) - 1, -1, -1):
            blk = f.blocks[k]
            kind = blk[2]
            if stop_at_loop and kind in ("while", "for"):
                return False
            if kind == "try" and blk[3].finalbody:
                body = blk[3].finalbody
            elif kind == "finally" and blk[1] == 0:  # under a handler or else, not begun
                body = blk[0]
            else:
                continue
            while len(f.blocks) > k:
                self._pop_block(f)
            self._finally_body = body
            return True
        return False

    def _return(self, value: Any) -> None:
        f = self.frames[-1] if self.frames else None
        if f is not None and f.blocks and self._pending_finally(f, False):
            f.blocks.append([self._finally_body, 0, "then", ("return", value)])
            return
        f = self._pop_frame()
        if f.result is not None:
            value = f.result
        if f.native or not self.frames:
            self._last_return = value
        else:
            caller = self.frames[-1]
            caller.task.values.append(value)

    def _start(self, f: Frame, stmt: Any) -> None:
        kind = type(stmt)
        if kind is Assign or kind is ExprStmt or kind is SetStmt or kind is Return:
            if kind is Return and stmt.value is None:
                self._return(None)
                return
            f.task = self._task_for(stmt.value)
            f.cont = (kind, stmt)
        elif kind is Annotated:
            if stmt.value is None:
                self._annotate(f, stmt.target)
            else:
                f.task = self._task_for(stmt.value)
                f.cont = (kind, stmt)
        elif kind is AugAssign:
            f.task = self._task_for(stmt.value)
            f.cont = (kind, stmt)
        elif kind is If:
            f.task = self._task_for(stmt.test)
            f.cont = (If, stmt)
        elif kind is While:
            f.blocks.append([stmt.body, len(stmt.body), "while", stmt])
        elif kind is For:
            f.task = self._task_for(stmt.iter)
            f.cont = (For, stmt)
        elif kind is With:
            f.task = self._task_for(TupleExpr(tuple(e for e, _ in stmt.items), stmt.pos))
            f.cont = (With, stmt)
        elif kind is Break or kind is Continue:
            self._jump(f, "break" if kind is Break else "continue")
        elif kind is Pass:
            pass
        elif kind is FunctionDef:
            self._def(f, stmt)
        elif kind is Import:
            self._import(f, stmt)
        elif kind is Try:
            f.blocks.append([stmt.body, 0, "try", stmt])
        elif kind is Raise:
            if stmt.exc is None:
                raise py_error("No active exception to reraise", "RuntimeError")
            f.task = self._task_for(stmt.exc)
            f.cont = (Raise, stmt)
        else:
            self._start_rest(f, stmt, kind)

    def _jump(self, f: Frame, what: str) -> None:
        """break / continue: leave the blocks inside the loop, running pending finally."""
        if self._pending_finally(f, True):
            f.blocks.append([self._finally_body, 0, "then", (what, None)])
            return
        while f.blocks and f.blocks[-1][2] not in ("while", "for"):
            if f.blocks[-1][2] in ("func", "module"):
                raise py_error(f"'{what}' outside loop", "SyntaxError")
            self._pop_block(f)
        if not f.blocks:
            raise py_error(f"'{what}' outside loop", "SyntaxError")
        if what == "break":
            f.blocks.pop()
        else:
            f.blocks[-1][1] = len(f.blocks[-1][0])

    def _start_rest(self, f: Frame, stmt: Any, kind: type) -> None:
        if kind is AssertStmt:
            f.task = self._task_for(stmt.test)
            f.cont = (AssertStmt, stmt)
        elif kind is Delete:
            for t in stmt.targets:
                self._delete(f, t)
        elif kind is Global:
            for n in stmt.names:
                f.declared[n] = "nonlocal" if stmt.nonlocal_ else "global"
        elif kind is ClassDef:
            self._classdef(f, stmt)
        else:
            raise ArgumentError(f"cannot run a {kind.__name__} statement")

    def _resume(self, f: Frame, value: Any) -> None:
        kind, stmt = f.cont
        self._current = stmt
        if kind is ExprStmt:
            return
        if kind is Assign:
            self._bind_name(f, stmt.target, value)
        elif kind is SetStmt:
            for t in stmt.targets:
                self._assign_target(f, t, value)
        elif kind is Annotated:
            self._assign_target(f, stmt.target, value)
            self._annotate(f, stmt.target)
        elif kind is Return:
            self._return(value)
        elif kind is AugAssign:
            self._augment(f, stmt, value)
        elif kind is If:
            if self.truth(value):
                f.blocks.append([stmt.body, 0, "body", None])
            elif stmt.orelse:
                f.blocks.append([stmt.orelse, 0, "body", None])
        elif kind is While:
            blk = f.blocks[-1]  # the loop's block: the test ran with it on top
            if self.truth(value):
                blk[1] = 0
            else:
                f.blocks.pop()
                if stmt.orelse:
                    f.blocks.append([stmt.orelse, 0, "body", None])
        elif kind is For:
            f.blocks.append([stmt.body, len(stmt.body), "for", (stmt, self.iterate(value))])
        elif kind is With:
            modes = []
            for (_, target), cm in zip(stmt.items, value):
                bound = None
                if isinstance(cm, ContextManager):
                    bound = cm.enter(self)
                elif isinstance(cm, GradMode):
                    cm.saved.append(self.mode_state())
                    self.set_mode_state((cm.enabled, cm.inference or self.graph.inference))
                else:
                    raise py_error(f"'{type_name(cm)}' object does not support the context "
                                   "manager protocol")
                modes.append(cm)
                if target is not None:
                    self._assign_target(f, target, bound)
            f.blocks.append([stmt.body, 0, "with", modes])
        elif kind is Raise:
            if isinstance(value, ExcType):
                raise ProgramError("", value.name)
            from .classes import UserClass, exception_base

            if isinstance(value, UserClass) and exception_base(value) is not None:
                value = self.call_sync(value, [])
            if type(value) is INSTANCE and exception_base(value.cls) is not None:
                err = ProgramError(self.printer.str(value), value.cls.name)
                err.instance = value  # type: ignore[attr-defined]
                raise err
            if isinstance(value, ExcValue):
                if value.error is not None:
                    raise value.error
                raise ProgramError(value.message, value.type)
            raise py_error("exceptions must derive from BaseException")
        elif kind is AssertStmt:
            if not self.truth(value):
                msg = "" if stmt.msg is None else self.printer.str(self._sync(stmt.msg))
                raise ProgramError(msg, "AssertionError")

    def _end_block(self, f: Frame, blk: list) -> None:
        kind = blk[2]
        if kind == "while":
            f.task = self._task_for(blk[3].test)
            f.cont = (While, blk[3])
            return
        if kind == "for":
            stmt, it = blk[3]
            try:
                item = next(it)
            except StopIteration:
                f.blocks.pop()
                if stmt.orelse:
                    f.blocks.append([stmt.orelse, 0, "body", None])
                return
            self.steps += 1
            if self.steps > self.max_steps:
                raise LimitError(f"the program ran more than {self.max_steps:,} statements",
                                 hint="an endless loop? raise the budget with --max-steps")
            self._assign_target(f, stmt.target, item)
            blk[1] = 0
            return
        if kind == "func":
            self._return(None)
            return
        if kind == "module":
            self.frames.pop()
            return
        if kind == "try":
            stmt = blk[3]
            self._pop_block(f)
            if stmt.finalbody:
                f.blocks.append([stmt.finalbody, 0, "finally", None])
            if stmt.orelse:
                f.blocks.append([stmt.orelse, 0, "body", None])
            return
        if kind == "reraise":
            f.blocks.pop()
            raise blk[3]
        if kind == "then":  # a finally ran on the way out: carry on leaving
            f.blocks.pop()
            what, value = blk[3]
            if what == "return":
                self._return(value)
            else:
                self._jump(f, what)
            return
        self._pop_block(f)

    def _exit_mode(self, mode: "GradMode | ContextManager") -> None:
        if isinstance(mode, ContextManager):
            mode.exit(self)
        elif mode.saved:
            self.set_mode_state(mode.saved.pop())

    def mode_state(self) -> tuple[bool, bool]:
        return self.graph.grad_enabled, self.graph.inference

    def set_mode_state(self, state: tuple[bool, bool]) -> None:
        self.graph.grad_enabled, self.graph.inference = state
        if state[1]:
            self.made_inference_tensors = True

    def apply(self, key: str, args: tuple, params: dict | None = None, *,
              expr: str | None = None) -> Node:
        node = super().apply(key, args, params, expr=expr)
        if self.made_inference_tensors and node.op is not None:
            for _, t in runtime.saved_items(node):
                if t is not node and t.vc is None:  # made under inference_mode
                    raise ProgramError(INFERENCE_SAVED)
        return node

    # ---------------------------------------------------------------- names and scopes

    def _bind_name(self, f: Frame, name: str, value: Any) -> None:
        if name in ("True", "False", "None"):
            raise py_error(f"cannot assign to {name}", "SyntaxError")
        if name in self.modules or name in MODULE_NAMES:
            self._epoch += 1
        if type(value) in CLASS_OBJECTS and f.fn is None:
            self._name_parameters(name, value)
        if isinstance(value, Node) and value.name is None:
            value.name = name
            if name in self.overrides and value.is_leaf and value.requires_grad:
                # gradcheck perturbs tensors the program itself creates
                value.value = self.overrides.pop(name).astype(value.value.dtype)
        how = f.declared.get(name)
        if how == "global":
            self.env[name] = value
        elif how == "nonlocal":
            for scope in f.outer:
                if name in scope:
                    scope[name] = value
                    return
            raise py_error(f"no binding for nonlocal '{name}' found", "SyntaxError")
        else:
            f.scope[name] = value
        if f.scope is self.env and name in self.bound_nodes:
            pass

    def _lookup(self, node: Name) -> Any:  # type: ignore[override]
        name = node.id
        v = self._scoped(name)
        if v is not MISSING:
            return v
        if name in self.bindings:
            return super()._lookup(node)
        if name in self.builtins:
            return self.builtins[name]
        if name in CONSTANTS and name not in ("pi", "e", "inf", "nan"):
            return CONSTANTS[name]
        if name in self.modules:  # an imported name gradcli knows by its path only
            return _ModulePath(self.modules[name])
        raise ProgramError(f"name '{name}' is not defined", "NameError")

    def _is_module(self, expr) -> bool:  # type: ignore[override]
        """Whether `expr` names a module (torch.nn.functional), not a value; remembered
        per node until a module's name is bound."""
        memo = self._module_memo.get(expr)
        if memo is not None and memo[0] == self._epoch:
            return memo[1]
        answer = self._names_module(expr)
        self._module_memo[expr] = (self._epoch, answer)
        return answer

    def _names_module(self, expr) -> bool:
        while isinstance(expr, Attr):
            expr = expr.obj
        if not isinstance(expr, Name):
            return False
        name = expr.id
        if name not in self.modules and name not in MODULE_NAMES:
            return False
        return not self._bound_anywhere(name)

    def _bound_anywhere(self, name: str) -> bool:
        return self._scoped(name) is not MISSING or name in self.bindings

    def _scoped(self, name: str) -> Any:
        """A name's value in the program's scopes, innermost first: the comprehensions
        being evaluated, the function's locals and the scopes it closes over, the module;
        MISSING if none binds it."""
        task = self._task
        if task is not None:
            for scope in reversed(task.scopes):
                if name in scope:
                    return scope[name]
        f = self._frame
        if f is not None and f.scope is not self.env:
            if name in f.scope:
                return f.scope[name]
            for scope in f.outer:
                if name in scope:
                    return scope[name]
        return self.env.get(name, MISSING)

    def _path(self, expr) -> str:
        """The dotted path of a module attribute, with import aliases expanded."""
        parts = []
        while isinstance(expr, Attr):
            parts.append(expr.name)
            expr = expr.obj
        root = self.modules.get(expr.id, expr.id)
        root = {"F": "torch.nn.functional", "nn": "torch.nn", "np": "numpy"}.get(root, root)
        return _alias(".".join([root, *reversed(parts)]))

    def _import(self, f: Frame, stmt: Import) -> None:
        self._epoch += 1
        if not stmt.is_from:
            if stmt.asname:
                self.modules[stmt.asname] = stmt.module
            else:
                self.modules[stmt.module.split(".")[0]] = stmt.module.split(".")[0]
            return
        for name, asname in stmt.names:
            if name == "*":
                continue
            full = _alias(f"{stmt.module}.{name}")
            target = asname or name
            nn_value = _nn_value(full)
            qualified = _qualified(full)
            if nn_value is not None:
                f.scope[target] = nn_value
            elif qualified is not None:  # from torch.linalg import norm
                f.scope[target] = Builtin(full, lambda ip, a, k, q=qualified, n=name:
                                          FUNCTIONS[q](ip, n, a, k))
            elif full in SPECIAL or _is_module_path(full):
                if full in SPECIAL and not _is_module_path(full):
                    f.scope[target] = Builtin(full, SPECIAL[full])
                else:
                    self.modules[target] = full
            elif stmt.module == "math" and name in ("pi", "e", "inf", "nan", "tau"):
                f.scope[target] = getattr(math, name)
            elif stmt.module.split(".")[0] in ("torch", "numpy") and (
                    name in FUNCTIONS or name in CONSTRUCTORS):
                f.scope[target] = Builtin(full, _op_function(name))
            else:
                self.modules[target] = full

    def _def(self, f: Frame, stmt: FunctionDef) -> None:
        defaults = {}
        for p in stmt.params:
            if p.default is not None:
                defaults[p.name] = self._sync(p.default)
        fn = UserFunction(stmt.name, stmt.params, stmt.body, defaults, self._closure(f),
                          False, stmt.pos)
        for deco in reversed(stmt.decorators):
            d = self._sync(deco)
            if isinstance(d, GradMode):
                fn.grad_mode = d
            elif isinstance(d, Builtin) and d.name in ("staticmethod", "classmethod",
                                                        "property"):
                from .classes import ClassMethod, Property, StaticMethod

                fn = {"staticmethod": StaticMethod, "classmethod": ClassMethod,
                      "property": Property}[d.name](fn)
            elif isinstance(d, (UserFunction, Builtin)):
                fn = self.call_sync(d, [fn], {})
            else:
                raise py_error("a decorator must be callable")
        self._bind_name(f, stmt.name, fn)

    def _closure(self, f: Frame) -> tuple:
        scopes: list[dict] = []
        task = self._task
        if task is not None:
            scopes.extend(reversed(task.scopes))
        if f.scope is not self.env:
            if f.fn is not CLASS_BODY:  # a class's namespace is not seen by its methods
                scopes.append(f.scope)
            scopes.extend(f.outer)
        return tuple(scopes)

    def _annotate(self, f: Frame, target: Any) -> None:
        """`name: annotation` in a class body: the name joins the class's __annotations__
        (in order; the annotations are not evaluated)."""
        if f.fn is CLASS_BODY and isinstance(target, Name):
            f.scope.setdefault("__annotations__", {})[target.id] = None

    def _classdef(self, f: Frame, stmt: ClassDef) -> None:
        """Run the class body in a namespace of its own, then make the class."""
        from .classes import UserClass

        bases = [self._sync(b) for b in stmt.bases]
        if self.native_depth >= MAX_NATIVE_DEPTH:
            raise ProgramError("maximum recursion depth exceeded", "RecursionError")
        ns: dict = {}
        body = Frame(ns, self._closure(f), [[stmt.body, 0, "func", None]], CLASS_BODY)
        body.native = True
        saved = (self._frame, self._task, self._current)
        self.native_depth += 1
        try:
            base = len(self.frames)
            self.frames.append(body)
            self._exec(base)
        finally:
            self.native_depth -= 1
            self._frame, self._task, self._current = saved
        cls = UserClass(stmt.name, bases, ns)
        for v in ns.values():
            fn = getattr(v, "fn", v)
            if isinstance(fn, UserFunction):
                fn.owner = cls
        for deco in reversed(stmt.decorators):
            d = self._sync(deco)
            if isinstance(d, Builtin) and d.name in ("dataclass", "dataclasses.dataclass"):
                from .classes import make_dataclass

                make_dataclass(cls)
            elif isinstance(d, (UserFunction, Builtin)):
                cls = self.call_sync(d, [cls], {})
            else:
                raise py_error("a decorator must be callable")
        self._bind_name(f, stmt.name, cls)

    # ---------------------------------------------------------------- calls

    def _call_user(self, fn: UserFunction, args: list, kwargs: dict) -> None:
        """A call met in an expression: a frame to run, or a generator to hand back."""
        if fn.body.__class__ is tuple and is_generator(fn):
            self.frames[-1].task.values.append(self._generator(fn, args, kwargs))
            return
        self._invoke(fn, args, kwargs)

    def _generator(self, fn: UserFunction, args: list, kwargs: dict) -> Generator:
        scope = self._bind_params(fn, args, kwargs)
        return Generator(self, Frame(scope, fn.closure, [[fn.body, 0, "func", None]], fn))

    def resume(self, gen: Generator) -> Any:
        """Run a generator's frame until its next `yield` (its value) or its end
        (StopIteration); user code runs on the frame stack, as for call_sync."""
        if gen.done:
            raise StopIteration
        if self.native_depth >= MAX_NATIVE_DEPTH or len(self.frames) >= MAX_DEPTH:
            raise ProgramError("maximum recursion depth exceeded", "RecursionError")
        if self.frames and gen.frame in self.frames:
            raise py_error("generator already executing", "ValueError")
        saved = (self._frame, self._task, self._current)
        self.native_depth += 1
        f = gen.frame
        if gen.started and f.task is not None:
            f.task.values.append(None)  # the value of the `yield` expression
        gen.started = True
        f.native = True
        base = len(self.frames)
        self.frames.append(f)
        self._yielded: tuple | None = None
        try:
            self._exec(base)
        except GradcliError:
            gen.done = True
            raise
        finally:
            self.native_depth -= 1
            self._frame, self._task, self._current = saved
        if self._yielded is None:
            gen.done = True
            raise StopIteration
        value = self._yielded[0]
        self._yielded = None
        return value

    def _yield(self, signal: YieldSignal) -> None:
        f = self.frames[-1]
        if f.fn is None or not f.native:
            raise py_error("'yield' outside function", "SyntaxError")
        self.frames.pop()
        self._yielded = (signal.value,)

    def _invoke(self, fn: UserFunction, args: list, kwargs: dict) -> Frame:
        if len(self.frames) >= MAX_DEPTH:
            raise ProgramError("maximum recursion depth exceeded", "RecursionError")
        scope = self._bind_params(fn, args, kwargs)
        f = Frame(scope, fn.closure, [], fn)
        if fn.is_lambda:
            f.task = self._task_for(fn.body)
            f.cont = (Return, None)
        else:
            f.blocks.append([fn.body, 0, "func", None])
        if fn.grad_mode is not None:
            f.grad_saved = self.mode_state()
            self.set_mode_state((fn.grad_mode.enabled,
                                 fn.grad_mode.inference or self.graph.inference))
        self.frames.append(f)
        return f

    def _bind_params(self, fn: UserFunction, args: list, kwargs: dict) -> dict:
        name = fn.name if not fn.is_lambda else "<lambda>"
        scope: dict = {}
        positional = [p for p in fn.params if p.kind == "pos"]
        varargs = next((p for p in fn.params if p.kind == "varargs"), None)
        varkw = next((p for p in fn.params if p.kind == "varkw"), None)
        kwonly = [p for p in fn.params if p.kind == "kwonly"]
        if len(args) > len(positional) and varargs is None:
            raise py_error(f"{name}() takes {len(positional)} positional argument"
                           f"{'s' if len(positional) != 1 else ''} but {len(args)} "
                           f"{'were' if len(args) != 1 else 'was'} given")
        for p, v in zip(positional, args):
            scope[p.name] = v
        if varargs is not None:
            scope[varargs.name] = tuple(args[len(positional):])
        extra = {}
        known = {p.name for p in positional} | {p.name for p in kwonly}
        for k, v in kwargs.items():
            if k in known:
                if k in scope:
                    raise py_error(f"{name}() got multiple values for argument '{k}'")
                scope[k] = v
            elif varkw is not None:
                extra[k] = v
            else:
                raise py_error(f"{name}() got an unexpected keyword argument '{k}'")
        if varkw is not None:
            scope[varkw.name] = extra
        missing = []
        for p in positional + kwonly:
            if p.name not in scope:
                if p.name in fn.defaults:
                    scope[p.name] = fn.defaults[p.name]
                else:
                    missing.append(p.name)
        if any(n in MODULE_NAMES or n in self.modules for n in scope):
            self._epoch += 1  # a parameter named like a module hides it in this call
        if missing:
            names = " and ".join(f"'{m}'" for m in missing) if len(missing) <= 2 else \
                ", ".join(f"'{m}'" for m in missing[:-1]) + f", and '{missing[-1]}'"
            raise py_error(f"{name}() missing {len(missing)} required positional argument"
                           f"{'s' if len(missing) != 1 else ''}: {names}")
        return scope

    def call_sync(self, fn: Any, args: list, kwargs: dict | None = None) -> Any:
        """Call a function from gradcli's own code (a hook, a function given to jacobian,
        a sort key): user code runs on the frame stack until it returns."""
        kwargs = kwargs or {}
        if isinstance(fn, Builtin):
            return fn.fn(self, args, kwargs)
        if isinstance(fn, BoundMethod):
            return self._method(fn.name, fn.obj, args, kwargs)
        if isinstance(fn, ExcType):
            return self._make_exception(fn, args)
        if type(fn) in CLASS_VALUES:
            r = self._call_class_value(fn, args, kwargs)
            if type(r) is not CallRequest:
                return r
            value = self.call_sync(r.fn, r.args, r.kwargs)
            return r.result if r.result is not None else value
        if not isinstance(fn, UserFunction):
            raise py_error(f"'{type_name(fn)}' object is not callable")
        if not fn.is_lambda and is_generator(fn):
            return self._generator(fn, args, kwargs)
        if self.native_depth >= MAX_NATIVE_DEPTH:
            raise ProgramError("maximum recursion depth exceeded", "RecursionError")
        saved = (self._frame, self._task, self._current)
        self.native_depth += 1
        try:
            base = len(self.frames)
            f = self._invoke(fn, args, kwargs)
            f.native = True
            self._exec(base)
            return self._last_return
        finally:
            self.native_depth -= 1
            self._frame, self._task, self._current = saved

    def _sync(self, expr: Any) -> Any:
        """Evaluate an expression now (user calls inside run through call_sync)."""
        saved_task = self._task
        task = self._task_for(expr)
        if saved_task is not None:
            task.scopes = list(saved_task.scopes)
        try:
            while True:
                self._task = task
                req = self._walk(task)
                if req is None:
                    return task.values.pop()
                if type(req) is YieldSignal:
                    raise py_error("'yield' is only supported as a statement of its own",
                                   "SyntaxError")
                task.values.append(self.call_sync(req.fn, req.args, req.kwargs))
        finally:
            self._task = saved_task

    # ---------------------------------------------------------------- expressions

    def _task_for(self, expr: Any) -> Task:
        entry = self._codes.get(expr)  # keyed by the node itself, which the dict keeps alive
        if entry is None or entry[0] != self._epoch:
            entry = (self._epoch, self._compile(expr))
            self._codes[expr] = entry
        return Task(expr, entry[1])

    def _compile(self, expr: Any) -> list | None:
        """The expression in post-order, each node with its number of operands; None
        when it holds a node that decides what to evaluate next (and, or, if-else,
        chained comparisons, comprehensions): the walk handles those."""
        code: list = []
        stack: list = [(expr, -1)]
        children = self._children
        while stack:
            node, n = stack.pop()
            if n >= 0:
                code.append((node, n))
                continue
            kind = type(node)
            if kind is Num:
                code.append((node, -1))
                continue
            if kind in SPECIAL_NODES:
                return None
            kids = children(node)
            stack.append((node, len(kids)))
            for k in reversed(kids):
                stack.append((k, -1))
        return code

    def _run_code(self, task: Task) -> CallRequest | None:
        code, values = task.code, task.values
        finish = self._finish
        pc, end = task.pc, len(code)
        while pc < end:
            node, n = code[pc]
            pc += 1
            if n < 0:
                values.append(node.value)
                continue
            if n:
                args = values[-n:]
                del values[-n:]
            else:
                args = []
            self._current = node
            try:
                v = finish(node, args)
            except GradcliError as e:
                raise e.at(node.pos.line, node.pos.column, self.source)
            if type(v) is CallRequest or type(v) is YieldSignal:
                task.pc = pc
                return v
            values.append(v)
        task.pc = pc
        return None

    def _walk(self, task: Task) -> CallRequest | None:
        if task.code is not None:
            return self._run_code(task)
        stack, values = task.stack, task.values
        push, pop = stack.append, stack.pop
        children = self._children
        while stack:
            node, n = pop()
            if n == -1:
                kind = type(node)
                if kind is Num:
                    values.append(node.value)
                    continue
                if kind is Binary:
                    push((node, 2))
                    push((node.right, -1))
                    push((node.left, -1))
                    continue
                if kind is BoolOp:
                    push((node, ("bool",)))
                    push((node.left, -1))
                    continue
                if kind is IfExp:
                    push((node, ("if",)))
                    push((node.test, -1))
                    continue
                if kind is ChainCompare:
                    push((node, ("cmp", 1)))
                    push((node.operands[1], -1))
                    push((node.operands[0], -1))
                    continue
                if kind is Comp:
                    state = {"level": 0, "iters": [None] * len(node.generators),
                             "result": {} if node.kind == "dict" else
                             (set() if node.kind == "set" else [])}
                    task.scopes.append({})
                    push((node, ("iter", state)))
                    push((node.generators[0].iter, -1))
                    continue
                kids = children(node)
                push((node, len(kids)))
                for k in reversed(kids):
                    push((k, -1))
                continue
            if type(n) is tuple:
                self._current = node
                try:
                    self._special(node, n, task)
                except GradcliError as e:
                    raise e.at(node.pos.line, node.pos.column, self.source)
                continue
            if n:
                args = values[-n:]
                del values[-n:]
            else:
                args = []
            self._current = node
            try:
                v = self._finish(node, args)
            except GradcliError as e:
                raise e.at(node.pos.line, node.pos.column, self.source)
            if type(v) is CallRequest or type(v) is YieldSignal:
                return v
            values.append(v)
        return None

    def _special(self, node: Any, state: tuple, task: Task) -> None:
        values, push = task.values, task.stack.append
        what = state[0]
        if what == "bool":
            truth = self.truth(values[-1])
            if (node.op == "and") == truth:
                values.pop()
                push((node.right, -1))
        elif what == "if":
            push((node.body if self.truth(values.pop()) else node.orelse, -1))
        elif what == "cmp":
            i = state[1]
            right = values.pop()
            left = values.pop()
            r = self._compare(node.ops[i - 1], left, right)
            if i == len(node.ops) or not self.truth(r):
                values.append(r)
            else:
                values.append(right)
                push((node, ("cmp", i + 1)))
                push((node.operands[i + 1], -1))
        else:
            self._comp_step(node, state, task)

    def _comp_step(self, node: Comp, state: tuple, task: Task) -> None:
        phase, st = state
        values, push = task.values, task.stack.append
        scope = task.scopes[-1]
        gens = node.generators
        level = st["level"]
        if phase == "iter":
            st["iters"][level] = self.iterate(values.pop())
            phase = "next"
        elif phase == "elt":
            if node.kind == "dict":
                v = values.pop()
                st["result"][self._hashable(values.pop())] = v
            elif node.kind == "set":
                st["result"].add(self._hashable(values.pop()))
            else:
                st["result"].append(values.pop())
            self.steps += 1
            if self.steps > self.max_steps:
                raise LimitError(f"the program ran more than {self.max_steps:,} statements",
                                 hint="raise the budget with --max-steps")
            phase = "next"
        elif phase == "cond":
            j = st["cond"]
            if not self.truth(values.pop()):
                phase = "next"
            else:
                st["cond"] = j + 1
                phase = "conds"
        while True:
            if phase == "next":
                try:
                    item = next(st["iters"][level])
                except StopIteration:
                    if level == 0:
                        task.scopes.pop()
                        result = st["result"]
                        values.append(iter(result) if node.kind == "gen" else result)
                        return
                    level -= 1
                    st["level"] = level
                    continue
                self._assign_target(None, gens[level].target, item, scope)
                st["cond"] = 0
                phase = "conds"
            if phase == "conds":
                j = st["cond"]
                if j < len(gens[level].ifs):
                    push((node, ("cond", st)))
                    push((gens[level].ifs[j], -1))
                    return
                if level + 1 < len(gens):
                    st["level"] = level + 1
                    push((node, ("iter", st)))
                    push((gens[level + 1].iter, -1))
                    return
                push((node, ("elt", st)))
                if node.kind == "dict":
                    push((node.value, -1))
                push((node.elt, -1))
                return

    def _children(self, node) -> tuple:  # type: ignore[override]
        kind = type(node)
        if kind is Call:
            head = (node.func.obj,) if (isinstance(node.func, Attr)
                                        and not self._is_module(node.func.obj)) else ()
            if not isinstance(node.func, (Name, Attr)):
                head = (node.func,)
            return (*head, *node.args, *(v for _, v in node.kwargs))
        if kind is Not or kind is StarredExpr:
            return (node.operand,) if kind is Not else (node.value,)
        if kind is Lambda:
            return tuple(p.default for p in node.params if p.default is not None)
        if kind is DictExpr:
            out = []
            for k, v in zip(node.keys, node.values):
                if k is not None:
                    out.append(k)
                out.append(v)
            return tuple(out)
        if kind is SetExpr:
            return node.items
        if kind is FString:
            return _fstring_exprs(node)
        if kind is Yield:
            return () if node.value is None else (node.value,)
        if kind is NamedExpr:
            return (node.value,)
        return super()._children(node)

    def _finish(self, node, args: list) -> Any:  # type: ignore[override]
        kind = type(node)
        if kind is Binary:
            if type(args[0]) is INSTANCE or type(args[1]) is INSTANCE:
                found = self._operator(node.op, args[0], args[1])
                if found is not None:
                    return self._dunder_request(*found)
            return self._binary(node.op, args[0], args[1])
        if kind is Call:
            return self._call(node, args)
        if kind is Compare:
            return self._compare(node.op, args[0], args[1])
        if kind is Not:
            return not self.truth(args[0])
        if kind is Str:
            return node.value
        if kind is ListExpr:
            return self._expand_starred(args)
        if kind is TupleExpr:
            return tuple(self._expand_starred(args))
        if kind is StarredExpr:
            return Starred(args[0])
        if kind is SetExpr:
            return {self._hashable(v) for v in self._expand_starred(args)}
        if kind is DictExpr:
            out: dict = {}
            it = iter(args)
            for k in node.keys:
                if k is None:
                    m = next(it)
                    if not isinstance(m, dict):
                        raise py_error(f"'{type_name(m)}' object is not a mapping")
                    out.update(m)
                else:
                    key = next(it)
                    out[self._hashable(key)] = next(it)
            return out
        if kind is Lambda:
            it = iter(args)
            defaults = {p.name: next(it) for p in node.params if p.default is not None}
            return UserFunction("<lambda>", node.params, node.body, defaults,
                                self._closure(self._frame), True, node.pos)
        if kind is FString:
            return self._fstring_text(node, iter(args))
        if kind is Yield:
            return YieldSignal(args[0] if args else None)
        if kind is NamedExpr:
            self._bind_name(self._frame, node.name, args[0])
            return args[0]
        if kind is Index:
            return self._index(node, args[0], args[1:])
        if kind is Attr:
            return self._attr(node, args)
        if kind is Unary:
            v = args[0]
            if type(v) is INSTANCE:
                name = "__neg__" if node.op == "-" else "__pos__"
                if _class_attr(v, name) is None:
                    raise py_error(f"bad operand type for unary {node.op}: '{type_name(v)}'")
                return self._dunder_request(v, name, [])
            if isinstance(v, bool):
                v = int(v)
            if isinstance(v, (int, float, np.ndarray, np.generic)):
                return -v if node.op == "-" else +v
            if node.op == "-":
                return dispatch.unary_minus(self, v)
            return self.operand(v)
        return super()._finish(node, args)

    def _expand_starred(self, items: list) -> list:
        if not any(type(v) is Starred for v in items):
            return list(items)
        out = []
        for v in items:
            if type(v) is Starred:
                out.extend(self.iterate(v.value))
            else:
                out.append(v)
        return out

    def _hashable(self, v: Any) -> Any:
        if isinstance(v, (list, dict, set)):
            raise py_error(f"unhashable type: '{type_name(v)}'")
        return v

    def _fstring_text(self, node: FString, it: Iterator) -> str:
        out = []
        for part in node.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                value = next(it)
                spec = "" if part.spec is None else self._fstring_text(part.spec, it)
                out.append(format_value(self.printer, value, spec, part.conversion))
        return "".join(out)

    # ---------------------------------------------------------------- truth, iteration

    def truth(self, v: Any) -> bool:
        if isinstance(v, Node):
            if v.value.size != 1:
                if v.value.size == 0:
                    raise ProgramError("Boolean value of Tensor with no values is ambiguous")
                raise ProgramError("Boolean value of Tensor with more than one value is "
                                   "ambiguous")
            return bool(v.value.reshape(-1)[0])
        if isinstance(v, np.ndarray):
            if v.size != 1:
                raise py_error("The truth value of an array with more than one element is "
                               "ambiguous. Use a.any() or a.all()", "ValueError")
            return bool(v.reshape(-1)[0])
        if isinstance(v, (GradFn, AccumulateGrad, UserFunction, Builtin, DType, ExcType,
                          ExcValue, GradMode, BoundMethod)):
            return True
        if type(v) is INSTANCE:  # __bool__, else __len__, else true
            for name in ("__bool__", "__len__"):
                if _class_attr(v, name) is not None:
                    r = self.call_sync(_class_attr_bound(v, name), [])
                    return bool(r) if name == "__len__" else self.truth(r)
            return True
        try:
            return bool(v)
        except Exception:
            return True

    def iterate(self, v: Any) -> Iterator:
        if isinstance(v, Node):
            if v.value.ndim == 0:
                raise py_error("iteration over a 0-d tensor")
            return self._unbind(v)
        if isinstance(v, (list, tuple, str, dict, range, set, frozenset, np.ndarray)):
            return iter(v)
        if isinstance(v, Iterator):
            return v
        found, r = self.dunder(v, "__iter__", [])
        if found:
            return self.iterate(r)
        raise py_error(f"'{type_name(v)}' object is not iterable")

    def dunder(self, obj: Any, name: str, args: list) -> tuple[bool, Any]:
        """obj.name(*args) when obj is an instance whose class defines `name` (__len__,
        __getitem__, __iter__ of a program's class or of nn.Sequential)."""
        from .classes import Instance, bind_method

        if not isinstance(obj, Instance):
            return False, None
        try:
            fn = obj.cls.lookup(name)
        except KeyError:
            return False, None
        return True, self.call_sync(bind_method(fn, obj), args)

    def _unbind(self, v: Node) -> Iterator:
        for i in range(v.value.shape[0]):
            yield self.apply("unbind", (v,), {"dim": 0, "index": i})

    # ---------------------------------------------------------------- operators

    def _user_text(self, obj: Any, name: str) -> str | None:
        """obj.__str__() / obj.__repr__() where the program's class defines it (str falls
        back to __repr__, as in Python), else None."""
        from .classes import exception_base

        if exception_base(obj.cls) is not None and _class_attr(obj, name) is None and (
                name == "__repr__" or _class_attr(obj, "__repr__") is None):
            args = obj.attrs.get("args", ())
            if name == "__repr__":
                inner = ", ".join(self.printer.repr(a) for a in args)
                return f"{obj.cls.name}({inner})"
            return self.printer.str(args[0]) if len(args) == 1 else (
                self.printer.repr(args) if args else "")
        for n in ((name, "__repr__") if name == "__str__" else (name,)):
            fn = _class_attr(obj, n)
            if isinstance(fn, UserFunction) or (
                    type(fn).__name__ == "NativeMethod" and n in obj.cls.namespace):
                text = self.call_sync(_class_attr_bound(obj, n), [])
                if not isinstance(text, str):
                    raise py_error(f"{n} returned non-string (type {type_name(text)})")
                return text
        return None

    def _operator(self, op: str, a: Any, b: Any,
                  inplace: bool = False) -> tuple[Any, str, list] | None:
        """The method Python calls for `a op b` when an operand is an instance of a
        program's class: a's __iadd__ (for +=) or __add__, else b's __radd__; as
        (instance, name, arguments), or None."""
        names = OPERATOR_METHODS.get(op)
        if names is None:
            return None
        if type(a) is INSTANCE:
            for name in ((names[2], names[0]) if inplace else (names[0],)):
                if _class_attr(a, name) is not None:
                    return a, name, [b]
        if type(b) is INSTANCE and _class_attr(b, names[1]) is not None:
            return b, names[1], [a]
        return None

    def _dunder_request(self, obj: Any, name: str, args: list) -> Any:
        """Call obj.name(*args) from an expression: a method of the program's class runs on
        the frame stack (CallRequest); one gradcli provides runs now."""
        from .classes import bind_method

        fn = _class_attr(obj, name)
        if isinstance(fn, UserFunction):
            return CallRequest(fn, [obj, *args], {})
        return self.call_sync(bind_method(fn, obj), args)

    def _binary(self, op: str, a: Any, b: Any) -> Any:
        if type(a) is INSTANCE or type(b) is INSTANCE:
            found = self._operator(op, a, b)
            if found is None:
                raise py_error(f"unsupported operand type(s) for {op}: '{type_name(a)}' and "
                               f"'{type_name(b)}'")
            obj, name, args = found
            return self.call_sync(_class_attr_bound(obj, name), args)
        ta, tb = isinstance(a, Node), isinstance(b, Node)
        if not ta and not tb:
            if (isinstance(a, np.ndarray) or isinstance(b, np.ndarray)) and \
                    not (op == "%" and isinstance(a, str)):
                return _numpy_binary(op, a, b)
            if op == "%" and isinstance(a, str):  # 'a %.2f b %e' % (t1, t2)
                b = _formatted_numbers(b)
            r = python_binary(op, a, b)
            if type(r) in (list, str, tuple) and len(r) > 1024:
                self.steps += len(r) >> 10  # copying n items costs n/1024 statements, so
            return r                        # `s = s + [1]` in a loop stays bounded in time
        if op == "%" and isinstance(a, str):  # 'loss %.4f' % t: the tensor's number
            return python_binary(op, a, _formatted_numbers(b))
        if op in ("+", "-", "*", "/", "**", "@"):
            for x in (a, b):
                if not isinstance(x, (Node, int, float, list, tuple, np.ndarray, np.generic)):
                    raise py_error(f"unsupported operand type(s) for {op}: "
                                   f"'{type_name(a)}' and '{type_name(b)}'")
            if isinstance(a, (np.ndarray, np.generic)):
                a = self.constant(np.asarray(a))
            if isinstance(b, (np.ndarray, np.generic)):
                b = self.constant(np.asarray(b))
            return dispatch.binary(self, op, a, b)
        if op == "%" and ta:
            return FUNCTIONS["remainder"](self, "remainder", [a, b], {})
        if op in ("//", "%"):
            x, y = (a if ta else self._scalar_like(a, b)), (b if tb else self._scalar_like(b, a))
            fn = np.floor_divide if op == "//" else np.remainder
            floats = [v.dtype for v in (x.value, y.value) if v.dtype.kind == "f"]
            dt = floats[0] if len(floats) == 1 else np.result_type(x.value, y.value)
            return self.constant(fn(x.value.astype(dt), y.value.astype(dt)))
        if op in ("&", "|"):
            x, y = (a if ta else self.tensor(a)), (b if tb else self.tensor(b))
            if x.value.dtype.kind == "f" or y.value.dtype.kind == "f":
                raise ProgramError(f"\"bitwise_{'and' if op == '&' else 'or'}_cpu\" not "
                                   "implemented for 'Float'")
            fn = np.bitwise_and if op == "&" else np.bitwise_or
            return self.constant(fn(x.value, y.value))
        raise py_error(f"unsupported operand type(s) for {op}")

    def _scalar_like(self, v: Any, other: Node) -> Node:
        """A Python number beside a tensor, as PyTorch promotes it: an int keeps an integer
        tensor's dtype, a float meets an integer tensor in the default float dtype."""
        if isinstance(v, int) and not isinstance(v, bool) and other.value.dtype.kind in "iu":
            return self.constant(np.asarray(v, dtype=other.value.dtype))
        if isinstance(v, float):
            return self.constant(np.asarray(v, dtype=other.value.dtype
                                            if other.value.dtype.kind == "f" else self.graph.dtype))
        return self.tensor(v)

    def _compare(self, op: str, a: Any, b: Any) -> Any:
        if op == "is":
            return _same(a, b)
        if op == "is not":
            return not _same(a, b)
        if op in ("in", "not in"):
            r = self._contains(b, a)
            return r if op == "in" else not r
        if type(a) is INSTANCE or type(b) is INSTANCE:
            return self._instance_compare(op, a, b)
        if isinstance(a, Node) or isinstance(b, Node):
            if a is None or b is None or isinstance(a, str) or isinstance(b, str):
                return op == "!="
            return dispatch.compare(self, op, a, b)
        if isinstance(a, DType) or isinstance(b, DType):
            same = isinstance(a, DType) and isinstance(b, DType) and a.np == b.np
            if op in ("==", "!="):
                return same if op == "==" else not same
        try:
            return {"<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b,
                    ">=": lambda: a >= b, "==": lambda: a == b, "!=": lambda: a != b}[op]()
        except TypeError as e:
            raise py_error(str(e)) from None

    def _instance_compare(self, op: str, a: Any, b: Any) -> Any:
        """a < b (and ==, ...) with an instance of a program's class: a.__lt__(b), else
        b's reflection (__gt__); == and != fall back to identity, as in Python."""
        own, mirror = COMPARE_METHODS[op]
        if type(a) is INSTANCE and _class_attr(a, own) is not None:
            return self.call_sync(_class_attr_bound(a, own), [b])
        if type(b) is INSTANCE and _class_attr(b, mirror) is not None:
            return self.call_sync(_class_attr_bound(b, mirror), [a])
        if op == "!=" and type(a) is INSTANCE and _class_attr(a, "__eq__") is not None:
            return not self.truth(self.call_sync(_class_attr_bound(a, "__eq__"), [b]))
        if op in ("==", "!="):
            return (a is b) == (op == "==")
        raise py_error(f"'{op}' not supported between instances of '{type_name(a)}' and "
                       f"'{type_name(b)}'")

    def _contains(self, container: Any, item: Any) -> bool:
        if isinstance(container, Node):
            return bool(np.any(container.value == (item.value if isinstance(item, Node)
                                                   else item)))
        if isinstance(container, (list, tuple, set, dict, str, range, frozenset)):
            if isinstance(item, Node):
                return any(_same(item, x) or (isinstance(x, Node) and self.truth(
                    self._compare("==", item, x))) for x in container)
            try:
                return item in container
            except TypeError as e:
                raise py_error(str(e)) from None
        from .classes import Instance

        if isinstance(container, Instance):  # a class with __contains__ (nn.ModuleDict)
            try:
                method = container.cls.lookup("__contains__")
            except KeyError:
                method = None
            if method is not None:
                from .classes import bind_method

                return self.truth(self.call_sync(bind_method(method, container), [item]))
        raise py_error(f"argument of type '{type_name(container)}' is not iterable")

    # ---------------------------------------------------------------- attributes

    def _attr(self, node: Attr, args: list) -> Any:  # type: ignore[override]
        if self._is_module(node.obj):
            path = self._path(node)
            if path in SPECIAL:
                return Builtin(path, SPECIAL[path])
            nn_value = _nn_value(path)
            if nn_value is not None:
                return nn_value
            if path == "torch.__version__":
                return TORCH_VERSION
            if path.split(".", 1)[0] in DISPLAY_MODULES:
                return IGNORED
            if node.name in DTYPES:
                return DType(node.name)
            if node.name in CONSTANTS:
                return CONSTANTS[node.name]
            if node.name in FUNCTIONS or node.name in CONSTRUCTORS:
                return Builtin(path, _op_function(node.name))
            if node.name in EXCEPTIONS:
                return ExcType(node.name)
            return _ModulePath(path)
        return self.attribute(args[0], node.name)

    def attribute(self, obj: Any, name: str) -> Any:
        """obj.name (also getattr(obj, name))."""
        if obj is IGNORED:
            return IGNORED
        if type(obj) in CLASS_OBJECTS:
            from .classes import class_attr

            return class_attr(self, obj, name)
        if isinstance(obj, _ModulePath):
            path = f"{obj.path}.{name}"
            if path in SPECIAL:
                return Builtin(path, SPECIAL[path])
            return _ModulePath(path)
        if isinstance(obj, Node):
            return self._tensor_attr(obj, name)
        if isinstance(obj, GradFn):
            if name == "next_functions":
                return self._next_functions(obj.node)
            if name in ("name", "register_hook", "register_prehook"):
                return BoundMethod(obj, name)
            if name in ("metadata",):
                return {}
        if isinstance(obj, AccumulateGrad):
            if name == "variable":
                return obj.variable
            if name == "next_functions":
                return ()
            if name == "name":
                return BoundMethod(obj, name)
        if isinstance(obj, GradFn) and name.startswith("_saved_"):
            return self._saved_attr(obj.node, name[len("_saved_"):])
        if name == "__name__" and (isinstance(obj, (Builtin, UserFunction, ExcType))
                                   or type(obj).__name__ == "TypeName"):
            return obj.name.rsplit(".", 1)[-1]
        if isinstance(obj, ExcValue) and name == "args":
            return (obj.message,)
        if isinstance(obj, DType) and name == "is_floating_point":
            return BoundMethod(obj, name)
        if isinstance(obj, NamedPair) and name in obj.fields:
            return obj[obj.fields.index(name)]
        if isinstance(obj, PY_METHOD_TYPES) and name in PY_METHODS.get(type(obj), ()):
            return BoundMethod(obj, name)
        if isinstance(obj, np.ndarray) and name in ("shape", "ndim", "size", "T", "dtype"):
            return getattr(obj, name)
        raise ProgramError(f"'{type_name(obj)}' object has no attribute '{name}'",
                           "AttributeError")

    def _tensor_attr(self, x: Node, name: str) -> Any:
        if name == "grad":
            if not x.is_leaf and not x.retains_grad:
                self._warn_nonleaf_grad()
            return x.grad
        if name == "grad_fn":
            return GradFn(x) if x.op is not None else None
        if name == "requires_grad":
            return bool(x.requires_grad)
        if name == "is_leaf":
            return x.is_leaf
        if name == "data":
            d = self.graph.leaf(x.value, requires_grad=False, expr=x._expr, where=x.where)
            return d
        if name == "shape":
            return TorchSize(x.value.shape)
        if name == "dtype":
            return DType(_dtype_name(x.value.dtype))
        if name == "ndim":
            return x.value.ndim
        if name == "device":
            return _Device("cpu")
        if name in ("T", "H"):
            return FUNCTIONS["T"](self, "T", [x], {})
        if name in ("mT", "mH"):
            return FUNCTIONS["mT"](self, "mT", [x], {})
        if name == "retains_grad":
            return bool(x.retains_grad)
        if name == "is_cuda":
            return False
        if name == "_version":
            if x.vc is None:
                raise ProgramError("Inference tensors do not track version counter.")
            return x.vc[0]
        if name == "output_nr":
            return 0
        if name == "nbytes":
            return int(x.value.nbytes)
        if name == "itemsize":
            return int(x.value.dtype.itemsize)
        if name == "layout":
            from .builtins import Layout

            return Layout(())
        return BoundMethod(x, name)

    def _saved_attr(self, node: Node, what: str) -> Any:
        """grad_fn._saved_self / _saved_other / _saved_result: what the node saved."""
        if node.freed and runtime.saves_anything(node):
            raise ProgramError(runtime.SECOND_TIME)
        items = dict(runtime.saved_items(node))
        if what == "result" and "result" in items:
            # a new tensor object with the node as its grad_fn, as PyTorch unpacks a
            # saved output (`y.grad_fn._saved_result is y` is False)
            import copy

            return copy.copy(node)
        pos = {"self": "0", "other": "1", "input": "0", "mat2": "1", "vec": "1",
               "exponent": "1", "tensor": "1"}.get(what)
        if pos is not None and pos in items:
            return runtime.resolve(node.args[int(pos)], node.vers[int(pos)]) \
                if node.vers else node.args[int(pos)]
        i = int(pos) if pos is not None else -1
        if 0 <= i < len(node.args) and not isinstance(node.args[i], Node) \
                and isinstance(node.args[i], (int, float)) and not isinstance(node.args[i], bool):
            # a Python number operand (x * 3): PyTorch saves it wrapped in a 0-dim tensor
            n = node.args[i]
            return self.constant(np.asarray(n, dtype=np.int64 if isinstance(n, int)
                                            else np.float64))
        if pos is not None and i < len(node.args) or (what == "result" and any(
                item == "result" for item, _ in runtime.SAVES.get(node.op.key, ()))):
            return None  # the op has the field; this node did not need to save it
        raise ProgramError(f"'{node.grad_fn}' object has no attribute '_saved_{what}'",
                           "AttributeError")

    def _warn_nonleaf_grad(self) -> None:
        msg = ("UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor is "
               "being accessed. Its .grad attribute won't be populated during "
               "autograd.backward(). If you indeed want the .grad field to be populated for a "
               "non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the "
               "non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
               "github.com/pytorch/pytorch/pull/30531 for more information.")
        if msg not in self.warnings_out:
            self.warnings_out.append(msg)

    def _next_functions(self, node: Node) -> tuple:
        out = []
        args = node.args
        vers = node.vers
        for i, a in enumerate(args):
            if not isinstance(a, Node):
                if node.op.key in WRAPPED_NUMBER_OPS and isinstance(a, (int, float)):
                    out.append((None, 0))  # a Python number PyTorch wrapped as a tensor
                continue
            if vers is not None:
                a = runtime.resolve(a, vers[i])
            if not a.requires_grad:
                out.append((None, 0))
            elif a.op is None:
                out.append((AccumulateGrad(a), 0))
            else:
                out.append((GradFn(a), 0))
        return tuple(out)

    def _assign_target(self, f: Frame | None, target: Any, value: Any,
                       scope: dict | None = None) -> None:
        """`target = value` for names, tuples, attributes and subscripts."""
        stack = [(target, value)]
        while stack:
            t, v = stack.pop()
            kind = type(t)
            if kind is Name:
                if scope is not None:
                    if t.id in MODULE_NAMES or t.id in self.modules:
                        self._epoch += 1
                    scope[t.id] = v
                else:
                    self._bind_name(f, t.id, v)
            elif kind is TupleExpr or kind is ListExpr:
                if v is IGNORED:  # fig, ax = plt.subplots()
                    v = [IGNORED] * len(t.items)
                items = list(self.iterate(v)) if not isinstance(v, (list, tuple)) else list(v)
                n = len(t.items)
                star = [i for i, x in enumerate(t.items) if isinstance(x, StarredExpr)]
                if star:
                    k = star[0]
                    if len(items) < n - 1:
                        raise py_error(f"not enough values to unpack (expected at least "
                                       f"{n - 1}, got {len(items)})", "ValueError")
                    tail = n - k - 1
                    parts = items[:k] + [items[k:len(items) - tail]] + items[len(items) - tail:]
                    pairs = [(x.value if isinstance(x, StarredExpr) else x, p)
                             for x, p in zip(t.items, parts)]
                else:
                    if len(items) > n:
                        raise py_error(f"too many values to unpack (expected {n})",
                                       "ValueError")
                    if len(items) < n:
                        raise py_error(f"not enough values to unpack (expected {n}, got "
                                       f"{len(items)})", "ValueError")
                    pairs = list(zip(t.items, items))
                stack.extend(reversed(pairs))
            elif kind is Attr:
                obj = self._sync(t.obj)
                self._setattr(obj, t.name, v)
            elif kind is Index:
                obj = self._sync(t.obj)
                items = [self._sync(i) for i in t.items]
                self._setitem(obj, items, v)
            elif kind is StarredExpr:
                stack.append((t.value, list(v)))
            else:
                raise py_error("cannot assign to expression", "SyntaxError")

    def _delete(self, f: Frame, target: Any) -> None:
        """`del target` for names, tuples of targets, attributes and subscripts."""
        stack = [target]
        while stack:
            t = stack.pop()
            kind = type(t)
            if kind is Name:
                how = f.declared.get(t.id)
                scope = self.env if how == "global" else f.scope
                if t.id not in scope:
                    raise py_error(f"name '{t.id}' is not defined", "NameError")
                if t.id in self.modules or t.id in MODULE_NAMES:
                    self._epoch += 1
                del scope[t.id]
            elif kind is TupleExpr or kind is ListExpr:
                stack.extend(reversed(t.items))
            elif kind is Paren:
                stack.append(t.inner)
            elif kind is Attr:
                from .builtins import PYTHON

                PYTHON["delattr"](self, [self._sync(t.obj), t.name], {})
            elif kind is Index:
                obj = self._sync(t.obj)
                items = [self._sync(i) for i in t.items]
                key = items[0] if len(items) == 1 else tuple(items)
                if isinstance(obj, dict):
                    key = self._hashable(key)
                    if key not in obj:
                        raise py_error(self.printer.repr(key), "KeyError")
                    del obj[key]
                elif isinstance(obj, list):
                    if isinstance(key, slice) or isinstance(key, int):
                        try:
                            del obj[key]
                        except IndexError:
                            raise py_error("list assignment index out of range",
                                           "IndexError") from None
                    else:
                        raise py_error("list indices must be integers or slices, not "
                                       f"{type_name(key)}", "TypeError")
                else:
                    raise py_error(f"'{type_name(obj)}' object doesn't support item deletion",
                                   "TypeError")
            else:
                raise py_error("cannot delete expression", "SyntaxError")

    def _augment(self, f: Frame, stmt: AugAssign, value: Any) -> None:
        """`target op= value`: in place for tensors (PyTorch's __iadd__ and friends) and
        lists, a new value otherwise."""
        t = stmt.target
        if isinstance(t, Name):
            cur = self._lookup(t)
            self._bind_name(f, t.id, self._inplace_binary(stmt.op, cur, value))
        elif isinstance(t, Attr):
            obj = self._sync(t.obj)
            cur = self._attr(t, [obj])
            new = self._inplace_binary(stmt.op, cur, value)
            if new is not cur:
                self._setattr(obj, t.name, new)
        elif isinstance(t, Index):
            obj = self._sync(t.obj)
            items = [self._sync(i) for i in t.items]
            cur = self._index(t, obj, items)
            self._setitem(obj, items, self._binary(stmt.op, cur, value))
        else:
            raise py_error("illegal expression for augmented assignment", "SyntaxError")

    def _inplace_binary(self, op: str, cur: Any, value: Any) -> Any:
        if type(cur) is INSTANCE or type(value) is INSTANCE:
            found = self._operator(op, cur, value, inplace=True)
            if found is not None:
                obj, name, args = found
                return self.call_sync(_class_attr_bound(obj, name), args)
        if isinstance(cur, Node) and op in ("+", "-", "*", "/", "**", "//", "%"):
            return self._inplace(cur, lambda: self._binary(op, cur, value))
        if isinstance(cur, list) and op == "+":
            cur.extend(self.iterate(value))
            return cur
        return self._binary(op, cur, value)

    def _setattr(self, obj: Any, name: str, v: Any) -> None:
        if type(obj) in CLASS_OBJECTS:
            from .classes import Instance, set_class_attr

            if type(obj) is Instance and self.parameters:
                from .nn import check_module_setattr

                check_module_setattr(self, obj, name, v)
            set_class_attr(obj, name, v)
            return
        if not isinstance(obj, Node):
            raise ProgramError(f"'{type_name(obj)}' object has no attribute '{name}'",
                               "AttributeError")
        if name == "requires_grad":
            flag = self.truth(v)
            if not obj.is_leaf:
                if not flag:
                    raise ProgramError(
                        "you can only change requires_grad flags of leaf variables. If you "
                        "want to use a computed variable in a subgraph that doesn't require "
                        "differentiation use var_no_grad = var.detach().")
                return
            if flag and obj.value.dtype.kind != "f":
                raise ProgramError("only Tensors of floating point and complex dtype can "
                                   "require gradients")
            obj.requires_grad = flag
        elif name == "grad":
            if v is not None and not isinstance(v, Node):
                raise py_error(f"assigned grad expected to be a Tensor or None but got grad "
                               f"of type {type_name(v)}")
            if v is not None and v.value.shape != obj.value.shape:
                raise ProgramError("assigned grad has data of a different size")
            obj.grad = v
        elif name == "data":
            if not isinstance(v, Node):
                raise py_error("Variable data has to be a tensor, but got "
                               f"{type_name(v)}")
            obj.value = v.value
        else:
            raise ProgramError(f"gradcli cannot set the attribute '{name}' of a tensor",
                               "AttributeError")

    def _setitem(self, obj: Any, items: list, v: Any, propagate: bool = True) -> None:
        if isinstance(obj, list):
            if len(items) != 1:
                raise py_error("list indices must be integers or slices, not tuple")
            try:
                obj[items[0]] = v
            except (IndexError, TypeError) as e:
                raise py_error(str(e), type(e).__name__) from None
            return
        if isinstance(obj, dict):
            obj[self._hashable(items[0])] = v
            return
        if isinstance(obj, np.ndarray):  # from .numpy(): shares the tensor's memory
            try:
                obj[tuple(i.value if isinstance(i, Node) else i for i in items)] = \
                    v.value if isinstance(v, Node) else v
            except (ValueError, IndexError, TypeError) as e:
                raise py_error(str(e), type(e).__name__) from None
            return
        if not isinstance(obj, Node):
            raise py_error(f"'{type_name(obj)}' object does not support item assignment")
        index = self._numpy_index(obj, items)
        if self.graph.grad_enabled and obj.is_leaf and obj.requires_grad:
            raise ProgramError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
        src = v if isinstance(v, Node) else (
            self.constant(self.list_value(v, float_default=False))
            if isinstance(v, (list, tuple)) else python_number(v))
        target = obj.value[index].shape
        if isinstance(src, Node) and src.value.ndim > len(target):
            # PyTorch drops the value's leading size-1 dims (x[0] = t of shape [1, n])
            extra = src.value.ndim - len(target)
            if all(d == 1 for d in src.value.shape[:extra]):
                src = self.apply("view", (src,), {"shape": src.value.shape[extra:]})
        try:
            np.broadcast_to(src.value if isinstance(src, Node) else np.asarray(src), target)
        except (ValueError, IndexError) as e:
            raise ShapeError(str(e)) from None
        self._inplace(obj, lambda: self.apply("index_put", (obj, src), {"index": index}),
                      propagate)

    def _numpy_index(self, x: Node, items: list) -> tuple:
        out = []
        for it in items:
            if isinstance(it, range):
                it = list(it)
            if isinstance(it, Node):
                out.append(it.value)
            elif isinstance(it, (list, tuple)):
                out.append(np.asarray(self.list_value(it, float_default=False)))
            elif isinstance(it, bool) or not isinstance(it, (int, slice, type(None),
                                                               type(Ellipsis))):
                raise py_error("only integers, slices (`:`), ellipsis (`...`), None and long "
                               "or byte Variables are valid indices")
            else:
                out.append(it)
        try:
            x.value[tuple(out)]
        except IndexError as e:
            raise ProgramError(str(e), "IndexError") from None
        return tuple(out)

    # ---------------------------------------------------------------- in-place ops

    def _inplace(self, x: Node, make, propagate: bool = True) -> Node:
        """Run `make()` (the op out of place) and give its result to `x` in place (and to
        the tensors x is a view of, unless `propagate` is False)."""
        if self.graph.grad_enabled and x.is_leaf and x.requires_grad:
            raise ProgramError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        views = []  # x = base[index], base = its base[index], ... (basic indexing)
        child = x
        while propagate and getattr(child, "view_of", None) is not None:
            views.append(child.view_of)
            child = child.view_of[0]
            if self.graph.grad_enabled and child.is_leaf and child.requires_grad:
                raise ProgramError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")
        r = make()
        if not isinstance(r, Node):
            r = self.tensor(r)
        new = r.value
        if new.shape != x.value.shape:
            try:
                new = np.broadcast_to(new, x.value.shape)
            except ValueError:
                raise ProgramError(f"output with shape {list(x.value.shape)} doesn't match the "
                                   f"broadcast shape {list(r.value.shape)}") from None
        if new.dtype != x.value.dtype:
            if x.value.dtype.kind in "iub" and new.dtype.kind == "f":
                raise ProgramError(f"result type Float can't be cast to the desired output "
                                   f"type {_scalar_type(x.value.dtype)}")
        if x.vc is None:
            x.vc = [0]
        version = x.vc[0]
        if r.requires_grad and r.op is not None:
            old = Node(x.id, x.value.copy(), x.op, x.args, x.params, x.requires_grad,
                       x._expr, x.where)
            old.vc, old.vers, old.name, old.freed = x.vc, x.vers, x.name, x.freed
            old.retains_grad = x.retains_grad
            x.hist = (x.hist or []) + [(version, old)]
            x.id, x.op, x.args, x.params, x.vers = r.id, r.op, r.args, r.params, r.vers
            x.requires_grad, x.freed, x._expr, x.where = True, False, r._expr, r.where
        self._write(x, new)
        x.vc[0] = version + 1
        if x.op is not None:
            self.own_versions[x.id] = version + 1
        child = x
        for base, items in views:  # each base sees it (and records CopySlices in a graph)
            self._setitem(base, items, child, propagate=False)
            child = base
        return x

    def _write(self, x: Node, new: np.ndarray) -> None:
        cur = x.value
        if isinstance(cur, np.ndarray) and cur.flags.writeable and cur.shape == new.shape:
            cur[...] = new  # in the tensor's memory: .data and detached views see it
        else:
            x.value = np.array(new, dtype=cur.dtype)

    # ---------------------------------------------------------------- calls and methods

    def _call(self, node: Call, args: list) -> Any:  # type: ignore[override]
        func = node.func
        nkw = len(node.kwargs)
        if isinstance(func, Name) or (isinstance(func, Attr) and self._is_module(func.obj)):
            head: list = []
            pos_args = args[: len(args) - nkw] if nkw else list(args)
        else:
            head = [args[0]]
            pos_args = args[1: len(args) - nkw] if nkw else list(args[1:])
        kwargs: dict = {}
        for (k, _), v in zip(node.kwargs, args[len(args) - nkw:] if nkw else ()):
            if k == "**":
                if not isinstance(v, dict):
                    raise py_error("argument after ** must be a mapping")
                kwargs.update(v)
            else:
                kwargs[k] = v
        pos_args = self._expand_starred(pos_args)
        if isinstance(func, Name):
            callee = self._callee(func.id)
            if callee is None and func.id in self.modules:  # from X import name
                path = self.modules[func.id]
                if path in SPECIAL:
                    return call_builtin(path, SPECIAL[path], self, pos_args, kwargs)
                _only_torch_or_numpy(path)
            if callee is None:
                return super()._call(Call(func, node.args, node.kwargs, node.pos),
                                     pos_args + [kwargs[k] for k in kwargs]) \
                    if not kwargs else self._classic_call(func.id, pos_args, kwargs)
            return self._call_value(callee, pos_args, kwargs)
        if isinstance(func, Attr):
            if self._is_module(func.obj):
                route = self._route_memo.get(func)
                if route is None or route[0] != self._epoch:
                    path = self._path(func)
                    route = (self._epoch, path, _nn_value(path),
                             path.startswith("torch.nn.functional."), _qualified(path))
                    self._route_memo[func] = route
                _, path, nn_value, functional, qualified = route
                if nn_value is not None:
                    return self._call_value(nn_value, pos_args, kwargs)
                if path.split(".", 1)[0] in DISPLAY_MODULES:
                    return self._ignored(path)
                if path.startswith("numpy."):
                    from . import numpyvalues

                    if path in ("numpy.array", "numpy.asarray") and pos_args \
                            and isinstance(pos_args[0], Node):
                        # NumPy converts a tensor through tensor.numpy()
                        from .builtins import _numpy

                        a = _numpy(self, pos_args[0], [], {})
                        return numpyvalues.call(self, path, [a, *pos_args[1:]], kwargs)
                    if numpyvalues.handles(path, pos_args, kwargs):
                        return numpyvalues.call(self, path, pos_args, kwargs)
                if path in SPECIAL:
                    return call_builtin(path, SPECIAL[path], self, pos_args, kwargs)
                name = func.name
                if qualified is not None:  # torch.linalg.norm is not torch.norm
                    return FUNCTIONS[qualified](self, name, pos_args, kwargs)
                if name in EXCEPTIONS:
                    return self._make_exception(ExcType(name), pos_args)
                _only_torch_or_numpy(path)
                if not functional:
                    return self._module_call(name, pos_args, kwargs)
                if pos_args and isinstance(pos_args[0], Builtin):
                    # F.softmax(input, ...) with Python's builtin input: F's Python code
                    # calls input.softmax(...)
                    raise ProgramError(f"'builtin_function_or_method' object has no "
                                       f"attribute '{name}'", "AttributeError")
                self.functional_call = True
                try:
                    return self._module_call(name, pos_args, kwargs)
                finally:
                    self.functional_call = False
            obj = head[0]
            if obj is IGNORED:
                return IGNORED
            if isinstance(obj, _ModulePath):
                path = f"{obj.path}.{func.name}"
                nn_value = _nn_value(path)
                if nn_value is not None:
                    return self._call_value(nn_value, pos_args, kwargs)
                qualified = _qualified(path)
                if qualified is not None:
                    return FUNCTIONS[qualified](self, func.name, pos_args, kwargs)
                if path in SPECIAL:
                    return call_builtin(path, SPECIAL[path], self, pos_args, kwargs)
                _only_torch_or_numpy(path)
                return self._module_call(func.name, pos_args, kwargs)
            return self._method(func.name, obj, pos_args, kwargs)
        return self._call_value(head[0], pos_args, kwargs)

    def _module_call(self, name: str, args: list, kwargs: dict) -> Any:
        """torch.NAME(...): an op, a constructor, an in-place op (torch.relu_(x)) or a
        tensor method in function form (torch.allclose(a, b)); `out=` writes in place."""
        if kwargs.get("out") is not None:
            out = kwargs.pop("out")
            if not isinstance(out, Node):
                raise py_error(f"{name}(): argument 'out' must be Tensor, not "
                               f"{type_name(out)}")
            if self.graph.grad_enabled and any(
                    isinstance(a, Node) and a.requires_grad for a in [*args, out]):
                raise ProgramError(f"{name}(): functions with out=... arguments don't support "
                                   "automatic differentiation, but one of the arguments "
                                   "requires grad.")
            return self._inplace(out, lambda: self._module_call(name, args, kwargs))
        if name in CONSTRUCTORS or (name in FUNCTIONS and name not in dispatch.METHOD_ONLY):
            return self._classic_call(name, args, kwargs)
        if args and isinstance(args[0], Node):
            if name.endswith("_") and name[:-1] in FUNCTIONS:
                return self._method(name, args[0], args[1:], kwargs)
            if name in TENSOR_METHODS:
                handler = TENSOR_METHODS[name]
                return call_builtin(name, lambda ip, a, k: handler(ip, args[0], a, k), self,
                                    args[1:], kwargs)
        return self._classic_call(name, args, kwargs)

    def _classic_call(self, fname: str, args: list, kwargs: dict) -> Any:
        if fname in CONSTRUCTORS:
            return CONSTRUCTORS[fname](self, fname, args, kwargs)
        if fname in FUNCTIONS and fname not in dispatch.METHOD_ONLY:
            return FUNCTIONS[fname](self, fname, args, kwargs)
        raise UnknownFunctionError(f"unknown function {fname!r}")

    def _callee(self, name: str) -> Any:
        v = self._scoped(name)
        if v is not MISSING:
            return v
        if name in self.builtins:
            return self.builtins[name]
        if name in EXCEPTIONS:
            return ExcType(name)
        return None

    def _ignored(self, path: str) -> Any:
        """A plotting call (matplotlib, seaborn, ...): gradcli draws no figures; the lesson
        goes on and the warnings say what was skipped."""
        root = path.split(".", 1)[0]
        note = f"gradcli draws no figures: calls into {root} (such as {path}) were skipped"
        if not any(w.startswith(f"gradcli draws no figures: calls into {root} ")
                   for w in self.warnings_out):
            self.warnings_out.append(note)
        return IGNORED

    def _call_value(self, fn: Any, args: list, kwargs: dict) -> Any:
        if fn is IGNORED:
            return IGNORED
        if isinstance(fn, UserFunction):
            return CallRequest(fn, args, kwargs)
        if type(fn) in CLASS_VALUES:
            return self._call_class_value(fn, args, kwargs)
        if isinstance(fn, Builtin):
            return call_builtin(fn.name, fn.fn, self, args, kwargs)
        if isinstance(fn, BoundMethod):
            return self._method(fn.name, fn.obj, args, kwargs)
        if isinstance(fn, ExcType):
            return self._make_exception(fn, args)
        if isinstance(fn, Node):
            raise py_error("'Tensor' object is not callable")
        raise py_error(f"'{type_name(fn)}' object is not callable")

    def _call_class_value(self, fn: Any, args: list, kwargs: dict) -> Any:
        """Calling a class (a new instance, through __init__), a method, or an instance
        (its __call__, or an nn.Module's forward)."""
        from .classes import (Instance, Method, UserClass, apply_function, bind_method,
                              exception_base, MODULE_BASES)

        if isinstance(fn, UserClass):
            inst = Instance(fn)
            try:
                init = fn.lookup("__init__")
            except KeyError:
                if exception_base(fn) is not None:  # Exception.__init__: keeps its args
                    if kwargs:
                        raise py_error(f"{fn.name}() takes no keyword arguments") from None
                    inst.attrs["args"] = tuple(args)
                    return inst
                if (args or kwargs) and all(isinstance(c, UserClass) for c in fn.mro()) and \
                        all(isinstance(b, UserClass) for c in fn.mro() for b in c.bases):
                    raise py_error(f"{fn.name}() takes no arguments") from None
                return inst
            if isinstance(init, Builtin):  # a class gradcli provides (nn.Linear, optim.SGD)
                call_builtin(init.name, init.fn, self, [inst, *args], kwargs)
                return inst
            req = CallRequest(init, [inst, *args], kwargs)
            req.result = inst
            return req
        if isinstance(fn, Method):
            if fn.fn == "save_for_backward":
                fn.obj.saved = tuple(args)
                return None
            if fn.fn == "apply":
                return apply_function(self, fn.obj, args, kwargs)
            if fn.fn == "exception_init":
                fn.obj.attrs["args"] = tuple(args)
                return None
            if fn.fn == "noop":
                return None
            if fn.fn == "mark_non_differentiable":
                fn.obj.non_differentiable.update(id(a) for a in args)
                return None
            if fn.fn == "set_materialize_grads":
                fn.obj.materialize = bool(self.truth(args[0])) if args else True
                return None
            return self._call_value(fn.fn, [fn.obj, *args], kwargs)
        if isinstance(fn, Instance):
            if fn.cls.is_function:  # MyFn()(x): the pre-1.3 way, refused by PyTorch
                raise ProgramError(
                    "Legacy autograd function with non-static forward method is deprecated. "
                    "Please use new-style autograd function with static forward method. "
                    "(Example: https://pytorch.org/docs/stable/autograd.html"
                    "#torch.autograd.Function)", "RuntimeError")
            for name in ("__call__", "forward"):
                try:
                    target = fn.cls.lookup(name)
                except KeyError:
                    continue
                if name == "forward" and not fn.cls.base_paths() & MODULE_BASES:
                    break
                if name == "forward" and self.module_hooks:
                    from .nn import call_module

                    return call_module(self, fn, bind_method(target, fn), args, kwargs)
                return self._call_value(bind_method(target, fn), args, kwargs)
        raise py_error(f"'{type_name(fn)}' object is not callable")

    def _make_exception(self, t: ExcType, args: list) -> ExcValue:
        msg = "" if not args else (self.printer.str(args[0]) if len(args) == 1
                                   else self.printer.repr(tuple(args)))
        return ExcValue(t.name, msg)

    def _method(self, name: str, obj: Any, args: list, kwargs: dict) -> Any:  # type: ignore[override]
        if type(obj) in CLASS_OBJECTS:
            from .classes import class_attr

            return self._call_value(class_attr(self, obj, name), args, kwargs)
        if isinstance(obj, Node):
            handler = TENSOR_METHODS.get(name)
            if handler is not None:
                return call_builtin(name, lambda ip, a, k: handler(ip, obj, a, k), self, args,
                                    kwargs)
            if name.endswith("_") and not name.startswith("_") and name[:-1] in FUNCTIONS:
                base = name[:-1]
                return self._inplace(obj, lambda: FUNCTIONS[base](self, base, [obj, *args],
                                                                  kwargs))
            return super()._method(name, obj, args, kwargs)
        if type(obj).__name__ == "_PrettyPrinter" and name in ("pprint", "pformat"):
            text = self.printer.repr(args[0]) if args else ""
            return self.write(text + "\n") if name == "pprint" else text
        if isinstance(obj, GradFn) and name in ("register_hook", "register_prehook"):
            p = bind(name, args, kwargs, [("fn", REQUIRED)])
            key = (obj.node, "post" if name == "register_hook" else "pre")
            self.node_hooks.setdefault(key, []).append(p["fn"])
            return HookHandle(obj.node, p["fn"], self.node_hooks[key])
        if isinstance(obj, GradFn) and name == "name":
            return obj.name
        if isinstance(obj, AccumulateGrad) and name == "name":
            return "torch::autograd::AccumulateGrad"
        if isinstance(obj, HookHandle) and name == "remove":
            hooks = obj.node.hooks if obj.where is None else obj.where
            if hooks and obj.fn in hooks:
                hooks.remove(obj.fn)
            return None
        if isinstance(obj, DType) and name == "is_floating_point":
            return obj.np.kind == "f"
        if isinstance(obj, Randomness) and name in ("manual_seed", "initial_seed", "seed"):
            if name == "manual_seed":
                p = bind(name, args, kwargs, [("seed", REQUIRED)])
                obj.manual_seed(int(python_number(p["seed"])))
                return obj
            return obj.generator.initial_seed()
        if isinstance(obj, PY_METHOD_TYPES) and name in PY_METHODS.get(type(obj), ()):
            return self._py_method(obj, name, args, kwargs)
        if isinstance(obj, (int, float)) and name in ("is_integer", "hex", "conjugate",
                                                       "bit_length", "as_integer_ratio"):
            return getattr(obj, name)(*args)
        if isinstance(obj, np.ndarray):
            from . import numpyvalues

            if name in numpyvalues.ARRAY_METHODS:
                return numpyvalues.method(obj, name, args, kwargs)
        raise ProgramError(f"'{type_name(obj)}' object has no attribute '{name}'",
                           "AttributeError")

    def _py_method(self, obj: Any, name: str, args: list, kwargs: dict) -> Any:
        if isinstance(obj, str) and name == "format":
            return _str_format(self, obj, args, kwargs)
        if isinstance(obj, str) and name == "join":
            items = list(self.iterate(args[0])) if args else []
            if not all(isinstance(i, str) for i in items):
                raise py_error("sequence item: expected str instance")
            text = obj.join(items)
            if len(text) > MAX_OUTPUT:
                raise ProgramError("the string would be too long", "MemoryError")
            return text
        if isinstance(obj, list) and name == "sort":
            key = kwargs.get("key")
            keys = [self.call_sync(key, [v]) if key is not None else v for v in obj]
            order = sorted(range(len(obj)), key=lambda i: _SortKey(self, keys[i]),
                           reverse=bool(kwargs.get("reverse", False)))
            obj[:] = [obj[i] for i in order]
            return None
        if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int) \
                and args[0] > MAX_OUTPUT:
            raise ProgramError("the string would be too long", "MemoryError")
        try:
            r = getattr(obj, name)(*args, **kwargs)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
            raise py_error(str(e) if not isinstance(e, KeyError) else repr(e.args[0]),
                           type(e).__name__) from None
        if name in ("items", "keys", "values"):
            from .pyvalues import DictView, ODict

            kind = ("odict_" if isinstance(obj, ODict) else "dict_") + name
            return DictView(kind, list(r) if name != "items" else [tuple(p) for p in r])
        return r

    def _index(self, node, obj: Any, items: list) -> Any:  # type: ignore[override]
        if isinstance(obj, dict):
            key = items[0] if len(items) == 1 else tuple(items)
            try:
                return obj[self._hashable(key)]
            except KeyError:
                raise ProgramError(self.printer.repr(key), "KeyError") from None
        if isinstance(obj, (list, tuple, str, range)):
            if len(items) != 1:
                raise py_error(f"{type_name(obj)} indices must be integers or slices, not tuple")
            it = items[0]
            if isinstance(it, Node) and it.value.size == 1 and it.value.dtype.kind in "iu":
                it = int(it.value)
            try:
                r = obj[it]
            except IndexError:
                raise ProgramError(f"{type_name(obj)} index out of range", "IndexError") from None
            except TypeError as e:
                raise py_error(str(e)) from None
            return TorchSize(r) if isinstance(obj, TorchSize) and isinstance(r, tuple) else r
        if isinstance(obj, np.ndarray):
            try:
                r = obj[tuple(items)]
            except (IndexError, TypeError) as e:
                raise py_error(str(e), type(e).__name__) from None
            return r
        found, r = self.dunder(obj, "__getitem__", [items[0] if len(items) == 1
                                                    else tuple(items)])
        if found:
            return r
        r = super()._index(node, obj, items)
        if isinstance(obj, Node) and isinstance(r, Node) and r is not obj and all(
                type(i) in (int, slice) for i in items):
            r.view_of = (obj, list(items))  # basic indexing: a view in PyTorch
        return r

    # ---------------------------------------------------------------- printing

    @property
    def forward_ad(self) -> Any:
        if self._forward_ad is None:
            from .forward_ad import ForwardAD

            self._forward_ad = ForwardAD(self)
        return self._forward_ad

    @property
    def saved_hooks(self) -> Any:
        if self._saved_hooks is None:
            from .saved_hooks import SavedHooks

            self._saved_hooks = SavedHooks(self)
        return self._saved_hooks

    def refresh_on_apply(self) -> None:
        """Watch each op the program runs while a dual level or saved-tensor hooks are on."""
        fw, sh = self._forward_ad, self._saved_hooks
        on = (fw is not None and fw.active) or (sh is not None and bool(sh.stack))
        self.graph.on_apply = self._on_apply if on else None

    def _on_apply(self, node: Node, op: Any, args: tuple, params: dict) -> None:
        fw, sh = self._forward_ad, self._saved_hooks
        if fw is not None and fw.active:
            fw.on_apply(node, op, args, params)
        if sh is not None and sh.stack:
            sh.on_apply(node, op, args, params)

    def _tensor_text(self, x: Node) -> str:
        from .torchprint import parameter_repr, tensor_repr

        if id(x) in self.parameters and x.is_leaf:
            return parameter_repr(x.value, default_dtype=self.default_dtype,
                                  requires_grad=bool(x.requires_grad),
                                  options=self.print_options)
        tangent = None
        if self._forward_ad is not None and self._forward_ad.tangents:
            t = self._forward_ad.tangent_of(x)
            if t is not None:  # f"tangent={t}": a 0-d tensor formats as its Python number
                tangent = str(t.value.item()) if t.value.ndim == 0 else self._tensor_text(t)
        return tensor_repr(x.value, default_dtype=self.default_dtype,
                           grad_fn=x.grad_fn, requires_grad=bool(x.requires_grad),
                           tangent=tangent, options=self.print_options)

    def _dtype_text(self, v: Any) -> str | None:
        if isinstance(v, DType):
            return f"torch.{_dtype_name(v.np)}"
        if isinstance(v, _Device):
            return f"device(type='{v.kind}')"
        if isinstance(v, _ModulePath):
            return f"<module '{v.path}'>"
        if isinstance(v, GradMode):
            kind = "no_grad" if not v.enabled else "enable_grad"
            return f"<torch.autograd.grad_mode.{kind} object at {fake_address(v)}>"
        if isinstance(v, HookHandle):
            return f"<torch.utils.hooks.RemovableHandle object at {fake_address(v)}>"
        if isinstance(v, BoundMethod) and isinstance(v.obj, Node):
            return f"<built-in method {v.name} of Tensor object at {fake_address(v.obj)}>"
        return None

    def write(self, text: str) -> None:
        self.out_size += len(text)
        if self.out_size > MAX_OUTPUT:
            raise LimitError(f"the program printed more than {MAX_OUTPUT:,} characters")
        self.out.append(text)

    @property
    def torch_random(self):
        """PyTorch's generator (the one --seed and torch.manual_seed set)."""
        return self.random.generator

    def _make_builtins(self) -> dict:
        from . import builtins as b

        return b.make(self)

    # ---------------------------------------------------------------- autograd

    def backward(self, roots: list[Node], grads: list[Any], *, retain_graph: Any,
                 create_graph: bool, kind: str = "backward",
                 inputs: list[Node] | None = None, allow_unused: bool = False) -> Any:
        seeds = []
        for r, g in zip(roots, grads):
            if not isinstance(r, Node):
                raise py_error(f"backward expects tensors, got {type_name(r)}")
            if not r.requires_grad:
                raise ProgramError(runtime.NO_GRAD_FN)
            if g is None:
                if r.value.size != 1:
                    raise ProgramError(runtime.SCALAR_ONLY)
                seeds.append(np.ones_like(r.value))
            else:
                gv = g.value if isinstance(g, Node) else np.asarray(
                    self.list_value(g, float_default=True) if isinstance(g, (list, tuple))
                    else g, dtype=r.value.dtype)
                if gv.shape != r.value.shape:
                    raise ProgramError(f"Mismatch in shape: grad_output[0] has a shape of "
                                       f"torch.Size({list(gv.shape)}) and output[0] has a "
                                       f"shape of torch.Size({list(r.value.shape)}).")
                seeds.append(gv.astype(r.value.dtype))
        retain = bool(create_graph) if retain_graph is None else bool(retain_graph)
        nodes, result = runtime.run_pass(self.graph, roots, seeds, retain_graph=retain,
                                         create_graph=bool(create_graph),
                                         call_hook=self._call_hook,
                                         own_versions=self.own_versions,
                                         fn_hooks=self._fn_hooks if self.node_hooks else None,
                                         on_done=self._accumulate if kind == "backward"
                                         else None,
                                         unpack=self._unpack_saved(retain))
        if self.multi_grad_hooks:
            self._multi_grad_hooks(result)
        line = self._current.pos.line if getattr(self._current, "pos", None) else 0
        self.passes.append(runtime.Pass(kind, roots, nodes,
                                        {k: runtime.as_array(v) for k, v in result.items()},
                                        line))
        self._keep_graphs()
        if kind == "backward":
            return None
        out = []
        for k, x in enumerate(inputs or ()):
            g = result.get(x.id)
            if g is None:
                if not allow_unused:
                    raise ProgramError(runtime.NOT_USED.format(k))
                out.append(None)
            else:
                out.append(runtime.as_node(self.graph, g, x.value.dtype))
        return tuple(out)

    def _unpack_saved(self, retain: bool) -> Any:
        sh = self._saved_hooks
        if sh is None or not sh.packed:
            return None
        return lambda node, values, result: sh.unpack(node, values, result, retain)

    def _accumulate(self, node: Node, g: Any) -> None:
        runtime.accumulate(self.graph, node, g)
        hooks = self.post_accumulate_hooks.get(id(node))
        if hooks is not None and hooks[0] is node:
            for fn in list(hooks[1]):
                self.call_sync(fn, [node])

    def _multi_grad_hooks(self, result: dict) -> None:
        """register_multi_grad_hook(tensors, fn): after a pass that computed a gradient for
        any of the tensors, fn gets all of them (None for those it did not reach)."""
        for entry in list(self.multi_grad_hooks):
            tensors, fn = entry
            grads = [result.get(t.id) for t in tensors]
            if any(g is not None for g in grads):
                self.call_sync(fn, [tuple(
                    None if g is None else runtime.as_node(self.graph, g, t.value.dtype)
                    for g, t in zip(grads, tensors))])

    def _keep_graphs(self) -> None:
        """Keep the graphs of the passes the user will see (`keep_graphs`: the last, a
        number N, -N for the last N, or "all"); the others keep their summary only, so a
        training loop does not hold every iteration's tensors."""
        keep, n = self.keep_graphs, len(self.passes)
        if keep == "all":
            return
        k = -1 if keep is None else int(keep)
        window = -k if k < 0 else 1
        old = n - 1 - window  # the pass that just fell out of the window of the last ones
        if 0 <= old and old != k - 1 and self.passes[old].kept:
            self.passes[old].drop()

    def _fn_hooks(self, node: Node, kind: str, g: Any, sent: Any) -> Any:
        """grad_fn.register_prehook(fn(grad_outputs)) and register_hook(fn(grad_inputs,
        grad_outputs)): each may return a tuple that replaces what it was given."""
        hooks = self.node_hooks.get((node, kind))
        if not hooks:
            return g if kind == "pre" else sent
        for fn in list(hooks):
            outputs = (self.constant(np.array(g)),)
            if kind == "pre":
                r = self.call_sync(fn, [outputs])
                if r is not None:
                    v = self._hook_tuple(r, 1)[0]
                    g = g if v is None else v.value
                continue
            # one entry per edge of the node, as next_functions lists them: None for an
            # input that takes no gradient
            edges = self._edges(node)
            grads = iter(sent)
            inputs = tuple(self.constant(np.array(next(grads)[1])) if e else None
                           for e in edges)
            r = self.call_sync(fn, [inputs, outputs])
            if r is not None:
                new = self._hook_tuple(r, len(edges))
                sent = [(arg, np.asarray(v.value) if isinstance(v, Node)
                         else np.zeros(arg.value.shape, dtype=arg.value.dtype))
                        for (arg, _), v in zip(sent, (v for v, e in zip(new, edges) if e))]
        return g if kind == "pre" else sent

    def _edges(self, node: Node) -> list[bool]:
        """For each edge of node (see _next_functions): whether a gradient flows along it."""
        out = []
        for a in node.args:
            if not isinstance(a, Node):
                if node.op.key in WRAPPED_NUMBER_OPS and isinstance(a, (int, float)):
                    out.append(False)
                continue
            out.append(a.requires_grad)
        return out

    def _hook_tuple(self, r: Any, n: int) -> tuple:
        if not isinstance(r, (tuple, list)) or len(r) != n or \
                not all(v is None or isinstance(v, Node) for v in r):
            raise ProgramError(f"hook returned an invalid value: expected a tuple of {n} "
                               "tensor(s)")
        return tuple(r)

    def _call_hook(self, fn: Any, grad: Node) -> Node | None:
        r = self.call_sync(fn, [grad])
        if r is not None and not isinstance(r, Node):
            raise py_error(f"hook returned an object of type {type_name(r)}, not a Tensor")
        return r


CLASS_BODY = "class body"  # Frame.fn of a class body being run
INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead "
    "of `torch.inference_mode()`.")


def _class_types() -> tuple[set, set]:
    from .classes import Context, Instance, Method, Super, UserClass

    return {UserClass, Instance, Method, Super, Context}, {UserClass, Instance, Super, Context}


CLASS_VALUES, CLASS_OBJECTS = _class_types()


def _instance_type() -> type:
    from .classes import Instance

    return Instance


INSTANCE = _instance_type()
# `a op b` calls a.__add__(b), else b.__radd__(a); `a op= b` tries a.__iadd__(b) first
COMPARE_METHODS = {"<": ("__lt__", "__gt__"), "<=": ("__le__", "__ge__"),
                   ">": ("__gt__", "__lt__"), ">=": ("__ge__", "__le__"),
                   "==": ("__eq__", "__eq__"), "!=": ("__ne__", "__ne__")}
OPERATOR_METHODS = {op: (f"__{n}__", f"__r{n}__", f"__i{n}__") for op, n in (
    ("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"), ("//", "floordiv"),
    ("%", "mod"), ("**", "pow"), ("@", "matmul"), ("&", "and"), ("|", "or"), ("^", "xor"))}


def _class_attr(obj: Any, name: str) -> Any:
    """What obj's class (or a base) defines as `name`, or None."""
    try:
        return obj.cls.lookup(name)
    except KeyError:
        return None


def _class_attr_bound(obj: Any, name: str) -> Any:
    from .classes import bind_method

    return bind_method(_class_attr(obj, name), obj)


class _Ignored:
    """What a skipped plotting call gives: absorbs attribute reads and calls."""

    def __repr__(self) -> str:
        return "<skipped by gradcli>"


IGNORED = _Ignored()
DISPLAY_MODULES = {"matplotlib", "seaborn", "plotly", "IPython", "tqdm"}
TORCH_VERSION = "2.13.0+cpu"  # the PyTorch whose behaviour gradcli reproduces


class _ModulePath:
    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path


class _Device:
    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Device) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


class _SortKey:
    def __init__(self, ip: Interpreter, v: Any) -> None:
        self.ip, self.v = ip, v

    def __lt__(self, other: "_SortKey") -> bool:
        return self.ip.truth(self.ip._compare("<", self.v, other.v))


def is_generator(fn: UserFunction) -> bool:
    """Whether a def's body holds a `yield` (not counting nested defs), found once."""
    if fn.is_lambda:
        return False
    cached = _GENERATORS.get(fn.body)
    if cached is None:
        from .syntax import walk

        cached = False
        stack = list(fn.body)
        while stack and not cached:
            st = stack.pop()
            if isinstance(st, (FunctionDef, ClassDef)):
                continue
            for field in ("body", "orelse", "finalbody"):
                stack.extend(getattr(st, field, ()) or ())
            for h in getattr(st, "handlers", ()) or ():
                stack.extend(h.body)
            value = getattr(st, "value", None)
            if isinstance(value, Yield) or (value is not None and not isinstance(value, str)
                                            and any(isinstance(n, Yield)
                                                    for n in walk(value))):
                cached = True
        _GENERATORS[fn.body] = cached
    return cached


_GENERATORS: dict = {}


def call_builtin(name: str, fn: Any, ip: Interpreter, args: list, kwargs: dict) -> Any:
    """A builtin or tensor method called with arguments it cannot take raises the
    TypeError Python would, not an internal error."""
    try:
        return fn(ip, args, kwargs)
    except GradcliError:
        raise
    except (TypeError, ValueError, IndexError, KeyError) as e:
        short = name.rsplit(".", 1)[-1]
        raise py_error(f"{short}(): {e}" if not str(e).startswith(short) else str(e),
                       "TypeError") from None


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, GradFn) and isinstance(b, GradFn):
        return a.node is b.node
    if isinstance(a, DType) and isinstance(b, DType):
        return a.np == b.np
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return False


def _dtype_name(dt: Any) -> str:
    return {"float64": "float64", "float32": "float32", "float16": "float16",
            "int64": "int64", "int32": "int32", "int16": "int16", "int8": "int8",
            "uint8": "uint8", "bool": "bool"}.get(str(np.dtype(dt)), str(np.dtype(dt)))


def _scalar_type(dt: Any) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "uint8": "Byte",
            "int16": "Short", "int8": "Char"}.get(str(np.dtype(dt)), str(dt))


def _formatted_numbers(v: Any) -> Any:
    """The operand of str % v with one-element tensors as the Python numbers that
    '%f' % tensor formats (Tensor.__float__)."""
    if isinstance(v, tuple):
        return tuple(_formatted_numbers(x) for x in v)
    if isinstance(v, Node) and v.value.size == 1:
        return v.value.item()
    return v


def _only_torch_or_numpy(path: str) -> None:
    """A function of another module (statistics.mean, re.sub) is unknown, never the torch
    function of the same name."""
    if path.split(".", 1)[0] not in ("torch", "numpy"):
        raise UnknownFunctionError(f"unknown function {path!r}")


def _alias(path: str) -> str:
    """functorch's functions are torch.func's (the library moved into PyTorch)."""
    if path == "functorch" or path.startswith("functorch."):
        return "torch.func" + path[len("functorch"):]
    return path


def _is_module_path(path: str) -> bool:
    return path in MODULE_PATHS


def _nn_value(path: str) -> Any:
    """The nn module class, optimizer or init function a dotted path names, if any."""
    if path.startswith("torch.utils.data."):
        from . import data

        return data.CLASSES.get(path)
    if path.startswith("torch.distributions."):
        from . import distributions

        fn = distributions.FUNCTIONS_BY_PATH.get(path)
        return distributions.CLASSES.get(path) or (Builtin(path, fn) if fn else None)
    if not (path.startswith("torch.nn.") or path.startswith("torch.optim.")):
        return None
    from . import nn

    return nn.CLASSES.get(path) or nn.FUNCTIONS_BY_PATH.get(path)


# Ops whose Python-number operand PyTorch wraps as a tensor (an edge with no function).
WRAPPED_NUMBER_OPS = {"add", "sub", "mul", "div"}
MODULE_PATHS = {"collections", "random", "matplotlib", "matplotlib.pyplot", "seaborn", "pprint", "torch", "torch.nn", "torch.nn.functional", "torch.autograd",
                "torch.autograd.functional", "numpy", "math", "torch.optim", "torch.linalg",
                "torch.special", "torch.func", "torch.autograd.graph", "torch.autograd.forward_ad",
                "torch.nn.init", "torch.nn.modules", "torch.utils", "torch.utils.data",
                "torch.nn.utils", "torch.optim.lr_scheduler", "torch.distributions",
                "torch.distributions.normal", "torch.distributions.categorical",
                "torch.distributions.bernoulli", "torch.distributions.uniform",
                "torch.distributions.kl", "torch.autograd.function", "functorch"}


def _qualified(path: str) -> str | None:
    """The FUNCTIONS entry for a function whose meaning depends on its module
    (dispatch.QUALIFIED: torch.linalg.norm, torch.cholesky), None for the others."""
    parent, _, name = path.rpartition(".")
    return dispatch.QUALIFIED.get((parent.rpartition(".")[2], name))


def _numpy_binary(op: str, a: Any, b: Any) -> Any:
    fns = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide,
           "**": np.power, "@": np.matmul, "//": np.floor_divide, "%": np.remainder}
    if op not in fns:
        raise py_error(f"unsupported operand for {op}")
    try:
        return fns[op](a, b)
    except (ValueError, TypeError) as e:
        raise py_error(str(e), "ValueError") from None


def _fstring_exprs(node: FString) -> tuple:
    """The values of an f-string, in the order _fstring_text reads them."""
    return tuple(part.value for part in _formatted_in_order(node))


def _formatted_in_order(node: FString) -> list:
    out = []
    for part in node.parts:
        if isinstance(part, FormattedValue):
            out.append(part)
            if part.spec is not None:
                for sub in part.spec.parts:
                    if isinstance(sub, FormattedValue):
                        out.append(sub)
    return out


def _str_format(ip: Interpreter, fmt: str, args: list, kwargs: dict) -> str:
    """str.format with our values: each field formatted by format_value."""
    import string

    out = []
    auto = 0
    try:
        parsed = list(string.Formatter().parse(fmt))
    except ValueError as e:
        raise py_error(str(e), "ValueError") from None
    for literal, field, spec, conv in parsed:
        out.append(literal)
        if field is None:
            continue
        key, _, rest = field.partition(".")
        if key == "":
            if auto >= len(args):
                raise py_error(f"Replacement index {auto} out of range for positional args "
                               "tuple", "IndexError")
            value = args[auto]
            auto += 1
        elif key.isdigit():
            if int(key) >= len(args):
                raise py_error(f"Replacement index {key} out of range for positional args "
                               "tuple", "IndexError")
            value = args[int(key)]
        else:
            if key not in kwargs:
                raise ProgramError(repr(key), "KeyError")
            value = kwargs[key]
        if rest:
            raise py_error("attribute lookups inside format fields are not supported",
                           "ValueError")
        if spec and "{" in spec:
            spec = _str_format(ip, spec, args, kwargs)
        out.append(format_value(ip.printer, value, spec or "", conv))
    return "".join(out)


PY_METHODS: dict = {
    list: {"append", "extend", "pop", "insert", "index", "count", "reverse", "sort", "copy",
           "clear", "remove"},
    dict: {"items", "keys", "values", "get", "update", "pop", "setdefault", "copy", "clear"},
    str: {"format", "join", "upper", "lower", "strip", "lstrip", "rstrip", "split", "replace",
          "startswith", "endswith", "ljust", "rjust", "center", "zfill", "title",
          "capitalize", "splitlines", "find", "count", "isdigit"},
    tuple: {"index", "count"},
    set: {"add", "discard", "remove", "pop", "clear", "copy", "update", "union",
          "intersection", "difference", "issubset", "issuperset", "isdisjoint"},
}
PY_METHODS[ODict] = PY_METHODS[dict] | {"move_to_end", "popitem"}
PY_METHODS[stdlib.DefaultDict] = PY_METHODS[dict]
PY_METHODS[collections.Counter] = PY_METHODS[dict] | {"most_common", "elements", "subtract",
                                                      "total"}
PY_METHODS[collections.deque] = {"append", "appendleft", "pop", "popleft", "extend",
                                 "extendleft", "clear", "rotate", "count", "index", "copy"}


PY_METHOD_TYPES = (list, dict, str, tuple, set, collections.deque)


def _op_function(name: str):
    def call(ip: Interpreter, args: list, kwargs: dict) -> Any:
        return ip._classic_call(name, args, kwargs)
    return call


from .builtins import SPECIAL, TENSOR_METHODS  # noqa: E402  (they use the classes above)
