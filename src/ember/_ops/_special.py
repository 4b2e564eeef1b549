"""erf, erfc and erfinv over NumPy arrays (NumPy has none; SciPy is not a dependency).

erf/erfc follow W. J. Cody's rational Chebyshev approximations (CALERF), accurate to about
1e-16 in float64; erfinv starts from M. Giles' approximation and takes two Newton steps.
Inputs of any float dtype are computed in float64 and rounded once to the input's dtype.
"""

from __future__ import annotations

import numpy as np

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_ONE_OVER_SQRT_PI = 5.6418958354775628695e-1
_THRESH = 0.46875
_XBIG = 26.543


def _erf_small(x: np.ndarray) -> np.ndarray:
    """erf(x) for |x| <= 0.46875."""
    ysq = x * x
    num = _A[4] * ysq
    den = ysq
    for i in range(3):
        num = (num + _A[i]) * ysq
        den = (den + _B[i]) * ysq
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_large(y: np.ndarray) -> np.ndarray:
    """erfc(y) for y > 0.46875 (y >= 0)."""
    mid = y <= 4.0
    out = np.empty_like(y)
    # 0.46875 < y <= 4
    ym = y[mid]
    num = _C[8] * ym
    den = ym
    for i in range(7):
        num = (num + _C[i]) * ym
        den = (den + _D[i]) * ym
    r = (num + _C[7]) / (den + _D[7])
    out[mid] = _exp_minus_square(ym) * r
    # y > 4
    yt = y[~mid]
    ysq = 1.0 / (yt * yt)
    num = _P[5] * ysq
    den = ysq
    for i in range(4):
        num = (num + _P[i]) * ysq
        den = (den + _Q[i]) * ysq
    r = ysq * (num + _P[4]) / (den + _Q[4])
    r = (_ONE_OVER_SQRT_PI - r) / yt
    r = _exp_minus_square(yt) * r
    out[~mid] = np.where(yt >= _XBIG, 0.0, r)
    return out


def _exp_minus_square(y: np.ndarray) -> np.ndarray:
    # exp(-y*y) split as Cody does, to keep the rounding error of y*y out of the exponent.
    ysq = np.trunc(y * 16.0) / 16.0
    delta = (y - ysq) * (y + ysq)
    return np.exp(-ysq * ysq) * np.exp(-delta)


def _as64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def erf(x: np.ndarray) -> np.ndarray:
    x64 = _as64(x)
    y = np.abs(x64)
    small = y <= _THRESH
    out = np.empty_like(x64)
    out[small] = _erf_small(x64[small])
    big = ~small & ~np.isnan(x64)
    e = _erfc_large(y[big])
    out[big] = np.copysign((0.5 - e) + 0.5, x64[big])
    out[np.isnan(x64)] = np.nan
    return out.astype(x.dtype, copy=False)


def erfc(x: np.ndarray) -> np.ndarray:
    x64 = _as64(x)
    y = np.abs(x64)
    small = y <= _THRESH
    out = np.empty_like(x64)
    out[small] = 1.0 - _erf_small(x64[small])
    big = ~small & ~np.isnan(x64)
    e = _erfc_large(y[big])
    out[big] = np.where(x64[big] < 0, 2.0 - e, e)
    out[np.isnan(x64)] = np.nan
    return out.astype(x.dtype, copy=False)


def erfinv(x: np.ndarray) -> np.ndarray:
    x64 = _as64(x)
    w = -np.log((1.0 - x64) * (1.0 + x64))
    central = w < 5.0
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
    r = np.where(central, pc, pt) * x64
    finite = np.abs(x64) < 1.0
    for _ in range(2):  # Newton steps on erf(r) = x
        rf = np.where(finite, r, 0.0)
        r = np.where(finite, rf - (erf(rf) - x64) / (2.0 * _ONE_OVER_SQRT_PI * np.exp(-rf * rf)),
                     r)
    r = np.where(np.abs(x64) == 1.0, np.copysign(np.inf, x64), r)
    r = np.where(np.abs(x64) > 1.0, np.nan, r)
    return r.astype(x.dtype, copy=False)
