"""The numerical gradient checker: central differences in float64.

Every function here treats the function under test as a black box and only evaluates it, so the
same code checks a learner's function, the reference, or a function running in another process.

Conventions: ``h`` is the step; central differences have error O(h^2) from truncation and
O(eps / h) from rounding, so ``h = 1e-5`` gives about 1e-10 on smooth, O(1) functions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

DEFAULT_STEP = 1e-5


def numerical_derivative(f: Callable, z, h: float = DEFAULT_STEP) -> np.ndarray:
    """Derivative of an element-wise function at every entry of ``z``.

    ``f'(z) ~ (f(z + h) - f(z - h)) / (2h)``, all entries at once, which is valid only because
    entry i of the output depends on entry i of the input alone.

    z: float or ndarray of any shape. Returns float64 ndarray of ``z``'s shape.
    """
    z = np.asarray(z, dtype=np.float64)
    return (np.asarray(f(z + h), dtype=np.float64) - np.asarray(f(z - h), dtype=np.float64)) / (2 * h)


def numerical_gradient(f: Callable[[np.ndarray], float], x, h: float = DEFAULT_STEP) -> np.ndarray:
    """Gradient of a scalar function of an array, one entry at a time.

    ``dL/dx[i] ~ (f(x + h e_i) - f(x - h e_i)) / (2h)``.

    f: maps an ndarray shaped like ``x`` to a number. x: ndarray of any shape (not modified).
    Returns float64 ndarray of ``x``'s shape.
    """
    x = np.array(x, dtype=np.float64)  # a private copy we may perturb
    grad = np.zeros_like(x)
    flat, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        plus = float(f(x))
        flat[i] = saved - h
        minus = float(f(x))
        flat[i] = saved
        flat_grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_jacobian(f: Callable[[np.ndarray], np.ndarray], x, h: float = DEFAULT_STEP) -> np.ndarray:
    """Jacobian ``J[i..., j...] = d f(x)[i...] / d x[j...]`` by central differences.

    x: ndarray of shape S_in. f(x): ndarray of shape S_out. Returns float64 ndarray of shape
    ``S_out + S_in`` (for 1-D in and out: ``(n_out, n_in)``).
    """
    x = np.array(x, dtype=np.float64)
    out_shape = np.shape(f(x))
    jac = np.zeros((int(np.prod(out_shape)), x.size))
    flat = x.reshape(-1)
    for j in range(flat.size):
        saved = flat[j]
        flat[j] = saved + h
        plus = np.asarray(f(x), dtype=np.float64).reshape(-1)
        flat[j] = saved - h
        minus = np.asarray(f(x), dtype=np.float64).reshape(-1)
        flat[j] = saved
        jac[:, j] = (plus - minus) / (2 * h)
    return jac.reshape(out_shape + x.shape)


def projected_gradients(forward: Callable[..., np.ndarray], inputs: Mapping[str, np.ndarray],
                        upstream: np.ndarray, h: float = DEFAULT_STEP) -> dict[str, np.ndarray]:
    """Numerical gradients of ``L = sum(upstream * forward(**inputs))`` for every named input.

    This is what a backward function must return when it is handed ``upstream = dL/d(output)``:
    for a random ``upstream`` it tests the whole vector-Jacobian product without forming the
    Jacobian. inputs: name -> ndarray (e.g. ``{"X": (N, n_in), "W": (n_out, n_in), "b": (n_out,)}``).
    upstream: ndarray of the output's shape. Returns name -> ndarray shaped like that input.
    """
    grads = {}
    for name, value in inputs.items():
        def projected(v, name=name):
            return float(np.sum(upstream * forward(**{**inputs, name: v})))
        grads[name] = numerical_gradient(projected, value, h)
    return grads


def relative_error(analytic, numeric) -> float:
    """Error relative to the arrays' scale: ``max|a - n| / max(max|a|, max|n|, 1e-8)``.

    Scaled by the whole array rather than entry by entry, so entries that are (numerically) zero
    in both do not turn rounding noise into a large relative error.
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    if a.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(n))), 1e-8)
    return float(np.max(np.abs(a - n))) / scale


@dataclass(frozen=True)
class Verdict:
    """A band of relative error: its catalogue key and whether it passes."""

    key: str
    passed: bool


# (upper bound of the band, verdict). Central differences with h = 1e-5 reach ~1e-10 on smooth
# functions; 1e-6 leaves room for steep functions while a missing factor or term lands far above.
VERDICT_BANDS = (
    (1e-8, Verdict("verdict_exact", True)),
    (1e-6, Verdict("verdict_ok", True)),
    (1e-3, Verdict("verdict_suspicious", False)),
    (float("inf"), Verdict("verdict_wrong", False)),
)


def verdict(error: float) -> Verdict:
    """The band a relative error falls in (NaN is always wrong)."""
    if not np.isfinite(error):
        return VERDICT_BANDS[-1][1]
    return next(v for bound, v in VERDICT_BANDS if error < bound)


def gradient_errors(analytic: Mapping[str, np.ndarray], numeric: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Relative error per named output (``dW``, ``db``, ``dX``, ...)."""
    return {name: relative_error(analytic[name], numeric[name]) for name in numeric}


def away_from_kinks(x, kinks, margin: float) -> np.ndarray:
    """``x`` with every entry closer than ``margin`` to a kink pushed to distance ``2 * margin``.

    A central difference straddling a kink (e.g. ReLU's at 0) measures the average of the two
    one-sided slopes, so probes must stay further than ``h`` from every kink.
    x: float or ndarray. kinks: iterable of floats. Returns float64 ndarray of ``x``'s shape.
    """
    x = np.array(x, dtype=np.float64)
    for kink in kinks:
        near = np.abs(x - kink) < margin
        direction = np.where(x[near] >= kink, 1.0, -1.0)
        x[near] = kink + 2 * margin * direction
    return x
