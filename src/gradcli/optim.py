"""`torch.optim` for lesson programs: SGD, Adam, AdamW and RMSprop with PyTorch's
single-tensor update code and its kernels' rounding, param groups and state_dict, and the
lr schedulers lessons use (StepLR, MultiStepLR, ExponentialLR, LambdaLR)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from .classes import Instance, UserClass
from .dispatch import REQUIRED, bind
from .engine import Node
from .errors import ProgramError
from .nn import NativeMethod, _class, _self, _write_param, _zero_grads
from .pyvalues import Builtin, py_error, type_name

# ------------------------------------------------------------------ optimizers
#
# PyTorch's single-tensor (CPU) update code, step for step. Its element kernels round as
# follows (checked against PyTorch 2.13): `a.add_(b, alpha=s)` and `lerp_` are fused
# multiply-adds; `addcmul_(b, c, value=s)` is fma(s*b, c, a); `addcdiv_` and the rest round
# after every operation.


def _fma(a: Any, b: Any, c: Any, dt: np.dtype) -> np.ndarray:
    from .torchrandom import _fma32, _fma64

    f = _fma32 if dt == np.float32 else _fma64
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    return np.asarray(f(*(np.broadcast_to(np.asarray(v, dtype=dt), shape) for v in (a, b, c))),
                      dtype=dt).reshape(shape)


def add_alpha(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    """a + alpha * b as PyTorch's add kernel rounds it (one fused multiply-add)."""
    dt = a.dtype
    if alpha == 1:
        return (a + b.astype(dt)).astype(dt)
    return _fma(b, dt.type(alpha), a, dt)


def lerp(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    dt = a.dtype
    wt = dt.type(w)
    diff = (b - a).astype(dt)
    if abs(w) < 0.5:
        return _fma(wt, diff, a, dt)
    return _fma(-diff, dt.type(1) - wt, b, dt)


def _params_arg(ip, params: Any) -> list:
    items = list(ip.iterate(params))
    if not items:
        raise py_error("optimizer got an empty parameter list", "ValueError")
    if all(isinstance(g, dict) for g in items):
        return [dict(g) for g in items]
    if not all(isinstance(p, Node) for p in items):
        raise py_error("optimizer can only optimize Tensors, but one of the params is "
                       f"{type_name(next(p for p in items if not isinstance(p, Node)))}")
    return [{"params": items}]


def _optimizer(name: str, spec: list, step: Callable, check: Callable | None = None,
               keys: list | None = None, init_state: Callable | None = None) -> UserClass:
    """An optimizer class: `spec` its constructor's signature, `keys` the order of a param
    group's entries (PyTorch's defaults dict, which printing and state_dict show)."""
    def init(ip, args, kwargs):
        o = _self(args)
        p = bind(name, args[1:], kwargs, [("params", REQUIRED), *spec])
        p.update(o.cls.lookup("_extra_defaults") if _has(o.cls, "_extra_defaults") else {})
        order = keys or [k for k, _ in spec]
        defaults = {k: p[k] for k in order if k in p}
        if check is not None:
            check(defaults)
        groups = []
        for g in _params_arg(ip, p["params"]):
            g["params"] = [x for x in ip.iterate(g["params"])] \
                if not isinstance(g["params"], Node) else [g["params"]]
            for k, v in defaults.items():
                g.setdefault(k, v)
            if check is not None:
                check(g)
            for x in g["params"]:
                if not (isinstance(x, Node) and x.is_leaf):
                    raise py_error("can't optimize a non-leaf Tensor", "ValueError")
            groups.append(g)
        o.attrs["defaults"] = defaults
        o.attrs["param_groups"] = groups
        o.attrs["state"] = {}
        if init_state is not None:  # an optimizer whose state exists before any step
            for g in groups:
                for x in g["params"]:
                    o.attrs["state"][x] = init_state(g, x.value)
        return None

    def do_step(ip, args, kwargs):
        o = _self(args)
        p = bind("step", args[1:], kwargs, [("closure", None)])
        loss = None
        if p["closure"] is not None:
            was = ip.graph.grad_enabled
            ip.graph.grad_enabled = True
            try:
                loss = ip.call_sync(p["closure"], [])
            finally:
                ip.graph.grad_enabled = was
        state = o.attrs["state"]
        for g in o.attrs["param_groups"]:
            for x in g["params"]:
                if x.grad is None:
                    continue
                st = state.setdefault(x, {})
                new = step(ip, g, st, x.value, np.asarray(x.grad.value, dtype=x.value.dtype))
                _write_param(ip, x, new)
        return loss

    def zero_grad(ip, args, kwargs):
        o = _self(args)
        p = bind("zero_grad", args[1:], kwargs, [("set_to_none", True)])
        _zero_grads(ip, [x for g in o.attrs["param_groups"] for x in g["params"]],
                    bool(p["set_to_none"]))
        return None

    def add_param_group(ip, args, kwargs):
        o = _self(args)
        g = dict(args[1])
        g["params"] = list(ip.iterate(g["params"])) if not isinstance(g["params"], Node) \
            else [g["params"]]
        for k, v in o.attrs["defaults"].items():
            g.setdefault(k, v)
        o.attrs["param_groups"].append(g)
        return None

    def state_dict(ip, args, kwargs):
        o = _self(args)
        index: dict = {}
        groups = []
        for g in o.attrs["param_groups"]:
            packed = {k: v for k, v in g.items() if k != "params"}
            packed["params"] = [index.setdefault(id(x), len(index)) for x in g["params"]]
            groups.append(packed)
        state = {}
        for g in o.attrs["param_groups"]:
            for x in g["params"]:
                st = o.attrs["state"].get(x)
                if st:
                    state[index[id(x)]] = {k: _state_value(ip, k, v) for k, v in st.items()}
        return {"state": state, "param_groups": groups}

    cls = _class(name, f"torch.optim.{name}", [], {
        "__init__": init, "step": do_step, "zero_grad": zero_grad,
        "add_param_group": add_param_group, "state_dict": state_dict,
        "load_state_dict": _load_state_dict})
    OPTIMIZER_SPECS[cls] = spec
    return cls


OPTIMIZER_SPECS: dict[UserClass, list] = {}


def _state_value(ip, key: str, v: Any) -> Any:
    """An optimizer state entry as state_dict() shows it: buffers and the step count as
    tensors, Python numbers (LBFGS's n_iter, func_evals) as they are."""
    if key == "step":
        return ip.constant(np.asarray(v, dtype=ip.graph.dtype))
    if isinstance(v, (np.ndarray, np.generic)):
        return ip.constant(np.array(v))
    if isinstance(v, list):
        return [_state_value(ip, "", x) for x in v]
    return v


def _load_state_dict(ip, args, kwargs):
    from .serialization import optimizer_load_state_dict

    return optimizer_load_state_dict(ip, args, kwargs)


def _has(cls: UserClass, name: str) -> bool:
    try:
        cls.lookup(name)
    except KeyError:
        return False
    return True


def _number(v: Any, what: str) -> float:
    if isinstance(v, Node):
        v = v.value.item()
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise py_error(f"{what} must be a number, not {type_name(v)}")
    return float(v)


def _check_sgd(g: dict) -> None:
    lr = _number(g["lr"], "lr")
    if lr < 0:
        raise ProgramError(f"Invalid learning rate: {g['lr']}", "ValueError")
    if _number(g["momentum"], "momentum") < 0:
        raise ProgramError(f"Invalid momentum value: {g['momentum']}", "ValueError")
    if _number(g["weight_decay"], "weight_decay") < 0:
        raise ProgramError(f"Invalid weight_decay value: {g['weight_decay']}", "ValueError")
    if g["nesterov"] and (g["momentum"] <= 0 or g["dampening"] != 0):
        raise ProgramError("Nesterov momentum requires a momentum and zero dampening",
                           "ValueError")


def _sgd_step(ip, g: dict, st: dict, p: np.ndarray, grad: np.ndarray) -> np.ndarray:
    if g["maximize"]:
        grad = -grad
    wd, momentum = float(g["weight_decay"]), float(g["momentum"])
    if wd != 0:
        grad = add_alpha(grad, p, wd)
    if momentum != 0:
        buf = st.get("momentum_buffer")
        if buf is None:
            buf = grad.copy()
        else:
            buf = add_alpha((buf * p.dtype.type(momentum)).astype(p.dtype), grad,
                            1 - float(g["dampening"]))
        st["momentum_buffer"] = buf
        grad = add_alpha(grad, buf, momentum) if g["nesterov"] else buf
    return add_alpha(p, grad, -_number(g["lr"], "lr"))


def _check_adam(g: dict) -> None:
    if _number(g["lr"], "lr") < 0:
        raise ProgramError(f"Invalid learning rate: {g['lr']}", "ValueError")
    if g["eps"] < 0:
        raise ProgramError(f"Invalid epsilon value: {g['eps']}", "ValueError")
    b1, b2 = g["betas"]
    if not 0 <= b1 < 1:
        raise ProgramError(f"Invalid beta parameter at index 0: {b1}", "ValueError")
    if not 0 <= b2 < 1:
        raise ProgramError(f"Invalid beta parameter at index 1: {b2}", "ValueError")


def _begin(g: dict, st: dict, p: np.ndarray, grad: np.ndarray, buffers: list) -> np.ndarray:
    """The start of an adaptive step: the gradient's sign (maximize), the state's buffers
    made at the first step, the step count moved on."""
    if not st:
        st["step"] = 0.0
        for name in buffers:
            st[name] = np.zeros_like(p)
    st["step"] += 1
    return -grad if g["maximize"] else grad


def _adam_step(decoupled: bool):
    def step(ip, g: dict, st: dict, p: np.ndarray, grad: np.ndarray) -> np.ndarray:
        dt = p.dtype
        t = dt.type
        grad = _begin(g, st, p, grad, ["exp_avg", "exp_avg_sq"]
                      + (["max_exp_avg_sq"] if g["amsgrad"] else []))
        lr, wd = _number(g["lr"], "lr"), float(g["weight_decay"])
        beta1, beta2 = (float(b) for b in g["betas"])
        if wd != 0:
            if decoupled:
                p = (p * t(1 - lr * wd)).astype(dt)
            else:
                grad = add_alpha(grad, p, wd)
        st["exp_avg"] = exp_avg = lerp(st["exp_avg"], grad, 1 - beta1)
        sq = (st["exp_avg_sq"] * t(beta2)).astype(dt)
        st["exp_avg_sq"] = exp_avg_sq = _fma(grad * t(1 - beta2), grad, sq, dt)
        step_n = st["step"]
        bias_correction1 = 1 - beta1 ** step_n
        bias_correction2 = 1 - beta2 ** step_n
        step_size = lr / bias_correction1
        bc2_sqrt = bias_correction2 ** 0.5
        if g["amsgrad"]:
            st["max_exp_avg_sq"] = np.maximum(st["max_exp_avg_sq"], exp_avg_sq)
            base = st["max_exp_avg_sq"]
        else:
            base = exp_avg_sq
        denom = ((_sqrt(base) / t(bc2_sqrt)).astype(dt) + t(g["eps"])).astype(dt)
        return (p + (t(-step_size) * exp_avg) / denom).astype(dt)
    return step


def _sqrt(x: np.ndarray) -> np.ndarray:
    """Tensor.sqrt() inside PyTorch's optimizers: MKL's rounding in float32 (vml)."""
    if x.dtype == np.float32:
        from .vml import sqrt_f32

        return sqrt_f32(x)
    return np.sqrt(x)


def _adamax_step(ip, g: dict, st: dict, p: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """torch.optim.Adamax (_single_tensor_adamax): exp_avg.lerp_(grad, 1 - beta1),
    exp_inf = max(exp_inf * beta2, |grad| + eps), param += -lr / (1 - beta1^t) *
    exp_avg / exp_inf."""
    dt = p.dtype
    t = dt.type
    grad = _begin(g, st, p, grad, ["exp_avg", "exp_inf"])
    lr, wd = _number(g["lr"], "lr"), float(g["weight_decay"])
    beta1, beta2 = (float(b) for b in g["betas"])
    if wd != 0:
        grad = add_alpha(grad, p, wd)
    st["exp_avg"] = exp_avg = lerp(st["exp_avg"], grad, 1 - beta1)
    st["exp_inf"] = exp_inf = np.maximum((st["exp_inf"] * t(beta2)).astype(dt),
                                         (np.abs(grad) + t(g["eps"])).astype(dt))
    clr = lr / (1 - beta1 ** st["step"])
    return (p + (t(-clr) * exp_avg) / exp_inf).astype(dt)


def _check_rmsprop(g: dict) -> None:
    if _number(g["lr"], "lr") < 0:
        raise ProgramError(f"Invalid learning rate: {g['lr']}", "ValueError")
    if g["alpha"] < 0:
        raise ProgramError(f"Invalid alpha value: {g['alpha']}", "ValueError")


def _rmsprop_step(ip, g: dict, st: dict, p: np.ndarray, grad: np.ndarray) -> np.ndarray:
    dt = p.dtype
    t = dt.type
    grad = _begin(g, st, p, grad, ["square_avg"]
                  + (["momentum_buffer"] if g["momentum"] > 0 else [])
                  + (["grad_avg"] if g["centered"] else []))
    wd, alpha, eps = float(g["weight_decay"]), float(g["alpha"]), float(g["eps"])
    if wd != 0:
        grad = add_alpha(grad, p, wd)
    sq = (st["square_avg"] * t(alpha)).astype(dt)
    st["square_avg"] = square_avg = _fma(grad * t(1 - alpha), grad, sq, dt)
    if g["centered"]:
        st["grad_avg"] = grad_avg = lerp(st["grad_avg"], grad, 1 - alpha)
        avg = _fma(-grad_avg, grad_avg, square_avg, dt)
        avg = (_sqrt(avg) + t(eps)).astype(dt)
    else:
        avg = (_sqrt(square_avg) + t(eps)).astype(dt)
    lr = _number(g["lr"], "lr")
    if g["momentum"] > 0:
        buf = (st["momentum_buffer"] * t(g["momentum"])).astype(dt)
        st["momentum_buffer"] = buf = (buf + (grad / avg).astype(dt)).astype(dt)
        return add_alpha(p, buf, -lr)
    return (p + (t(-lr) * grad) / avg).astype(dt)


def _check_adagrad(g: dict) -> None:
    for key in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
        if not 0 <= g[key]:
            raise ProgramError(f"Invalid {key if key != 'eps' else 'epsilon'}"
                               f"{' value' if key != 'lr' else ''}: {g[key]}"
                               if key != "lr" else f"Invalid learning rate: {g[key]}",
                               "ValueError")


def _adagrad_state(g: dict, p: np.ndarray) -> dict:
    """Adagrad makes its state when it is constructed: step 0 and the sum."""
    return {"step": 0.0, "sum": np.full_like(p, g["initial_accumulator_value"])}


def _adagrad_step(ip, g: dict, st: dict, p: np.ndarray, grad: np.ndarray) -> np.ndarray:
    dt = p.dtype
    t = dt.type
    if not st:
        st.update(_adagrad_state(g, p))
    st["step"] += 1
    grad = -grad if g["maximize"] else grad
    wd = float(g["weight_decay"])
    if wd != 0:
        grad = add_alpha(grad, p, wd)
    lr = _number(g["lr"], "lr")
    clr = lr / (1 + (st["step"] - 1) * float(g["lr_decay"]))
    st["sum"] = state_sum = _fma(grad, grad, st["sum"], dt)  # addcmul_(grad, grad, value=1)
    std = (_sqrt(state_sum) + t(g["eps"])).astype(dt)
    return (p + (t(-clr) * grad) / std).astype(dt)


_ADAM_TAIL = [("foreach", None), ("maximize", False), ("capturable", False),
              ("differentiable", False), ("fused", None)]
_ADAM_KEYS = ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach",
              "capturable", "differentiable", "fused", "decoupled_weight_decay"]
OPTIMIZERS = {
    "SGD": _optimizer("SGD", [("lr", 1e-3), ("momentum", 0), ("dampening", 0),
                              ("weight_decay", 0), ("nesterov", False), ("maximize", False),
                              ("foreach", None), ("differentiable", False), ("fused", None)],
                      _sgd_step, _check_sgd),
    "Adam": _optimizer("Adam", [("lr", 1e-3), ("betas", (0.9, 0.999)), ("eps", 1e-8),
                                ("weight_decay", 0), ("amsgrad", False), *_ADAM_TAIL,
                                ("decoupled_weight_decay", False)],
                       _adam_step(False), _check_adam, _ADAM_KEYS),
    "AdamW": _optimizer("AdamW", [("lr", 1e-3), ("betas", (0.9, 0.999)), ("eps", 1e-8),
                                  ("weight_decay", 1e-2), ("amsgrad", False), *_ADAM_TAIL],
                        _adam_step(True), _check_adam, _ADAM_KEYS),
    "Adamax": _optimizer("Adamax", [("lr", 2e-3), ("betas", (0.9, 0.999)), ("eps", 1e-8),
                                    ("weight_decay", 0), ("foreach", None),
                                    ("maximize", False), ("differentiable", False),
                                    ("capturable", False)],
                         _adamax_step, _check_adam,
                         ["lr", "betas", "eps", "weight_decay", "foreach", "maximize",
                          "differentiable", "capturable"]),
    "RMSprop": _optimizer("RMSprop", [("lr", 1e-2), ("alpha", 0.99), ("eps", 1e-8),
                                      ("weight_decay", 0), ("momentum", 0), ("centered", False),
                                      ("capturable", False), ("foreach", None),
                                      ("maximize", False), ("differentiable", False)],
                          _rmsprop_step, _check_rmsprop,
                          ["lr", "momentum", "alpha", "eps", "centered", "weight_decay",
                           "capturable", "foreach", "maximize", "differentiable"]),
    "Adagrad": _optimizer("Adagrad", [("lr", 1e-2), ("lr_decay", 0), ("weight_decay", 0),
                                      ("initial_accumulator_value", 0), ("eps", 1e-10),
                                      ("foreach", None), ("maximize", False),
                                      ("differentiable", False), ("fused", None)],
                          _adagrad_step, _check_adagrad,
                          ["lr", "lr_decay", "eps", "weight_decay",
                           "initial_accumulator_value", "foreach", "maximize",
                           "differentiable", "fused"], init_state=_adagrad_state),
}
OPTIMIZERS["AdamW"].namespace["_extra_defaults"] = {"decoupled_weight_decay": True}


def _lbfgs_step(ip, args, kwargs):
    """torch.optim.LBFGS.step(closure) without a line search: PyTorch's two-loop recursion
    over the flattened gradient, its stopping rules and its state kept between steps."""
    o = _self(args)
    p = bind("step", args[1:], kwargs, [("closure", REQUIRED)])
    groups = o.attrs["param_groups"]
    if len(groups) != 1:
        raise ProgramError(f"Expected exactly one param_group, but got {len(groups)}",
                           "AssertionError")
    g = groups[0]
    if g["line_search_fn"] is not None:
        if g["line_search_fn"] != "strong_wolfe":
            raise ProgramError("only 'strong_wolfe' is supported")
        raise ProgramError("LBFGS(line_search_fn='strong_wolfe') is not supported yet",
                           "NotImplementedError")
    params = g["params"]
    dt = params[0].value.dtype
    lr = float(g["lr"])
    max_iter, max_eval = g["max_iter"], g["max_eval"]
    tol_grad, tol_change = g["tolerance_grad"], g["tolerance_change"]
    history = g["history_size"]

    def closure():
        was = ip.graph.grad_enabled
        ip.graph.grad_enabled = True
        try:
            return ip.call_sync(p["closure"], [])
        finally:
            ip.graph.grad_enabled = was

    def flat_grad():
        return np.concatenate([np.zeros(x.value.size, dt) if x.grad is None else
                               np.asarray(x.grad.value, dtype=dt).reshape(-1) for x in params])

    def add_grad(step, update):
        at = 0
        for x in params:
            n = x.value.size
            new = add_alpha(x.value, update[at:at + n].reshape(x.value.shape), float(step))
            _write_param(ip, x, new)
            at += n

    state = o.attrs["state"].setdefault(params[0], {})
    state.setdefault("func_evals", 0)
    state.setdefault("n_iter", 0)
    orig_loss = closure()
    loss = _loss_number(orig_loss)
    current_evals = 1
    state["func_evals"] += 1
    fg = flat_grad()
    if np.abs(fg).max() <= tol_grad:
        return orig_loss
    d, t = state.get("d"), state.get("t")
    old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
    h_diag = state.get("H_diag")
    prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
    one = dt.type(1.0)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        state["n_iter"] += 1
        if state["n_iter"] == 1:
            d = -fg
            old_dirs, old_stps, ro = [], [], []
            h_diag = one
        else:
            y = (fg - prev_flat_grad).astype(dt)
            s = (d * dt.type(t)).astype(dt)
            ys = dt.type(np.dot(y, s))
            if ys > 1e-10:
                if len(old_dirs) == history:
                    old_dirs.pop(0)
                    old_stps.pop(0)
                    ro.pop(0)
                old_dirs.append(y)
                old_stps.append(s)
                ro.append(dt.type(one / ys))
                h_diag = dt.type(ys / dt.type(np.dot(y, y)))
            num_old = len(old_dirs)
            al = state.setdefault("al", [None] * history)
            q = -fg
            for i in range(num_old - 1, -1, -1):
                al[i] = dt.type(dt.type(np.dot(old_stps[i], q)) * ro[i])
                q = add_alpha(q, old_dirs[i], -float(al[i]))
            d = r = (q * h_diag).astype(dt)
            for i in range(num_old):
                be_i = dt.type(dt.type(np.dot(old_dirs[i], r)) * ro[i])
                r = add_alpha(r, old_stps[i], float(dt.type(al[i] - be_i)))
            d = r
        prev_flat_grad = fg.copy()
        prev_loss = loss
        if state["n_iter"] == 1:
            inv = dt.type(one / dt.type(np.abs(fg).sum()))
            t = (min(1.0, inv) if inv >= 1.0 else inv) * lr
        else:
            t = lr
        gtd = dt.type(np.dot(fg, d))
        if gtd > -tol_change:
            break
        ls_evals = 0
        add_grad(t, d)
        if n_iter != max_iter:
            value = closure()
            loss = _loss_number(value)
            fg = flat_grad()
            opt_cond = np.abs(fg).max() <= tol_grad
            ls_evals = 1
        else:
            opt_cond = False
        current_evals += ls_evals
        state["func_evals"] += ls_evals
        if n_iter == max_iter or current_evals >= max_eval or opt_cond:
            break
        if np.abs(d * dt.type(t)).max() <= tol_change:
            break
        if abs(loss - prev_loss) < tol_change:
            break
    state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                 prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
    return orig_loss


def _loss_number(v: Any) -> float:
    """float(loss) of what the closure returned (a one-element tensor or a number)."""
    if isinstance(v, Node):
        if v.value.size != 1:
            raise ProgramError("a Tensor with more than one element cannot be converted to "
                               "Scalar")
        return float(v.value.reshape(-1)[0])
    return float(v)


def _check_lbfgs(g: dict) -> None:
    if not 0 <= g["lr"]:
        raise ProgramError(f"Invalid learning rate: {g['lr']}", "ValueError")
    if g["max_eval"] is None:
        g["max_eval"] = g["max_iter"] * 5 // 4


OPTIMIZERS["LBFGS"] = _optimizer(
    "LBFGS", [("lr", 1), ("max_iter", 20), ("max_eval", None), ("tolerance_grad", 1e-7),
              ("tolerance_change", 1e-9), ("history_size", 100), ("line_search_fn", None)],
    lambda ip, g, st, p, grad: p, _check_lbfgs)
OPTIMIZERS["LBFGS"].namespace["step"] = NativeMethod("LBFGS.step", _lbfgs_step)


# ------------------------------------------------------------------ lr schedulers


def _scheduler(name: str, spec: list, rule: Callable) -> UserClass:
    """An lr scheduler: PyTorch's chainable form, `rule(sched, group, base_lr)` giving a
    group's next lr at sched.last_epoch (after the step's increment)."""
    def init(ip, args, kwargs):
        s_ = _self(args)
        p = bind(name, args[1:], kwargs, [("optimizer", REQUIRED), *spec, ("last_epoch", -1),
                                          ("verbose", "deprecated")])
        opt = p["optimizer"]
        if not (isinstance(opt, Instance) and "param_groups" in opt.attrs):
            raise py_error(f"{type_name(opt)} is not an Optimizer")
        s_.attrs.update({k: v for k, v in p.items() if k not in ("last_epoch", "verbose")})
        for g in opt.attrs["param_groups"]:
            g.setdefault("initial_lr", g["lr"])
        s_.attrs["base_lrs"] = [g["initial_lr"] for g in opt.attrs["param_groups"]]
        s_.attrs["last_epoch"] = p["last_epoch"]
        _sched_step(ip, [s_], {})  # PyTorch's initial step: last_epoch becomes 0
        return None

    return _class(name, f"torch.optim.lr_scheduler.{name}", [], {
        "__init__": init, "step": _sched_step, "get_last_lr": _get_last_lr,
        "_rule": Builtin(f"{name}._rule", rule)})


def _sched_step(ip, args, kwargs):
    s_ = _self(args)
    s_.attrs["last_epoch"] += 1
    rule = s_.cls.lookup("_rule").fn
    groups = s_.attrs["optimizer"].attrs["param_groups"]
    lrs = [rule(ip, s_, g, base) for g, base in zip(groups, s_.attrs["base_lrs"])]
    for g, lr in zip(groups, lrs):
        g["lr"] = lr
    s_.attrs["_last_lr"] = [g["lr"] for g in groups]
    return None


def _get_last_lr(ip, args, kwargs):
    return list(_self(args).attrs["_last_lr"])


def _step_lr(ip, s_, g, base):
    e = s_.attrs["last_epoch"]
    if e == 0 or e % s_.attrs["step_size"] != 0:
        return g["lr"]
    return g["lr"] * s_.attrs["gamma"]


def _multi_step_lr(ip, s_, g, base):
    e = s_.attrs["last_epoch"]
    hits = list(s_.attrs["milestones"]).count(e)
    return g["lr"] if hits == 0 else g["lr"] * s_.attrs["gamma"] ** hits


def _exponential_lr(ip, s_, g, base):
    return g["lr"] if s_.attrs["last_epoch"] == 0 else g["lr"] * s_.attrs["gamma"]


def _lambda_lr(ip, s_, g, base):
    fn = s_.attrs["lr_lambda"]
    groups = s_.attrs["optimizer"].attrs["param_groups"]
    if isinstance(fn, list):
        fn = fn[groups.index(g)]
    return base * ip.call_sync(fn, [s_.attrs["last_epoch"]])


def _plateau_init(ip, args, kwargs):
    s_ = _self(args)
    p = bind("ReduceLROnPlateau", args[1:], kwargs, [
        ("optimizer", REQUIRED), ("mode", "min"), ("factor", 0.1), ("patience", 10),
        ("threshold", 1e-4), ("threshold_mode", "rel"), ("cooldown", 0), ("min_lr", 0),
        ("eps", 1e-8), ("verbose", "deprecated")])
    opt = p["optimizer"]
    if p["factor"] >= 1.0:
        raise ProgramError("Factor should be < 1.0.", "ValueError")
    if not (isinstance(opt, Instance) and "param_groups" in opt.attrs):
        raise py_error(f"{type_name(opt)} is not an Optimizer")
    groups = opt.attrs["param_groups"]
    min_lr = p["min_lr"]
    if isinstance(min_lr, (list, tuple)):
        if len(min_lr) != len(groups):
            raise ProgramError(f"expected {len(groups)} min_lrs, got {len(min_lr)}",
                               "ValueError")
        min_lrs = list(min_lr)
    else:
        min_lrs = [min_lr] * len(groups)
    if p["mode"] not in ("min", "max"):
        raise ProgramError(f"mode {p['mode']} is unknown!", "ValueError")
    if p["threshold_mode"] not in ("rel", "abs"):
        raise ProgramError(f"threshold mode {p['threshold_mode']} is unknown!", "ValueError")
    s_.attrs.update(optimizer=opt, mode=p["mode"], factor=p["factor"],
                    patience=p["patience"], threshold=p["threshold"],
                    threshold_mode=p["threshold_mode"], cooldown=p["cooldown"],
                    min_lrs=min_lrs, eps=p["eps"], last_epoch=0,
                    best=math.inf if p["mode"] == "min" else -math.inf,
                    cooldown_counter=0, num_bad_epochs=0,
                    _last_lr=[g["lr"] for g in groups])
    return None


def _plateau_step(ip, args, kwargs):
    """ReduceLROnPlateau.step(metrics): PyTorch's bookkeeping of the best value, bad
    epochs, patience and cooldown."""
    s_ = _self(args)
    p = bind("step", args[1:], kwargs, [("metrics", REQUIRED), ("epoch", None)])
    m = p["metrics"]
    current = float(m.value) if isinstance(m, Node) else float(m)
    a = s_.attrs
    a["last_epoch"] = a["last_epoch"] + 1 if p["epoch"] is None else p["epoch"]
    best, t = a["best"], a["threshold"]
    if a["mode"] == "min":
        better = current < (best * (1.0 - t) if a["threshold_mode"] == "rel" else best - t)
    else:
        better = current > (best * (t + 1.0) if a["threshold_mode"] == "rel" else best + t)
    if better:
        a["best"], a["num_bad_epochs"] = current, 0
    else:
        a["num_bad_epochs"] += 1
    if a["cooldown_counter"] > 0:
        a["cooldown_counter"] -= 1
        a["num_bad_epochs"] = 0
    groups = a["optimizer"].attrs["param_groups"]
    if a["num_bad_epochs"] > a["patience"]:
        for i, g in enumerate(groups):
            old = float(g["lr"])
            new = max(old * a["factor"], a["min_lrs"][i])
            if old - new > a["eps"]:
                g["lr"] = new
        a["cooldown_counter"] = a["cooldown"]
        a["num_bad_epochs"] = 0
    a["_last_lr"] = [g["lr"] for g in groups]
    return None


SCHEDULERS = {
    "ReduceLROnPlateau": _class("ReduceLROnPlateau", "torch.optim.lr_scheduler.ReduceLROnPlateau",
                                [], {"__init__": _plateau_init, "step": _plateau_step,
                                     "get_last_lr": _get_last_lr}),
    "StepLR": _scheduler("StepLR", [("step_size", REQUIRED), ("gamma", 0.1)], _step_lr),
    "MultiStepLR": _scheduler("MultiStepLR", [("milestones", REQUIRED), ("gamma", 0.1)],
                              _multi_step_lr),
    "ExponentialLR": _scheduler("ExponentialLR", [("gamma", REQUIRED)], _exponential_lr),
    "LambdaLR": _scheduler("LambdaLR", [("lr_lambda", REQUIRED)], _lambda_lr),
}


def optimizer_repr(o: Instance) -> str:
    """repr(optimizer) as PyTorch's Optimizer.__repr__ writes it."""
    text = o.cls.name + " ("
    for i, group in enumerate(o.attrs["param_groups"]):
        text += f"\nParameter Group {i}\n"
        for key in sorted(group):
            if key != "params":
                text += f"    {key}: {group[key]}\n"
    return text + ")"
