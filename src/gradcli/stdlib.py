"""The parts of Python's standard library lessons import besides math and random:
itertools, functools.reduce/partial, collections.defaultdict/Counter/deque, copy and time.

They work on the program's values as Python's own do: functions the program passes (a
defaultdict's factory, reduce's function, accumulate's function) are called through the
interpreter, and copy.deepcopy copies tensors and modules as PyTorch's __deepcopy__ does
(a leaf stays a leaf, with its requires_grad; a tensor with a grad_fn cannot be copied).
"""

from __future__ import annotations

import collections
import itertools
import time
from typing import Any, Callable

import numpy as np

from .dispatch import REQUIRED, bind
from .engine import Node
from .errors import ProgramError
from .pyvalues import Builtin, ODict, py_error, type_name


def _items(ip, v: Any) -> list:
    from .builtins import _materialized

    return _materialized(ip, v)


def _int(name: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise py_error(f"{name}: expected an int, got {type_name(v)}")
    return v


def _product(ip, args, kwargs):
    p = bind("product", [], kwargs, [("repeat", 1)])
    pools = [_items(ip, a) for a in args] * _int("product", p["repeat"])
    from .builtins import _bounded

    size = 1
    for pool in pools:
        size *= len(pool)
    _bounded(range(size))
    return itertools.product(*pools)


def _chain(ip, args, kwargs):
    return itertools.chain.from_iterable(ip.iterate(a) for a in args)


def _chain_from_iterable(ip, args, kwargs):
    (its,) = bind("from_iterable", args, kwargs, [("iterable", REQUIRED)]).values()
    return itertools.chain.from_iterable(ip.iterate(a) for a in ip.iterate(its))


def _islice(ip, args, kwargs):
    if len(args) < 2:
        raise py_error("islice expected at least 2 arguments")
    bounds = [None if a is None else _int("islice", a) for a in args[1:]]
    return itertools.islice(ip.iterate(args[0]), *bounds)


def _count(ip, args, kwargs):
    p = bind("count", args, kwargs, [("start", 0), ("step", 1)])
    return itertools.count(p["start"], p["step"])


def _repeat(ip, args, kwargs):
    p = bind("repeat", args, kwargs, [("object", REQUIRED), ("times", None)])
    if p["times"] is None:
        return itertools.repeat(p["object"])
    return itertools.repeat(p["object"], _int("repeat", p["times"]))


def _combinatoric(fn):
    def call(ip, args, kwargs):
        p = bind(fn.__name__, args, kwargs, [("iterable", REQUIRED), ("r", None)])
        pool = _items(ip, p["iterable"])
        r = len(pool) if p["r"] is None else _int(fn.__name__, p["r"])
        from math import comb, perm

        count = comb(len(pool), r) if fn is itertools.combinations else perm(len(pool), r)
        from .builtins import _bounded

        _bounded(range(count))
        return fn(pool, r)
    return call


def _accumulate(ip, args, kwargs):
    p = bind("accumulate", args, kwargs, [("iterable", REQUIRED), ("func", None),
                                          ("initial", None)])

    def gen():
        items = ip.iterate(p["iterable"])
        total = p["initial"]
        if total is None:
            try:
                total = next(items)
            except StopIteration:
                return
        yield total
        for x in items:
            total = (ip._binary("+", total, x) if p["func"] is None
                     else ip.call_sync(p["func"], [total, x]))
            yield total
    return gen()


def _zip_longest(ip, args, kwargs):
    p = bind("zip_longest", [], kwargs, [("fillvalue", None)])
    return itertools.zip_longest(*(ip.iterate(a) for a in args), fillvalue=p["fillvalue"])


def _reduce(ip, args, kwargs):
    if len(args) not in (2, 3):
        raise py_error(f"reduce expected 2 or 3 arguments, got {len(args)}")
    items = ip.iterate(args[1])
    if len(args) == 3:
        total = args[2]
    else:
        try:
            total = next(items)
        except StopIteration:
            raise py_error("reduce() of empty iterable with no initial value") from None
    for x in items:
        total = ip.call_sync(args[0], [total, x])
    return total


def _partial(ip, args, kwargs):
    if not args:
        raise py_error("partial expected at least 1 argument, got 0")
    fn, bound, bound_kw = args[0], list(args[1:]), dict(kwargs)

    def call(ip2, more, more_kw):
        return ip2.call_sync(fn, [*bound, *more], {**bound_kw, **more_kw})
    return Builtin(f"functools.partial({type_name(fn)})", call)


class DefaultDict(dict):
    """collections.defaultdict: a missing key gets factory() (the program's callable)."""

    def __init__(self, ip: Any, factory: Any, *args: Any) -> None:
        super().__init__(*args)
        self.ip, self.factory = ip, factory

    def __missing__(self, key: Any) -> Any:
        if self.factory is None:
            raise KeyError(key)
        v = self.ip.call_sync(self.factory, [])
        self[key] = v
        return v


def _defaultdict(ip, args, kwargs):
    factory = args[0] if args else None
    rest = dict(args[1]) if len(args) > 1 else {}
    rest.update(kwargs)
    return DefaultDict(ip, factory, rest)


def _counter(ip, args, kwargs):
    c: collections.Counter = collections.Counter()
    if args:
        src = args[0]
        if isinstance(src, dict):
            c.update(src)
        else:
            c.update(ip._hashable(x) for x in ip.iterate(src))
    c.update(kwargs)
    return c


def _deque(ip, args, kwargs):
    p = bind("deque", args, kwargs, [("iterable", ()), ("maxlen", None)])
    return collections.deque(_items(ip, p["iterable"]), p["maxlen"])


def _copy(ip, args, kwargs):
    (v,) = bind("copy", args, kwargs, [("x", REQUIRED)]).values()
    if isinstance(v, (list, dict, set)):
        return v.copy()
    return _deepcopy(ip, [v], {}) if isinstance(v, Node) else v


def _deepcopy(ip, args, kwargs):
    """copy.deepcopy of the program's values, without recursion (an explicit stack, tuples
    built after their items, shared and cyclic values copied once); tensors are copied as
    PyTorch copies them."""
    (root,) = bind("deepcopy", args, kwargs, [("x", REQUIRED)]).values()
    return deep_copy(ip, root, _copy_tensor)


def deep_copy(ip, root: Any, copy_tensor: Callable[[Any, Node], Node]) -> Any:
    """A copy of root and everything it holds (lists, dicts, sets, tuples, instances), each
    shared or cyclic value copied once; `copy_tensor(ip, t)` copies a tensor."""
    from .classes import Instance

    memo: dict[int, Any] = {}
    keep: list[Any] = []  # the originals, alive while their ids are memo keys
    mutable: list[Any] = []

    def get(v: Any) -> Any:
        return memo.get(id(v), v)

    stack: list[tuple[Any, bool]] = [(root, False)]
    visiting: set[int] = set()
    while stack:
        v, items_done = stack.pop()
        if items_done:  # a tuple whose items are copied
            memo[id(v)] = tuple(get(x) for x in v)
            continue
        if id(v) in memo or id(v) in visiting:
            continue
        keep.append(v)
        if isinstance(v, tuple):
            visiting.add(id(v))
            stack.append((v, True))
            stack.extend((x, False) for x in v)
            continue
        new = copy_tensor(ip, v) if isinstance(v, Node) else _shell(ip, v, Instance)
        if new is None:  # immutable: shared, as Python shares it
            continue
        memo[id(v)] = new
        mutable.append(v)
        if isinstance(v, Instance):
            stack.extend((x, False) for x in v.attrs.values())
        elif isinstance(v, dict):
            stack.extend((x, False) for pair in v.items() for x in pair)
        elif isinstance(v, (list, set)):
            stack.extend((x, False) for x in v)
    for v in mutable:
        new = memo[id(v)]
        if isinstance(v, Instance):
            new.attrs.update({k: get(x) for k, x in v.attrs.items()})
        elif isinstance(v, dict):
            new.update({get(k): get(x) for k, x in v.items()})
        elif isinstance(v, list):
            new.extend(get(x) for x in v)
        elif isinstance(v, set):
            new.update(get(x) for x in v)
    return get(root)


def _copy_tensor(ip, v: Node) -> Node:
    """copy.deepcopy of a tensor: leaves only, .grad copied too, a parameter stays one."""
    if not v.is_leaf:
        raise ProgramError("Only Tensors created explicitly by the user (graph leaves) "
                           "support the deepcopy protocol at the moment.  If you were "
                           "attempting to deepcopy a module, this may be because of a "
                           "torch.nn.utils.weight_norm usage, see "
                           "https://github.com/pytorch/pytorch/pull/103001")
    new = ip.graph.leaf(np.array(v.value), requires_grad=bool(v.requires_grad),
                        expr=v._expr, where=v.where)
    if id(v) in ip.parameters:
        ip.parameters.add(id(new))
        ip._parameter_nodes.append(new)
    if v.grad is not None:
        new.grad = ip.graph.leaf(np.array(v.grad.value), requires_grad=False,
                                 expr="grad")
    return new


def _shell(ip, v: Any, instance: type) -> Any:
    """v's copy with its contents still to fill, or None where v is shared (immutable)."""
    if isinstance(v, DefaultDict):
        return DefaultDict(ip, v.factory)
    if type(v) in (list, dict, set, ODict):
        return type(v)()
    if isinstance(v, instance):
        return instance(v.cls)
    if isinstance(v, np.ndarray):
        return v.copy()
    return None


SPECIAL_STDLIB = {
    "itertools.product": _product, "itertools.chain": _chain,
    "itertools.chain.from_iterable": _chain_from_iterable, "itertools.islice": _islice,
    "itertools.count": _count, "itertools.repeat": _repeat,
    "itertools.permutations": _combinatoric(itertools.permutations),
    "itertools.combinations": _combinatoric(itertools.combinations),
    "itertools.accumulate": _accumulate, "itertools.zip_longest": _zip_longest,
    "functools.reduce": _reduce, "functools.partial": _partial,
    "collections.defaultdict": _defaultdict, "collections.Counter": _counter,
    "collections.deque": _deque,
    "copy.copy": _copy, "copy.deepcopy": _deepcopy,
    # a lesson that times itself prints the time it took; sleeping would only slow it down
    "time.time": lambda ip, a, k: time.time(), "time.perf_counter": lambda ip, a, k:
        time.perf_counter(), "time.process_time": lambda ip, a, k: time.process_time(),
    "time.sleep": lambda ip, a, k: None,
    # @dataclass itself is applied where the class is made (lesson._classdef)
    "dataclasses.dataclass": lambda ip, a, k: a[0] if a else Builtin(
        "dataclasses.dataclass", lambda ip2, a2, k2: a2[0]),
}
