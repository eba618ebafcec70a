"""PyTorch's float32 elementwise functions bit for bit: NumPy ports of SLEEF and glibc.

Where PyTorch 2.13's x86 CPU kernels compute a float32 function (on the reference
machine: capability AVX512):

* ``expm1``, ``log1p``: at::vml (``vec::map``) with ``Vectorized<float>::expm1/log1p``,
  i.e. SLEEF's ``Sleef_expm1f16_u10`` / ``Sleef_log1pf16_u10`` on every element (the last
  partial vector too).
* ``sigmoid``, ``silu``, ``exp2``, ``sinh``, ``cosh``: ``cpu_kernel_vec``.  Its
  ``vectorized_loop`` runs blocks of ``2 * Vectorized::size()`` elements (``VEC_BLOCK``:
  32 under AVX512, 16 under AVX2) through the ``Vectorized`` lambda (SLEEF's ``expf``,
  ``exp2f``, ``sinhf``, ``coshf``; sigmoid is ``(1 + exp(0 - x)).reciprocal()`` rounded
  step by step) and the ``n % VEC_BLOCK`` rest through the scalar lambda (glibc's
  ``expf`` ...).
* ``x ** p`` for a number p other than 0, 1, 2, 3, -1, -2, 0.5, -0.5: ``cpu_kernel_vec``
  with SLEEF's ``Sleef_powf16_u10`` in the blocks and ``std::pow(float, double)`` (pow in
  float64, rounded) in the rest (``pow_scalar_f32``).
* ``exp``, ``log``, ``sin``, ``cos``, ``tanh``, ``tan``, ``asin``, ``acos``, ``atan``,
  ``log2``, ``log10``, ``erf``, ``erfc``, ``sqrt`` (float32 and float64): Intel MKL's VML
  (``vmsExp`` ... with ``VML_HA``), closed source and not ported: gradcli keeps
  ``ops.wide`` (float64 rounded to float32) for those, with recorded corrections for
  float32 exp, sin, cos and tanh (``vml.py``).

The SLEEF ports follow ``src/libm/sleefsimdsp.c`` operation by operation as compiled for
AVX512F (``vmla`` is a fused multiply-add; ``vgetexp`` / ``vgetmant`` / ``vfixupimm`` in
the logarithms).  They were checked against the ``Sleef_*f16_u10`` and ``Sleef_*f8_u10``
symbols inside the reference libtorch_cpu on 900 000 inputs each (exp, log, tanh, expm1,
log1p: no difference); tests/test_sleef.py checks them against PyTorch itself.  Every
float32 ``+ - * /`` is NumPy's float32 arithmetic (correctly rounded like the hardware's);
a fused multiply-add is computed exactly in float64 (``_fma``).  The ports
are exact over all float32 inputs, specials included, except that NaN results are not
matched bit for bit (sign and payload never reach gradcli's output).

``vec_split`` follows TensorIterator's loop for the array's strides: a contiguous or
densely permuted array is one flat loop in memory order, a sliced one is split per
contiguous inner row, a strided inner dimension runs the scalar lambda only.  Above
at::internal::GRAIN_SIZE (32768) elements PyTorch splits the work between threads and each
thread's chunk has its own scalar tail (thread-count dependent, not modelled).
"""

from __future__ import annotations

import numpy as np

from .torchrandom import _fma64

F32 = np.float32
_I32 = np.int32
_U32 = np.uint32

# cpu_kernel_vec's block on the reference machine: 2 * Vectorized<float>::size() (AVX512).
VEC_BLOCK = 32

# SLEEF's misc.h constants
_R_LN2 = F32(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2U = F32(0.693145751953125)
_L2L = F32(1.428606765330187045e-06)
_LN2_DF = (F32(0.69314718246459960938), F32(-1.904654323148236017e-09))
_LOG1P_BOUND = F32(float.fromhex("0x1.2ced32p+126"))
_INF = F32(np.inf)
_NAN = F32(np.nan)
_ONE = F32(1.0)
_ZERO = F32(0.0)


def _c(v: float) -> np.float32:
    return F32(v)


# ------------------------------------------------------------------------- primitives

_MID_MASK, _MID = np.uint64(0x1FFFFFFF), np.uint64(0x10000000)


def _fma(a, b, c):
    """A fused float32 multiply-add, correctly rounded (as torchrandom._fma32): a * b is
    exact in float64, so only a float64 sum on a float32 rounding midpoint can round
    twice; those sums are rounded to odd from their exact TwoSum error first."""
    p = np.asarray(np.multiply(a, b, dtype=np.float64))
    s = np.asarray(np.add(p, c, dtype=np.float64))
    mid = (s.view(np.uint64) & _MID_MASK) == _MID
    if mid.any():
        pm = np.broadcast_to(p, s.shape)[mid]
        cm = np.broadcast_to(np.asarray(c, dtype=np.float64), s.shape)[mid]
        sm = s[mid]
        bb = sm - pm
        t = (pm - (sm - bb)) + (cm - bb)          # pm + cm == sm + t exactly
        s = s.copy()
        s[mid] = np.where(t != 0, np.nextafter(sm, np.where(t > 0, np.inf, -np.inf)), sm)
    return s.astype(F32)

def _fmx(a, b, c):
    """A fused multiply-add in float32 or float64, as the operands are."""
    if np.result_type(a, b, c) == np.float64:
        return _fma64(a, b, c)
    return _fma(a, b, c)


def _rint_i32(x):
    """cvtps2dq (round to nearest even); NaN and out-of-range give INT_MIN as on x86."""
    ok = np.abs(x) < F32(2147483648.0)  # False for NaN
    return np.where(ok, np.rint(np.where(ok, x, _ZERO)), F32(-2147483648.0)).astype(_I32)


def _pow2i(q):
    return ((q + _I32(0x7F)) << _I32(23)).view(F32)


def _ldexp2(d, e):
    h = e >> _I32(1)
    return d * _pow2i(h) * _pow2i(e - h)


def _ldexp3(d, q):
    return (d.view(_I32) + (q << _I32(23))).view(F32)


def _getexp(x):
    """vgetexpps: floor(log2|x|) as a float (subnormals by their true exponent); 0 -> -inf,
    inf -> inf, NaN -> NaN."""
    ax = np.abs(x)
    _, ex = np.frexp(ax)
    e = (ex - 1).astype(F32)
    e = np.where(ax == 0, -_INF, e)
    e = np.where(np.isinf(ax), _INF, e)
    return np.where(np.isnan(x), _NAN, e)


def _getmant_p75(x):
    """vgetmantps with _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_nan: |x|'s significand in
    [0.75, 1.5); NaN for negative x.  (Zero and inf are fixed up by the callers.)"""
    m, _ = np.frexp(np.abs(x))
    m = m * F32(2.0)                       # [1, 2)
    m = np.where(m >= F32(1.5), m * F32(0.5), m)
    return np.where(x < 0, _NAN, m).astype(F32)


def _mulsign(x, y):
    return (x.view(_U32) ^ (y.view(_U32) & _U32(0x80000000))).view(F32)


def _isnegzero(d):
    return d.view(_U32) == _U32(0x80000000)


# double-float ("df.h", FMA variants; "dd.h" is the same code for float64); a pair is
# (hi, lo)

def _dfadd_ff(x, y):            # dfadd_vf2_vf_vf
    s = x + y
    return s, (x - s) + y


def _dfadd2_ff(x, y):           # dfadd2_vf2_vf_vf
    s = x + y
    v = s - x
    return s, (x - (s - v)) + (y - v)


def _dfadd_f2f(x, y):           # dfadd_vf2_vf2_vf
    s = x[0] + y
    return s, ((x[0] - s) + y) + x[1]


def _dfadd2_f2f(x, y):          # dfadd2_vf2_vf2_vf
    s = x[0] + y
    v = s - x[0]
    t = (x[0] - (s - v)) + (y - v)
    return s, t + x[1]


def _dfadd_ff2(x, y):           # dfadd_vf2_vf_vf2
    s = x + y[0]
    return s, ((x - s) + y[0]) + y[1]


def _dfadd_f2f2(x, y):          # dfadd_vf2_vf2_vf2
    s = x[0] + y[0]
    return s, (((x[0] - s) + y[0]) + x[1]) + y[1]


def _dfadd2_f2f2(x, y):         # dfadd2_vf2_vf2_vf2
    s = x[0] + y[0]
    v = s - x[0]
    t = (x[0] - (s - v)) + (y[0] - v)
    return s, t + (x[1] + y[1])


def _dfadd2_ff2(x, y):          # dfadd2_vf2_vf_vf2
    s = x + y[0]
    v = s - x
    return s, ((x - (s - v)) + (y[0] - v)) + y[1]


def _dfsub_f2f2(x, y):          # dfsub_vf2_vf2_vf2
    s = x[0] - y[0]
    t = x[0] - s
    t = t - y[0]
    t = t + x[1]
    return s, t - y[1]


def _dfnormalize(t):
    s = t[0] + t[1]
    return s, (t[0] - s) + t[1]


def _dfscale(d, s):
    return d[0] * s, d[1] * s


def _dfneg(x):
    return -x[0], -x[1]


def _dfmul_ff(x, y):            # dfmul_vf2_vf_vf
    s = x * y
    return s, _fmx(x, y, -s)


def _dfmul_f2f(x, y):           # dfmul_vf2_vf2_vf
    s = x[0] * y
    return s, _fmx(x[1], y, _fmx(x[0], y, -s))


def _dfmul_f2f2(x, y):          # dfmul_vf2_vf2_vf2
    s = x[0] * y[0]
    return s, _fmx(x[0], y[1], _fmx(x[1], y[0], _fmx(x[0], y[0], -s)))


def _dfmul_f2f2_f(x, y):        # dfmul_vf_vf2_vf2
    return _fmx(x[0], y[0], _fmx(x[1], y[0], x[0] * y[1]))


def _dfsqu(x):                  # dfsqu_vf2_vf2
    s = x[0] * x[0]
    return s, _fmx(x[0] + x[0], x[1], _fmx(x[0], x[0], -s))


def _dfrec_f2(d):               # dfrec_vf2_vf2
    s = _ONE / d[0]
    return s, s * _fmx(-d[1], s, _fmx(-d[0], s, _ONE))


def _dfdiv(n, d):               # dfdiv_vf2_vf2_vf2
    t = _ONE / d[0]
    s = n[0] * t
    u = _fmx(t, n[0], -s)
    v = _fmx(-d[1], t, _fmx(-d[0], t, _ONE))
    return s, _fmx(s, v, _fmx(n[1], t, u))


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=F32)


# ------------------------------------------------------------------------------ exp

def exp(d) -> np.ndarray:
    """Sleef_expf16_u10 (xexpf)."""
    d = _f32(d)
    with np.errstate(all="ignore"):
        q = _rint_i32(d * _R_LN2)
        qf = q.astype(F32)
        s = _fma(qf, -_L2U, d)
        s = _fma(qf, -_L2L, s)
        u = _c(0.000198527617612853646278381)
        u = _fma(u, s, _c(0.00139304355252534151077271))
        u = _fma(u, s, _c(0.00833336077630519866943359))
        u = _fma(u, s, _c(0.0416664853692054748535156))
        u = _fma(u, s, _c(0.166666671633720397949219))
        u = _fma(u, s, _c(0.5))
        u = _ONE + _fma(s * s, u, s)
        u = _ldexp2(u, q)
        u = np.where(d < F32(-104), _ZERO, u)
        u = np.where(F32(100) < d, _INF, u)
    return u.astype(F32)


def exp2(d) -> np.ndarray:
    """Sleef_exp2f16_u10 (xexp2f)."""
    d = _f32(d)
    with np.errstate(all="ignore"):
        u = np.rint(d)
        q = _rint_i32(u)
        s = d - u
        u = _c(0.1535920892e-3)
        u = _fma(u, s, _c(0.1339262701e-2))
        u = _fma(u, s, _c(0.9618384764e-2))
        u = _fma(u, s, _c(0.5550347269e-1))
        u = _fma(u, s, _c(0.2402264476e+0))
        u = _fma(u, s, _c(0.6931471825e+0))
        u = _fma(u, s, _ONE)
        u = _ldexp2(u, q)
        u = np.where(d >= F32(128), _INF, u)
        u = np.where(d < F32(-150), _ZERO, u)
    return u.astype(F32)


# ------------------------------------------------------------------------------- log

def log(d) -> np.ndarray:
    """Sleef_logf16_u10 (xlogf_u1, AVX512F: getexp/getmant/fixupimm)."""
    d = _f32(d)
    with np.errstate(all="ignore"):
        e = _getexp(d * F32(1.0 / 0.75))
        e = np.where(e == _INF, F32(128.0), e)
        m = _getmant_p75(d)
        s = _dfmul_f2f(_LN2_DF, e)
        x = _dfdiv(_dfadd2_ff(F32(-1), m), _dfadd2_ff(_ONE, m))
        x2 = x[0] * x[0]
        t = _c(0.3027294874)
        t = _fma(t, x2, _c(0.3996108174))
        t = _fma(t, x2, _c(0.6666694880))
        s = _dfadd_f2f2(s, _dfscale(x, F32(2)))
        s = _dfadd_f2f(s, (x2 * x[0]) * t)
        r = s[0] + s[1]
        # vfixupimm: 0 -> -inf, -inf -> NaN, +inf -> +inf, negative -> NaN, NaN stays NaN
        r = np.where(d == 0, -_INF, r)
        r = np.where(d == _INF, _INF, r)
        r = np.where((d < 0) | np.isnan(d), _NAN, r)
    return r.astype(F32)


# ------------------------------------------------------------- exp-based (expk2f family)

def _expk2(d):
    u = (d[0] + d[1]) * _R_LN2
    q = _rint_i32(u)
    qf = q.astype(F32)
    s = _dfadd2_f2f(d, qf * -_L2U)
    s = _dfadd2_f2f(s, qf * -_L2L)
    u = _c(0.1980960224e-3)
    u = _fma(u, s[0], _c(0.1394256484e-2))
    u = _fma(u, s[0], _c(0.8333456703e-2))
    u = _fma(u, s[0], _c(0.4166637361e-1))
    t = _dfadd2_f2f(_dfmul_f2f(s, u), _c(0.166666659414234244790680580464))
    t = _dfadd2_f2f(_dfmul_f2f2(s, t), F32(0.5))
    t = _dfadd2_f2f2(s, _dfmul_f2f2(_dfsqu(s), t))
    t = _dfadd_ff2(_ONE, t)
    tx, ty = _ldexp2(t[0], q), _ldexp2(t[1], q)
    small = d[0] < F32(-104)
    return np.where(small, _ZERO, tx), np.where(small, _ZERO, ty)


def tanh(x) -> np.ndarray:
    """Sleef_tanhf16_u10 (xtanhf)."""
    x = _f32(x)
    with np.errstate(all="ignore"):
        y = np.abs(x)
        d = _expk2((y, np.zeros_like(y)))
        e = _dfrec_f2(d)
        d = _dfdiv(_dfadd_f2f2(d, _dfneg(e)), _dfadd_f2f2(d, e))
        y = d[0] + d[1]
        y = np.where((np.abs(x) > F32(8.664339742)) | np.isnan(y), _ONE, y)
        y = _mulsign(y, x)
        y = np.where(np.isnan(x), _NAN, y)
    return y.astype(F32)


def expm1(a) -> np.ndarray:
    """Sleef_expm1f16_u10 (xexpm1f)."""
    a = _f32(a)
    with np.errstate(all="ignore"):
        d = _dfadd2_f2f(_expk2((a, np.zeros_like(a))), F32(-1.0))
        x = d[0] + d[1]
        x = np.where(a > F32(88.72283172607421875), _INF, x)
        x = np.where(a < F32(-16.635532333438687426013570), F32(-1), x)
        x = np.where(_isnegzero(a), F32(-0.0), x)
    return x.astype(F32)


def sinh(x) -> np.ndarray:
    """Sleef_sinhf16_u10 (xsinhf)."""
    x = _f32(x)
    with np.errstate(all="ignore"):
        y = np.abs(x)
        d = _expk2((y, np.zeros_like(y)))
        d = _dfsub_f2f2(d, _dfrec_f2(d))
        y = (d[0] + d[1]) * F32(0.5)
        y = np.where((np.abs(x) > F32(89)) | np.isnan(y), _INF, y)
        y = _mulsign(y, x)
        y = np.where(np.isnan(x), _NAN, y)
    return y.astype(F32)


def cosh(x) -> np.ndarray:
    """Sleef_coshf16_u10 (xcoshf)."""
    x = _f32(x)
    with np.errstate(all="ignore"):
        y = np.abs(x)
        d = _expk2((y, np.zeros_like(y)))
        d = _dfadd_f2f2(d, _dfrec_f2(d))
        y = (d[0] + d[1]) * F32(0.5)
        y = np.where((np.abs(x) > F32(89)) | np.isnan(y), _INF, y)
        y = np.where(np.isnan(x), _NAN, y)
    return y.astype(F32)


# ----------------------------------------------------------------------------- log1p

def log1p(d) -> np.ndarray:
    """Sleef_log1pf16_u10 (xlog1pf, AVX512F)."""
    d = _f32(d)
    with np.errstate(all="ignore"):
        dp1 = d + _ONE
        e = _getexp(dp1 * F32(1.0 / 0.75))
        e = np.where(e == _INF, F32(128.0), e)
        t = _ldexp3(np.ones_like(d), -_rint_i32(e))
        m = _fma(d, t, t - _ONE)
        s = _dfmul_f2f(_LN2_DF, e)
        x = _dfdiv((m, np.zeros_like(m)), _dfadd_ff(F32(2), m))
        x2 = x[0] * x[0]
        t = _c(0.3027294874)
        t = _fma(t, x2, _c(0.3996108174))
        t = _fma(t, x2, _c(0.6666694880))
        s = _dfadd_f2f2(s, _dfscale(x, F32(2)))
        s = _dfadd_f2f(s, (x2 * x[0]) * t)
        r = s[0] + s[1]
        big = ~(d <= _LOG1P_BOUND)
        if big.any():
            r = np.where(big, log(d), r)
        r = np.where(F32(-1) > d, _NAN, r)
        r = np.where(d == F32(-1), -_INF, r)
        r = np.where(_isnegzero(d), F32(-0.0), r)
    return r.astype(F32)


# ------------------------------------------------------- glibc's scalar expf / exp2f
# The scalar lambdas of cpu_kernel_vec call std::exp(float) = glibc's expf (2.28+,
# sysdeps/ieee754/flt-32/e_expf.c and e_exp2f.c): double arithmetic with a 32-entry
# table of 2^(i/32); the final (float) rounding hides whether the compiler fused the
# polynomial's multiply-adds (checked against glibc 2.36 on 1.2 million inputs).

_N = 32
_T = np.array([float.fromhex(h) for h in (
    "0x1p+0", "0x1.059b0d3158574p+0", "0x1.0b5586cf9890fp+0", "0x1.11301d0125b51p+0",
    "0x1.172b83c7d517bp+0", "0x1.1d4873168b9aap+0", "0x1.2387a6e756238p+0",
    "0x1.29e9df51fdee1p+0", "0x1.306fe0a31b715p+0", "0x1.371a7373aa9cbp+0",
    "0x1.3dea64c123422p+0", "0x1.44e086061892dp+0", "0x1.4bfdad5362a27p+0",
    "0x1.5342b569d4f82p+0", "0x1.5ab07dd485429p+0", "0x1.6247eb03a5585p+0",
    "0x1.6a09e667f3bcdp+0", "0x1.71f75e8ec5f74p+0", "0x1.7a11473eb0187p+0",
    "0x1.82589994cce13p+0", "0x1.8ace5422aa0dbp+0", "0x1.93737b0cdc5e5p+0",
    "0x1.9c49182a3f09p+0", "0x1.a5503b23e255dp+0", "0x1.ae89f995ad3adp+0",
    "0x1.b7f76f2fb5e47p+0", "0x1.c199bdd85529cp+0", "0x1.cb720dcef9069p+0",
    "0x1.d5818dcfba487p+0", "0x1.dfc97337b9b5fp+0", "0x1.ea4afa2a490dap+0",
    "0x1.f50765b6e454p+0")], dtype=np.float64)
_TBITS = _T.view(np.uint64) - (np.arange(_N, dtype=np.uint64) << np.uint64(52)) // np.uint64(_N)
_SHIFT = float.fromhex("0x1.8p+52")
_POLY = (float.fromhex("0x1.c6af84b912394p-5"), float.fromhex("0x1.ebfce50fac4f3p-3"),
         float.fromhex("0x1.62e42ff0c52d6p-1"))


def _exp2_table(kd_shifted, r, c=_POLY):
    """s * (C0 r^3 + C1 r^2 + C2 r + 1), s = 2^(k/N) from the table and the exponent."""
    ki = kd_shifted.view(np.uint64)
    s = (_TBITS[(ki % np.uint64(_N)).astype(np.intp)] + (ki << np.uint64(52 - 5))).view(np.float64)
    z = c[0] * r + c[1]
    y = c[2] * r + 1.0
    y = z * (r * r) + y
    return y * s


_POLY_SCALED = (_POLY[0] / _N ** 3, _POLY[1] / _N ** 2, _POLY[2] / _N)


def expf_glibc(x) -> np.ndarray:
    """glibc's expf."""
    x = _f32(x)
    with np.errstate(all="ignore"):
        xd = np.where(np.isfinite(x), x, F32(0)).astype(np.float64)
        z = (float.fromhex("0x1.71547652b82fep+0") * _N) * xd
        kd = z + _SHIFT
        y = _exp2_table(kd, z - (kd - _SHIFT), _POLY_SCALED).astype(F32)
        y = np.where(x > F32(float.fromhex("0x1.62e42ep6")), _INF, y)
        y = np.where(x < F32(float.fromhex("-0x1.9fe368p6")), _ZERO, y)
        y = np.where(np.isnan(x), _NAN, y)
    return y


def exp2f_glibc(x) -> np.ndarray:
    """glibc's exp2f."""
    x = _f32(x)
    with np.errstate(all="ignore"):
        xd = np.where(np.isfinite(x), x, F32(0)).astype(np.float64)
        kd = xd + _SHIFT / _N
        y = _exp2_table(kd, xd - (kd - _SHIFT / _N)).astype(F32)
        y = np.where(x >= F32(128), _INF, y)
        y = np.where(x < F32(-150), _ZERO, y)
        y = np.where(np.isnan(x), _NAN, y)
    return y


# ------------------------------------------------------------- cpu_kernel_vec split

def _loop_order(x: np.ndarray) -> list:
    """TensorIterator's dimension order for a unary op on ``x``: a non-overlapping, dense
    ``x`` (any permutation of a contiguous array) gives its output the same strides, so
    the loop runs in memory order; otherwise the output is contiguous and the loop runs
    in C order."""
    perm = sorted(range(x.ndim), key=lambda i: -x.strides[i])
    expected = x.itemsize
    for i in reversed(perm):
        if x.shape[i] == 1:
            continue
        if x.strides[i] != expected:
            return list(range(x.ndim))
        expected *= x.shape[i]
    return perm


def _inner_rows(x: np.ndarray, perm: list) -> tuple[np.ndarray, bool]:
    """``x`` in loop order as (rows, inner): the trailing dimensions that are contiguous
    coalesced into one inner dimension, and whether cpu_kernel_vec vectorises it (a
    contiguous or broadcast, stride-0, inner dimension; not a strided one)."""
    if x.ndim == 0:
        return x.reshape(1, 1), True
    y = x.transpose(perm)
    inner, k = 1, y.ndim
    while k > 0 and (y.shape[k - 1] == 1 or y.strides[k - 1] == x.itemsize * inner):
        inner *= y.shape[k - 1]
        k -= 1
    if k == y.ndim:                      # the innermost dimension is not contiguous
        return y.reshape(-1, y.shape[-1]), y.strides[-1] == 0
    return y.reshape(-1, inner), True


def vec_split(x, vec, scalar) -> np.ndarray:
    """PyTorch's cpu_kernel_vec on a float tensor laid out as ``x`` (NumPy strides standing
    for PyTorch's): each inner row (a contiguous or densely permuted array is one row, in
    memory order) runs ``vec`` on its first ``n - n % block`` elements and ``scalar`` on
    the rest; a strided inner dimension runs ``scalar`` throughout.  Tensors above
    at::internal::GRAIN_SIZE (32768) elements are split between PyTorch's threads, each
    chunk with its own tail (thread-count dependent, not modelled)."""
    x = np.asarray(x)
    block = VEC_BLOCK if x.dtype == F32 else VEC_BLOCK // 2
    out = np.empty_like(x)
    if x.size == 0:
        return out
    perm = _loop_order(x)
    rows, vectorised = _inner_rows(x, perm)
    body = rows.shape[1] - rows.shape[1] % block if vectorised else 0
    res = np.empty(rows.shape, dtype=x.dtype)
    if body:
        res[:, :body] = vec(rows[:, :body])
    if body < rows.shape[1]:
        res[:, body:] = scalar(rows[:, body:])
    out_t = out.transpose(perm)
    out_t[...] = res.reshape(out_t.shape)
    return out


def _wide(fn):
    def f(v):
        with np.errstate(all="ignore"):
            return fn(v.astype(np.float64)).astype(F32)
    f.__name__ = f"wide_{fn.__name__}"
    return f


def _sigmoid_vec(x):
    with np.errstate(all="ignore"):
        return _ONE / (_ONE + exp(F32(0) - x))


def _sigmoid_scalar(x):
    with np.errstate(all="ignore"):
        return _ONE / (_ONE + expf_glibc(-x))


def _silu_vec(x):
    with np.errstate(all="ignore"):
        return x / (_ONE + exp(-x))


def _silu_scalar(x):
    with np.errstate(all="ignore"):
        return x / (_ONE + expf_glibc(-x))


def _mish_vec(x):
    with np.errstate(all="ignore"):
        return x * tanh(log1p(exp(x)))


def _mish_scalar(x):
    with np.errstate(all="ignore"):
        return x * _wide(np.tanh)(_wide(np.log1p)(expf_glibc(x)))


def _softplus_vec(v, b=_ONE, th=F32(20)):
    with np.errstate(all="ignore"):
        vb = v * b
        return np.where(vb > th, v, log1p(exp(vb)) / b)


def _softplus_scalar(v, b=_ONE, th=F32(20)):
    with np.errstate(all="ignore"):
        vb = v * b
        return np.where(vb > th, v, _wide(np.log1p)(expf_glibc(vb)) / b)


# torch function -> (vector body, scalar tail) on float32.  expm1 and log1p run through
# at::vml (vec::map: SLEEF on every element, no scalar tail).  The tails of sinh and cosh
# are glibc's sinhf/coshf, not ported: float64 sinh/cosh rounded to float32 stands in
# (it can differ in the last bit); so do glibc's log1pf and tanhf in mish's and
# softplus's tails (mish: up to 4 ulps).  exp, log, sin, cos, tanh, tan, asin, acos, atan, log2, log10, erf, erfc, sqrt
# go through Intel MKL's VML (vmsExp ... with VML_HA) in PyTorch's x86 builds; MKL is
# closed source and not ported here.
PATHS = {
    "sigmoid": (_sigmoid_vec, _sigmoid_scalar),
    "silu": (_silu_vec, _silu_scalar),
    "exp2": (exp2, exp2f_glibc),
    "sinh": (sinh, _wide(np.sinh)),
    "cosh": (cosh, _wide(np.cosh)),
    "mish": (_mish_vec, _mish_scalar),
    "softplus": (_softplus_vec, _softplus_scalar),
    "expm1": (expm1, expm1),
    "log1p": (log1p, log1p),
}
EXACT_TAIL = ("sigmoid", "silu", "exp2", "expm1", "log1p")


def torch_float32(name: str):
    """PyTorch's float32 ``name`` on a contiguous tensor, as a NumPy function."""
    vec, scalar = PATHS[name]
    if vec is scalar:
        return vec

    def f(x):
        return vec_split(x, vec, scalar)
    f.__name__ = name
    return f


def softplus(x, beta=1.0, threshold=20.0) -> np.ndarray:
    """torch.nn.functional.softplus on float32: ``log1p(exp(x * beta)) / beta`` (x where
    ``x * beta > threshold``) with SLEEF's expf and log1pf in the vector body; the scalar
    tail's glibc log1pf is approximated (float64 log1p rounded to float32)."""
    b, th = F32(beta), F32(threshold)
    return vec_split(np.asarray(x, dtype=F32), lambda v: _softplus_vec(v, b, th),
                     lambda v: _softplus_scalar(v, b, th))


def on_float32(port, other, float64=None):
    """``port`` for float32 arrays and scalars (shape and scalar-ness kept), ``float64``
    (if given) for float64 ones, ``other`` for everything else; further arguments are
    passed on."""
    ports = {np.dtype(F32): port, np.dtype(np.float64): float64}

    def f(x, *args, **kwargs):
        if isinstance(x, (np.ndarray, np.floating)) and ports.get(x.dtype) is not None:
            y = ports[x.dtype](np.asarray(x), *args, **kwargs)
            return y if isinstance(x, np.ndarray) else x.dtype.type(y[()])
        return other(x, *args, **kwargs)
    f.__name__ = getattr(port, "__name__", "on_float32")
    return f


def fma(a, b, c):
    """a * b + c rounded once, in the dtype of ``a * b + c`` (float32 or float64): what
    PyTorch's CPU kernels compute where the compiler fused a multiply and an add
    (tanh_backward's ``g * (1 - y * y)``, silu_backward).  Anything but NumPy values and
    Python numbers (a traced value of a gradient graph) gets ``a * b + c``."""
    if not all(isinstance(v, (np.ndarray, np.generic, int, float)) for v in (a, b, c)):
        return a * b + c
    dtype = np.result_type(a, b, c)
    if dtype == F32:
        r = _fma(a, b, c)
    elif dtype == np.float64:
        r = _fma64(a, b, c)
    else:
        return a * b + c
    scalar = all(np.ndim(v) == 0 for v in (a, b, c)) and not any(
        isinstance(v, np.ndarray) for v in (a, b, c))
    return dtype.type(r[()]) if scalar else r


# ---------------------------------------------------------------------- float64 (xexp)

VEC_BLOCK_F64 = VEC_BLOCK // 2   # 2 * Vectorized<double>::size()
_R_LN2_D = 1.442695040888963407359924681001892137426645954152985934135449406931
_L2U_D = .69314718055966295651160180568695068359375
_L2L_D = .28235290563031577122588448175013436025525412068e-12
_EXP_D_POLY = (+0.2081276378237164457e-8, +0.2511210703042288022e-7,
               +0.2755762628169491192e-6, +0.2755723402025388239e-5,
               +0.2480158687479686264e-4, +0.1984126989855865850e-3,
               +0.1388888888914497797e-2, +0.8333333333314938210e-2,
               +0.4166666666666602598e-1, +0.1666666666666669072e+0)


def _pow2i_d(q):
    """2.0 ** q built from its exponent bits (vpow2i_vd_vi), int32 arithmetic wrapping."""
    hi = ((q + _I32(0x3FF)) << _I32(20)).view(np.uint32).astype(np.uint64)
    return (hi << np.uint64(32)).view(np.float64)


def exp_f64(d) -> np.ndarray:
    """Sleef_expd8_u10 (xexp, FMA build): Vectorized<double>::exp."""
    d = np.asarray(d, dtype=np.float64)
    with np.errstate(all="ignore"):
        u = np.rint(d * _R_LN2_D)
        ok = np.abs(u) < 2147483648.0
        q = np.where(ok, u, -2147483648.0).astype(_I32)
        s = _fma64(u, -_L2U_D, d)
        s = _fma64(u, -_L2L_D, s)
        s2 = s * s
        s4 = s2 * s2
        s8 = s4 * s4
        c = _EXP_D_POLY

        def poly4(c3, c2, c1, c0):
            return _fma64(s2, _fma64(s, c3, c2), _fma64(s, c1, c0))
        p8 = _fma64(s4, poly4(*c[2:6]), poly4(*c[6:10]))
        u = _fma64(s8, _fma64(s, c[0], c[1]), p8)
        u = _fma64(u, s, 0.5)
        u = _fma64(u, s, 1.0)
        u = _fma64(u, s, 1.0)
        h = q >> _I32(1)
        u = u * _pow2i_d(h) * _pow2i_d(q - h)
        u = np.where(d > 709.78271114955742909217217426, np.inf, u)
        u = np.where(d < -1000, 0.0, u)
    return u


def _sigmoid_vec_f64(x):
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + exp_f64(0.0 - x))


# glibc's exp (sysdeps/ieee754/dbl-64/e_exp.c, the FMA variant x86-64 selects on FMA
# CPUs): a 128-entry table 2^(k/128) = H[k] * (1 + T[k]) and a degree-5 polynomial.
# Checked against glibc 2.36 on 1.7 million inputs, subnormal and huge results included
# (fusing everything but the specialcase's k < 0 sum, as the compiler did; the non-FMA
# build differs in 853 of 1.5 million).
_EXP_N = 128


def _exp_tables():
    from decimal import Decimal, getcontext
    getcontext().prec = 60
    h, t = [], []
    for k in range(_EXP_N):
        v = Decimal(2) ** (Decimal(k) / _EXP_N)
        h.append(float(v))
        t.append(float(v / Decimal(h[-1]) - 1))
    sbits = (np.array(h).view(np.uint64)
             - (np.arange(_EXP_N, dtype=np.uint64) << np.uint64(52)) // np.uint64(_EXP_N))
    return np.array(t), sbits


_EXP_TAIL = _EXP_SBITS = None
_EXP_C = tuple(float.fromhex(h) for h in (
    "0x1.ffffffffffdbdp-2", "0x1.555555555543cp-3", "0x1.55555cf172b91p-5",
    "0x1.1111167a4d017p-7"))


_LIBM_EXP_IS_GLIBC: bool | None = None


def _libm_exp_is_glibc() -> bool:
    """Whether this machine's C exp (Python's math.exp) is glibc's: checked once against the
    port on a spread of inputs (every range the port treats apart, and random ones)."""
    global _LIBM_EXP_IS_GLIBC
    if _LIBM_EXP_IS_GLIBC is None:
        import math

        rng = np.random.default_rng(754)
        sample = np.concatenate([rng.uniform(-745, 710, 3000), rng.standard_normal(3000) * 3,
                                 rng.standard_normal(500) * 1e-17, [0.0, -0.0, 1e-300,
                                 709.7, -708.5, -745.1, 710.0, 600.0, -600.0]])
        port = _exp_port(sample)
        ok = True
        for v, p in zip(sample.tolist(), port.tolist()):
            try:
                m = math.exp(v)
            except OverflowError:
                m = math.inf
            if m != p:
                ok = False
                break
        _LIBM_EXP_IS_GLIBC = ok
    return _LIBM_EXP_IS_GLIBC


def exp_glibc(x) -> np.ndarray:
    """glibc's exp (double): the C library's own on a glibc machine for a few elements (a
    Python loop is then faster than the port's NumPy passes), else the port."""
    x = np.asarray(x, dtype=np.float64)
    if x.size <= 64 and _libm_exp_is_glibc():
        import math

        out = []
        for v in x.reshape(-1).tolist():
            try:
                out.append(math.exp(v))
            except OverflowError:
                out.append(math.inf)
        return np.array(out, dtype=np.float64).reshape(x.shape)
    return _exp_port(x)


def _exp_port(x) -> np.ndarray:
    global _EXP_TAIL, _EXP_SBITS
    if _EXP_TAIL is None:
        _EXP_TAIL, _EXP_SBITS = _exp_tables()
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        abstop = (x.view(np.uint64) >> np.uint64(52)) & np.uint64(0x7FF)
        xs = np.where(abstop < 0x409, x, 0.0)
        kd = xs * (float.fromhex("0x1.71547652b82fep0") * _EXP_N) + float.fromhex("0x1.8p52")
        ki = kd.view(np.uint64)
        kd = kd - float.fromhex("0x1.8p52")
        r = _fma64(kd, float.fromhex("-0x1.cf79abc9e3b3ap-47"),
                   _fma64(kd, float.fromhex("-0x1.62e42fefa0000p-8"), xs))
        idx = (ki % np.uint64(_EXP_N)).astype(np.intp)
        sbits = _EXP_SBITS[idx] + (ki << np.uint64(52 - 7))
        r2 = r * r
        c2, c3, c4, c5 = _EXP_C
        tmp = _fma64(r2 * r2, _fma64(r, c5, c4), _fma64(r2, _fma64(r, c3, c2), _EXP_TAIL[idx] + r))
        scale = sbits.view(np.float64)
        y = _fma64(scale, tmp, scale)
        big = abstop == 0x408                      # 512 <= |x| < 1024: glibc's specialcase
        if big.any():
            pos = (ki & np.uint64(0x80000000)) == 0
            sc = np.where(pos, sbits - (np.uint64(1009) << np.uint64(52)),
                          sbits + (np.uint64(1022) << np.uint64(52))).view(np.float64)
            yp = 2.0 ** 1009 * _fma64(sc, tmp, sc)
            yn = sc + sc * tmp
            lo = _fma64(sc, tmp, sc - yn)
            hi = 1.0 + yn
            lo = ((1.0 - hi) + yn) + lo
            yn = np.where(yn < 1.0, (hi + lo) - 1.0, yn) * 2.0 ** -1022
            y = np.where(big, np.where(pos, yp, yn), y)
        y = np.where(abstop < 0x3C9, 1.0 + x, y)    # |x| < 2^-54
        y = np.where(abstop >= 0x409, np.where(x > 0, np.inf, 0.0), y)
        y = np.where(np.isnan(x), x, y)
    return y


def _sigmoid_scalar_f64(x):
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + exp_glibc(-x))


def sigmoid_f64(x) -> np.ndarray:
    """torch.sigmoid on float64: SLEEF's exp in the vector body (blocks of 16), glibc's in
    the scalar tail."""
    return vec_split(np.asarray(x, dtype=np.float64), _sigmoid_vec_f64, _sigmoid_scalar_f64)


_LN2_DD = (0.693147180559945286226764, 2.319046813846299558417771e-17)
_EXPK2_D_POLY = (+0.1602472219709932072e-9, +0.2092255183563157007e-8,
                 +0.2505230023782644465e-7, +0.2755724800902135303e-6,
                 +0.2755731892386044373e-5, +0.2480158735605815065e-4,
                 +0.1984126984148071858e-3, +0.1388888888886763255e-2,
                 +0.8333333333333347095e-2, +0.4166666666666669905e-1)
_LOG1P_D_POLY = (0.1532076988502701353e+0, 0.1525629051003428716e+0,
                 0.1818605932937785996e+0, 0.2222214519839380009e+0,
                 0.2857142932794299317e+0, 0.3999999999635251990e+0,
                 0.6666666666667333541e+0)


def _poly4(x, x2, c3, c2, c1, c0):
    return _fma64(x2, _fma64(x, c3, c2), _fma64(x, c1, c0))


def _expk2_d(d):
    """SLEEF's expk2 (double-double exp) for float64."""
    u = (d[0] + d[1]) * _R_LN2_D
    dq = np.rint(u)
    q = np.where(np.abs(dq) < 2147483648.0, dq, -2147483648.0).astype(_I32)
    s = _dfadd2_f2f(d, dq * -_L2U_D)
    s = _dfadd2_f2f(s, dq * -_L2L_D)
    s2 = _dfsqu(s)
    s4 = _dfsqu(s2)
    s8 = s4[0] * s4[0]
    c = _EXPK2_D_POLY
    p8 = _fma64(s4[0], _poly4(s[0], s2[0], *c[2:6]), _poly4(s[0], s2[0], *c[6:10]))
    u = _fma64(s8, _fma64(s[0], c[0], c[1]), p8)
    t = _dfadd_ff2(0.5, _dfmul_f2f(s, +0.1666666666666666574e+0))
    t = _dfadd_ff2(1.0, _dfmul_f2f2(t, s))
    t = _dfadd_ff2(1.0, _dfmul_f2f2(t, s))
    t = _dfadd_f2f2(t, _dfmul_f2f(s4, u))
    h = q >> _I32(1)
    tx = t[0] * _pow2i_d(h) * _pow2i_d(q - h)
    ty = t[1] * _pow2i_d(h) * _pow2i_d(q - h)
    small = d[0] < -1000
    return np.where(small, 0.0, tx), np.where(small, 0.0, ty)


def expm1_f64(a) -> np.ndarray:
    """Sleef_expm1d8_u10 (xexpm1, FMA build)."""
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(all="ignore"):
        d = _dfadd2_f2f(_expk2_d((a, np.zeros_like(a))), -1.0)
        x = d[0] + d[1]
        x = np.where(a > 709.782712893383996732223, np.inf, x)
        x = np.where(a < -36.736800569677101399113302437, -1.0, x)
        x = np.where((a == 0) & np.signbit(a), -0.0, x)
    return x


def _getexp_d(x):
    ax = np.abs(x)
    _, ex = np.frexp(ax)
    e = (ex - 1).astype(np.float64)
    e = np.where(ax == 0, -np.inf, e)
    e = np.where(np.isinf(ax), np.inf, e)
    return np.where(np.isnan(x), np.nan, e)


def _log_f64(d):
    """Sleef_logd8_u10 (xlog_u1, AVX512F) for positive finite d (log1p's large range)."""
    e = _getexp_d(d * (1.0 / 0.75))
    e = np.where(e == np.inf, 1024.0, e)
    mant, _ = np.frexp(np.abs(d))
    mant = mant * 2.0
    m = np.where(mant >= 1.5, mant * 0.5, mant)
    x = _dfdiv(_dfadd2_ff(-1.0, m), _dfadd2_ff(1.0, m))
    x2 = x[0] * x[0]
    x4 = x2 * x2
    x8 = x4 * x4
    c = _LOG1P_D_POLY
    t = _fma64(x8, _fma64(x4, c[0], _fma64(x2, c[1], c[2])), _poly4(x2, x4, *c[3:7]))
    s = _dfmul_f2f(_LN2_DD, e)
    s = _dfadd_f2f2(s, _dfscale(x, 2.0))
    s = _dfadd_f2f(s, (x2 * x[0]) * t)
    return s[0] + s[1]


_LOG1P_BOUND_D = float.fromhex("0x1.c7b1f3cac7433p+1019")


def log1p_f64(d) -> np.ndarray:
    """Sleef_log1pd8_u10 (xlog1p, AVX512F FMA build; log(d) above 1e307)."""
    d = np.asarray(d, dtype=np.float64)
    with np.errstate(all="ignore"):
        dp1 = d + 1.0
        e = _getexp_d(dp1 * (1.0 / 0.75))
        e = np.where(e == np.inf, 1024.0, e)
        ei = np.where(np.abs(e) < 2147483648.0, e, -2147483648.0).astype(np.int64)
        t = ((np.int64(1023) - ei) << np.int64(52)).view(np.float64)   # ldexp3(1, -e)
        m = _fma64(d, t, t - 1.0)
        s = _dfmul_f2f(_LN2_DD, e)
        x = _dfdiv((m, np.zeros_like(m)), _dfadd_ff(2.0, m))
        x2 = x[0] * x[0]
        x4 = x2 * x2
        x8 = x4 * x4
        c = _LOG1P_D_POLY
        p3 = _fma64(x4, c[0], _fma64(x2, c[1], c[2]))
        t = _fma64(x8, p3, _poly4(x2, x4, *c[3:7]))
        s = _dfadd_f2f2(s, _dfscale(x, 2.0))
        s = _dfadd_f2f(s, (x2 * x[0]) * t)
        r = s[0] + s[1]
        big = d > _LOG1P_BOUND_D
        if big.any():
            r = np.where(big, np.where(d == np.inf, np.inf, _log_f64(np.where(big, d, 1.0))), r)
        r = np.where((d < -1) | np.isnan(d), np.nan, r)
        r = np.where(d == -1, -np.inf, r)
        r = np.where((d == 0) & np.signbit(d), -0.0, r)
    return r


# ------------------------------------------------------- glibc's scalar logf / log1pf
# binary_cross_entropy's scalar kernel calls std::log and std::log1p on float: glibc's
# logf (2.28+, sysdeps/ieee754/flt-32/e_logf.c: a 16-entry table of 1/c and log c, a
# cubic in double; x86-64 selects the build with fused multiply-adds) and log1pf (the
# fdlibm float code, s_log1pf.c). tests/test_sleef.py checks both against this
# machine's libm.

_LOGF_INVC = np.array([float.fromhex(h) for h in (
    "0x1.661ec79f8f3bep+0", "0x1.571ed4aaf883dp+0", "0x1.49539f0f010bp+0",
    "0x1.3c995b0b80385p+0", "0x1.30d190c8864a5p+0", "0x1.25e227b0b8eap+0",
    "0x1.1bb4a4a1a343fp+0", "0x1.12358f08ae5bap+0", "0x1.0953f419900a7p+0", "0x1p+0",
    "0x1.e608cfd9a47acp-1", "0x1.ca4b31f026aap-1", "0x1.b2036576afce6p-1",
    "0x1.9c2d163a1aa2dp-1", "0x1.886e6037841edp-1", "0x1.767dcf5534862p-1")])
_LOGF_LOGC = np.array([float.fromhex(h) for h in (
    "-0x1.57bf7808caadep-2", "-0x1.2bef0a7c06ddbp-2", "-0x1.01eae7f513a67p-2",
    "-0x1.b31d8a68224e9p-3", "-0x1.6574f0ac07758p-3", "-0x1.1aa2bc79c81p-3",
    "-0x1.a4e76ce8c0e5ep-4", "-0x1.1973c5a611cccp-4", "-0x1.252f438e10c1ep-5", "0x0p+0",
    "0x1.aa5aa5df25984p-5", "0x1.c5e53aa362eb4p-4", "0x1.526e57720db08p-3",
    "0x1.bc2860d22477p-3", "0x1.1058bc8a07ee1p-2", "0x1.4043057b6ee09p-2")])
_LOGF_LN2 = float.fromhex("0x1.62e42fefa39efp-1")
_LOGF_A = (float.fromhex("-0x1.00ea348b88334p-2"), float.fromhex("0x1.5575b0be00b6ap-2"),
           float.fromhex("-0x1.ffffef20a4123p-2"))


def logf_glibc(x) -> np.ndarray:
    """glibc's logf (the FMA build)."""
    x = _f32(x)
    ix = x.view(np.uint32).astype(np.int64)
    special = ((ix - 0x00800000) & 0xffffffff) >= (0x7f800000 - 0x00800000)  # subnormal,
    # zero, inf, NaN or negative (C's unsigned wrap-around)
    sub = special & (ix > 0) & (ix < 0x00800000)
    if np.any(sub):  # subnormals: scaled to normal, exponent corrected
        scaled = (x * F32(2.0 ** 23)).view(np.uint32).astype(np.int64) - (23 << 23)
        ix = np.where(sub, scaled, ix)
    ixc = np.where(special & ~sub, 0x3f800000, ix)
    tmp = ixc - 0x3f330000
    i = (tmp >> (23 - 4)) % 16
    k = tmp >> 23  # arithmetic shift
    iz = ixc - (tmp & (0x1ff << 23))
    z = iz.astype(np.uint32).view(np.float32).astype(np.float64)
    invc, logc = _LOGF_INVC[i], _LOGF_LOGC[i]
    r = _fma64(z, invc, -1.0)
    y0 = _fma64(k.astype(np.float64), _LOGF_LN2, logc)
    r2 = r * r
    y = _fma64(_LOGF_A[1], r, _LOGF_A[2])
    y = _fma64(_LOGF_A[0], r2, y)
    y = _fma64(y, r2, y0 + r)
    out = y.astype(np.float32)
    if np.any(special & ~sub):
        with np.errstate(all="ignore"):
            out = np.where(special & ~sub, np.log(x), out)  # 0, inf, NaN, negatives
    out = np.where(x == _ONE, _ZERO, out)
    return out.reshape(np.shape(x))


_LN2_HI, _LN2_LO = F32(6.9313812256e-01), F32(9.0580006145e-06)
_LP = tuple(F32(v) for v in (6.6666668653e-01, 4.0000000596e-01, 2.8571429849e-01,
                             2.2222198546e-01, 1.8183572590e-01, 1.5313838422e-01,
                             1.4798198640e-01))


def log1pf_glibc(x) -> np.ndarray:
    """glibc's log1pf (fdlibm's float algorithm), element by element as vectors."""
    x = _f32(x)
    shape = np.shape(x)
    x = x.reshape(-1)
    hx = x.view(np.int32).astype(np.int64)
    ax = hx & 0x7fffffff
    out = np.full(x.shape, np.nan, dtype=np.float32)
    with np.errstate(all="ignore"):
        tiny = (hx < 0x3ed413d7) & (ax < 0x31000000)
        out = np.where(tiny & (ax < 0x24800000), x, out)
        out = np.where(tiny & (ax >= 0x24800000), x - x * x * F32(0.5), out)
        small = (hx < 0x3ed413d7) & (ax < 0x3f800000) & ~tiny & (
            (hx > 0) | (hx <= np.int64(np.int32(np.uint32(0xbe95f61f).view(np.int32)))))
        big = (hx >= 0x7f800000) & (hx > 0)
        regular = ~tiny & ~small & ~big & ~((hx < 0x3ed413d7) & (ax >= 0x3f800000))
        # k != 0: 1 + x = 2^k u (u normalised), with a correction term c
        u = np.where(hx < 0x5a000000, _ONE + x, x)
        hu = u.view(np.int32).astype(np.int64)
        k = (hu >> 23) - 127
        c = np.where(k > 0, _ONE - (u - x), x - (u - _ONE)) / u
        c = np.where(hx < 0x5a000000, c, _ZERO).astype(np.float32)
        hu = hu & 0x007fffff
        low = hu < 0x3504f7
        u = np.where(low, (hu | 0x3f800000), (hu | 0x3f000000)).astype(np.uint32).view(np.float32)
        k = np.where(low, k, k + 1)
        hu = np.where(low, hu, (0x00800000 - hu) >> 2)
        f = u - _ONE
        # k == 0 for the small range
        f = np.where(small, x, f).astype(np.float32)
        k = np.where(small, 0, k)
        hu = np.where(small, 1, hu)
        c = np.where(small, _ZERO, c).astype(np.float32)
        kf = k.astype(np.float32)
        hfsq = F32(0.5) * f * f
        # |f| < 2**-20
        R0 = hfsq * (_ONE - F32(0.66666666666666666) * f)
        tiny_f = np.where(k == 0, f - R0,
                          kf * _LN2_HI - ((R0 - (kf * _LN2_LO + c)) - f))
        zero_f = np.where(k == 0, _ZERO, kf * _LN2_HI + (c + kf * _LN2_LO))
        tiny_f = np.where(f == _ZERO, zero_f, tiny_f)
        s = f / (F32(2.0) + f)
        z = s * s
        R = _LP[6]
        for lp in reversed(_LP[:6]):
            R = lp + z * R
        R = z * R
        gen = np.where(k == 0, f - (hfsq - s * (hfsq + R)),
                       kf * _LN2_HI - ((hfsq - (s * (hfsq + R) + (kf * _LN2_LO + c))) - f))
        res = np.where(hu == 0, tiny_f, gen).astype(np.float32)
        out = np.where(small | regular, res, out)
        out = np.where(big, x + x, out)
        out = np.where(x == F32(-1.0), -_INF, out)
    return out.reshape(shape)


# ------------------------------------------------------------------------------- pow

def _ldexp_full(x, q):
    """vldexp_vf_vf_vi2: x * 2**q in steps that cannot overflow the exponent field."""
    q = q.astype(_I32)
    m = q >> _I32(31)
    m = (((m + q) >> _I32(6)) - m) << _I32(4)
    q = q - (m << _I32(2))
    m = m + _I32(0x7F)
    m = np.where(m > 0, m, _I32(0))
    m = np.where(m > 0xFF, _I32(0xFF), m)
    u = (m << _I32(23)).view(F32)
    x = x * u * u * u * u
    return x * ((q + _I32(0x7F)) << _I32(23)).view(F32)


def _logk(d):
    """logkf (AVX512F): log(d) as a float-float pair, for d > 0."""
    e = _getexp(d * F32(1.0 / 0.75))
    e = np.where(e == _INF, F32(128.0), e)
    m = _getmant_p75(d)
    x = _dfdiv(_dfadd2_ff(F32(-1), m), _dfadd2_ff(_ONE, m))
    x2 = _dfsqu(x)
    t = _c(0.240320354700088500976562)
    t = _fma(t, x2[0], _c(0.285112679004669189453125))
    t = _fma(t, x2[0], _c(0.400007992982864379882812))
    c = (_c(0.66666662693023681640625), _c(3.69183861259614332084311e-09))
    s = _dfmul_f2f(_LN2_DF, e)
    s = _dfadd_f2f2(s, _dfscale(x, F32(2)))
    return _dfadd_f2f2(s, _dfmul_f2f2(_dfmul_f2f2(x2, x),
                                      _dfadd2_f2f2(_dfmul_f2f(x2, t), c)))


def _expk(d):
    """expkf: exp of a float-float pair, as one float."""
    u = (d[0] + d[1]) * _R_LN2
    q = _rint_i32(u)
    qf = q.astype(F32)
    s = _dfadd2_f2f(d, qf * -_L2U)
    s = _dfadd2_f2f(s, qf * -_L2L)
    s = _dfnormalize(s)
    u = _c(0.00136324646882712841033936)
    u = _fma(u, s[0], _c(0.00836596917361021041870117))
    u = _fma(u, s[0], _c(0.0416710823774337768554688))
    u = _fma(u, s[0], _c(0.166665524244308471679688))
    u = _fma(u, s[0], _c(0.499999850988388061523438))
    t = _dfadd_f2f2(s, _dfmul_f2f(_dfsqu(s), u))
    t = _dfadd_ff2(_ONE, t)
    u = _ldexp_full(t[0] + t[1], q)
    return np.where(d[0] < F32(-104), _ZERO, u)


def pow_vec(x, y) -> np.ndarray:
    """Sleef_powf16_u10 (xpowf) of float32 x and y."""
    x = _f32(x)
    y = np.broadcast_to(_f32(y), x.shape)
    with np.errstate(all="ignore"):
        ay = np.abs(y)
        yisint = (np.trunc(y) == y) | (ay > F32(1 << 24))
        ti = np.where(np.isfinite(y) & (ay < F32(1 << 31)), np.trunc(y), F32(0)).astype(_I32)
        yisodd = ((ti & _I32(1)) == 1) & yisint & (ay < F32(1 << 24))
        result = _expk(_dfmul_f2f(_logk(np.abs(x)), y))
        result = np.where(np.isnan(result), _INF, result)
        result = result * np.where(x > 0, _ONE, np.where(yisint, np.where(yisodd, F32(-1), _ONE),
                                                         _NAN))
        efx = _mulsign(np.abs(x) - _ONE, y)
        result = np.where(np.isinf(y), np.where(efx < 0, _ZERO,
                                                np.where(efx == 0, _ONE, _INF)), result)
        sign_x = np.where(np.signbit(x), F32(-1), _ONE)
        big = np.where(np.where(x == 0, -y, y) < 0, _ZERO, _INF)
        result = np.where(np.isinf(x) | (x == 0), np.where(yisodd, sign_x, _ONE) * big, result)
        result = np.where(np.isnan(x) | np.isnan(y), _NAN, result)
        result = np.where((y == 0) | (x == 1), _ONE, result)
    return result.astype(F32)


def pow_scalar_f32(x, p: float) -> np.ndarray:
    """PyTorch's float32 ``x ** p`` for a number p other than 2, 3, -2, 0.5, -0.5, -1:
    cpu_kernel_vec with SLEEF's powf in the vector body and ``std::pow(float, double)``
    (pow in float64, rounded) in the tail."""
    fp = F32(p)

    def tail(v):
        with np.errstate(all="ignore"):
            return (v.astype(np.float64) ** float(p)).astype(F32)
    return vec_split(np.asarray(x, dtype=F32), lambda v: pow_vec(v, fp), tail)
