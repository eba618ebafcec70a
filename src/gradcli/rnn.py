"""PyTorch's recurrent layers: nn.RNN, nn.LSTM, nn.GRU and their cells.

Each layer is built from the operations PyTorch's CPU implementation runs
(aten/src/ATen/native/RNN.cpp), in its order, so the graph, the grad_fn names a lesson
prints and the rounding are PyTorch's:

- a full layer first computes every time step's input projection with one
  `linear(input, w_ih, b_ih)`, then per step `linear(h, w_hh, b_hh).add_(projection)`;
- RNN: tanh or relu of that; LSTM: its four gates (input, forget, cell, output), then
  `c = f * c + i * g`, `h = o * tanh(c)`; GRU: reset and update gates, then
  `n = tanh(i_n + r * h_n)`, `h = (h - n) * z + n`;
- the steps' outputs are stacked, layer after layer (dropout between layers when
  training), and the last hidden state of each layer and direction is stacked into h_n.

Parameters are named and initialised as PyTorch does (weight_ih_l0, ..., each drawn from
U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) in parameter order), so a seeded lesson prints
PyTorch's numbers. PyTorch runs a float32 nn.LSTM through oneDNN, whose sums may round
differently in the last bit; gradcli computes it as PyTorch computes float64 LSTMs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .classes import Instance
from .dispatch import FUNCTIONS, REQUIRED, bind
from .engine import Node
from .errors import ProgramError
from .nn import (EXTRA_REPR, LAYERS, MODULE, _class, _dtype_arg, _module_init, _new_parameter,
                 _positive_int, _self, _uniform, dropout)
from .pyvalues import py_error, type_name

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _f(ip, name: str, *args, **kwargs) -> Any:
    return FUNCTIONS[name](ip, name, list(args), kwargs)


def _m(ip, obj: Node, name: str, *args, **kwargs) -> Any:
    return ip._method(name, obj, list(args), kwargs)


def _cell_step(ip, mode: str, x_proj: Node, hidden: Any, w_hh: Node, b_hh: Node | None) -> Any:
    """One step of a cell whose input projection (x @ w_ih.T + b_ih) is x_proj."""
    if mode == "LSTM":
        hx, cx = hidden
        gates = _m(ip, _f(ip, "linear", hx, w_hh, b_hh), "add_", x_proj)
        i, f, g, o = _f(ip, "chunk", gates, 4, 1)
        i, f, g, o = (_f(ip, "sigmoid", i), _f(ip, "sigmoid", f), _f(ip, "tanh", g),
                      _f(ip, "sigmoid", o))
        cy = _m(ip, ip._binary("*", f, cx), "add_", ip._binary("*", i, g))
        hy = ip._binary("*", o, _f(ip, "tanh", cy))
        return hy, cy
    if mode == "GRU":
        ir, iz, inn = _f(ip, "chunk", x_proj, 3, 1)
        hr, hz, hn = _f(ip, "chunk", _f(ip, "linear", hidden, w_hh, b_hh), 3, 1)
        r = _f(ip, "sigmoid", ip._binary("+", hr, ir))
        z = _f(ip, "sigmoid", ip._binary("+", hz, iz))
        n = _f(ip, "tanh", ip._binary("+", inn, ip._binary("*", hn, r)))
        return ip._binary("+", ip._binary("*", ip._binary("-", hidden, n), z), n)
    pre = _m(ip, _f(ip, "linear", hidden, w_hh, b_hh), "add_", x_proj)
    return _f(ip, "tanh" if mode == "RNN_TANH" else "relu", pre)


# ------------------------------------------------------------------ full layers


def _mode_of(mode: str, p: dict) -> str | None:
    """RNN_TANH or RNN_RELU for an RNN's nonlinearity (None if unknown), else the mode."""
    if mode != "RNN_TANH":
        return mode
    return {"tanh": "RNN_TANH", "relu": "RNN_RELU"}.get(p["nonlinearity"])


def _init_weights(ip, m, names: list, shapes: list, dtype, hidden: int) -> None:
    """The parameters, each drawn from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) in
    order (reset_parameters)."""
    for n, shape in zip(names, shapes):
        m.attrs[n] = _new_parameter(ip, shape, dtype)
    stdv = 1.0 / math.sqrt(hidden) if hidden > 0 else 0
    for n in names:
        _uniform(ip, m.attrs[n], -stdv, stdv)


def _rnn_init(mode: str):
    def init(ip, args, kwargs):
        m = _self(args)
        name = m.cls.name
        spec = [("input_size", REQUIRED), ("hidden_size", REQUIRED), ("num_layers", 1)]
        if mode == "RNN_TANH":
            spec.append(("nonlinearity", "tanh"))
        spec += [("bias", True), ("batch_first", False), ("dropout", 0.0),
                 ("bidirectional", False)]
        if mode == "LSTM":
            spec.append(("proj_size", 0))
        spec += [("device", None), ("dtype", None)]
        p = bind(name, args[1:], kwargs, spec)
        this_mode = _mode_of(mode, p)
        if this_mode is None:
            raise ProgramError(f"Unknown nonlinearity '{p['nonlinearity']}'. Select from "
                               "'tanh' or 'relu'.", "ValueError")
        if mode == "LSTM" and p["proj_size"]:
            raise ProgramError("LSTM with proj_size is not supported yet",
                               "NotImplementedError")
        hidden = p["hidden_size"]
        if isinstance(hidden, bool) or not isinstance(hidden, int):
            raise py_error(f"hidden_size should be of type int, got: {type_name(hidden)}")
        layers = p["num_layers"]
        if isinstance(layers, bool) or not isinstance(layers, int):
            raise py_error(f"num_layers should be of type int, got: {type_name(layers)}")
        drop = p["dropout"]
        if isinstance(drop, bool) or not isinstance(drop, (int, float)) or not 0 <= drop <= 1:
            raise ProgramError("dropout should be a number in range [0, 1] representing the "
                               "probability of an element being zeroed", "ValueError")
        if hidden <= 0:
            raise ProgramError("hidden_size must be greater than zero", "ValueError")
        if layers <= 0:
            raise ProgramError("num_layers must be greater than zero", "ValueError")
        insz = _positive_int(p["input_size"], "input_size")
        _module_init(ip, [m], {})
        m.attrs.update(mode=this_mode, input_size=insz, hidden_size=hidden, num_layers=layers,
                       bias=bool(p["bias"]), batch_first=bool(p["batch_first"]),
                       dropout=float(drop), bidirectional=bool(p["bidirectional"]),
                       proj_size=0)
        if mode == "RNN_TANH":
            m.attrs["nonlinearity"] = p["nonlinearity"]
        dt = _dtype_arg(p["dtype"])
        gates = _GATES[this_mode] * hidden
        dirs = 2 if p["bidirectional"] else 1
        names, shapes = [], []
        for layer in range(layers):
            for d in range(dirs):
                size_in = insz if layer == 0 else hidden * dirs
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                names += ["weight_ih" + sfx, "weight_hh" + sfx]
                shapes += [(gates, size_in), (gates, hidden)]
                if p["bias"]:
                    names += ["bias_ih" + sfx, "bias_hh" + sfx]
                    shapes += [(gates,), (gates,)]
        m.attrs["_flat_weights_names"] = names
        _init_weights(ip, m, names, shapes, dt, hidden)
        return None
    return init


def _layer_params(m: Instance, layer: int, d: int) -> tuple:
    sfx = f"_l{layer}" + ("_reverse" if d else "")
    a = m.attrs
    return (a["weight_ih" + sfx], a["weight_hh" + sfx], a.get("bias_ih" + sfx),
            a.get("bias_hh" + sfx))


def _check_hidden(h: Node, want: tuple, msg: str = "Expected hidden size") -> None:
    if tuple(h.value.shape) != want:
        raise ProgramError(f"{msg} {want}, got {list(h.value.shape)}")


def _forward_args(m: Instance, args: list, kwargs: dict) -> tuple:
    """forward(input, hx=None) of a recurrent layer or cell: input must be a tensor."""
    p = bind("forward", args[1:], kwargs, [("input", REQUIRED), ("hx", None)])
    if not isinstance(p["input"], Node):
        raise py_error(f"{m.cls.name}.forward(): argument 'input' must be Tensor, not "
                       f"{type_name(p['input'])}")
    return p["input"], p["hx"]


def _rnn_forward(ip, args, kwargs):
    m = _self(args)
    x, hx = _forward_args(m, args, kwargs)
    a = m.attrs
    mode, name = a["mode"], m.cls.name
    if x.value.ndim not in (2, 3):
        raise ProgramError(f"{name}: Expected input to be 2D or 3D, got {x.value.ndim}D "
                           "tensor instead", "ValueError")
    batched = x.value.ndim == 3
    batch_dim = 0 if a["batch_first"] else 1
    dirs = 2 if a["bidirectional"] else 1
    layers, hidden = a["num_layers"], a["hidden_size"]
    lstm = mode == "LSTM"
    if x.value.shape[-1] != a["input_size"]:
        raise ProgramError(f"input.size(-1) must be equal to input_size. Expected "
                           f"{a['input_size']}, got {x.value.shape[-1]}")
    if not batched:
        x = _f(ip, "unsqueeze", x, batch_dim)
    batch = x.value.shape[0 if a["batch_first"] else 1]
    want = (layers * dirs, batch, hidden)
    if hx is None:
        zeros = ip.constant(np.zeros(want, dtype=x.value.dtype))
        hx = (zeros, ip.constant(np.zeros_like(zeros.value))) if lstm else zeros
    else:
        hs = list(hx) if lstm else [hx]
        if lstm and (not isinstance(hx, tuple) or len(hs) != 2):
            raise py_error("lstm expects two hidden states")
        for h in hs:
            if not isinstance(h, Node):
                raise py_error(f"{name}.forward(): argument 'hx' must be Tensor, not "
                               f"{type_name(h)}")
            if batched and h.value.ndim != 3:
                raise ProgramError(f"For batched 3-D input, hx{'[0]' if lstm else ''} "
                                   f"should also be 3-D but got {h.value.ndim}-D tensor")
            if not batched and h.value.ndim != 2:
                raise ProgramError(f"For unbatched 2-D input, hx{'[0]' if lstm else ''} "
                                   f"should also be 2-D but got {h.value.ndim}-D tensor")
        if not batched:
            hs = [_f(ip, "unsqueeze", h, 1) for h in hs]
        _check_hidden(hs[0], want)
        if lstm:
            _check_hidden(hs[1], want, "Expected hidden[1] size")
        hx = tuple(hs) if lstm else hs[0]
    seq_in = _f(ip, "transpose", x, 0, 1) if a["batch_first"] else x
    if seq_in.value.shape[0] == 0:
        raise ProgramError("Expected sequence length to be larger than 0 in RNN")
    if lstm:
        h_layers = [_f(ip, "select", hx[0], 0, i) for i in range(layers * dirs)]
        c_layers = [_f(ip, "select", hx[1], 0, i) for i in range(layers * dirs)]
        starts = list(zip(h_layers, c_layers))
    else:
        starts = [_f(ip, "select", hx, 0, i) for i in range(layers * dirs)]
    finals = []
    layer_input = seq_in
    steps = seq_in.value.shape[0]
    for layer in range(layers):
        outs = []
        for d in range(dirs):
            w_ih, w_hh, b_ih, b_hh = _layer_params(m, layer, d)
            proj = _f(ip, "linear", layer_input, w_ih, b_ih)
            order = range(steps) if d == 0 else range(steps - 1, -1, -1)
            h = starts[layer * dirs + d]
            step_out = []
            for t in order:
                h = _cell_step(ip, mode, _f(ip, "select", proj, 0, t), h, w_hh, b_hh)
                step_out.append(h[0] if lstm else h)
            if d:
                step_out.reverse()
            out = _f(ip, "stack", step_out, 0)
            if lstm and out.value.dtype == np.float32:
                # PyTorch runs a float32 LSTM layer as one oneDNN node
                out = ip.apply("mkldnn_rnn_layer", (out,))
            outs.append(out)
            finals.append(h)
        layer_input = outs[0] if dirs == 1 else _f(ip, "cat", outs, outs[0].value.ndim - 1)
        if a["dropout"] and a.get("training", True) and layer < layers - 1:
            layer_input = dropout(ip, layer_input, a["dropout"], True)
    output = layer_input
    if lstm:
        h_n = _f(ip, "stack", [h for h, _ in finals], 0)
        c_n = _f(ip, "stack", [c for _, c in finals], 0)
    else:
        h_n = _f(ip, "stack", finals, 0)
    if a["batch_first"]:
        # the LSTM returns a transposed view; RNN and GRU transpose their output in place
        output = (_f(ip, "transpose", output, 0, 1) if lstm
                  else ip.apply("transpose_fresh", (output,), {"dim0": 0, "dim1": 1}))
    if not batched:
        output = _f(ip, "squeeze", output, batch_dim)
        h_n = _f(ip, "squeeze", h_n, 1)
        if lstm:
            c_n = _f(ip, "squeeze", c_n, 1)
    return (output, (h_n, c_n)) if lstm else (output, h_n)


def _rnn_repr(m: Instance) -> str:
    a = m.attrs
    s = f"{a['input_size']}, {a['hidden_size']}"
    if a["num_layers"] != 1:
        s += f", num_layers={a['num_layers']}"
    if a["bias"] is not True:
        s += f", bias={a['bias']}"
    if a["batch_first"] is not False:
        s += f", batch_first={a['batch_first']}"
    if a["dropout"] != 0:
        s += f", dropout={a['dropout']}"
    if a["bidirectional"] is not False:
        s += f", bidirectional={a['bidirectional']}"
    return s


def _flatten_parameters(ip, args, kwargs):
    return None


for _name, _mode in (("RNN", "RNN_TANH"), ("LSTM", "LSTM"), ("GRU", "GRU")):
    LAYERS[_name] = _class(_name, f"torch.nn.{_name}", [MODULE], {
        "__init__": _rnn_init(_mode), "forward": _rnn_forward,
        "flatten_parameters": _flatten_parameters})
    EXTRA_REPR[LAYERS[_name]] = _rnn_repr


# ------------------------------------------------------------------ cells


def _cell_init(mode: str):
    def init(ip, args, kwargs):
        m = _self(args)
        name = m.cls.name
        spec = [("input_size", REQUIRED), ("hidden_size", REQUIRED), ("bias", True)]
        if mode == "RNN_TANH":
            spec.append(("nonlinearity", "tanh"))
        spec += [("device", None), ("dtype", None)]
        p = bind(name, args[1:], kwargs, spec)
        this_mode = _mode_of(mode, p) or "RNN_TANH"  # the cell refuses it when called
        insz = _positive_int(p["input_size"], "input_size")
        hidden = _positive_int(p["hidden_size"], "hidden_size")
        _module_init(ip, [m], {})
        m.attrs.update(mode=this_mode, input_size=insz, hidden_size=hidden,
                       bias=bool(p["bias"]))
        if mode == "RNN_TANH":
            m.attrs["nonlinearity"] = p["nonlinearity"]
        dt = _dtype_arg(p["dtype"])
        gates = _GATES[this_mode] * hidden
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if p["bias"] else [])
        if not p["bias"]:
            m.attrs["bias_ih"] = m.attrs["bias_hh"] = None
        _init_weights(ip, m, names, [(gates, insz), (gates, hidden), (gates,), (gates,)], dt,
                      hidden)
        return None
    return init


def _cell_forward(ip, args, kwargs):
    m = _self(args)
    a = m.attrs
    mode, name = a["mode"], m.cls.name
    if mode.startswith("RNN") and a.get("nonlinearity") not in ("tanh", "relu"):
        raise ProgramError(f"Unknown nonlinearity: {a.get('nonlinearity')}")
    lstm = mode == "LSTM"
    x, hx = _forward_args(m, args, kwargs)
    if x.value.ndim not in (1, 2):
        raise ProgramError(f"{name}: Expected input to be 1D or 2D, got {x.value.ndim}D "
                           "instead", "ValueError")
    if hx is not None:
        for h in (hx if lstm else (hx,)):
            if isinstance(h, Node) and h.value.ndim != x.value.ndim:
                raise ProgramError(f"{name}: Expected hidden to be {x.value.ndim}D, got "
                                   f"{h.value.ndim}D instead" if not lstm else
                                   f"{name}: Expected hx[0] to be {x.value.ndim}D, got "
                                   f"{h.value.ndim}D instead", "ValueError")
    batched = x.value.ndim == 2
    if not batched:
        x = _f(ip, "unsqueeze", x, 0)
    batch, hidden = x.value.shape[0], a["hidden_size"]
    if hx is None:
        zeros = ip.constant(np.zeros((batch, hidden), dtype=x.value.dtype))
        hx = (zeros, ip.constant(np.zeros_like(zeros.value))) if lstm else zeros
    elif not batched:
        hx = tuple(_f(ip, "unsqueeze", h, 0) for h in hx) if lstm else _f(ip, "unsqueeze",
                                                                           hx, 0)
    if x.value.shape[1] != a["input_size"]:
        raise ProgramError(f"input has inconsistent input_size: got {x.value.shape[1]} "
                           f"expected {a['input_size']}")
    for i, h in enumerate(hx if lstm else (hx,)):
        if h.value.shape[0] != batch:
            raise ProgramError(f"Input batch size {batch} doesn't match hidden{i} batch size "
                               f"{h.value.shape[0]}")
        if h.value.shape[1] != hidden:
            raise ProgramError(f"hidden{i} has inconsistent hidden_size: got "
                               f"{h.value.shape[1]}, expected {hidden}")
    proj = _f(ip, "linear", x, a["weight_ih"], a["bias_ih"])
    out = _cell_step(ip, mode, proj, hx, a["weight_hh"], a["bias_hh"])
    if not batched:
        out = tuple(_f(ip, "squeeze", o, 0) for o in out) if lstm else _f(ip, "squeeze",
                                                                           out, 0)
    return out


def _cell_repr(m: Instance) -> str:
    a = m.attrs
    s = f"{a['input_size']}, {a['hidden_size']}"
    if a["bias"] is not True:
        s += f", bias={a['bias']}"
    if a.get("nonlinearity", "tanh") != "tanh":
        s += f", nonlinearity={a['nonlinearity']}"
    return s


for _name, _mode in (("RNNCell", "RNN_TANH"), ("LSTMCell", "LSTM"), ("GRUCell", "GRU")):
    LAYERS[_name] = _class(_name, f"torch.nn.{_name}", [MODULE], {
        "__init__": _cell_init(_mode), "forward": _cell_forward})
    EXTRA_REPR[LAYERS[_name]] = _cell_repr
