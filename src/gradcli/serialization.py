"""torch.save / torch.load, Module.load_state_dict and Optimizer.load_state_dict.

A lesson saves a checkpoint and loads it back a few lines later. gradcli never writes the
user's disk: `torch.save(obj, "model.pth")` keeps a copy of obj in the run, under that
name, and `torch.load("model.pth")` gives a fresh copy of it back, as reading the file
again would (a name never saved in this run is PyTorch's FileNotFoundError). The copies
are those pickling makes: tensors come back as leaves with their requires_grad and without
.grad; parameters stay parameters. `torch.load` refuses modules, optimizers and the
program's own objects unless `weights_only=False`, with PyTorch 2.13's message."""

from __future__ import annotations

from typing import Any

import numpy as np

from .classes import Instance
from .dispatch import REQUIRED, NamedPair, bind
from .engine import Node
from .errors import ProgramError
from .pyvalues import py_error, type_name
from .stdlib import deep_copy
from .torchprint import size_repr

MAX_SAVED = 64  # files one run may keep


def _pickled_tensor(ip, v: Node) -> Node:
    new = ip.graph.leaf(np.array(v.value), requires_grad=bool(v.requires_grad),
                        expr=v._expr, where=v.where)
    if id(v) in ip.parameters:
        ip.parameters.add(id(new))
        ip._parameter_nodes.append(new)
    return new


def _path(v: Any, what: str) -> str:
    if type(v).__name__ == "BytesIO":
        raise ProgramError("torch.save/torch.load to an in-memory buffer is not supported; "
                           "use a file name", "NotImplementedError")
    if not isinstance(v, str):
        raise py_error(f"{what}: expected a file name (str), got {type_name(v)}")
    return v


def _save(ip, args, kwargs):
    p = bind("save", args, kwargs, [("obj", REQUIRED), ("f", REQUIRED),
                                    ("pickle_module", None), ("pickle_protocol", 2),
                                    ("_use_new_zipfile_serialization", True)])
    path = _path(p["f"], "save")
    files = ip.__dict__.setdefault("saved_files", {})
    if path not in files and len(files) >= MAX_SAVED:
        raise ProgramError(f"a program may save at most {MAX_SAVED} files", "OSError")
    files[path] = deep_copy(ip, p["obj"], _pickled_tensor)
    return None


def _first_object(v: Any) -> Instance | None:
    """The first module, optimizer or program object in v (weights_only refuses them)."""
    stack, seen = [v], set()
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, Instance):
            return x
        if isinstance(x, dict):
            stack.extend(reversed([y for kv in x.items() for y in kv]))
        elif isinstance(x, (list, tuple, set)) and not isinstance(x, Node):
            stack.extend(reversed(list(x)))
    return None


def _global_name(obj: Instance) -> str:
    from .nn import qualified_name

    return qualified_name(obj.cls) or f"__main__.{obj.cls.name}"


def _load(ip, args, kwargs):
    p = bind("load", args, kwargs, [("f", REQUIRED), ("map_location", None),
                                    ("pickle_module", None), ("weights_only", None),
                                    ("mmap", None)])
    path = _path(p["f"], "load")
    files = ip.__dict__.get("saved_files", {})
    if path not in files:
        raise ProgramError(f"[Errno 2] No such file or directory: {path!r}",
                           "FileNotFoundError")
    saved = files[path]
    obj = _first_object(saved)
    if obj is not None and p["weights_only"] is not False:
        g = _global_name(obj)
        if p["weights_only"] is None:
            head = (
                "Weights only load failed. This file can still be loaded, to do so you have "
                "two options, \x1b[1mdo those steps only if you trust the source of the "
                "checkpoint\x1b[0m. \n\t(1) In PyTorch 2.6, we changed the default value of "
                "the `weights_only` argument in `torch.load` from `False` to `True`. "
                "Re-running `torch.load` with `weights_only` set to `False` will likely "
                "succeed, but it can result in arbitrary code execution. Do it only if you "
                "got the file from a trusted source.\n\t(2) Alternatively, to load with "
                "`weights_only=True` please check the recommended steps in the following "
                "error message.\n\t")
        else:
            head = ("Weights only load failed. In PyTorch 2.6, we changed the default value "
                    "of the `weights_only` argument in `torch.load` from `False` to `True`. "
                    "Re-running `torch.load` with `weights_only` set to `False` will likely "
                    "succeed, but it can result in arbitrary code execution. Do it only if "
                    "you got the file from a trusted source.\n Please file an issue with "
                    "the following so that we can make `weights_only=True` compatible with "
                    "your use case: WeightsUnpickler error: ")
        raise ProgramError(
            head + f"WeightsUnpickler error: Unsupported global: GLOBAL {g} was not an "
            "allowed global by default. Please use `torch.serialization.add_safe_globals"
            f"([{g}])` or the `torch.serialization.safe_globals([{g}])` context manager to "
            "allowlist this global if you trust this class/function.\n\nCheck the "
            "documentation of torch.load to learn more about types accepted by default with "
            "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
            if p["weights_only"] is None else head + f"Unsupported global: GLOBAL {g} was "
            "not an allowed global by default.", "UnpicklingError")
    return deep_copy(ip, saved, _pickled_tensor)


# ------------------------------------------------------------------ load_state_dict


class IncompatibleKeys(NamedPair):
    """What Module.load_state_dict returns."""

    fields = ("missing_keys", "unexpected_keys")
    kind = "torch.nn.modules.module._IncompatibleKeys"

    def repr_with(self, r) -> str:
        if not self[0] and not self[1]:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={r(self[0])}, unexpected_keys={r(self[1])})"


def module_load_state_dict(ip, args, kwargs):
    from .nn import _self, _write_param, state_items

    m = _self(args)
    p = bind("load_state_dict", args[1:], kwargs, [("state_dict", REQUIRED), ("strict", True),
                                                   ("assign", False)])
    sd = p["state_dict"]
    if not isinstance(sd, dict):
        raise py_error(f"Expected state_dict to be dict-like, got {type_name(sd)}.")
    own = state_items(ip, m)
    errors, missing = [], []
    for key, t in own:
        if key not in sd:
            missing.append(key)
            continue
        src = sd[key]
        if not isinstance(src, Node):
            errors.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                          f"or Tensor-like object from checkpoint but received "
                          f"{type_name(src)}")
            continue
        if src.value.shape != t.value.shape:
            errors.append(f"size mismatch for {key}: copying a param with shape "
                          f"{size_repr(src.value.shape)} from checkpoint, the shape in current "
                          f"model is {size_repr(t.value.shape)}.")
            continue
        if t.value.shape == ():
            t.value = np.array(src.value, dtype=t.value.dtype)
        else:
            _write_param(ip, t, src.value)
    keys = {k for k, _ in own}
    unexpected = [k for k in sd if k not in keys]
    if p["strict"]:
        if unexpected:
            errors.insert(0, "Unexpected key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in unexpected) + ". ")
        if missing:
            errors.insert(0, "Missing key(s) in state_dict: "
                          + ", ".join(f'"{k}"' for k in missing) + ". ")
    if errors:
        raise ProgramError(f"Error(s) in loading state_dict for {m.cls.name}:\n\t"
                           + "\n\t".join(errors))
    return IncompatibleKeys((missing, unexpected))


def optimizer_load_state_dict(ip, args, kwargs):
    o = args[0]
    p = bind("load_state_dict", args[1:], kwargs, [("state_dict", REQUIRED)])
    sd = p["state_dict"]
    if not isinstance(sd, dict) or "param_groups" not in sd:
        raise ProgramError("'param_groups'", "KeyError")
    groups, saved = o.attrs["param_groups"], list(sd["param_groups"])
    if len(groups) != len(saved):
        raise ProgramError("loaded state dict has a different number of parameter groups",
                           "ValueError")
    if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved)):
        raise ProgramError("loaded state dict contains a parameter group that doesn't match "
                           "the size of optimizer's group", "ValueError")
    by_index = {}
    for g, s in zip(groups, saved):
        by_index.update(zip(s["params"], g["params"]))
    state: dict = {}
    for index, st in dict(sd.get("state", {})).items():
        x = by_index.get(index)
        if x is None:
            continue
        state[x] = {k: (float(v.value) if k == "step" else
                        np.array(v.value, dtype=x.value.dtype)) if isinstance(v, Node) else v
                    for k, v in st.items()}
    o.attrs["state"] = state
    for i, (g, s) in enumerate(zip(groups, saved)):
        new = {k: v for k, v in s.items() if k != "params"}
        new["params"] = g["params"]
        groups[i] = new
    return None


SPECIAL_SERIALIZATION = {"torch.save": _save, "torch.load": _load,
                         "torch.serialization.save": _save, "torch.serialization.load": _load}
