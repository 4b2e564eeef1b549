"""erf, erfc and erfinv over NumPy arrays (NumPy has none; SciPy is not a dependency).

erf/erfc follow Sun's fdlibm (s_erf.c, the algorithm of glibc's ``erf``, which torch calls for
float64): a rational approximation on [0, 0.84375], one around 1 on [0.84375, 1.25] and
``exp(-x*x - 0.5625 + R/S) / x`` beyond, with ``x*x`` split to keep its rounding error out of
the exponent. Accurate to under one unit in the last place of float64; narrower float dtypes
are computed in float64 and rounded once.

erfinv is torch's ``calc_erfinv``: a rational first guess (Pavlis' erfinv) refined by two
Newton steps, carried out in the input's precision (float32 for float16/bfloat16) as torch does.
"""

from __future__ import annotations

import math

import numpy as np

_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)

_ERX = 8.45062911510467529297e-01
_EFX = 1.28379167095512586316e-01
_EFX8 = 1.02703333676410069053e00
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
       1.32494738004321644526e-04, -3.96022827877536812320e-06)
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e01,
       -6.23753324503260060396e01, -1.62396669462573470355e02, -1.84605092906711035994e02,
       -8.12874355063065934246e01, -9.81432934416914548592e00)
_SA = (1.96512716674392571292e01, 1.37657754143519042600e02, 4.34565877475229228821e02,
       6.45387271733267880336e02, 4.29008140027567833386e02, 1.08635005541779435134e02,
       6.57024977031928170135e00, -6.04244152148580987438e-02)
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e01,
       -1.60636384855821916062e02, -6.37566443368389627722e02, -1.02509513161107724954e03,
       -4.83519191608651397019e02)
_SB = (3.03380607434824582924e01, 3.25792512996573918826e02, 1.53672958608443695994e03,
       3.19985821950859553908e03, 2.55305040643316442583e03, 4.74528541206955367215e02,
       -2.24409524465858183362e01)


def _from_high_word(hw: int) -> float:
    """The double whose high 32 bits are ``hw`` and low bits 0 (fdlibm's thresholds)."""
    return float(np.array([hw << 32], dtype=np.uint64).view(np.float64)[0])


_ERF_MID = _from_high_word(0x4006DB6E)  # ~1/0.35: fdlibm's erf and erfc use different words
_ERFC_MID = _from_high_word(0x4006DB6D)
_TINY28 = 2.0**-28
_TINY56 = 2.0**-56
_SUBNORMAL = _from_high_word(0x00800000)


def _poly(z, coefs):
    """coefs[0] + z * (coefs[1] + z * (...)) (Horner, as fdlibm writes it)."""
    acc = coefs[-1]
    for c in coefs[-2::-1]:
        acc = c + z * acc
    return acc


def _one_plus(z, coefs):
    """1 + z * (coefs[0] + z * (coefs[1] + ...))."""
    return 1.0 + z * _poly(z, coefs)


def _small_y(x):
    z = x * x
    return _poly(z, _PP) / _one_plus(z, _QQ)


def _near_one(ax):
    s = ax - 1.0
    return _poly(s, _PA), _one_plus(s, _QA)


def _tail(ax, mid):
    """exp(-x*x - 0.5625 + R/S) / x for 1.25 <= x < 28 (the erfc of x)."""
    s = 1.0 / (ax * ax)
    lo = ax < mid
    r = np.where(lo, _poly(s, _RA), _poly(s, _RB))
    t = np.where(lo, _one_plus(s, _SA), _one_plus(s, _SB))
    z = (ax.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
    return np.exp(-z * z - 0.5625) * np.exp((z - ax) * (z + ax) + r / t) / ax


def _erf64(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, _F64)
    ax = np.abs(x)
    out = np.empty_like(x)
    # |x| < 0.84375
    m = ax < 0.84375
    if m.any():
        xm = x[m]
        axm = ax[m]
        r = xm + xm * _small_y(xm)
        tiny = axm < _TINY28
        if tiny.any():
            r = np.where(tiny, np.where(axm < _SUBNORMAL, 0.125 * (8.0 * xm + _EFX8 * xm),
                                        xm + _EFX * xm), r)
        out[m] = r
    # 0.84375 <= |x| < 1.25
    m = (ax >= 0.84375) & (ax < 1.25)
    if m.any():
        p, q = _near_one(ax[m])
        out[m] = np.where(x[m] >= 0, _ERX + p / q, -_ERX - p / q)
    # 1.25 <= |x| < 6
    m = (ax >= 1.25) & (ax < 6.0)
    if m.any():
        r = _tail(ax[m], _ERF_MID)
        out[m] = np.where(x[m] >= 0, 1.0 - r, r - 1.0)
    m = ax >= 6.0
    if m.any():
        out[m] = np.copysign(1.0, x[m])
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


def _erfc64(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, _F64)
    ax = np.abs(x)
    out = np.empty_like(x)
    m = ax < 0.84375
    if m.any():
        xm = x[m]
        y = _small_y(xm)
        low = xm < 0.25  # fdlibm tests the signed value: every negative x goes here
        r = np.where(low, 1.0 - (xm + xm * y), 0.5 - (xm * y + (xm - 0.5)))
        out[m] = np.where(ax[m] < _TINY56, 1.0 - xm, r)
    m = (ax >= 0.84375) & (ax < 1.25)
    if m.any():
        p, q = _near_one(ax[m])
        out[m] = np.where(x[m] >= 0, (1.0 - _ERX) - p / q, 1.0 + (_ERX + p / q))
    m = (ax >= 1.25) & (ax < 28.0)
    if m.any():
        xm = x[m]
        r = _tail(ax[m], _ERFC_MID)
        out[m] = np.where(xm > 0, r, np.where(xm < -6.0, 2.0, 2.0 - r))
    m = ax >= 28.0
    if m.any():
        out[m] = np.where(x[m] > 0, 0.0, 2.0)
    nan = np.isnan(x)
    if nan.any():
        out[nan] = np.nan
    return out


def _as_result(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    return out if x.dtype == _F64 else out.astype(x.dtype)


def erf(x: np.ndarray) -> np.ndarray:
    return _as_result(_erf64(x), x)


def erfc(x: np.ndarray) -> np.ndarray:
    return _as_result(_erfc64(x), x)


def erfinv(x: np.ndarray) -> np.ndarray:
    """Inverse of erf: M. Giles' single-precision approximation, then Newton steps.

    torch's erfinv is accurate to about an ulp in float32 and float64, so ember computes in
    float64 and rounds once. Near +-1 the steps solve ``erfc(|r|) = 1 - |y|`` instead of
    ``erf(r) = y`` (``1 - |y|`` is exact there, ``erf(r) - y`` would cancel).
    """
    y = np.asarray(x, _F64)
    ya = np.abs(y)
    w = -np.log((1.0 - y) * (1.0 + y))
    wc = w - 2.5
    pc = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
              -0.00125372503, -0.00417768164, 0.246640727, 1.50140941):
        pc = c + pc * wc
    wt = np.sqrt(np.maximum(w, 0.0)) - 3.0
    pt = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682):
        pt = c + pt * wt
    r = np.where(w < 5.0, pc, pt) * y
    inside = ya < 1.0
    r = np.where(inside, r, 0.0)
    k = 2.0 / math.sqrt(math.pi)
    outer = ya > 0.5
    q = 1.0 - ya  # exact for |y| >= 0.5
    sign = np.where(y < 0, -1.0, 1.0)
    logq = np.log(np.where(outer & inside, q, 1.0))
    for _ in range(4):
        ra = np.abs(r)
        slope = k * np.exp(-r * r)
        step_in = (_erf64(r) - y) / slope
        # outside, Newton on log(erfc(|r|)) = log(1 - |y|): near-linear in the far tail
        ec = _erfc64(ra)
        step_out = -sign * (np.log(np.where(outer, ec, 1.0)) - logq) * ec / slope
        r = r - np.where(outer, step_out, step_in)
        r = np.where(inside, r, 0.0)
    r = np.where(ya == 1.0, np.copysign(np.inf, y), r)
    r = np.where(ya > 1.0, np.nan, r)
    r = np.where(np.isnan(y), np.nan, r)
    return _as_result(r, x)
