"""PyTorch's CPU random generator, bit for bit, in pure Python + NumPy.

A port of PyTorch 2.13's default CPU generator (``at::CPUGeneratorImpl``): the MT19937
engine of ``aten/src/ATen/core/MT19937RNGEngine.h``, the distributions of
``ATen/core/DistributionsHelper.h`` / ``TransformationHelper.h`` and the CPU kernels of
``ATen/native/cpu/DistributionTemplates.h`` (uniform_, normal_, random_(from, to),
bernoulli) and ``randperm_cpu`` of ``ATen/native/TensorFactories.cpp``.  After
``manual_seed(n)`` every function returns the numbers PyTorch returns, and the state
(including the cached second Box-Muller value) carries over between calls exactly as in
PyTorch.

How PyTorch draws (and so how this module draws):

* The engine yields 32-bit words.  ``random()`` is one word; ``random64()`` is two words,
  the first one the high half.
* ``uniform_(a, b)`` (``torch.rand``): float32 takes ``word & (2**24-1)`` * 2**-24,
  float64 takes ``random64() & (2**53-1)`` * 2**-53; then ``x * (b - a) + a`` in the dtype.
* ``normal_(mean, std)`` (``torch.randn``):
  - numel >= 16 (a contiguous tensor): first a uniform for every element, then Box-Muller
    on blocks of 16 (``u1 = 1 - data[j]``, ``u2 = data[j+8]``, j < 8).  When numel is not a
    multiple of 16, the last 16 elements are refilled with 16 *new* uniforms and
    transformed again.  float32 uses the AVX2 kernel (``avx_mathfun.h``'s Cephes
    ``log256_ps`` / ``sincos256_ps``, emulated here operation by operation in float32;
    PyTorch never dispatches normal_ to AVX-512); float64 uses ``std::log/cos/sin``.
  - numel < 16: ``normal_distribution<double>`` per element, which draws two 53-bit
    uniforms u1, u2, returns ``r cos(2 pi u1)`` with ``r = sqrt(-2 log1p(-u2))`` and caches
    ``r sin(2 pi u1)`` in the generator for the next scalar normal (whatever the dtype).
* ``random_(low, high)`` (``torch.randint``): ``word % range + low``, with ``random64()``
  instead of one word when range >= 2**28 (any dtype; open-source builds).
* ``randperm(n)``: identity, then for i in 0..n-2 swap i with ``i + word % (n - i)``.
* ``bernoulli(p_tensor)``: per element ``uniform < p``, the uniform in float32 (24 bits)
  unless p is float64 (53 bits).  ``bernoulli_(p_float)`` uses 53-bit uniforms (this is
  PyTorch's non-MKL path; on Intel CPUs with MKL, PyTorch uses MKL's VSL stream instead).

The engine itself is NumPy's MT19937 bit generator (the same algorithm, same
``init_genrand`` seeding); its state is loaded from and read back into PyTorch's
(seed, left, next, state[624]) layout, so ``get_state``/``set_state`` exchange the 5056-byte
blob of ``torch.get_rng_state()``.

Exact libm results: the float64 paths need glibc's ``log``, ``log1p``, ``sin`` and ``cos``
(what PyTorch calls); NumPy's own ``np.log``/``np.log1p`` are not always bit-identical to
glibc, so those are evaluated with :mod:`math` (which calls the platform libm).

Default seed: PyTorch seeds its default generator from /dev/urandom when a program never
calls ``manual_seed``; gradcli must be deterministic, so a fresh :class:`Generator` uses
``DEFAULT_SEED = 67280421310721``, PyTorch's own ``c10::detail::default_rng_seed_val``:
the seed of a freshly constructed ``torch.Generator()`` (``torch.Generator().initial_seed()
== 67280421310721``), so a program without ``manual_seed`` gets the numbers that a fresh
``torch.Generator()`` would give.
"""

from __future__ import annotations

import math
import os
import struct
from typing import Any

import numpy as np

from .errors import ProgramError


class TorchError(ProgramError, RuntimeError):
    """PyTorch's RuntimeError for bad arguments: a RuntimeError to Python callers, a
    GradcliError (exit code 2, catchable in a lesson) to gradcli."""

__all__ = [
    "DEFAULT_SEED", "Generator", "default_generator", "manual_seed", "initial_seed", "seed",
    "get_rng_state", "set_rng_state",
]

#: PyTorch's ``c10::detail::default_rng_seed_val`` (seed of a fresh ``torch.Generator()``).
DEFAULT_SEED = 67280421310721

_N = 624
_STATE_BYTES = 5056
_LEGACY = struct.Struct("<QiiQ624Qdddi4x")  # CPUGeneratorImplStateLegacy, 5048 bytes
_TAIL = struct.Struct("<f?3x")             # next_float_normal_sample, is_valid

_F32 = np.float32
_F64 = np.float64
_U32 = np.uint32
_U64 = np.uint64
_M24 = np.uint32(0xFFFFFF)
_M53 = np.uint64((1 << 53) - 1)
_D24 = _F32(1.0 / (1 << 24))
_D53 = _F64(1.0 / (1 << 53))

_DTYPES = {
    "float32": np.float32, "float": np.float32, "float64": np.float64, "double": np.float64,
    "int64": np.int64, "long": np.int64, "int32": np.int32, "int": np.int32,
    "int16": np.int16, "short": np.int16, "int8": np.int8, "uint8": np.uint8,
    "bool": np.bool_, "float16": np.float16, "half": np.float16,
}


def _dtype(d: Any) -> np.dtype:
    if isinstance(d, str):
        d = d.replace("torch.", "")
        if d not in _DTYPES:
            raise TypeError(f"unsupported dtype {d!r}")
        return np.dtype(_DTYPES[d])
    return np.dtype(d)


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"negative dimension in {shape}")
    return shape


def _seed_key(seed: int) -> np.ndarray:
    """init_with_uint32: state[0] = seed & 0xffffffff, state[j] = 1812433253 * (...) + j."""
    key = [0] * _N
    x = seed & 0xFFFFFFFF
    key[0] = x
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key[j] = x
    return np.array(key, dtype=_U32)


# ---------------------------------------------------------------------------------------
# avx_mathfun.h (log256_ps, sincos256_ps) in float32, one vector operation at a time.
# ---------------------------------------------------------------------------------------

def _f(v: float) -> np.float32:
    return _F32(v)


_SQRTHF = _f(0.707106781186547524)
_LOG_P = [_f(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1,
                          -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
                          2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1)]
_LOG_Q1 = _f(-2.12194440e-4)
_LOG_Q2 = _f(0.693359375)
_DP1 = _f(-0.78515625)
_DP2 = _f(-2.4187564849853515625e-4)
_DP3 = _f(-3.77489497744594108e-8)
_SINCOF = [_f(-1.9515295891E-4), _f(8.3321608736E-3), _f(-1.6666654611E-1)]
_COSCOF = [_f(2.443315711809948E-005), _f(-1.388731625493765E-003),
           _f(4.166664568298827E-002)]
_FOPI = _f(1.27323954473516)
_ONE = _f(1.0)
_HALF = _f(0.5)
_TWO_PI_F = _f(2.0 * math.pi)
_MINUS_TWO = _f(-2.0)


def _log256_ps(x: np.ndarray) -> np.ndarray:
    invalid = x <= 0
    x = np.maximum(x, np.array(0x00800000, dtype=_U32).view(_F32))
    bits = x.view(_U32)
    imm0 = (bits >> _U32(23)).view(np.int32) - np.int32(0x7F)
    x = ((bits & _U32(0x807FFFFF)) | np.array(_HALF).view(_U32)).view(_F32)
    e = imm0.astype(_F32) + _ONE
    mask = x < _SQRTHF
    tmp = np.where(mask, x, _F32(0))
    x = x - _ONE
    e = e - np.where(mask, _ONE, _F32(0))
    x = x + tmp
    z = x * x
    y = _LOG_P[0]
    for p in _LOG_P[1:]:          # y = y * x + p, contracted to one FMA by the compiler
        y = _fma32(y, x, p)
    y = y * x
    y = _fma32(y, z, e * _LOG_Q1)  # y * z + e * q1: the first product is fused
    y = y - z * _HALF              # z * 0.5 is exact, fused or not
    x = x + y
    x = _fma32(e, _LOG_Q2, x)
    if invalid.any():
        x = np.where(invalid, _F32(np.nan), x)
    return x


def _sincos256_ps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xb = x.view(_U32)
    sign_sin = xb & _U32(0x80000000)
    x = (xb & _U32(0x7FFFFFFF)).view(_F32)
    y = x * _FOPI
    imm2 = y.astype(np.int32)  # cvttps: truncation
    imm2 = (imm2 + np.int32(1)) & np.int32(~1)
    y = imm2.astype(_F32)
    imm4 = imm2
    swap_sign_sin = ((imm2 & np.int32(4)) << np.int32(29)).view(_U32)
    poly_mask = (imm2 & np.int32(2)) == 0
    x = _fma32(y, _DP1, x)
    x = _fma32(y, _DP2, x)
    x = _fma32(y, _DP3, x)
    imm4 = imm4 - np.int32(2)
    sign_cos = ((~imm4 & np.int32(4)) << np.int32(29)).view(_U32)
    sign_sin = sign_sin ^ swap_sign_sin
    z = x * x
    y = _fma32(_COSCOF[0], z, _COSCOF[1])
    y = _fma32(y, z, _COSCOF[2])
    y = y * z
    y = _fma32(y, z, -(z * _HALF))
    y = y + _ONE
    y2 = _fma32(_SINCOF[0], z, _SINCOF[1])
    y2 = _fma32(y2, z, _SINCOF[2])
    y2 = y2 * z
    y2 = _fma32(y2, x, x)
    zero = _F32(0)
    ysin2 = np.where(poly_mask, y2, zero)
    ysin1 = np.where(poly_mask, zero, y)
    y2 = y2 - ysin2
    y = y - ysin1
    s = (ysin1 + ysin2).view(_U32) ^ sign_sin
    c = (y + y2).view(_U32) ^ sign_cos
    return s.view(_F32), c.view(_F32)


def _fma32(a: Any, b: Any, c: Any) -> np.ndarray:
    """A fused float32 multiply-add, correctly rounded: a * b is exact in float64, so only
    a float64 sum that lands exactly on a float32 rounding midpoint can round twice; those
    (rare) sums are rounded to odd from their exact TwoSum error first."""
    a = np.asarray(a, _F32).astype(_F64)
    b = np.asarray(b, _F32).astype(_F64)
    c = np.asarray(c, _F32).astype(_F64)
    p = a * b
    s = np.asarray(p + c)  # an array also for 0-d operands
    mid = (s.view(_U64) & _U64(0x1FFFFFFF)) == _U64(0x10000000)
    if mid.any():
        p, c, sm = np.broadcast_to(p, s.shape)[mid], np.broadcast_to(c, s.shape)[mid], s[mid]
        bb = sm - p
        t = (p - (sm - bb)) + (c - bb)          # p + c == sm + t exactly (TwoSum)
        s = np.array(s)
        s[mid] = np.where(t != 0, np.nextafter(sm, np.where(t > 0, np.inf, -np.inf)), sm)
    return s.astype(_F32)


_SPLIT = _F64(134217729.0)  # 2**27 + 1


def _fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """A fused float64 multiply-add (Dekker's exact product + TwoSum); correctly rounded
    except in astronomically rare near-ties."""
    a = np.asarray(a, _F64)
    b = np.asarray(b, _F64)
    c = np.asarray(c, _F64)
    p = a * b
    with np.errstate(over="ignore", invalid="ignore"):
        ah = a * _SPLIT
        ah = ah - (ah - a)
        al = a - ah
        bh = b * _SPLIT
        bh = bh - (bh - b)
        bl = b - bh
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl   # a * b == p + e exactly
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)                       # p + c == s + t exactly
        r = s + (t + e)
    return np.where(np.isfinite(r), r, p + c)


def _normal_fill_16_avx2(data: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """normal_fill_16_AVX2 on a (k, 16) float32 array of uniforms."""
    u1 = _ONE - data[:, :8]
    u2 = data[:, 8:]
    radius = np.sqrt(_MINUS_TWO * _log256_ps(u1))
    theta = _TWO_PI_F * u2
    s, c = _sincos256_ps(theta)
    out = np.empty_like(data)
    out[:, :8] = _fma32(radius * c, std, mean)
    out[:, 8:] = _fma32(radius * s, std, mean)
    return out


def _normal_fill_16_f64(data: np.ndarray, mean: float, std: float) -> np.ndarray:
    """normal_fill_16<double> on a (k, 16) float64 array of uniforms (glibc libm)."""
    u1 = (1.0 - data[:, :8]).ravel()
    u2 = data[:, 8:]
    logs = np.fromiter(map(math.log, u1.tolist()), _F64, u1.size).reshape(u2.shape)
    radius = np.sqrt(-2.0 * logs)
    theta = (2.0 * math.pi) * u2
    flat = theta.ravel().tolist()
    cos = np.fromiter(map(math.cos, flat), _F64, len(flat)).reshape(u2.shape)
    sin = np.fromiter(map(math.sin, flat), _F64, len(flat)).reshape(u2.shape)
    out = np.empty_like(data)
    # `radius * cos * std + mean`: PyTorch's AVX2 build contracts the last step to an FMA
    if std == 1.0 and mean == 0.0:
        out[:, :8] = radius * cos
        out[:, 8:] = radius * sin
    else:
        out[:, :8] = _fma64(radius * cos, std, mean)
        out[:, 8:] = _fma64(radius * sin, std, mean)
    return out


# ---------------------------------------------------------------------------------------


class Generator:
    """``at::CPUGeneratorImpl``: an MT19937 engine plus the cached scalar normal samples."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self._bitgen = np.random.MT19937(0)
        self.manual_seed(seed)

    # -- seeding and state -----------------------------------------------------------------
    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        if seed < 0:  # torch.manual_seed accepts negatives as their uint64 two's complement
            seed &= (1 << 64) - 1
        if seed >= 1 << 64:
            raise ProgramError("Overflow when unpacking long long", "ValueError")
        self._seed = seed
        self._set_engine(_seed_key(seed), pos=_N)
        self._fresh = True
        self._next_double: float | None = None
        self._next_float: float | None = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Re-seed from the OS's entropy, as ``torch.seed()`` (non-deterministic)."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def _set_engine(self, key: np.ndarray, pos: int) -> None:
        self._bitgen.state = {"bit_generator": "MT19937",
                              "state": {"key": np.asarray(key, dtype=_U32), "pos": int(pos)}}

    def get_state(self) -> bytes:
        """The 5056 bytes of ``torch.get_rng_state()``."""
        st = self._bitgen.state["state"]
        pos = int(st["pos"])
        left = _N + 1 - pos
        nxt = 0 if self._fresh else pos
        nd = self._next_double
        nf = self._next_float
        head = _LEGACY.pack(self._seed, left, 1, nxt, *[int(v) for v in st["key"]],
                            0.0, 0.0 if nd is None else nd, 0.0, 0 if nd is None else 1)
        return head + _TAIL.pack(0.0 if nf is None else nf, nf is not None)

    def set_state(self, state: Any) -> "Generator":
        data = bytes(np.asarray(state, dtype=np.uint8).tobytes()) if not isinstance(
            state, (bytes, bytearray)) else bytes(state)
        if len(data) != _STATE_BYTES:
            raise TorchError(f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but "
                               f"found the input RNG state size to be {len(data)}")
        vals = _LEGACY.unpack(data[:_LEGACY.size])
        seed, left, seeded, nxt = vals[:4]
        key = np.array(vals[4:4 + _N], dtype=_U64).astype(_U32)
        normal_y, normal_valid = vals[4 + _N + 1], vals[4 + _N + 3]
        nf, nf_valid = _TAIL.unpack(data[_LEGACY.size:])
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise TorchError("Invalid mt19937 state")
        self._seed = seed
        self._set_engine(key, pos=_N + 1 - left)
        self._fresh = left == 1 and nxt == 0
        self._next_double = normal_y if normal_valid else None
        self._next_float = float(_F32(nf)) if nf_valid else None
        return self

    def clone(self) -> "Generator":
        g = Generator.__new__(Generator)
        g._bitgen = np.random.MT19937(0)
        g._bitgen.state = self._bitgen.state
        g._seed, g._fresh = self._seed, self._fresh
        g._next_double, g._next_float = self._next_double, self._next_float
        return g

    # -- raw draws -------------------------------------------------------------------------
    def _words(self, n: int) -> np.ndarray:
        """n successive ``random()`` outputs (uint32)."""
        if n <= 0:
            return np.empty(0, dtype=_U32)
        self._fresh = False
        return self._bitgen.random_raw(n).astype(_U32)

    def _words64(self, n: int) -> np.ndarray:
        """n successive ``random64()`` outputs (uint64): (first word << 32) | second."""
        w = self._words(2 * n).astype(_U64).reshape(n, 2)
        return (w[:, 0] << _U64(32)) | w[:, 1]

    def _uniform01(self, n: int, dtype: np.dtype) -> np.ndarray:
        """n ``uniform_real_distribution<T>(0, 1)`` draws."""
        if dtype == np.float64:
            return (self._words64(n) & _M53).astype(_F64) * _D53
        return (self._words(n) & _M24).astype(_F32) * _D24

    # -- distributions ---------------------------------------------------------------------
    def uniform_(self, shape: Any = (), dtype: Any = "float32", a: float = 0.0,
                 b: float = 1.0) -> np.ndarray:
        shape, dt = _shape(shape), _dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f'"uniform_kernel_cpu" not implemented for \'{dt}\'')
        fi = np.finfo(dt)
        lo, hi = float(fi.min), float(fi.max)
        a, b = float(a), float(b)
        if not (lo <= a <= hi):
            raise TorchError(f"from is out of bounds for {dt}")
        if not (lo <= b <= hi):
            raise TorchError(f"to is out of bounds for {dt}")
        if a > b:
            raise TorchError("uniform_ expects to return a [from, to) range, but found "
                               f"from={a} > to={b}")
        n = math.prod(shape)
        if dt == np.float16:
            raise TypeError("float16 uniform_ is not supported")
        x = self._uniform01(n, dt)
        t = dt.type
        fr, to = t(a), t(b)
        if not (fr == 0 and to == 1):
            # x * (to - from) + from, contracted to an FMA in PyTorch's build
            x = (_fma64 if dt == np.float64 else _fma32)(x, to - fr, fr)
        return x.astype(dt, copy=False).reshape(shape)

    def rand(self, shape: Any = (), dtype: Any = "float32") -> np.ndarray:
        return self.uniform_(shape, dtype, 0.0, 1.0)

    def _scalar_normal(self, mean: float, std: float) -> float:
        """``normal_distribution<double>(mean, std)`` with the generator's double cache."""
        if self._next_double is not None:
            ret = self._next_double
            self._next_double = None
            return _scale(ret, mean, std)
        u = self._uniform01(2, np.dtype(np.float64))
        u1, u2 = float(u[0]), float(u[1])
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self._next_double = r * math.sin(theta)
        return _scale(r * math.cos(theta), mean, std)

    def normal_(self, shape: Any = (), dtype: Any = "float32", mean: float = 0.0,
                std: float = 1.0) -> np.ndarray:
        shape, dt = _shape(shape), _dtype(dtype)
        if dt.kind != "f" or dt == np.float16:
            raise TypeError(f'"normal_kernel_cpu" not implemented for \'{dt}\'')
        mean, std = float(mean), float(std)
        if not std >= 0.0:
            raise TorchError(f"normal expects std >= 0.0, but found std {std:g}")
        n = math.prod(shape)
        if n == 0:
            return np.empty(shape, dtype=dt)
        if n < 16:
            out = np.array([self._scalar_normal(mean, std) for _ in range(n)], dtype=_F64)
            return out.astype(dt).reshape(shape)
        data = self._uniform01(n, dt)
        full = n // 16 * 16
        if dt == np.float32:
            fill = lambda blk: _normal_fill_16_avx2(blk, _F32(mean), _F32(std))  # noqa: E731
        else:
            fill = lambda blk: _normal_fill_16_f64(blk, mean, std)  # noqa: E731
        data[:full] = fill(data[:full].reshape(-1, 16)).ravel()
        if n % 16:
            tail = self._uniform01(16, dt)
            data[n - 16:] = fill(tail.reshape(1, 16)).ravel()
        return data.reshape(shape)

    def randn(self, shape: Any = (), dtype: Any = "float32") -> np.ndarray:
        return self.normal_(shape, dtype, 0.0, 1.0)

    def normal(self, mean: Any = 0.0, std: Any = 1.0, shape: Any = None,
               dtype: Any = None) -> np.ndarray:
        """``torch.normal``'s overloads: (Tensor mean, Tensor std), (Tensor mean, float std),
        (float mean, Tensor std) and (float mean, float std, size)."""
        mt = isinstance(mean, np.ndarray)
        st = isinstance(std, np.ndarray)
        if not mt and not st:
            if shape is None:
                raise TypeError("normal(float mean, float std) needs a size")
            return self.normal_(shape, "float32" if dtype is None else dtype, mean, std)
        if st and std.size and not (std.min() >= 0):
            raise TorchError("normal expects all elements of std >= 0.0")
        if mt and st:
            out_shape = np.broadcast_shapes(mean.shape, std.shape)
            dt = mean.dtype if dtype is None else _dtype(dtype)
            out = self.normal_(out_shape, dt, 0.0, 1.0)
            out = np.asarray(out * std.astype(dt), dtype=dt)
            return np.asarray(out + mean.astype(dt), dtype=dt)
        if mt:
            dt = mean.dtype if dtype is None else _dtype(dtype)
            out = self.normal_(mean.shape, dt, 0.0, float(std))
            return np.asarray(out + mean.astype(dt), dtype=dt)
        dt = std.dtype if dtype is None else _dtype(dtype)
        out = self.normal_(std.shape, dt, 0.0, 1.0)
        out = np.asarray(out * std.astype(dt), dtype=dt)
        return np.asarray(out + dt.type(mean), dtype=dt)

    def randint(self, low: int, high: int | None = None, shape: Any = (),
                dtype: Any = "int64") -> np.ndarray:
        """``torch.randint(low, high, size)`` (or ``randint(high, size)`` when high is None)."""
        if high is None:
            low, high = 0, low
        low, high = int(low), int(high)
        shape, dt = _shape(shape), _dtype(dtype)
        if not low < high:
            raise TorchError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        if dt.kind == "f":
            digits = np.finfo(dt).nmant + 1
            low, high = _update_from(low, dt, digits), _update_to(high, dt, digits)
            if not low < high:
                raise TorchError("random_ expects 'from' casted to dtype to be less than "
                                   f"'to' casted to dtype, but got from={low} >= to={high}")
        elif dt == np.bool_:
            if not (0 <= low <= 1 and 0 <= high - 1 <= 1):
                raise TorchError(f"from is out of bounds for {dt}")
        else:
            ii = np.iinfo(dt)
            if not (ii.min <= low <= ii.max):
                raise TorchError(f"from is out of bounds for {dt}")
            if not (ii.min <= high - 1 <= ii.max):
                raise TorchError(f"to - 1 is out of bounds for {dt}")
        n = math.prod(shape)
        if n == 0:
            return np.empty(shape, dtype=dt)
        rng = (high - low) & ((1 << 64) - 1)
        # DistributionsHelper.h: `range_ >= 1ULL << 28` (any dtype) takes random64() "to allow
        # approx 5% skew" (the `range_ >= 2**32 and 64-bit dtype` rule is fbcode-only)
        wide = rng >= 1 << 28
        v = self._words64(n) if wide else self._words(n).astype(_U64)
        with np.errstate(over="ignore"):
            r = (v % _U64(rng) + _U64(low & ((1 << 64) - 1))).view(np.int64)
        return r.astype(dt).reshape(shape)

    def randperm(self, n: int, dtype: Any = "int64") -> np.ndarray:
        n, dt = int(n), _dtype(dtype)
        if n < 0:
            raise TorchError(f"n must be non-negative, got{n}")
        if n < (2**32 - 1) // 20:
            r = list(range(n))
            if n > 1:
                w = self._words(n - 1).astype(np.int64)
                z = (w % np.arange(n, 1, -1, dtype=np.int64)).tolist()
                for i, zi in enumerate(z):
                    j = i + zi
                    r[i], r[j] = r[j], r[i]
            return np.array(r, dtype=dt)
        # PyTorch's large-n branch (inside-out Fisher-Yates with random64)
        w = self._words64(n)
        r = np.empty(n, dtype=np.int64)
        for i in range(n):
            z = int(w[i] % _U64(i + 1))
            r[i] = r[z]
            r[z] = i
        return r.astype(dt)

    def bernoulli(self, p: Any) -> np.ndarray:
        """``torch.bernoulli(p)`` for a float tensor p (output has p's dtype)."""
        p = np.asarray(p)
        if p.dtype.kind != "f":
            raise TypeError("bernoulli expects a floating point probability tensor")
        if p.size and not ((p >= 0).all() and (p <= 1).all()):
            raise TorchError("Expected p_in >= 0 && p_in <= 1 to be true")
        if p.dtype == np.float64:
            u = self._uniform01(p.size, np.dtype(np.float64))
        else:
            u = self._uniform01(p.size, np.dtype(np.float32))
        return (u < p.ravel().astype(u.dtype)).astype(p.dtype).reshape(p.shape)

    def bernoulli_(self, shape: Any = (), dtype: Any = "float32", p: float = 0.5) -> np.ndarray:
        """``Tensor.bernoulli_(p)`` with a float p (PyTorch's non-MKL kernel)."""
        shape, dt = _shape(shape), _dtype(dtype)
        p = float(p)
        if not 0 <= p <= 1:
            raise TorchError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
        u = self._uniform01(math.prod(shape), np.dtype(np.float64))
        return (u < p).astype(dt).reshape(shape)

    # -- *_like ----------------------------------------------------------------------------
    def rand_like(self, a: np.ndarray, dtype: Any = None) -> np.ndarray:
        return self.rand(a.shape, a.dtype if dtype is None else dtype)

    def randn_like(self, a: np.ndarray, dtype: Any = None) -> np.ndarray:
        return self.randn(a.shape, a.dtype if dtype is None else dtype)

    def randint_like(self, a: np.ndarray, low: int, high: int | None = None,
                     dtype: Any = None) -> np.ndarray:
        return self.randint(low, high, a.shape, a.dtype if dtype is None else dtype)


def _scale(v: float, mean: float, std: float) -> float:
    """transformation::normal: v * std + mean (one FMA in PyTorch's build)."""
    if std == 1.0 and mean == 0.0:
        return v
    return float(_fma64(v, std, mean))


def _update_from(frm: int, dt: np.dtype, digits: int) -> int:
    fp1 = int(dt.type(frm + 1))
    if fp1 < frm:
        f = abs(frm + 1)
        nbits = f.bit_length() - 1
        frm = fp1 + (1 << (nbits - digits + 1))
    return frm


def _update_to(to: int, dt: np.dtype, digits: int) -> int:
    tm1 = int(dt.type(to - 1))
    if tm1 >= to:
        t = abs(to - 1)
        nbits = t.bit_length() - 1
        to = tm1 - (1 << (nbits - digits + 1))
    return to


_default: Generator | None = None


def _default_generator() -> Generator:
    global _default
    if _default is None:
        _default = Generator()
    return _default


def __getattr__(name: str) -> Any:
    # `default_generator` (``torch.default_generator``) is made on first use: creating it
    # imports numpy.random, a start-up cost that programs without randomness need not pay.
    if name == "default_generator":
        return _default_generator()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def manual_seed(seed: int) -> Generator:
    return _default_generator().manual_seed(seed)


def initial_seed() -> int:
    return _default_generator().initial_seed()


def seed() -> int:
    return _default_generator().seed()


def get_rng_state() -> np.ndarray:
    """``torch.get_rng_state()``: the 5056-byte state as a uint8 array."""
    return np.frombuffer(_default_generator().get_state(), dtype=np.uint8).copy()


def set_rng_state(state: Any) -> None:
    _default_generator().set_state(state)
