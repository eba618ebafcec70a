"""PyTorch's CPU floating-point sum and mean, bit for bit, on NumPy.

PyTorch (aten/src/ATen/native/cpu/SumKernel.cpp, ``cascade_sum``) does not
add elements in NumPy's pairwise order.  This module ports its order:

* ``multi_row_sum``: a 4-level cascade; level 0 adds ``2**p`` consecutive
  rows sequentially (``p = max(4, CeilLog2(size) // 4)``), each higher level
  adds ``2**p`` results of the level below, the top level is a running sum.
  At the end ``((tail + acc1) + acc2) + acc3``.
* ``row_sum``: views the row as ``(-1, 4)`` (ILP factor 4), cascades the four
  columns, adds the leftover elements to column 0, then columns 1, 2, 3.
* contiguous inner reductions load ``Vectorized`` lanes (8 float32 / 4
  float64 lanes: the AVX2 kernel, also under AVX512), ``row_sum``
  the vectors, then add the scalar tail and finally the lanes in order.
* contiguous outer reductions (over the first dim) cascade blocks of 4
  vectors of columns with ``multi_row_sum`` and the rest with ``row_sum``.
* the output is filled with 0 and the result added to it (so -0.0 -> 0.0).

The accumulation type for float32 and float64 is the element type.
``mean`` is ``sum(...).div_(n)``: a true division by n in the element type.
With several threads (``threads`` argument, default ``NUM_THREADS``) PyTorch
reduces 32768 or more elements to ONE value in two passes
(TensorIteratorReduce.cpp ``two_pass_reduction``): ``parallel_for`` cuts the
flat input into ``min(threads, ceil(N / 32768))`` equal chunks, each summed as
above into its own zero-filled slot of a ``threads``-long buffer, and the
buffer is then summed the same way.  Reductions to several values split the
kept dim at 128-byte column boundaries, which leaves every result unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Vector width in bytes of the kernel PyTorch runs.  The reference machine
# reports the AVX512 capability, but sum_stub is registered with
# REGISTER_DISPATCH, which leaves the AVX512 slot empty so the AVX2 kernel
# runs (Vectorized<float> 8 lanes, Vectorized<double> 4 lanes).  The default
# (non-AVX) x86 build and NEON builds also use 32-byte Vectorized types.
VECTOR_BYTES = 32

# torch.get_num_threads() of the run being reproduced.
NUM_THREADS = 1
GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE


def _lanes(dtype: np.dtype) -> int:
    return VECTOR_BYTES // np.dtype(dtype).itemsize


def _ceil_log2(x: int) -> int:
    if x <= 2:
        return 1
    return (x - 1).bit_length()


def _seq(a: np.ndarray) -> np.ndarray:
    """Sequential (left-to-right) sum along axis 0, starting from 0."""
    if a.shape[0] == 0:
        return np.zeros(a.shape[1:], a.dtype)
    if a.shape[0] == 1:
        return a[0] + a.dtype.type(0)
    return np.add.accumulate(a, axis=0)[-1]


def _seq_groups(a: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Sequential sums of full groups of ``step`` along axis 0, and of the rest."""
    n = a.shape[0] // step
    full = a[: n * step].reshape((n, step) + a.shape[1:])
    if n:
        sums = np.add.accumulate(full, axis=1)[:, -1]
    else:
        sums = np.zeros((0,) + a.shape[1:], a.dtype)
    return sums, _seq(a[n * step:])


def _multi_row_sum(x: np.ndarray) -> np.ndarray:
    """multi_row_sum over axis 0 (every other position is independent)."""
    size = x.shape[0]
    power = max(4, _ceil_log2(size) // 4)
    step = 1 << power
    c0, tail = _seq_groups(x, step)
    c1, acc1 = _seq_groups(c0, step)
    c2, acc2 = _seq_groups(c1, step)
    acc3 = _seq(c2)
    return ((tail + acc1) + acc2) + acc3


def _row_sum(x: np.ndarray) -> np.ndarray:
    """row_sum over axis 0 (ILP factor 4)."""
    size = x.shape[0]
    n4 = size // 4
    parts = _multi_row_sum(x[: n4 * 4].reshape((n4, 4) + x.shape[1:]))
    p0 = parts[0]
    for i in range(n4 * 4, size):
        p0 = p0 + x[i]
    for k in range(1, 4):
        p0 = p0 + parts[k]
    return p0


def _inner_sum(x: np.ndarray) -> np.ndarray:
    """Reduce the last (contiguous) dim of a 2-D array (m, n)."""
    m, n = x.shape
    lanes = _lanes(x.dtype)
    if n < lanes:
        return _row_sum(np.ascontiguousarray(x.T))
    nvec = n // lanes
    vecs = x[:, : nvec * lanes].reshape(m, nvec, lanes).transpose(1, 0, 2)
    vacc = _row_sum(vecs)  # (m, lanes)
    acc = np.zeros(m, x.dtype)
    for k in range(nvec * lanes, n):
        acc = acc + x[:, k]
    for k in range(lanes):
        acc = acc + vacc[:, k]
    return acc


def _outer_sum(x: np.ndarray) -> np.ndarray:
    """Reduce the first dim of a 2-D array (m, n) with m, n > 1."""
    m, n = x.shape
    lanes = _lanes(x.dtype)
    block = 4 * lanes if n >= lanes else 4
    nb = (n // block) * block
    out = np.empty(n, x.dtype)
    if nb:
        out[:nb] = _multi_row_sum(x[:, :nb])
    if nb < n:
        out[nb:] = _row_sum(x[:, nb:])
    return out


def _reduce_2d(x: np.ndarray, axis: int) -> np.ndarray:
    """Sum a C-contiguous 2-D array over ``axis`` as TensorIterator would."""
    m, n = x.shape
    zero = x.dtype.type(0)
    if axis == 1:
        if n == 1:
            return x[:, 0] + zero
        if m == 1:
            return _inner_sum(x) + zero
        return _inner_sum(x) + zero
    if m == 1:  # not a true reduction
        return x[0] + zero
    if n == 1:  # size-1 dim dropped: a contiguous 1-D reduction
        return _inner_sum(x.reshape(1, m)) + zero
    return _outer_sum(x) + zero


def _normalize_axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axes = []
    for a in axis:
        a = int(a)
        if a < -max(ndim, 1) or a >= max(ndim, 1):
            raise np.exceptions.AxisError(a, ndim) if hasattr(np, "exceptions") else ValueError(a)
        axes.append(a % max(ndim, 1))
    return tuple(sorted(set(axes)))


def _check(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise TypeError(f"torch_sum supports float32 and float64, not {x.dtype}")
    return np.ascontiguousarray(x)


def _sum_flat(x: np.ndarray, threads: int) -> np.ndarray:
    """A reduction of every element of a contiguous array to one value."""
    flat = x.reshape(1, -1)
    n = flat.shape[1]
    zero = x.dtype.type(0)
    if n < GRAIN_SIZE or threads <= 1:
        return _inner_sum(flat)[0] + zero
    used = min(threads, -(-n // GRAIN_SIZE))
    chunk = -(-n // used)
    buffer = np.zeros((1, threads), x.dtype)
    for t in range(used):
        begin = t * chunk
        if begin < n:
            buffer[0, t] = _inner_sum(flat[:, begin: min(n, begin + chunk)])[0] + zero
    return _inner_sum(buffer)[0] + zero


def torch_sum(x: np.ndarray, axis=None, keepdims: bool = False, threads: int | None = None) -> np.ndarray:
    """``torch.from_numpy(x).sum(axis, keepdim=keepdims)`` bit for bit.

    ``threads`` is PyTorch's ``torch.get_num_threads()`` (default ``NUM_THREADS``).
    """
    threads = NUM_THREADS if threads is None else threads
    x = _check(x)
    ndim = x.ndim
    axes = _normalize_axes(axis, ndim)
    if ndim == 0:
        res = np.asarray(x + x.dtype.type(0))
        return res
    shape = x.shape
    kept = [d for d in range(ndim) if d not in axes]
    out_shape = tuple(shape[d] for d in kept)
    if x.size == 0:
        res = np.zeros(out_shape, x.dtype)
    else:
        # Coalesce: view as (pre, red, post) when the reduced dims are adjacent.
        red = [d for d in range(ndim) if d in axes]
        if not out_shape or all(shape[d] == 1 for d in kept):
            res = _sum_flat(x, threads)
        elif not red:
            res = x + x.dtype.type(0)
        elif red == list(range(red[0], red[-1] + 1)):
            pre = int(np.prod(shape[: red[0]], dtype=np.int64))
            mid = int(np.prod(shape[red[0]: red[-1] + 1], dtype=np.int64))
            post = int(np.prod(shape[red[-1] + 1:], dtype=np.int64))
            if pre == 1:
                res = _reduce_2d(x.reshape(mid, post), 0)
            elif post == 1:
                res = _reduce_2d(x.reshape(pre, mid), 1)
            else:
                # (pre, mid, post): independent outer reductions per pre slab
                # (a single TensorIterator call orders them the same way).
                x3 = x.reshape(pre, mid, post)
                res = np.stack([_reduce_2d(x3[i], 0) for i in range(pre)])
        else:
            raise NotImplementedError("non-adjacent reduced dims")
        res = np.asarray(res).reshape(out_shape)
    if keepdims:
        res = res.reshape(tuple(1 if d in axes else shape[d] for d in range(ndim)))
    return np.asarray(res)


def torch_mean(x: np.ndarray, axis=None, keepdims: bool = False, threads: int | None = None) -> np.ndarray:
    """``torch.from_numpy(x).mean(axis, keepdim=keepdims)`` bit for bit."""
    x = _check(x)
    axes = _normalize_axes(axis, x.ndim)
    n = 1
    for d in axes:
        if x.ndim:
            n *= x.shape[d]
    s = torch_sum(x, axis, keepdims, threads)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(s / x.dtype.type(n))


# ---------------------------------------------------------------- small full sums
# The same order of additions as _inner_sum/_row_sum/_multi_row_sum above, for a full sum
# of at most SMALL_SUM values: recorded once per size as a plan of register additions and
# replayed on NumPy scalars (a few microseconds, where the array path costs about 25).
SMALL_SUM = 64


def _plan_seq(vals, t):
    """Left to right, as NumPy's accumulate: the first value, then the others added."""
    if not vals:
        return t(0)
    if len(vals) == 1:
        return vals[0] + t(0)
    s = vals[0]
    for v in vals[1:]:
        s = s + v
    return s


def _plan_multi_row(vals, t):
    """_multi_row_sum above, for one lane of scalars: groups of 16 in three levels."""
    step = 16
    levels = []
    cur = vals
    for _ in range(2):
        n = len(cur) // step
        levels.append(_plan_seq(cur[n * step:], t))
        cur = [_plan_seq(cur[i * step:(i + 1) * step], t) for i in range(n)]
    tail, acc1 = levels
    c1 = cur
    n = len(c1) // step
    acc2 = _plan_seq(c1[n * step:], t)
    acc3 = _plan_seq([_plan_seq(c1[i * step:(i + 1) * step], t) for i in range(n)], t)
    return ((tail + acc1) + acc2) + acc3


def _plan_row(vals, t):
    """_row_sum above, for scalars: four interleaved lanes (the ILP factor), the rest."""
    n4 = len(vals) // 4
    parts = [_plan_multi_row(vals[k:n4 * 4:4], t) for k in range(4)]
    p0 = parts[0]
    for v in vals[n4 * 4:]:
        p0 = p0 + v
    for k in range(1, 4):
        p0 = p0 + parts[k]
    return p0


class _Reg:
    """A value in a recorded plan of additions (register number, shared tape)."""

    __slots__ = ("i", "tape")

    def __init__(self, i: int, tape: list) -> None:
        self.i, self.tape = i, tape

    def __add__(self, other: "_Reg") -> "_Reg":
        self.tape.append((self.i, other.i))
        return _Reg(len(self.tape) - 1, self.tape)


_PLANS: dict = {}


def small_sum(flat: np.ndarray) -> Any:
    """PyTorch's order of additions for a full sum of `flat`, recorded once per size and
    lane count as a list of (register, register) pairs, then replayed on the values."""
    n, lanes = flat.size, _lanes(flat.dtype)
    plan = _PLANS.get((n, lanes))
    if plan is None:
        tape: list = [None] * (n + 1)  # registers 0..n-1: the values; n: zero
        zero = _Reg(n, tape)
        _plan_inner([_Reg(i, tape) for i in range(n)], lambda v=0: zero, lanes)
        plan = _PLANS[(n, lanes)] = _without_zero_adds(tape[n + 1:], n)
    ops, final = plan
    if flat.dtype == np.float64:  # Python floats are IEEE doubles: the same sums, faster
        fregs = flat.tolist()
        for a, b in ops:
            fregs.append(fregs[a] + fregs[b])
        return np.float64(fregs[final] + 0.0)
    regs = list(flat)
    for a, b in ops:
        regs.append(regs[a] + regs[b])
    return regs[final] + flat.dtype.type(0)


def _without_zero_adds(plan: list, n: int) -> tuple[list, int]:
    """The plan without its additions of the zero register (n), and the register that holds
    the sum. x + 0 is x except that it turns -0 into +0; the replay ends with + 0, which
    makes any zero +0 and leaves every other value as it is, so the result is the same.
    Registers are renumbered: 0..n-1 the values, then one per remaining addition."""
    ZERO = -1
    where: dict[int, int] = {i: i for i in range(n)}
    where[n] = ZERO
    ops: list = []
    for k, (a, b) in enumerate(plan):
        ra, rb = where[a], where[b]
        if ra == ZERO:
            where[n + 1 + k] = rb
        elif rb == ZERO:
            where[n + 1 + k] = ra
        else:
            ops.append((ra, rb))
            where[n + 1 + k] = n + len(ops) - 1
    final = where[n + len(plan)] if plan else ZERO
    if final == ZERO:  # no value reached the sum (cannot happen for n >= 1)
        final = 0
    return ops, final


def _plan_inner(vals, t, lanes):
    """_inner_sum above for one row of scalars: PyTorch's order for a full sum of a few
    values without array set-up (the small sums of every lesson step)."""
    n = len(vals)
    if n < lanes:
        return _plan_row(vals, t) + t(0)
    nvec = n // lanes
    vacc = [_plan_row(vals[k:nvec * lanes:lanes], t) for k in range(lanes)]
    acc = t(0)
    for v in vals[nvec * lanes:]:
        acc = acc + v
    for v in vacc:
        acc = acc + v
    return acc + t(0)


def reduce_all_rows(a: np.ndarray) -> np.ndarray:
    """vec::reduce_all(+) over each row of a 2-D array, as ATen's softmax kernels sum a
    row (functional_base.h).  Unlike sum_stub these kernels run their AVX512 build on the
    reference machine (64-byte vectors: 16 floats, 8 doubles; measured: 1460 of 1460 float32
    softmax rows of 1-1000 elements bit for bit).  Rows shorter than a vector add their
    elements left to right; longer rows add whole vectors lane by lane and the last partial
    vector into the first lanes; the lanes are then combined (float: by halves, lane i with
    i^8, i^4, i^2, i^1; double: left to right)."""
    rows, n = a.shape
    lanes = 64 // a.dtype.itemsize
    if n < lanes:
        acc = a[:, 0].copy()
        for i in range(1, n):
            acc = acc + a[:, i]
        return acc
    full = n - n % lanes
    acc = np.cumsum(a[:, :full].reshape(rows, full // lanes, lanes), axis=1)[:, -1]
    if n > full:
        acc[:, :n - full] = acc[:, :n - full] + a[:, full:]
    if a.dtype == np.float32:
        h = lanes // 2
        while h:
            acc = acc + acc[:, np.arange(lanes) ^ h]
            h //= 2
        return acc[:, 0].copy()
    out = acc[:, 0].copy()
    for i in range(1, lanes):
        out = out + acc[:, i]
    return out
