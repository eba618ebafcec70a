"""`torch.utils.data` for lesson programs: TensorDataset, Dataset subclasses and DataLoader
with PyTorch's batching, collation and shuffling -- the same random draws from PyTorch's
generator in the same order (one for the iterator's base seed, one for the shuffle's own
generator), so a seeded lesson sees PyTorch's batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .classes import Instance, UserClass
from .dispatch import FUNCTIONS, REQUIRED, bind
from .engine import Node
from .errors import ProgramError
from .nn import _class, _self
from .pyvalues import py_error, type_name

if TYPE_CHECKING:
    from .lesson import Interpreter


def _dataset_init(ip, args, kwargs):
    return None


DATASET = _class("Dataset", "torch.utils.data.Dataset", [], {"__init__": _dataset_init})


def _tensor_dataset_init(ip, args, kwargs):
    d = _self(args)
    tensors = list(args[1:])
    if kwargs:
        raise py_error("TensorDataset() takes no keyword arguments")
    if not tensors or not all(isinstance(t, Node) and t.value.ndim > 0 for t in tensors):
        raise py_error("TensorDataset() takes tensors with at least one dimension")
    n = tensors[0].value.shape[0]
    if any(t.value.shape[0] != n for t in tensors):
        raise ProgramError("Size mismatch between tensors", "AssertionError")
    d.attrs["tensors"] = tuple(tensors)
    return None


def _tensor_dataset_getitem(ip, args, kwargs):
    d, i = _self(args), args[1]
    return tuple(_row(ip, t, i) for t in d.attrs["tensors"])


def _row(ip: "Interpreter", t: Node, i: Any) -> Node:
    """t[i] as the program's own indexing would take it (SelectBackward0 on a tensor that
    requires grad)."""
    from .evaluator import index_tensor

    return index_tensor(ip, t, [i], single=True)


def _tensor_dataset_len(ip, args, kwargs):
    return int(_self(args).attrs["tensors"][0].value.shape[0])


TENSOR_DATASET = _class("TensorDataset", "torch.utils.data.TensorDataset", [DATASET], {
    "__init__": _tensor_dataset_init, "__getitem__": _tensor_dataset_getitem,
    "__len__": _tensor_dataset_len})


def _length(ip: "Interpreter", dataset: Any) -> int:
    if isinstance(dataset, Instance):
        found, n = ip.dunder(dataset, "__len__", [])
        if found:
            return int(n)
        raise py_error(f"object of type '{dataset.cls.name}' has no len()")
    if isinstance(dataset, Node):
        return int(dataset.value.shape[0])
    try:
        return len(dataset)
    except TypeError:
        raise py_error(f"object of type '{type_name(dataset)}' has no len()") from None


def _item(ip: "Interpreter", dataset: Any, i: int) -> Any:
    if isinstance(dataset, Instance):
        found, v = ip.dunder(dataset, "__getitem__", [i])
        if not found:
            raise py_error(f"'{dataset.cls.name}' object is not subscriptable")
        return v
    if isinstance(dataset, Node):
        return _row(ip, dataset, i)
    return dataset[i]


def _loader_init(ip, args, kwargs):
    lo = _self(args)
    p = bind("DataLoader", args[1:], kwargs, [
        ("dataset", REQUIRED), ("batch_size", 1), ("shuffle", None), ("sampler", None),
        ("batch_sampler", None), ("num_workers", 0), ("collate_fn", None),
        ("pin_memory", False), ("drop_last", False), ("timeout", 0),
        ("worker_init_fn", None), ("multiprocessing_context", None), ("generator", None),
        ("prefetch_factor", None), ("persistent_workers", False),
        ("pin_memory_device", ""), ("in_order", True)])
    if p["sampler"] is not None or p["batch_sampler"] is not None:
        raise ProgramError("gradcli's DataLoader takes batch_size and shuffle, not samplers",
                           "NotImplementedError")
    bs = p["batch_size"]
    if bs is not None and (isinstance(bs, bool) or not isinstance(bs, int) or bs <= 0):
        raise ProgramError("batch_size should be a positive integer value, but got "
                           f"batch_size={bs}", "ValueError")
    lo.attrs.update(dataset=p["dataset"], batch_size=bs, shuffle=bool(p["shuffle"]),
                    drop_last=bool(p["drop_last"]), collate_fn=p["collate_fn"],
                    generator=p["generator"])
    return None


def _loader_len(ip, args, kwargs):
    lo = _self(args)
    n = _length(ip, lo.attrs["dataset"])
    bs = lo.attrs["batch_size"]
    if bs is None:
        return n
    return n // bs if lo.attrs["drop_last"] else -(-n // bs)


def _generator_of(ip: "Interpreter", g: Any):
    return ip.torch_random if g is None else getattr(g, "generator", g)


def _draw_seed(gen) -> int:
    """torch.empty((), dtype=torch.int64).random_(): one random64() modulo 2**63."""
    return int(gen._words64(1)[0] % np.uint64(2**63))


def _loader_iter(ip, args, kwargs):
    lo = _self(args)
    dataset = lo.attrs["dataset"]
    n = _length(ip, dataset)
    gen = _generator_of(ip, lo.attrs["generator"])
    _draw_seed(gen)  # the iterator's base seed (for workers): drawn even without workers
    bs, drop = lo.attrs["batch_size"], lo.attrs["drop_last"]
    shuffle = lo.attrs["shuffle"]
    collate = lo.attrs["collate_fn"]

    def indices():
        if not shuffle:
            yield from range(n)
            return
        from .torchrandom import Generator

        if lo.attrs["generator"] is None:
            own = Generator(_draw_seed(ip.torch_random))
        else:
            own = gen
        yield from (int(i) for i in own.randperm(n))

    def batches():
        order = indices()
        if bs is None:
            for i in order:
                yield _item(ip, dataset, i)
            return
        batch: list = []
        for i in order:
            batch.append(_item(ip, dataset, i))
            if len(batch) == bs:
                yield _collate(ip, batch) if collate is None else ip.call_sync(collate, [batch])
                batch = []
        if batch and not drop:
            yield _collate(ip, batch) if collate is None else ip.call_sync(collate, [batch])

    return batches()


def _collate(ip: "Interpreter", batch: list) -> Any:
    """PyTorch's default_collate: tensors stacked, numbers made tensors (float64 for
    floats, int64 for ints), tuples and lists collated element by element (as a list)."""
    elem = batch[0]
    if isinstance(elem, Node):
        if any(b.requires_grad for b in batch if isinstance(b, Node)):
            return FUNCTIONS["stack"](ip, "stack", [list(batch)], {})
        try:
            return ip.constant(np.stack([b.value for b in batch]))
        except ValueError:
            raise ProgramError("stack expects each tensor to be equal size, but got "
                               f"{list(batch[0].value.shape)} at entry 0 and "
                               f"{list(batch[1].value.shape)} at entry 1") from None
    if isinstance(elem, bool):
        return ip.constant(np.array(batch, dtype=np.bool_))
    if isinstance(elem, float):
        return ip.constant(np.array(batch, dtype=np.float64))
    if isinstance(elem, int):
        return ip.constant(np.array(batch, dtype=np.int64))
    if isinstance(elem, str):
        return list(batch)
    if isinstance(elem, dict):
        return {k: _collate(ip, [d[k] for d in batch]) for k in elem}
    if isinstance(elem, (tuple, list)):
        if any(len(b) != len(elem) for b in batch):
            raise ProgramError("each element in list of batch should be of equal size")
        return [_collate(ip, list(col)) for col in zip(*batch)]
    raise py_error(f"default_collate: batch must contain tensors, numbers, dicts or lists; "
                   f"found {type_name(elem)}")


DATA_LOADER = _class("DataLoader", "torch.utils.data.DataLoader", [], {
    "__init__": _loader_init, "__len__": _loader_len, "__iter__": _loader_iter})

CLASSES: dict[str, UserClass] = {
    "torch.utils.data.Dataset": DATASET,
    "torch.utils.data.TensorDataset": TENSOR_DATASET,
    "torch.utils.data.DataLoader": DATA_LOADER,
    "torch.utils.data.dataset.Dataset": DATASET,
    "torch.utils.data.dataset.TensorDataset": TENSOR_DATASET,
    "torch.utils.data.dataloader.DataLoader": DATA_LOADER,
}
