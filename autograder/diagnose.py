"""Turn a wrong answer into a sentence that says what is wrong.

:func:`compare` checks an answer against the expected result in the order a learner can act on:
type, then shape, then values; for wrong values it looks for a recognisable pattern (sign flipped,
transposed, off by a constant factor or offset, scaled along an axis, wrong in whole rows) before
falling back to which entries are wrong and by how much. It never puts the expected array in a
message unless asked to (``reveal=True``, for the visible tests whose expected values the learner
already has).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .messages import Text, say

RTOL, ATOL = 1e-6, 1e-8


def compare(got, expected, what: str, *, rtol: float = RTOL, atol: float = ATOL, reveal: bool = False,
            derivative: bool = False, inputs: Sequence = (), names: Sequence[str] | None = None,
            strict_float: bool = False) -> list[Text]:
    """Everything wrong with ``got`` as an answer of ``expected``; an empty list means right.

    expected: a number, an ndarray, a tuple/list of those (``names`` labels its items, e.g.
    ``("dX", "dW", "db")``) or a dict. what: how to call the answer in messages, e.g. ``"relu(z)"``.
    derivative: the answer is a derivative (a constant factor then suggests a chain-rule slip).
    inputs: the arrays the function was given (to recognise "returned its input").
    strict_float: a scalar answer must be a Python/numpy float, not a 0-d array.
    """
    if got is None and expected is not None:
        return [say("returned_none", what=what)]
    if isinstance(expected, dict):
        return _compare_dict(got, expected, what, rtol=rtol, atol=atol, reveal=reveal, derivative=derivative)
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(got, expected, what, names, rtol=rtol, atol=atol, reveal=reveal,
                                 derivative=derivative)
    if _is_scalar(expected):
        problem = _scalar_type_problem(got, what, strict_float)
        if problem:
            return [problem]
        return _compare_values(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64), what,
                               rtol, atol, reveal, derivative, inputs)
    problem = _array_type_problem(got, np.asarray(expected), what)
    if problem:
        return [problem]
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return [_shape_problem(got.shape, expected.shape, what)]
    return _compare_values(got, expected, what, rtol, atol, reveal, derivative, inputs)


# --- structure ---------------------------------------------------------------------------------

def _compare_dict(got, expected, what, **options) -> list[Text]:
    if not isinstance(got, dict):
        return [say("wrong_type", what=what, expected_type="dict", got_type=type(got).__name__)]
    if set(got) != set(expected):
        return [say("wrong_keys", what=what, expected=sorted(expected), got=sorted(map(str, got)))]
    problems = []
    for key in expected:
        problems += compare(got[key], expected[key], f"{what}[{key!r}]", strict_float=isinstance(expected[key], float),
                            **options)
    return problems


def _compare_sequence(got, expected, what, names, **options) -> list[Text]:
    kind = type(expected).__name__
    if not isinstance(got, (tuple, list)):
        return [say("wrong_type", what=what, expected_type=f"a {kind}", got_type=type(got).__name__)]
    if len(got) != len(expected):
        return [say("wrong_length", what=what, expected=len(expected), got=len(got))]
    problems = []
    for i, (g, e) in enumerate(zip(got, expected)):
        label = names[i] if names else f"{what}[{i}]"
        problems += compare(g, e, label, **options)
    return problems


def _is_scalar(x) -> bool:
    return isinstance(x, (float, int, np.floating, np.integer)) and not isinstance(x, bool) or (
        isinstance(x, np.ndarray) and x.ndim == 0)


def _type_name(x) -> str:
    if isinstance(x, np.ndarray):
        return f"an ndarray of shape {x.shape} and dtype {x.dtype}"
    return f"{type(x).__module__ + '.' if type(x).__module__ not in ('builtins',) else ''}{type(x).__name__}"


def _scalar_type_problem(got, what, strict_float) -> Text | None:
    if isinstance(got, bool) or isinstance(got, np.bool_):
        return say("wrong_type", what=what, expected_type="a float", got_type=_type_name(got))
    if isinstance(got, float):  # includes np.float64
        return None
    if not strict_float and isinstance(got, (np.floating, int, np.integer)):
        return None
    if not strict_float and isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "fiu":
        return None
    expected_type = "a float (e.g. `float(x)`)" if strict_float else "a float"
    return say("wrong_type", what=what, expected_type=expected_type, got_type=_type_name(got))


def _array_type_problem(got, expected: np.ndarray, what) -> Text | None:
    if isinstance(got, (list, tuple)):
        return say("wrong_type", what=what, expected_type="a numpy ndarray",
                   got_type=type(got).__name__) + say("list_not_array")
    if _is_scalar(got) and expected.ndim > 0:
        return say("wrong_type", what=what, expected_type=f"an ndarray of shape {expected.shape}",
                   got_type=_type_name(got))
    if not isinstance(got, (np.ndarray, np.generic)):
        return say("wrong_type", what=what, expected_type="a numpy ndarray", got_type=_type_name(got))
    if expected.dtype.kind == "f" and np.asarray(got).dtype.kind != "f":
        return say("wrong_dtype", what=what, got_dtype=np.asarray(got).dtype)
    return None


def _shape_problem(got: tuple, expected: tuple, what) -> Text:
    message = say("wrong_shape", what=what, got=got, expected=expected)
    if len(got) >= 2 and got == expected[::-1]:
        return message + say("hint_transposed_shape")
    if int(np.prod(got)) == int(np.prod(expected)) and [d for d in got if d != 1] == [d for d in expected if d != 1]:
        return message + say("hint_extra_axis")
    if len(expected) == 1 and got == (expected[0], expected[0]):
        return message + say("hint_broadcast")
    if int(np.prod(got)) == int(np.prod(expected)):
        return message + say("hint_reshaped")
    if len(got) < len(expected) or (len(got) == len(expected) + 1) or set(got) != set(expected):
        return message + say("hint_summed_axis")
    return message


# --- values ------------------------------------------------------------------------------------

def _compare_values(got: np.ndarray, expected: np.ndarray, what, rtol, atol, reveal, derivative,
                    inputs) -> list[Text]:
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False):
        return []
    bad_finite = ~np.isfinite(got) & np.isfinite(expected)
    if bad_finite.any():
        return [say("nonfinite", what=what, count=int(bad_finite.sum()))]
    pattern = _value_pattern(got, expected, what, rtol, atol, derivative, inputs)
    message = pattern if pattern is not None else _where_wrong(got, expected, what, rtol, atol)
    if reveal and expected.size <= 12:
        message = message + say("expected_value", expected=show_value(expected), got=show_value(got))
    return [message]


def _close(a, b, rtol, atol) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _value_pattern(got, expected, what, rtol, atol, derivative, inputs) -> Text | None:
    """The first recognisable pattern that explains every entry, or None (a single number has none)."""
    if got.size < 2:
        return None
    for value in inputs:
        if isinstance(value, np.ndarray) and value.shape == got.shape and _close(got, value, rtol, atol):
            return say("pattern_input_returned", what=what)
    meaningful = np.abs(expected).max(initial=0.0) > atol
    if meaningful and _close(got, -expected, rtol, atol):
        return say("pattern_sign", what=what)
    if got.ndim >= 2 and got.shape[-1] == got.shape[-2] and _close(got, np.swapaxes(expected, -1, -2), rtol, atol):
        return say("pattern_transposed", what=what)
    energy = float(np.sum(expected * expected))
    if meaningful and energy > 0:
        factor = float(np.sum(got * expected)) / energy
        if abs(factor) > 1e-12 and _close(got, factor * expected, rtol, atol):
            message = say("pattern_factor", what=what, factor=factor)
            return message + say("pattern_factor_chain") if derivative else message
    offset = float(np.mean(got - expected))
    if _close(got, expected + offset, rtol, atol):
        return say("pattern_offset", what=what, offset=offset)
    if got.ndim >= 2:
        axes = _separable_scaling_axes(got, expected)
        if axes:
            return say("pattern_axis_scale", what=what, axis=", ".join(map(str, axes)))
        slices = _wrong_slices(~np.isclose(got, expected, rtol=rtol, atol=atol))
        if slices:
            axis, positions = slices
            return say("pattern_slices", what=what, axis=axis, positions=positions)
    return None


def _separable_scaling_axes(got, expected) -> list[int]:
    """Axes along which ``got / expected`` varies, if that ratio is a product of per-axis factors.

    Normalising along the wrong axis (softmax, a mean) multiplies each entry by factors that
    depend on one index each: ``log(got / expected)`` is then a sum of per-axis terms.
    """
    with np.errstate(all="ignore"):
        ratio = got / expected
    if not (np.all(np.isfinite(ratio)) and np.all(ratio > 0)):
        return []
    log_ratio = np.log(ratio)
    residual = log_ratio - log_ratio.mean()
    for _ in range(3):  # backfitting an additive model converges at once for exact data
        for axis in range(residual.ndim):
            residual = residual - residual.mean(axis=axis, keepdims=True)
    if np.max(np.abs(residual)) > 1e-6:
        return []
    return [axis for axis in range(log_ratio.ndim)
            if np.ptp(log_ratio.mean(axis=tuple(a for a in range(log_ratio.ndim) if a != axis))) > 1e-6]


def _wrong_slices(wrong: np.ndarray):
    """(axis, positions) when the wrong entries are exactly some whole slices along one axis."""
    for axis in range(wrong.ndim):
        other = tuple(a for a in range(wrong.ndim) if a != axis)
        whole = wrong.all(axis=other)
        if whole.any() and not whole.all() and np.array_equal(wrong, np.broadcast_to(
                np.expand_dims(whole, other), wrong.shape)):
            positions = np.flatnonzero(whole).tolist()
            return axis, positions[:8] if len(positions) <= 8 else positions[:8] + ["..."]
    return None


def _where_wrong(got, expected, what, rtol, atol) -> Text:
    """Which entries are wrong and by how much (no expected values)."""
    error = np.abs(got - expected)
    relative = error / np.maximum(np.abs(expected), atol)
    if got.ndim == 0:
        return say("scalar_differs", what=what, max_abs=float(error), max_rel=float(relative))
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    worst = np.unravel_index(int(np.argmax(np.where(wrong, error, -1.0))), got.shape)
    return say("values_differ", what=what, count=int(wrong.sum()), total=got.size,
               max_abs=float(error[worst]), max_rel=float(relative[worst]),
               index=list(map(int, worst)))


def show_value(value) -> str:
    """A value on one line, rows of a matrix side by side."""
    if isinstance(value, np.ndarray):
        return " ".join(np.array2string(value, precision=6, suppress_small=True, separator=", ").split())
    return repr(value)
