"""PyTorch's `torch.nn` modules, `torch.nn.init` and `torch.optim` for lesson programs.

Modules are classes of the lesson language whose methods are written here: a lesson's
`class Net(nn.Module)` inherits `parameters()`, `zero_grad()`, `train()`, printing and
calling from `Module`, and `nn.Linear(2, 1)` is an instance like any other, so a user class
may subclass it. Parameters are initialised with PyTorch's generator and formulas
(kaiming-uniform weights and bias bounds), and optimizers update in place with PyTorch's
own arithmetic (its fused multiply-adds included), so a seeded training lesson prints
PyTorch's numbers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .classes import Instance, UserClass
from .dispatch import FUNCTIONS, REQUIRED, bind
from .engine import NO_PARAMS, Node
from .errors import ProgramError
from .ops import Op
from .pyvalues import Builtin, py_error, type_name

if TYPE_CHECKING:
    from .lesson import Interpreter


class NativeMethod(Builtin):
    """A method of a built-in class, written in Python: read through an instance, it is
    bound to it like a method the program defines."""

    __slots__ = ()


def _class(name: str, path: str, bases: list, methods: dict) -> UserClass:
    ns = {k: (NativeMethod(f"{name}.{k}", v) if callable(v) else v)
          for k, v in methods.items()}
    cls = UserClass(name, bases, ns)
    cls.path = path  # type: ignore[attr-defined]
    return cls


_NN_FILES = {"Linear": "linear", "Identity": "linear", "Bilinear": "linear",
             "Flatten": "flatten", "Unflatten": "flatten", "Embedding": "sparse",
             "LayerNorm": "normalization", "GroupNorm": "normalization",
             "CosineSimilarity": "distance", "PairwiseDistance": "distance", "Module": "module",
             "Sequential": "container", "ModuleList": "container", "ModuleDict": "container",
             "ParameterList": "container", "ParameterDict": "container",
             **dict.fromkeys(("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"), "rnn")}


def qualified_name(cls: UserClass) -> str | None:
    """The module-qualified name Python shows for a class gradcli provides
    (torch.nn.modules.linear.Linear, torch.optim.sgd.SGD), None for a program's class."""
    path = getattr(cls, "path", None)
    if not isinstance(path, str):
        return None
    name = cls.name
    if path.startswith("torch.nn."):
        file = _NN_FILES.get(name) or next(
            (f for key, f in (("Loss", "loss"), ("Pool", "pooling"), ("Pad", "padding"),
                              ("BatchNorm", "batchnorm"), ("Conv", "conv"),
                              ("Dropout", "dropout")) if key in name), "activation")
        return f"torch.nn.modules.{file}.{name}"
    if path.startswith("torch.optim.") and not path.startswith("torch.optim.lr_scheduler."):
        return f"torch.optim.{name.lower()}.{name}"
    if path.startswith("torch.utils.data."):
        return f"torch.utils.data.{'dataloader' if name == 'DataLoader' else 'dataset'}.{name}"
    return path


def _self(args: list) -> Instance:
    if not args or not isinstance(args[0], Instance):
        raise py_error("descriptor requires a 'Module' object")
    return args[0]


def is_module(v: Any) -> bool:
    return isinstance(v, Instance) and MODULE in v.cls.mro()


# ------------------------------------------------------------------ Module


def _children(m: Instance) -> list:
    return [(k, v) for k, v in m.attrs.items() if is_module(v)]


def _own_parameters(ip: "Interpreter", m: Instance) -> list:
    return [(k, v) for k, v in m.attrs.items()
            if isinstance(v, Node) and id(v) in ip.parameters]


def _named_modules(m: Instance, prefix: str = "") -> list:
    """Every module under m, m first, depth first in registration order (each once)."""
    out, seen, stack = [], set(), [(prefix, m)]
    while stack:
        name, mod = stack.pop()
        if id(mod) in seen:
            continue
        seen.add(id(mod))
        out.append((name, mod))
        kids = _children(mod)
        for k, child in reversed(kids):
            stack.append((f"{name}.{k}" if name else k, child))
    return out


def _named_tensors(ip: "Interpreter", m: Instance, own: Callable, prefix: str,
                   recurse: bool) -> list:
    """Each tensor `own(ip, module)` lists for m (and its submodules), once, named by its
    path: named_parameters and named_buffers."""
    out, seen = [], set()
    mods = _named_modules(m, prefix) if recurse else [(prefix, m)]
    for name, mod in mods:
        for k, p in own(ip, mod):
            if id(p) not in seen:
                seen.add(id(p))
                out.append((f"{name}.{k}" if name else k, p))
    return out


def named_parameters(ip: "Interpreter", m: Instance, prefix: str = "",
                     recurse: bool = True) -> list:
    return _named_tensors(ip, m, _own_parameters, prefix, recurse)


def _module_init(ip, args, kwargs):
    m = _self(args)
    m.attrs.setdefault("training", True)
    return None


def _generator(items: list, qualname: str):
    """A Python generator over items, as Module.parameters() & co. return one (its type
    is `generator`, its repr <generator object Module.parameters at 0x...>)."""
    def gen():
        yield from items
    gen.__qualname__ = qualname
    return gen()


def _parameters(ip, args, kwargs):
    m = _self(args)
    p = bind("parameters", args[1:], kwargs, [("recurse", True)])
    return _generator([v for _, v in named_parameters(ip, m, "", bool(p["recurse"]))],
                      "Module.parameters")


def _named_parameters_method(ip, args, kwargs):
    m = _self(args)
    p = bind("named_parameters", args[1:], kwargs,
             [("prefix", ""), ("recurse", True), ("remove_duplicate", True)])
    return _generator(named_parameters(ip, m, p["prefix"], bool(p["recurse"])),
                      "Module.named_parameters")


def _children_method(named: bool):
    def fn(ip, args, kwargs):
        kids = _children(_self(args))
        return _generator(kids if named else [v for _, v in kids],
                          "Module.named_children" if named else "Module.children")
    return fn


def _modules_method(named: bool):
    def fn(ip, args, kwargs):
        mods = _named_modules(_self(args))
        return _generator(mods if named else [v for _, v in mods],
                          "Module.named_modules" if named else "Module.modules")
    return fn


def _zero_grad(ip, args, kwargs):
    m = _self(args)
    p = bind("zero_grad", args[1:], kwargs, [("set_to_none", True)])
    _zero_grads(ip, [v for _, v in named_parameters(ip, m)], bool(p["set_to_none"]))
    return None


def _zero_grads(ip, params: list, set_to_none: bool) -> None:
    for v in params:
        if v.grad is None:
            continue
        if set_to_none:
            v.grad = None
        else:
            g = v.grad
            if g.op is not None:  # a grad with history is detached first, as PyTorch does
                v.grad = g = ip.constant(g.value.copy())
            g.value = np.zeros_like(g.value)


def _train(ip, args, kwargs):
    m = _self(args)
    p = bind("train", args[1:], kwargs, [("mode", True)])
    if not isinstance(p["mode"], bool):
        raise py_error("training mode is expected to be boolean", "ValueError")
    for _, mod in _named_modules(m):
        mod.attrs["training"] = p["mode"]
    return m


def _eval(ip, args, kwargs):
    return _train(ip, [_self(args), False], {})


def _requires_grad_module(ip, args, kwargs):
    m = _self(args)
    p = bind("requires_grad_", args[1:], kwargs, [("requires_grad", True)])
    for _, v in named_parameters(ip, m):
        v.requires_grad = bool(p["requires_grad"])
    return m


def _apply(ip, args, kwargs):
    m = _self(args)
    p = bind("apply", args[1:], kwargs, [("fn", REQUIRED)])
    for mod in _post_order(m):  # each module's children (in order) before it
        ip.call_sync(p["fn"], [mod])
    return m


def _post_order(m: Instance) -> list:
    out, stack = [], [m]
    while stack:
        mod = stack.pop()
        out.append(mod)
        stack.extend(child for _, child in _children(mod))
    return out[::-1]


def _same_module(ip, args, kwargs):
    return _self(args)


def _cast_module(target: str):
    def fn(ip, args, kwargs):
        m = _self(args)
        for _, v in named_parameters(ip, m):
            v.value = v.value.astype(target)
            if v.grad is not None:
                v.grad.value = v.grad.value.astype(target)
        return m
    return fn


def _serialization():
    from . import serialization

    return serialization


def state_items(ip, m: Instance) -> list:
    """(key, tensor) of m's state: each module's parameters, then its buffers, module by
    module (PyTorch's order and names)."""
    items = []
    for name, mod in _named_modules(m):
        for k, v in _own_parameters(ip, mod) + _own_buffers(ip, mod):
            items.append((f"{name}.{k}" if name else k, v))
    return items


def _state_dict(ip, args, kwargs):
    from .pyvalues import ODict

    return ODict((k, ip.constant(v.value)) for k, v in state_items(ip, _self(args)))


def _no_forward(ip, args, kwargs):
    m = _self(args)
    raise ProgramError(f'Module [{m.cls.name}] is missing the required "forward" function',
                       "NotImplementedError")


def _add_module(ip, args, kwargs):
    m = _self(args)
    p = bind("add_module", args[1:], kwargs, [("name", REQUIRED), ("module", REQUIRED)])
    m.attrs[str(p["name"])] = p["module"]
    return None


def _buffer_names(ip, m: Instance) -> list:
    """The names register_buffer gave m's tensors (BatchNorm's running statistics too)."""
    book = ip.__dict__.setdefault("_module_buffers", {})
    return book.setdefault(id(m), (m, []))[1]


def _register_buffer(ip, args, kwargs):
    m = _self(args)
    p = bind("register_buffer", args[1:], kwargs, [("name", REQUIRED), ("tensor", REQUIRED),
                                                   ("persistent", True)])
    name = p["name"]
    if not isinstance(name, str):
        raise py_error(f"buffer name should be a string. Got {type_name(name)}")
    if p["tensor"] is not None and not isinstance(p["tensor"], Node):
        raise py_error(f"cannot assign '{type_name(p['tensor'])}' object to buffer '{name}' "
                       "(torch Tensor or None required)")
    m.attrs[name] = p["tensor"]
    names = _buffer_names(ip, m)
    if name not in names:
        names.append(name)
    return None


def _own_buffers(ip, m: Instance) -> list:
    """m's registered buffers that hold a tensor, as (name, tensor)."""
    return [(k, m.attrs[k]) for k in _buffer_names(ip, m) if isinstance(m.attrs.get(k), Node)]


def named_buffers(ip, m: Instance, prefix: str = "", recurse: bool = True) -> list:
    return _named_tensors(ip, m, _own_buffers, prefix, recurse)


def _named_buffers_method(ip, args, kwargs):
    p = bind("named_buffers", args[1:], kwargs,
             [("prefix", ""), ("recurse", True), ("remove_duplicate", True)])
    return _generator(named_buffers(ip, _self(args), p["prefix"], bool(p["recurse"])),
                      "Module.named_buffers")


def _buffers_method(ip, args, kwargs):
    p = bind("buffers", args[1:], kwargs, [("recurse", True)])
    return _generator([v for _, v in named_buffers(ip, _self(args), "", bool(p["recurse"]))],
                      "Module.buffers")


def _register_parameter(ip, args, kwargs):
    m = _self(args)
    p = bind("register_parameter", args[1:], kwargs, [("name", REQUIRED), ("param", REQUIRED)])
    m.attrs[str(p["name"])] = p["param"]
    return None


def _hook_registrar(kind: str):
    def fn(ip, args, kwargs):
        m = _self(args)
        p = bind(f"register_{kind}", args[1:], kwargs, [("hook", REQUIRED), ("prepend", False),
                                                        ("with_kwargs", False),
                                                        ("always_call", False)])
        from .lesson import HookHandle

        hooks = ip.module_hooks.setdefault((id(m), kind), [])
        if p["prepend"]:
            hooks.insert(0, p["hook"])
        else:
            hooks.append(p["hook"])
        return HookHandle(None, p["hook"], hooks)
    return fn


def call_module(ip: "Interpreter", m: Instance, forward: Any, args: list, kwargs: dict) -> Any:
    """module(*args): the forward pre-hooks (which may replace the input), forward, then the
    forward hooks (which may replace the output), as Module.__call__ runs them; with full
    backward (pre-)hooks, inputs and outputs pass through BackwardHookFunctionBackward nodes
    whose gradients call them."""
    for hook in list(ip.module_hooks.get((id(m), "forward_pre_hook"), ())):
        r = ip.call_sync(hook, [m, tuple(args)])
        if r is not None:
            args = list(r) if isinstance(r, tuple) else [r]
    bw = _BackwardHooks(ip, m)
    if bw.active:
        args = list(bw.wrap(tuple(args), True))
    out = ip.call_sync(forward, args, kwargs)
    for hook in list(ip.module_hooks.get((id(m), "forward_hook"), ())):
        r = ip.call_sync(hook, [m, tuple(args), out])
        if r is not None:
            out = r
    if bw.active:
        wrapped = bw.wrap(out if isinstance(out, tuple) else (out,), False)
        out = wrapped if isinstance(out, tuple) else wrapped[0]
    legacy = ip.module_hooks.get((id(m), "backward_hook"))
    if legacy:
        _legacy_backward_hooks(ip, m, out, legacy)
    return out


def _legacy_backward_hooks(ip: "Interpreter", m: Instance, out: Any, hooks: list) -> None:
    """register_backward_hook (the deprecated form): each hook is a hook on the grad_fn of
    the module's first output tensor, called as hook(module, grad_input, grad_output) with
    that one node's gradients."""
    first = out
    while isinstance(first, (tuple, list)) and first:
        first = first[0]
    if not isinstance(first, Node) or first.op is None:
        return
    for hook in hooks:
        ip.node_hooks.setdefault((first, "post"), []).append(Builtin(
            "BackwardHook", lambda ip_, a, k, hook=hook: ip.call_sync(hook, [m, *a])))


_HOOK_IDENTITY = Op("custom:BackwardHookFunction", "BackwardHookFunctionBackward", lambda x: np.array(x),
                    (lambda g, y, x: g,))


class _BackwardHooks:
    """One module call's full backward hooks, as torch.utils.hooks.BackwardHook runs them:
    the gradients reaching the outputs are kept (after the pre-hooks, which may replace
    them); when the gradients of the inputs are known, each hook is called with
    (module, grad_input, grad_output) and may return a replacement grad_input."""

    def __init__(self, ip: "Interpreter", m: Instance) -> None:
        self.ip, self.m = ip, m
        self.hooks = list(ip.module_hooks.get((id(m), "full_backward_hook"), ()))
        self.pre = list(ip.module_hooks.get((id(m), "full_backward_pre_hook"), ()))
        self.active = bool(self.hooks or self.pre)
        self.grad_outputs: tuple | None = None
        self.n_inputs = 0
        self.inputs_index: list | None = None
        self.n_outputs = 0
        self.outputs_index: list | None = None

    def wrap(self, values: tuple, inputs: bool) -> tuple:
        index = [i for i, v in enumerate(values) if isinstance(v, Node)]
        if inputs:
            self.n_inputs = len(values)
        else:
            self.n_outputs = len(values)
        ip = self.ip
        if not (ip.graph.grad_enabled and any(values[i].requires_grad for i in index)):
            return values
        wrapped = [i for i in index if values[i].requires_grad]
        if len(wrapped) > 1:
            raise ProgramError("gradcli runs full backward hooks for modules whose inputs and "
                               "outputs have one tensor that requires grad; this call has "
                               f"{len(wrapped)}", "NotImplementedError")
        if inputs:
            self.inputs_index = wrapped
        else:
            self.outputs_index = wrapped
        out = list(values)
        i = wrapped[0]
        where = ip._here()
        node = out[i] = ip.graph.apply(_HOOK_IDENTITY, (values[i],), NO_PARAMS,
                                       expr=where or "BackwardHookFunction", where=where)
        fn = self._input_hook if inputs else self._output_hook
        ip.node_hooks.setdefault((node, "post"), []).append(
            Builtin("BackwardHook", lambda ip_, a, k: fn(*a)))
        return tuple(out)

    def _pack(self, index: list, values: tuple, size: int) -> tuple:
        res: list = [None] * size
        for i, v in zip(index, values):
            res[i] = v
        return tuple(res)

    def _output_hook(self, grad_inputs: tuple, grad_outputs: tuple) -> Any:
        ip = self.ip
        self.grad_outputs = self._pack(self.outputs_index or [], grad_outputs, self.n_outputs)
        for hook in self.pre:
            r = ip.call_sync(hook, [self.m, self.grad_outputs])
            if r is None:
                continue
            r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            if len(r) != len(self.grad_outputs):
                raise ProgramError("Backward pre hook returned an invalid number of "
                                   f"grad_output, got {len(r)}, but expected "
                                   f"{len(self.grad_outputs)}", "RuntimeError")
            self.grad_outputs = r
        local = self.grad_outputs
        if self.inputs_index is None:
            none = (None,) * self.n_inputs
            for hook in self.hooks:
                r = ip.call_sync(hook, [self.m, none, self.grad_outputs])
                if r is not None and not (isinstance(r, tuple) and all(e is None for e in r)):
                    raise ProgramError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.", "RuntimeError")
            self.grad_outputs = None
        return tuple(local[i] for i in self.outputs_index or [])

    def _input_hook(self, grad_inputs: tuple, grad_outputs: tuple) -> Any:
        if self.grad_outputs is None:
            return None
        res = self._pack(self.inputs_index or [], grad_inputs, self.n_inputs)
        for hook in self.hooks:
            r = self.ip.call_sync(hook, [self.m, res, self.grad_outputs])
            if r is None:
                continue
            r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
            if len(r) != len(res):
                raise ProgramError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(r)}, but expected {len(res)}", "RuntimeError")
            res = r
        self.grad_outputs = None
        return tuple(res[i] for i in self.inputs_index or [])


def check_module_setattr(ip: "Interpreter", m: Instance, name: str, value: Any) -> None:
    """module.weight = tensor is refused as PyTorch refuses it: a registered parameter
    takes only a Parameter or None."""
    cur = m.attrs.get(name)
    if isinstance(cur, Node) and id(cur) in ip.parameters and value is not None and not (
            isinstance(value, Node) and id(value) in ip.parameters):
        what = _legacy_type(value) if isinstance(value, Node) else type_name(value)
        raise ProgramError(f"cannot assign '{what}' as parameter '{name}' (torch.nn.Parameter "
                           "or None expected)", "TypeError")


def _legacy_type(t: Node) -> str:
    from .builtins import LEGACY_TENSOR_TYPES

    for k, v in LEGACY_TENSOR_TYPES.items():
        if np.dtype(v) == t.value.dtype:
            return f"torch.{k}"
    return "torch.Tensor"


MODULE = _class("Module", "torch.nn.Module", [], {
    "register_forward_hook": _hook_registrar("forward_hook"),
    "register_forward_pre_hook": _hook_registrar("forward_pre_hook"),
    "register_full_backward_hook": _hook_registrar("full_backward_hook"),
    "register_backward_hook": _hook_registrar("backward_hook"),
    "register_full_backward_pre_hook": _hook_registrar("full_backward_pre_hook"),
    "__init__": _module_init, "forward": _no_forward, "parameters": _parameters,
    "named_parameters": _named_parameters_method,
    "children": _children_method(False), "named_children": _children_method(True),
    "modules": _modules_method(False), "named_modules": _modules_method(True),
    "zero_grad": _zero_grad, "train": _train, "eval": _eval,
    "requires_grad_": _requires_grad_module, "apply": _apply, "to": _same_module,
    "cpu": _same_module, "double": _cast_module("float64"), "float": _cast_module("float32"),
    "state_dict": _state_dict, "add_module": _add_module,
    "load_state_dict": lambda ip, args, kwargs: _serialization().module_load_state_dict(
        ip, args, kwargs),
    "register_module": _add_module, "register_parameter": _register_parameter,
    "register_buffer": _register_buffer, "named_buffers": _named_buffers_method,
    "buffers": _buffers_method,
})


def _new_parameter(ip: "Interpreter", shape: tuple, dtype: Any = None) -> Node:
    dt = np.dtype(dtype) if dtype is not None else ip.graph.dtype
    ip.graph.check_size(shape, "Parameter")
    v = ip.graph.leaf(np.zeros(shape, dtype=dt), requires_grad=True, expr="Parameter",
                      where=ip._here())
    ip.parameters.add(id(v))
    ip._parameter_nodes.append(v)
    return v


def _dtype_arg(dtype: Any) -> Any:
    return getattr(dtype, "np", None) if dtype is not None else None


def _positive_int(v: Any, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise py_error(f"{what} must be int, not {type_name(v)}")
    if v < 0:
        raise ProgramError(f"Trying to create tensor with negative dimension {v}: "
                           f"[{v}]")
    return v


# ------------------------------------------------------------------ layers


def _linear_init(ip, args, kwargs):
    m = _self(args)
    p = bind("Linear", args[1:], kwargs, [("in_features", REQUIRED), ("out_features", REQUIRED),
                                          ("bias", True), ("device", None), ("dtype", None)])
    fin = _positive_int(p["in_features"], "in_features")
    fout = _positive_int(p["out_features"], "out_features")
    _module_init(ip, [m], {})
    m.attrs["in_features"], m.attrs["out_features"] = fin, fout
    dt = _dtype_arg(p["dtype"])
    m.attrs["weight"] = w = _new_parameter(ip, (fout, fin), dt)
    m.attrs["bias"] = b = _new_parameter(ip, (fout,), dt) if p["bias"] else None
    # reset_parameters(): kaiming_uniform_(weight, a=sqrt(5)), bias U(-1/sqrt(fan_in), ...)
    _kaiming_uniform(ip, w, math.sqrt(5), "fan_in", "leaky_relu")
    if b is not None:
        bound = 1 / math.sqrt(fin) if fin > 0 else 0
        _uniform(ip, b, -bound, bound)
    return None


def _linear_forward(ip, args, kwargs):
    m = _self(args)
    (x,) = bind("forward", args[1:], kwargs, [("input", REQUIRED)]).values()
    params = [x, m.attrs["weight"]]
    if m.attrs.get("bias") is not None:
        params.append(m.attrs["bias"])
    return FUNCTIONS["linear"](ip, "linear", params, {})


def _conv_init(ip, args, kwargs, dims: int = 2):
    m = _self(args)
    p = bind(f"Conv{dims}d", args[1:], kwargs, [
        ("in_channels", REQUIRED), ("out_channels", REQUIRED), ("kernel_size", REQUIRED),
        ("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1), ("bias", True),
        ("padding_mode", "zeros"), ("device", None), ("dtype", None)])
    cin = _positive_int(p["in_channels"], "in_channels")
    cout = _positive_int(p["out_channels"], "out_channels")
    size = _pair2 if dims == 2 else _one
    k = size(p["kernel_size"])
    _module_init(ip, [m], {})
    m.attrs.update(in_channels=cin, out_channels=cout, kernel_size=k,
                   stride=size(p["stride"]), padding=size(p["padding"]),
                   dilation=size(p["dilation"]), groups=p["groups"])
    dt = _dtype_arg(p["dtype"])
    m.attrs["weight"] = w = _new_parameter(ip, (cout, cin, *k), dt)
    m.attrs["bias"] = b = _new_parameter(ip, (cout,), dt) if p["bias"] else None
    _kaiming_uniform(ip, w, math.sqrt(5), "fan_in", "leaky_relu")
    if b is not None:
        fan_in = cin * math.prod(k)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        _uniform(ip, b, -bound, bound)
    return None


def _pair2(v: Any) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _conv1d_init(ip, args, kwargs):
    return _conv_init(ip, args, kwargs, 1)


def _conv_forward(ip, args, kwargs):
    m = _self(args)
    (x,) = bind("forward", args[1:], kwargs, [("input", REQUIRED)]).values()
    fname = "conv1d" if len(m.attrs["kernel_size"]) == 1 else "conv2d"
    return FUNCTIONS[fname](ip, fname, [x, m.attrs["weight"], m.attrs.get("bias")],
                               {"stride": m.attrs["stride"], "padding": m.attrs["padding"],
                                "dilation": m.attrs["dilation"], "groups": m.attrs["groups"]})


def _conv_repr(m: Instance) -> str:
    a = m.attrs
    text = (f"{a['in_channels']}, {a['out_channels']}, kernel_size={a['kernel_size']}, "
            f"stride={a['stride']}")
    if any(a["padding"]):
        text += f", padding={a['padding']}"
    if any(d != 1 for d in a["dilation"]):
        text += f", dilation={a['dilation']}"
    if a["groups"] != 1:
        text += f", groups={a['groups']}"
    if a.get("bias") is None:
        text += ", bias=False"
    return text


def _pool_call(ip, m, rest, kwargs):
    return FUNCTIONS["max_pool2d"](ip, "max_pool2d", [rest[0]], {
        "kernel_size": m.attrs["kernel_size"], "stride": _pool_stride(m),
        "padding": m.attrs["padding"], "dilation": m.attrs["dilation"],
        "ceil_mode": m.attrs["ceil_mode"], "return_indices": m.attrs["return_indices"]})


def _embedding_init(ip, args, kwargs):
    m = _self(args)
    p = bind("Embedding", args[1:], kwargs, [
        ("num_embeddings", REQUIRED), ("embedding_dim", REQUIRED), ("padding_idx", None),
        ("max_norm", None), ("norm_type", 2.0), ("scale_grad_by_freq", False),
        ("sparse", False), ("_weight", None), ("_freeze", False), ("device", None),
        ("dtype", None)])
    num = _positive_int(p["num_embeddings"], "num_embeddings")
    dim = _positive_int(p["embedding_dim"], "embedding_dim")
    _module_init(ip, [m], {})
    m.attrs.update(num_embeddings=num, embedding_dim=dim)
    m.attrs["weight"] = w = _new_parameter(ip, (num, dim), _dtype_arg(p["dtype"]))
    _normal(ip, w, 0.0, 1.0)
    return None


def _embedding_forward(ip, args, kwargs):
    m = _self(args)
    (x,) = bind("forward", args[1:], kwargs, [("input", REQUIRED)]).values()
    return FUNCTIONS["embedding"](ip, "embedding", [x, m.attrs["weight"]], {})


def _batch_norm_init(ip, args, kwargs):
    m = _self(args)
    p = bind(m.cls.name, args[1:], kwargs, [
        ("num_features", REQUIRED), ("eps", 1e-5), ("momentum", 0.1), ("affine", True),
        ("track_running_stats", True), ("device", None), ("dtype", None)])
    c = _positive_int(p["num_features"], "num_features")
    _module_init(ip, [m], {})
    m.attrs.update(num_features=c, eps=p["eps"], momentum=p["momentum"], affine=p["affine"],
                   track_running_stats=p["track_running_stats"])
    dt = _dtype_arg(p["dtype"]) or ip.graph.dtype
    if p["affine"]:
        m.attrs["weight"] = w = _new_parameter(ip, (c,), dt)
        m.attrs["bias"] = b = _new_parameter(ip, (c,), dt)
        w.value[...] = 1
        b.value[...] = 0
    if p["track_running_stats"]:
        m.attrs["running_mean"] = ip.constant(np.zeros(c, dtype=dt))
        m.attrs["running_var"] = ip.constant(np.ones(c, dtype=dt))
        m.attrs["num_batches_tracked"] = ip.constant(np.array(0, dtype=np.int64))
        _buffer_names(ip, m).extend(["running_mean", "running_var", "num_batches_tracked"])
    return None


def _batch_norm_forward(ip, args, kwargs):
    """PyTorch's batch norm: batch statistics in training (and the running statistics
    updated with the unbiased variance), the running ones in eval mode."""
    m = _self(args)
    (x,) = bind("forward", args[1:], kwargs, [("input", REQUIRED)]).values()
    dims = {"BatchNorm1d": (2, 3), "BatchNorm2d": (4,), "BatchNorm3d": (5,)}[m.cls.name]
    if not isinstance(x, Node) or x.value.ndim not in dims:
        want = "2D or 3D" if len(dims) == 2 else f"{dims[0]}D"
        raise ProgramError(f"expected {want} input (got "
                           f"{getattr(x, 'value', np.zeros(0)).ndim}D input)", "ValueError")
    c = m.attrs["num_features"]
    if x.value.shape[1] != c:
        raise ProgramError(f"running_mean should contain {x.value.shape[1]} elements not {c}")
    dt = x.value.dtype
    w, b = m.attrs.get("weight"), m.attrs.get("bias")
    if w is None:  # affine=False
        w = ip.constant(np.ones(c, dtype=dt))
    if b is None:
        b = ip.constant(np.zeros(c, dtype=dt))
    training = bool(m.attrs.get("training", True)) or not m.attrs["track_running_stats"]
    axes = (0,) + tuple(range(2, x.value.ndim))
    n = x.value.size // c
    if training and n <= 1:
        raise ProgramError(f"Expected more than 1 value per channel when training, got input "
                           f"size {list(x.value.shape)}", "ValueError")
    rm, rv = m.attrs.get("running_mean"), m.attrs.get("running_var")
    params = {"eps": float(m.attrs["eps"]), "training": training}
    if not training:
        params.update(mean=rm.value.copy(), var=rv.value.copy())
    out = ip.apply("batch_norm", (x, w, b), params)
    if training and m.attrs["track_running_stats"]:
        mom = float(m.attrs["momentum"])
        mean = x.value.mean(axis=axes)
        var = x.value.var(axis=axes, ddof=1)
        rm.value = ((1 - mom) * rm.value + mom * mean).astype(rm.value.dtype)
        rv.value = ((1 - mom) * rv.value + mom * var).astype(rv.value.dtype)
        m.attrs["num_batches_tracked"].value = m.attrs["num_batches_tracked"].value + 1
    return out


def _pool_stride(m: Instance) -> Any:
    s = m.attrs["stride"]
    return m.attrs["kernel_size"] if s is None else s


def _linear_repr(m: Instance) -> str:
    return (f"in_features={m.attrs.get('in_features')}, "
            f"out_features={m.attrs.get('out_features')}, "
            f"bias={m.attrs.get('bias') is not None}")


def _simple(name: str, fname: str, spec: list, repr_of: Callable | None = None,
            call: Callable | None = None) -> UserClass:
    """A layer without parameters: its constructor's arguments become attributes and
    forward calls the functional form with them."""
    def init(ip, args, kwargs):
        m = _self(args)
        p = bind(name, args[1:], kwargs, spec)
        _module_init(ip, [m], {})
        m.attrs.update(p)
        return None

    def forward(ip, args, kwargs):
        m = _self(args)
        rest = args[1:]
        if call is not None:
            return call(ip, m, rest, kwargs)
        if len(rest) != 1 or kwargs:
            raise py_error(f"{name}.forward() takes 1 positional argument but "
                           f"{len(rest) + len(kwargs)} were given")
        kw = {k: m.attrs[k] for k, _ in spec if k != "inplace"}
        return FUNCTIONS[fname](ip, fname, [rest[0]], kw)

    cls = _class(name, f"torch.nn.{name}", [MODULE], {"__init__": init, "forward": forward})
    EXTRA_REPR[cls] = repr_of or (lambda m: ", ".join(
        f"{k}={m.attrs[k]!r}" for k, _ in spec))
    return cls


def _identity_call(ip, m, rest, kwargs):
    return rest[0] if rest else None


def _flatten_call(ip, m, rest, kwargs):
    return FUNCTIONS["flatten"](ip, "flatten", [rest[0]],
                                {"start_dim": m.attrs["start_dim"],
                                 "end_dim": m.attrs["end_dim"]})


def _softmax_call(fname: str):
    def call(ip, m, rest, kwargs):
        dim = m.attrs["dim"]
        x = rest[0]
        if dim is None:  # PyTorch's legacy implicit dim
            nd = x.value.ndim if isinstance(x, Node) else 0
            dim = 0 if nd in (0, 1, 3) else 1
        return FUNCTIONS[fname](ip, fname, [x], {"dim": dim})
    return call


def _dropout_call(ip, m, rest, kwargs):
    return dropout(ip, rest[0], float(m.attrs["p"]), bool(m.attrs.get("training", True)))


def dropout(ip: "Interpreter", x: Any, p: float, train: bool) -> Any:
    """PyTorch's dropout: input * noise, noise = bernoulli_(1 - p) / (1 - p) drawn from
    PyTorch's generator (one double uniform per element), so the masks are PyTorch's."""
    if not 0 <= p <= 1:
        raise ProgramError(f"dropout probability has to be between 0 and 1, but got {p}",
                           "ValueError")
    if not isinstance(x, Node):
        raise py_error(f"dropout(): argument 'input' must be Tensor, not {type_name(x)}")
    if p == 0 or not train or x.value.size == 0:
        return x
    dt = x.value.dtype
    if p == 1:
        noise = np.zeros((), dtype=dt)
    else:
        keep = ip.torch_random._uniform01(x.value.size, np.float64) < 1 - p
        noise = (keep.astype(dt).reshape(x.value.shape) / dt.type(1 - p)).astype(dt)
    return ip._binary("*", x, ip.constant(noise))


def _functional_dropout(ip, args, kwargs):
    p = bind("dropout", args, kwargs, [("input", REQUIRED), ("p", 0.5), ("training", True),
                                       ("inplace", False)])
    return dropout(ip, p["input"], float(p["p"]), bool(p["training"]))


def _inplace_repr(m: Instance) -> str:
    return "inplace=True" if m.attrs.get("inplace") else ""


LAYERS: dict[str, UserClass] = {}
EXTRA_REPR: dict[UserClass, Callable[[Instance], str]] = {}

LAYERS["Linear"] = _class("Linear", "torch.nn.Linear", [MODULE],
                          {"__init__": _linear_init, "forward": _linear_forward})
EXTRA_REPR[LAYERS["Linear"]] = _linear_repr
LAYERS["Embedding"] = _class("Embedding", "torch.nn.Embedding", [MODULE],
                             {"__init__": _embedding_init, "forward": _embedding_forward})
EXTRA_REPR[LAYERS["Embedding"]] = lambda m: (f"{m.attrs['num_embeddings']}, "
                                            f"{m.attrs['embedding_dim']}")
for _bn in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"):
    LAYERS[_bn] = _class(_bn, f"torch.nn.{_bn}", [MODULE],
                         {"__init__": _batch_norm_init, "forward": _batch_norm_forward})
    EXTRA_REPR[LAYERS[_bn]] = lambda m: (
        f"{m.attrs['num_features']}, eps={m.attrs['eps']}, momentum={m.attrs['momentum']}, "
        f"affine={m.attrs['affine']}, bias={m.attrs['affine']}, "
        f"track_running_stats={m.attrs['track_running_stats']}")
LAYERS["Conv2d"] = _class("Conv2d", "torch.nn.Conv2d", [MODULE],
                          {"__init__": _conv_init, "forward": _conv_forward})
EXTRA_REPR[LAYERS["Conv2d"]] = _conv_repr
LAYERS["Conv1d"] = _class("Conv1d", "torch.nn.Conv1d", [MODULE],
                          {"__init__": _conv1d_init, "forward": _conv_forward})
EXTRA_REPR[LAYERS["Conv1d"]] = _conv_repr
for _name, _fname in (("ReLU", "relu"), ("ReLU6", "relu6"), ("SELU", "selu"),
                      ("SiLU", "silu"), ("Mish", "mish")):
    LAYERS[_name] = _simple(_name, _fname, [("inplace", False)], _inplace_repr)
for _name, _fname in (("Sigmoid", "sigmoid"), ("Tanh", "tanh"), ("Softsign", "softsign"),
                      ("Tanhshrink", "tanhshrink"), ("LogSigmoid", "logsigmoid")):
    LAYERS[_name] = _simple(_name, _fname, [], lambda m: "")
LAYERS["Identity"] = _simple("Identity", "", [], lambda m: "", _identity_call)
LAYERS["LeakyReLU"] = _simple(
    "LeakyReLU", "leaky_relu", [("negative_slope", 0.01), ("inplace", False)],
    lambda m: f"negative_slope={m.attrs['negative_slope']}"
              + (", inplace=True" if m.attrs["inplace"] else ""))
LAYERS["ELU"] = _simple("ELU", "elu", [("alpha", 1.0), ("inplace", False)],
                        lambda m: f"alpha={m.attrs['alpha']}")
LAYERS["GELU"] = _simple("GELU", "gelu", [("approximate", "none")],
                         lambda m: f"approximate={m.attrs['approximate']!r}")
LAYERS["Softplus"] = _simple("Softplus", "softplus", [("beta", 1.0), ("threshold", 20.0)],
                             lambda m: f"beta={m.attrs['beta']}, "
                                       f"threshold={m.attrs['threshold']}")
LAYERS["Softmax"] = _simple("Softmax", "softmax", [("dim", None)],
                            lambda m: f"dim={m.attrs['dim']}", _softmax_call("softmax"))
LAYERS["LogSoftmax"] = _simple("LogSoftmax", "log_softmax", [("dim", None)],
                               lambda m: f"dim={m.attrs['dim']}",
                               _softmax_call("log_softmax"))
LAYERS["Softmin"] = _simple("Softmin", "softmin", [("dim", None)],
                            lambda m: f"dim={m.attrs['dim']}", _softmax_call("softmin"))
LAYERS["Flatten"] = _simple("Flatten", "flatten", [("start_dim", 1), ("end_dim", -1)],
                            lambda m: f"start_dim={m.attrs['start_dim']}, "
                                      f"end_dim={m.attrs['end_dim']}", _flatten_call)
LAYERS["MaxPool2d"] = _simple(
    "MaxPool2d", "max_pool2d", [("kernel_size", REQUIRED), ("stride", None), ("padding", 0),
                                ("dilation", 1), ("return_indices", False),
                                ("ceil_mode", False)],
    lambda m: f"kernel_size={m.attrs['kernel_size']}, stride={_pool_stride(m)}, "
              f"padding={m.attrs['padding']}, dilation={m.attrs['dilation']}, "
              f"ceil_mode={m.attrs['ceil_mode']}", _pool_call)
def _inplace_suffix(m: Instance) -> str:
    return ", inplace=True" if m.attrs.get("inplace") else ""


for _name, _fname in (("Hardswish", "hardswish"), ("Hardsigmoid", "hardsigmoid")):
    LAYERS[_name] = _simple(_name, _fname, [("inplace", False)], lambda m: "")
LAYERS["Threshold"] = _simple(
    "Threshold", "threshold", [("threshold", REQUIRED), ("value", REQUIRED), ("inplace", False)],
    lambda m: f"threshold={m.attrs['threshold']}, value={m.attrs['value']}"
              + _inplace_suffix(m))
LAYERS["CELU"] = _simple("CELU", "celu", [("alpha", 1.0), ("inplace", False)],
                         lambda m: f"alpha={m.attrs['alpha']}" + _inplace_suffix(m))
for _name, _fname in (("Softshrink", "softshrink"), ("Hardshrink", "hardshrink")):
    LAYERS[_name] = _simple(_name, _fname, [("lambd", 0.5)], lambda m: f"{m.attrs['lambd']}")
LAYERS["GLU"] = _simple("GLU", "glu", [("dim", -1)], lambda m: f"dim={m.attrs['dim']}")


def _one(v: Any) -> Any:
    """PyTorch's _single: a 1-d layer keeps its sizes as 1-tuples."""
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _avg_pool_init(dims: int):
    name = f"AvgPool{dims}d"
    spec = [("kernel_size", REQUIRED), ("stride", None), ("padding", 0), ("ceil_mode", False),
            ("count_include_pad", True)] + ([("divisor_override", None)] if dims == 2 else [])

    def init(ip, args, kwargs):
        m = _self(args)
        p = bind(name, args[1:], kwargs, spec)
        _module_init(ip, [m], {})
        if p["stride"] is None:
            p["stride"] = p["kernel_size"]
        if dims == 1:
            p.update(kernel_size=_one(p["kernel_size"]), stride=_one(p["stride"]),
                     padding=_one(p["padding"]))
        m.attrs.update(p)
        return None
    return init


def _avg_pool_forward(fname: str, keys: tuple):
    def forward(ip, args, kwargs):
        m = _self(args)
        (x,) = bind("forward", args[1:], kwargs, [("input", REQUIRED)]).values()
        return FUNCTIONS[fname](ip, fname, [x], {k: m.attrs[k] for k in keys})
    return forward


_POOL_REPR = (lambda m: f"kernel_size={m.attrs['kernel_size']}, stride={m.attrs['stride']}, "
                        f"padding={m.attrs['padding']}")
for _d in (1, 2):
    _keys = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad") + \
        (("divisor_override",) if _d == 2 else ())
    LAYERS[f"AvgPool{_d}d"] = _class(f"AvgPool{_d}d", f"torch.nn.AvgPool{_d}d", [MODULE], {
        "__init__": _avg_pool_init(_d), "forward": _avg_pool_forward(f"avg_pool{_d}d", _keys)})
    EXTRA_REPR[LAYERS[f"AvgPool{_d}d"]] = _POOL_REPR
    LAYERS[f"AdaptiveAvgPool{_d}d"] = _simple(
        f"AdaptiveAvgPool{_d}d", f"adaptive_avg_pool{_d}d", [("output_size", REQUIRED)],
        lambda m: f"output_size={m.attrs['output_size']}")


def _max_pool1d_call(ip, m, rest, kwargs):
    return FUNCTIONS["max_pool1d"](ip, "max_pool1d", [rest[0]], {
        "kernel_size": m.attrs["kernel_size"], "stride": _pool_stride(m),
        "padding": m.attrs["padding"], "dilation": m.attrs["dilation"],
        "ceil_mode": m.attrs["ceil_mode"], "return_indices": m.attrs["return_indices"]})


LAYERS["MaxPool1d"] = _simple(
    "MaxPool1d", "max_pool1d", [("kernel_size", REQUIRED), ("stride", None), ("padding", 0),
                                ("dilation", 1), ("return_indices", False),
                                ("ceil_mode", False)],
    lambda m: f"kernel_size={m.attrs['kernel_size']}, stride={_pool_stride(m)}, "
              f"padding={m.attrs['padding']}, dilation={m.attrs['dilation']}, "
              f"ceil_mode={m.attrs['ceil_mode']}", _max_pool1d_call)


def _const_pad_class(name: str, dims: int, zero: bool) -> UserClass:
    spec = [("padding", REQUIRED)] + ([] if zero else [("value", REQUIRED)])

    def init(ip, args, kwargs):
        m = _self(args)
        p = bind(name, args[1:], kwargs, spec)
        _module_init(ip, [m], {})
        pad = p["padding"]
        pad = tuple(pad) if isinstance(pad, (tuple, list)) else (pad,) * (2 * dims)
        m.attrs.update(padding=pad, value=0.0 if zero else p["value"])
        return None

    def call(ip, m, rest, kwargs):
        return FUNCTIONS["pad"](ip, "pad", [rest[0], m.attrs["padding"]],
                                {"value": m.attrs["value"]})
    cls = _simple(name, "pad", [], None, call)
    cls.namespace["__init__"] = NativeMethod(f"{name}.__init__", init)
    EXTRA_REPR[cls] = ((lambda m: f"{m.attrs['padding']}") if zero else
                       (lambda m: f"padding={m.attrs['padding']}, value={m.attrs['value']}"))
    return cls


for _d in (1, 2, 3):
    LAYERS[f"ZeroPad{_d}d"] = _const_pad_class(f"ZeroPad{_d}d", _d, True)
    LAYERS[f"ConstantPad{_d}d"] = _const_pad_class(f"ConstantPad{_d}d", _d, False)
LAYERS["Dropout"] = _simple("Dropout", "", [("p", 0.5), ("inplace", False)],
                            lambda m: f"p={m.attrs['p']}, inplace={m.attrs['inplace']}",
                            _dropout_call)


# ------------------------------------------------------------------ losses


def legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """PyTorch's _Reduction.legacy_get_string: size_average/reduce, when given, win."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "mean" if size_average and reduce else "sum" if reduce else "none"


def _loss(name: str, fname: str, spec: list, defaults: dict) -> UserClass:
    def call(ip, m, rest, kwargs):
        p = bind(f"{name}.forward", rest, kwargs, [("input", REQUIRED), ("target", REQUIRED)])
        m.attrs["reduction"] = legacy_reduction(m.attrs.get("size_average"),
                                                m.attrs.get("reduce"), m.attrs["reduction"])
        m.attrs["size_average"] = m.attrs["reduce"] = None
        kw = {k: m.attrs[k] for k, _ in spec
              if k in FUNCTION_KEYWORDS.get(fname, ()) and m.attrs[k] != defaults.get(k)}
        return FUNCTIONS[fname](ip, fname, [p["input"], p["target"]], kw)
    return _simple(name, fname, spec, lambda m: "", call)


FUNCTION_KEYWORDS = {
    "mse_loss": ("reduction",), "l1_loss": ("reduction",),
    "binary_cross_entropy": ("weight", "reduction"),
    "binary_cross_entropy_with_logits": ("weight", "reduction", "pos_weight"),
    "cross_entropy": ("weight", "ignore_index", "reduction", "label_smoothing"),
    "nll_loss": ("weight", "ignore_index", "reduction"),
}
_LOSS_BASE = [("size_average", None), ("reduce", None), ("reduction", "mean")]
LAYERS["MSELoss"] = _loss("MSELoss", "mse_loss", _LOSS_BASE, {"reduction": "mean"})
LAYERS["L1Loss"] = _loss("L1Loss", "l1_loss", _LOSS_BASE, {"reduction": "mean"})
LAYERS["BCELoss"] = _loss("BCELoss", "binary_cross_entropy", [("weight", None), *_LOSS_BASE],
                          {"reduction": "mean", "weight": None})
LAYERS["BCEWithLogitsLoss"] = _loss(
    "BCEWithLogitsLoss", "binary_cross_entropy_with_logits",
    [("weight", None), *_LOSS_BASE, ("pos_weight", None)],
    {"reduction": "mean", "weight": None, "pos_weight": None})
LAYERS["CrossEntropyLoss"] = _loss(
    "CrossEntropyLoss", "cross_entropy",
    [("weight", None), ("size_average", None), ("ignore_index", -100), ("reduce", None),
     ("reduction", "mean"), ("label_smoothing", 0.0)],
    {"reduction": "mean", "weight": None, "ignore_index": -100, "label_smoothing": 0.0})
LAYERS["NLLLoss"] = _loss(
    "NLLLoss", "nll_loss",
    [("weight", None), ("size_average", None), ("ignore_index", -100), ("reduce", None),
     ("reduction", "mean")],
    {"reduction": "mean", "weight": None, "ignore_index": -100})


# ------------------------------------------------------------------ containers


def _sequential_init(ip, args, kwargs):
    m = _self(args)
    if kwargs:
        raise py_error("Sequential() takes no keyword arguments")
    _module_init(ip, [m], {})
    mods = list(args[1:])
    if len(mods) == 1 and isinstance(mods[0], dict):
        items = list(mods[0].items())
    else:
        items = [(str(i), v) for i, v in enumerate(mods)]
    for k, v in items:
        if not is_module(v):
            raise py_error(f"{type_name(v)} is not a Module subclass")
        m.attrs[k] = v
    return None


def _sequential_forward(ip, args, kwargs):
    m = _self(args)
    if len(args) != 2 or kwargs:
        raise py_error("Sequential.forward() takes 1 positional argument")
    x = args[1]
    for _, mod in _children(m):
        x = ip.call_sync(mod, [x])
    return x


def _container_getitem(ip, args, kwargs):
    m, key = _self(args), args[1]
    kids = _children(m)
    if isinstance(key, slice):
        new = Instance(m.cls)
        _module_init(ip, [new], {})
        for k, v in kids[key]:
            new.attrs[k] = v
        return new
    if isinstance(key, Node) and key.value.size == 1 and key.value.dtype.kind in "iu":
        key = int(key.value)
    if isinstance(key, bool) or not isinstance(key, int):
        raise py_error(f"{m.cls.name} indices must be integers or slices, not "
                       f"{type_name(key)}")
    if not -len(kids) <= key < len(kids):
        raise ProgramError(f"index {key} is out of range", "IndexError")
    return kids[key][1]


def _container_len(ip, args, kwargs):
    return len(_children(_self(args)))


def _container_iter(ip, args, kwargs):
    return iter([v for _, v in _children(_self(args))])


def _container_append(ip, args, kwargs):
    m, v = _self(args), args[1]
    m.attrs[str(len(_children(m)))] = v
    return m


def _module_list_init(ip, args, kwargs):
    m = _self(args)
    p = bind("ModuleList", args[1:], kwargs, [("modules", None)])
    _module_init(ip, [m], {})
    for i, v in enumerate(ip.iterate(p["modules"]) if p["modules"] is not None else ()):
        m.attrs[str(i)] = v
    return None


_CONTAINER = {"__getitem__": _container_getitem, "__len__": _container_len,
              "__iter__": _container_iter, "append": _container_append}
LAYERS["Sequential"] = _class("Sequential", "torch.nn.Sequential", [MODULE],
                              {"__init__": _sequential_init, "forward": _sequential_forward,
                               **_CONTAINER})
LAYERS["ModuleList"] = _class("ModuleList", "torch.nn.ModuleList", [MODULE],
                              {"__init__": _module_list_init, **_CONTAINER})
LAYERS["Module"] = MODULE


def _module_dict_init(ip, args, kwargs):
    m = _self(args)
    p = bind("ModuleDict", args[1:], kwargs, [("modules", None)])
    _module_init(ip, [m], {})
    if p["modules"] is not None:
        _module_dict_update(ip, [m, p["modules"]], {})
    return None


def _module_dict_update(ip, args, kwargs):
    m, mods = _self(args), args[1]
    pairs = mods.items() if isinstance(mods, dict) else ip.iterate(mods)
    for pair in pairs:
        k, v = pair
        if not isinstance(k, str):
            raise py_error(f"module name should be a string. Got {type_name(k)}")
        if not is_module(v):
            raise py_error(f"{type_name(v)} is not a Module subclass")
        m.attrs[k] = v
    return None


def _module_dict_getitem(ip, args, kwargs):
    m, key = _self(args), args[1]
    if not isinstance(key, str) or not is_module(m.attrs.get(key)):
        raise ProgramError(repr(key), "KeyError")
    return m.attrs[key]


def _module_dict_setitem(ip, args, kwargs):
    return _module_dict_update(ip, [args[0], {args[1]: args[2]}], {})


_MODULE_DICT = {
    "__init__": _module_dict_init, "__getitem__": _module_dict_getitem,
    "__setitem__": _module_dict_setitem, "update": _module_dict_update,
    "__len__": _container_len,
    "__iter__": lambda ip, args, kwargs: iter([k for k, _ in _children(_self(args))]),
    "__contains__": lambda ip, args, kwargs: any(k == args[1]
                                                 for k, _ in _children(_self(args))),
    "keys": lambda ip, args, kwargs: [k for k, _ in _children(_self(args))],
    "values": lambda ip, args, kwargs: [v for _, v in _children(_self(args))],
    "items": lambda ip, args, kwargs: list(_children(_self(args))),
}
LAYERS["ModuleDict"] = _class("ModuleDict", "torch.nn.ModuleDict", [MODULE], _MODULE_DICT)


def _as_parameter(ip, v: Any) -> Any:
    """A tensor put in a ParameterList/ParameterDict becomes a Parameter, as in PyTorch."""
    if isinstance(v, Node) and id(v) not in ip.parameters:
        from .builtins import _parameter

        return _parameter(ip, [v], {})
    return v


def _own_items(m: Instance) -> list:
    """A ParameterList's or ParameterDict's entries (every attribute but the mode)."""
    return [(k, v) for k, v in m.attrs.items() if k != "training"]


def _param_list_init(ip, args, kwargs):
    m = _self(args)
    p = bind("ParameterList", args[1:], kwargs, [("values", None)])
    _module_init(ip, [m], {})
    if p["values"] is not None:
        _param_list_extend(ip, [m, p["values"]], {})
    return None


def _param_list_append(ip, args, kwargs):
    m = _self(args)
    m.attrs[str(len(_own_items(m)))] = _as_parameter(ip, args[1])
    return m


def _param_list_extend(ip, args, kwargs):
    for v in ip.iterate(args[1]):
        _param_list_append(ip, [args[0], v], {})
    return args[0]


def _param_list_getitem(ip, args, kwargs):
    m, key = _self(args), args[1]
    items = _own_items(m)
    if isinstance(key, slice):
        new = Instance(m.cls)
        _module_init(ip, [new], {})
        for i, (_, v) in enumerate(items[key]):
            new.attrs[str(i)] = v
        return new
    if isinstance(key, bool) or not isinstance(key, int):
        raise py_error(f"ParameterList indices must be integers or slices, not "
                       f"{type_name(key)}")
    if not -len(items) <= key < len(items):
        raise ProgramError(f"index {key} is out of range", "IndexError")
    return items[key][1]


def _param_list_setitem(ip, args, kwargs):
    m, key, v = _self(args), args[1], args[2]
    items = _own_items(m)
    if isinstance(key, bool) or not isinstance(key, int) or not -len(items) <= key < len(items):
        raise ProgramError(f"index {key} is out of range", "IndexError")
    m.attrs[items[key][0]] = _as_parameter(ip, v)
    return None


def _params_repr(typename: bool) -> Callable[[Instance], str]:
    """ParameterList's (dtype) and ParameterDict's (tensor type name) extra_repr: a line
    per entry (their tensors are all Parameters)."""
    def extra(m: Instance) -> str:
        from .runtime import TENSOR_TYPES

        lines = []
        for k, v in _own_items(m):
            if isinstance(v, Node):
                size = "x".join(str(n) for n in v.value.shape)
                dtype = (TENSOR_TYPES.get(v.value.dtype.name, "torch.Tensor") if typename
                         else f"torch.{v.value.dtype.name}")
                lines.append(f"  ({k}): Parameter containing: [{dtype} of size {size}]")
            else:
                lines.append(f"  ({k}): Object of type: {type_name(v)}")
        return "\n".join(lines)
    return extra


_PARAMS = {"__len__": lambda ip, args, kwargs: len(_own_items(_self(args)))}
LAYERS["ParameterList"] = _class("ParameterList", "torch.nn.ParameterList", [MODULE], {
    **_PARAMS, "__init__": _param_list_init, "append": _param_list_append,
    "extend": _param_list_extend, "__getitem__": _param_list_getitem,
    "__setitem__": _param_list_setitem,
    "__iter__": lambda ip, args, kwargs: iter([v for _, v in _own_items(_self(args))])})
EXTRA_REPR[LAYERS["ParameterList"]] = _params_repr(False)


def _param_dict_init(ip, args, kwargs):
    m = _self(args)
    p = bind("ParameterDict", args[1:], kwargs, [("parameters", None)])
    _module_init(ip, [m], {})
    if p["parameters"] is not None:
        _param_dict_update(ip, [m, p["parameters"]], {})
    return None


def _param_dict_update(ip, args, kwargs):
    m, values = _self(args), args[1]
    for pair in (values.items() if isinstance(values, dict) else ip.iterate(values)):
        k, v = pair
        if not isinstance(k, str):
            raise py_error(f"parameter name should be a string. Got {type_name(k)}")
        m.attrs[k] = _as_parameter(ip, v)
    return None


def _param_dict_getitem(ip, args, kwargs):
    m, key = _self(args), args[1]
    if not isinstance(key, str) or key not in m.attrs:
        raise ProgramError(repr(key), "KeyError")
    return m.attrs[key]


LAYERS["ParameterDict"] = _class("ParameterDict", "torch.nn.ParameterDict", [MODULE], {
    **_PARAMS, "__init__": _param_dict_init, "update": _param_dict_update,
    "__getitem__": _param_dict_getitem,
    "__setitem__": lambda ip, args, kwargs: _param_dict_update(ip, [args[0], {args[1]: args[2]}],
                                                               {}),
    "__iter__": lambda ip, args, kwargs: iter([k for k, _ in _own_items(_self(args))]),
    "__contains__": lambda ip, args, kwargs: args[1] in _self(args).attrs,
    "keys": lambda ip, args, kwargs: [k for k, _ in _own_items(_self(args))],
    "values": lambda ip, args, kwargs: [v for _, v in _own_items(_self(args))],
    "items": lambda ip, args, kwargs: _own_items(_self(args))})
EXTRA_REPR[LAYERS["ParameterDict"]] = _params_repr(True)


def _layer_norm_init(ip, args, kwargs):
    m = _self(args)
    p = bind("LayerNorm", args[1:], kwargs, [
        ("normalized_shape", REQUIRED), ("eps", 1e-5), ("elementwise_affine", True),
        ("bias", True), ("device", None), ("dtype", None)])
    shape = p["normalized_shape"]
    shape = (shape,) if isinstance(shape, int) else tuple(ip.iterate(shape))
    shape = tuple(_positive_int(s, "normalized_shape") for s in shape)
    _module_init(ip, [m], {})
    m.attrs.update(normalized_shape=shape, eps=p["eps"],
                   elementwise_affine=bool(p["elementwise_affine"]))
    dt = _dtype_arg(p["dtype"])
    m.attrs["weight"] = m.attrs["bias"] = None
    if p["elementwise_affine"]:
        m.attrs["weight"] = w = _new_parameter(ip, shape, dt)
        w.value[...] = 1
        if p["bias"]:
            m.attrs["bias"] = _new_parameter(ip, shape, dt)
    return None


def _layer_norm_forward(ip, args, kwargs):
    m = _self(args)
    (x,) = bind("forward", args[1:], kwargs, [("input", REQUIRED)]).values()
    return FUNCTIONS["layer_norm"](ip, "layer_norm", [x, m.attrs["normalized_shape"]],
                                   {"weight": m.attrs["weight"], "bias": m.attrs["bias"],
                                    "eps": m.attrs["eps"]})


LAYERS["LayerNorm"] = _class("LayerNorm", "torch.nn.LayerNorm", [MODULE],
                             {"__init__": _layer_norm_init, "forward": _layer_norm_forward})
EXTRA_REPR[LAYERS["LayerNorm"]] = lambda m: (
    f"{m.attrs['normalized_shape']}, eps={m.attrs['eps']}, "
    f"elementwise_affine={m.attrs['elementwise_affine']}, "
    f"bias={m.attrs['bias'] is not None}")


def _prelu_init(ip, args, kwargs):
    m = _self(args)
    p = bind("PReLU", args[1:], kwargs, [("num_parameters", 1), ("init", 0.25),
                                         ("device", None), ("dtype", None)])
    n = _positive_int(p["num_parameters"], "num_parameters")
    _module_init(ip, [m], {})
    m.attrs["num_parameters"] = n
    m.attrs["weight"] = w = _new_parameter(ip, (n,), _dtype_arg(p["dtype"]))
    w.value[...] = float(p["init"])
    return None


LAYERS["PReLU"] = _class("PReLU", "torch.nn.PReLU", [MODULE], {
    "__init__": _prelu_init,
    "forward": lambda ip, args, kwargs: FUNCTIONS["prelu"](
        ip, "prelu", [bind("forward", args[1:], kwargs, [("input", REQUIRED)])["input"],
                      _self(args).attrs["weight"]], {})})
EXTRA_REPR[LAYERS["PReLU"]] = lambda m: f"num_parameters={m.attrs['num_parameters']}"
LAYERS["Hardtanh"] = _simple("Hardtanh", "hardtanh", [("min_val", -1.0), ("max_val", 1.0),
                                                     ("inplace", False)],
                             lambda m: f"min_val={m.attrs['min_val']}, "
                                       f"max_val={m.attrs['max_val']}"
                                       + (", inplace=True" if m.attrs["inplace"] else ""))
LAYERS["Unflatten"] = _simple("Unflatten", "unflatten", [("dim", REQUIRED),
                                                         ("unflattened_size", REQUIRED)],
                              lambda m: f"dim={m.attrs['dim']}, "
                                        f"unflattened_size={tuple(m.attrs['unflattened_size'])}",
                              lambda ip, m, rest, kw: FUNCTIONS["unflatten"](
                                  ip, "unflatten", [rest[0], m.attrs["dim"],
                                                    tuple(m.attrs["unflattened_size"])], {}))
LAYERS["CosineSimilarity"] = _simple(
    "CosineSimilarity", "cosine_similarity", [("dim", 1), ("eps", 1e-8)], lambda m: "",
    lambda ip, m, rest, kw: FUNCTIONS["cosine_similarity"](
        ip, "cosine_similarity", list(rest), {"dim": m.attrs["dim"], "eps": m.attrs["eps"]}))
FUNCTION_KEYWORDS.update(smooth_l1_loss=("reduction", "beta"), huber_loss=("reduction", "delta"),
                         kl_div=("reduction", "log_target"))
LAYERS["SmoothL1Loss"] = _loss("SmoothL1Loss", "smooth_l1_loss", [*_LOSS_BASE, ("beta", 1.0)],
                               {"reduction": "mean", "beta": 1.0})
LAYERS["HuberLoss"] = _loss("HuberLoss", "huber_loss", [("reduction", "mean"), ("delta", 1.0)],
                            {"reduction": "mean", "delta": 1.0})
LAYERS["KLDivLoss"] = _loss("KLDivLoss", "kl_div", [*_LOSS_BASE, ("log_target", False)],
                            {"reduction": "mean", "log_target": False})


def instance_repr(v: Instance, tensor_text: Callable | None = None) -> str | None:
    """repr of a module or optimizer instance, None for other instances."""
    if is_module(v):
        return module_repr(v)
    if any(c in optim.OPTIMIZER_SPECS for c in v.cls.mro()) and "param_groups" in v.attrs:
        return optim.optimizer_repr(v)
    if isinstance(getattr(v.cls, "path", None), str) and v.cls.path.startswith(
            "torch.distributions."):
        from .distributions import distribution_repr

        return distribution_repr(v, tensor_text or str)
    return None


def module_repr(m: Instance) -> str:
    """repr(module) as PyTorch prints it: the class name, the layer's settings, and each
    child module on its own indented line (iteratively, children of children included)."""
    lines: list[str] = []
    # Each entry: (module, label, indent, closing); closing entries print ")".
    stack: list[tuple] = [(m, "", 0, False)]
    while stack:
        mod, label, indent, closing = stack.pop()
        pad = "  " * indent
        if closing:
            lines.append(pad + ")")
            continue
        head = f"{pad}{label}{mod.cls.name}("
        extra = ""
        for c in mod.cls.mro():
            if c in EXTRA_REPR:
                extra = EXTRA_REPR[c](mod)
                break
        kids = _children(mod)
        if not kids and "\n" not in extra:
            lines.append(f"{head}{extra})")
            continue
        lines.append(head)
        stack.append((mod, "", indent, True))
        for k, child in reversed(kids):
            stack.append((child, f"({k}): ", indent + 1, False))
        if extra:  # several lines, or lines above the children
            lines.extend("  " * (indent + 1) + line for line in extra.split("\n"))
    return "\n".join(lines)


# ------------------------------------------------------------------ init


def _fans(t: Node) -> tuple[int, int]:
    shape = t.value.shape
    if len(shape) < 2:
        raise ProgramError("Fan in and fan out can not be computed for tensor with fewer "
                           "than 2 dimensions", "ValueError")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ProgramError(f"negative_slope {slope} not a valid number", "ValueError")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ProgramError(f"Unsupported nonlinearity {nonlinearity}", "ValueError")


def _write_param(ip: "Interpreter", t: Node, value: np.ndarray) -> Node:
    """t's memory takes `value` under no_grad, as nn.init does (the version counter moves)."""
    ip._write(t, np.asarray(value, dtype=t.value.dtype))
    if t.vc is None:
        t.vc = [0]
    t.vc[0] += 1
    return t


def _uniform(ip, t: Node, a: float, b: float) -> Node:
    return _write_param(ip, t, ip.torch_random.uniform_(t.value.shape, t.value.dtype,
                                                         float(a), float(b)))


def _normal(ip, t: Node, mean: float, std: float) -> Node:
    return _write_param(ip, t, ip.torch_random.normal_(t.value.shape, t.value.dtype,
                                                        float(mean), float(std)))


def _kaiming_uniform(ip, t: Node, a: float, mode: str, nonlinearity: str) -> Node:
    if 0 in t.value.shape:
        return t
    fan_in, fan_out = _fans(t)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return _uniform(ip, t, -bound, bound)


def _init(name: str, spec: list, body: Callable) -> Builtin:
    def fn(ip, args, kwargs):
        p = bind(name, args, kwargs, [("tensor", REQUIRED), *spec])
        t = p["tensor"]
        if not isinstance(t, Node):
            raise py_error(f"{name}(): argument 'tensor' must be Tensor, not {type_name(t)}")
        return body(ip, t, p)
    return Builtin(f"torch.nn.init.{name}", fn)


def _kaiming_normal(ip, t, p):
    fan_in, fan_out = _fans(t)
    fan = fan_in if p["mode"] == "fan_in" else fan_out
    std = calculate_gain(p["nonlinearity"], p["a"]) / math.sqrt(fan)
    return _normal(ip, t, 0.0, std)


def _xavier(kind: str):
    def body(ip, t, p):
        fan_in, fan_out = _fans(t)
        std = p["gain"] * math.sqrt(2.0 / float(fan_in + fan_out))
        if kind == "normal":
            return _normal(ip, t, 0.0, std)
        a = math.sqrt(3.0) * std
        return _uniform(ip, t, -a, a)
    return body


def _constant(ip, t, p):
    return _write_param(ip, t, np.full(t.value.shape, p["val"], dtype=t.value.dtype))


INIT = {b.name: b for b in (
    _init("uniform_", [("a", 0.0), ("b", 1.0), ("generator", None)],
          lambda ip, t, p: _uniform(ip, t, p["a"], p["b"])),
    _init("normal_", [("mean", 0.0), ("std", 1.0), ("generator", None)],
          lambda ip, t, p: _normal(ip, t, p["mean"], p["std"])),
    _init("constant_", [("val", REQUIRED)], _constant),
    _init("zeros_", [], lambda ip, t, p: _constant(ip, t, {"val": 0})),
    _init("ones_", [], lambda ip, t, p: _constant(ip, t, {"val": 1})),
    _init("eye_", [], lambda ip, t, p: _write_param(ip, t, np.eye(*t.value.shape))),
    _init("xavier_uniform_", [("gain", 1.0), ("generator", None)], _xavier("uniform")),
    _init("xavier_normal_", [("gain", 1.0), ("generator", None)], _xavier("normal")),
    _init("kaiming_uniform_", [("a", 0), ("mode", "fan_in"), ("nonlinearity", "leaky_relu"),
                               ("generator", None)],
          lambda ip, t, p: _kaiming_uniform(ip, t, p["a"], p["mode"], p["nonlinearity"])),
    _init("kaiming_normal_", [("a", 0), ("mode", "fan_in"), ("nonlinearity", "leaky_relu"),
                              ("generator", None)], _kaiming_normal),
)}
INIT["torch.nn.init.calculate_gain"] = Builtin(
    "torch.nn.init.calculate_gain",
    lambda ip, a, k: calculate_gain(*bind("calculate_gain", a, k,
                                          [("nonlinearity", REQUIRED),
                                           ("param", None)]).values()))


# ------------------------------------------------------------------ nn.utils


def _clip_grad_norm(ip, args, kwargs):
    """nn.utils.clip_grad_norm_: the norm of the per-gradient norms, then every gradient
    times min(max_norm / (total + 1e-6), 1), as PyTorch computes it."""
    p = bind("clip_grad_norm_", args, kwargs, [("parameters", REQUIRED), ("max_norm", REQUIRED),
                                               ("norm_type", 2.0),
                                               ("error_if_nonfinite", False),
                                               ("foreach", None)])
    params = [p["parameters"]] if isinstance(p["parameters"], Node) else \
        list(ip.iterate(p["parameters"]))
    grads = [x.grad for x in params if isinstance(x, Node) and x.grad is not None]
    norm_type = float(p["norm_type"])
    if not grads:
        return ip.constant(np.zeros((), dtype=ip.graph.dtype))
    was = ip.graph.grad_enabled
    ip.graph.grad_enabled = False
    try:
        norms = [FUNCTIONS["norm"](ip, "norm", [ip.constant(g.value)], {"p": norm_type})
                 for g in grads]
        stacked = FUNCTIONS["stack"](ip, "stack", [norms], {})
        total = FUNCTIONS["norm"](ip, "norm", [stacked], {"p": norm_type})
    finally:
        ip.graph.grad_enabled = was
    tv = total.value
    if p["error_if_nonfinite"] and not np.isfinite(tv):
        raise ProgramError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    dt = tv.dtype.type
    coef = np.minimum(dt(float(p["max_norm"])) / (tv + dt(1e-6)), dt(1.0))
    for g in grads:
        g.value = (g.value * coef).astype(g.value.dtype)
    return total


def _clip_grad_value(ip, args, kwargs):
    p = bind("clip_grad_value_", args, kwargs, [("parameters", REQUIRED),
                                                ("clip_value", REQUIRED), ("foreach", None)])
    params = [p["parameters"]] if isinstance(p["parameters"], Node) else \
        list(ip.iterate(p["parameters"]))
    c = float(p["clip_value"])
    for x in params:
        if isinstance(x, Node) and x.grad is not None:
            x.grad.value = np.clip(x.grad.value, -c, c).astype(x.grad.value.dtype)
    return None


def _parameters_to_vector(ip, args, kwargs):
    p = bind("parameters_to_vector", args, kwargs, [("parameters", REQUIRED)])
    flat = [FUNCTIONS["view"](ip, "view", [t, -1], {}) for t in ip.iterate(p["parameters"])]
    return FUNCTIONS["cat"](ip, "cat", [flat], {})


def _vector_to_parameters(ip, args, kwargs):
    p = bind("vector_to_parameters", args, kwargs, [("vec", REQUIRED), ("parameters", REQUIRED)])
    vec = p["vec"]
    if not isinstance(vec, Node):
        raise py_error(f"expected torch.Tensor, but got: {type_name(vec)}")
    at = 0
    for t in ip.iterate(p["parameters"]):
        n = t.value.size
        t.value = np.array(vec.value[at:at + n].reshape(t.value.shape), dtype=t.value.dtype)
        at += n
    return None


UTILS = {
    "torch.nn.utils.parameters_to_vector": Builtin("torch.nn.utils.parameters_to_vector",
                                                   _parameters_to_vector),
    "torch.nn.utils.vector_to_parameters": Builtin("torch.nn.utils.vector_to_parameters",
                                                   _vector_to_parameters),
    "torch.nn.utils.clip_grad_norm_": Builtin("torch.nn.utils.clip_grad_norm_",
                                              _clip_grad_norm),
    "torch.nn.utils.clip_grad_value_": Builtin("torch.nn.utils.clip_grad_value_",
                                               _clip_grad_value),
}


# ------------------------------------------------------------------ names


from . import optim  # noqa: E402  (optim builds on the classes above)
from . import losses, rnn  # noqa: E402,F401  (register their layers in LAYERS)

CLASSES: dict[str, UserClass] = {}
for _n, _c in LAYERS.items():
    CLASSES[f"torch.nn.{_n}"] = _c
for _n, _c in optim.OPTIMIZERS.items():
    CLASSES[f"torch.optim.{_n}"] = _c
for _n, _c in optim.SCHEDULERS.items():
    CLASSES[f"torch.optim.lr_scheduler.{_n}"] = _c
FUNCTIONS_BY_PATH: dict[str, Builtin] = dict(INIT)
FUNCTIONS_BY_PATH.update(UTILS)
FUNCTIONS_BY_PATH["torch.nn.functional.dropout"] = Builtin("torch.nn.functional.dropout",
                                                           _functional_dropout)
FUNCTIONS_BY_PATH["torch.nn.utils.clip_grad.clip_grad_norm_"] = UTILS[
    "torch.nn.utils.clip_grad_norm_"]
for _k in list(INIT):
    if _k.endswith("_") and _k.startswith("torch.nn.init."):
        # the deprecated spellings without the underscore (nn.init.uniform, ...)
        FUNCTIONS_BY_PATH[_k[:-1]] = INIT[_k]
