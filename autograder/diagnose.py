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
            strict_float: bool = False, kinks: Sequence[float] = (), itself=None) -> list[Text]:
    """Everything wrong with ``got`` as an answer of ``expected``; an empty list means right.

    expected: a number, an ndarray, a tuple/list of those (``names`` labels its items, e.g.
    ``("dX", "dW", "db")``) or a dict. what: how to call the answer in messages, e.g. ``"relu(z)"``.
    derivative: the answer is a derivative (a constant factor then suggests a chain-rule slip).
    inputs: the arrays the function was given (to recognise "returned its input", and kinks).
    strict_float: a scalar answer must be a Python/numpy float, not a 0-d array.
    kinks: input values where the function's value is fixed by a convention (``relu'(0) = 0``):
    wrong entries only there get a hint about ``>`` versus ``>=``.
    itself: ``(name, values)`` of the function a derivative differentiates, at the same input, to
    recognise "returned the function instead of its derivative".
    Answers must be float64 where the expected value is: float32 and float16 fail with their own message.
    """
    if got is None and expected is not None:
        return [say("returned_none", what=what)]
    if isinstance(expected, dict):
        return _compare_dict(got, expected, what, rtol=rtol, atol=atol, reveal=reveal, derivative=derivative)
    if isinstance(expected, (tuple, list)):
        return _compare_sequence(got, expected, what, names, rtol=rtol, atol=atol, reveal=reveal,
                                 derivative=derivative)
    context = _Context(inputs, kinks, itself)
    if _is_scalar(expected):
        problem = _scalar_type_problem(got, expected, what, strict_float)
        if problem:
            return [problem]
        return _compare_values(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64), what,
                               rtol, atol, reveal, derivative, context)
    problem = _array_type_problem(got, np.asarray(expected), what)
    if problem:
        return [problem]
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return [_shape_problem(got.shape, expected.shape, what)]
    return _compare_values(got, expected, what, rtol, atol, reveal, derivative, context)


class _Context:
    """What is known about how the answer was produced: its inputs, kinks, the function itself."""

    def __init__(self, inputs: Sequence, kinks: Sequence[float], itself):
        self.inputs, self.kinks, self.itself = tuple(inputs), tuple(kinks), itself

    def first_input(self, shape: tuple) -> np.ndarray | None:
        """The first input shaped like the answer (element-wise functions), as float64."""
        for value in self.inputs:
            if isinstance(value, (float, int, np.floating, np.ndarray)) and not isinstance(value, bool) \
                    and np.shape(value) == shape:
                try:
                    return np.asarray(value, dtype=np.float64)
                except (TypeError, ValueError):
                    return None
        return None


# --- structure ---------------------------------------------------------------------------------

def _compare_dict(got, expected, what, **options) -> list[Text]:
    if not isinstance(got, dict):
        return [say("wrong_type", what=what, expected_type=say("type_dict"), got_type=describe_type(got))]
    if set(got) != set(expected):
        return [say("wrong_keys", what=what, expected=sorted(expected), got=sorted(map(str, got)))]
    problems = []
    for key in expected:
        problems += compare(got[key], expected[key], f"{what}[{key!r}]", strict_float=isinstance(expected[key], float),
                            **options)
    return problems


def _compare_sequence(got, expected, what, names, **options) -> list[Text]:
    if not isinstance(got, (tuple, list)):
        return [say("wrong_type", what=what, expected_type=say(f"type_{type(expected).__name__}"),
                    got_type=describe_type(got))]
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


def describe_type(x) -> Text:
    """What ``x`` is, in words of both languages (type names stay code)."""
    if isinstance(x, np.ndarray):
        return say("type_ndarray_of", shape=x.shape, dtype=x.dtype)
    name = (type(x).__module__ + "." if type(x).__module__ != "builtins" else "") + type(x).__name__
    if isinstance(x, (bool, np.bool_)):
        return say("type_boolean", name=name)
    if isinstance(x, (int, np.integer)):
        return say("type_integer", name=name)
    if isinstance(x, (tuple, list, dict)):
        return say(f"type_{type(x).__name__}") if type(x) in (tuple, list, dict) else say("type_named", name=name)
    return say("type_named", name=name)


_DIGITS = {np.dtype(np.float32): 7, np.dtype(np.float16): 3}


def _precision_problem(got, what) -> Text | None:
    """float32/float16 where the course computes in float64 (also np.longdouble)."""
    dtype = np.asarray(got).dtype if isinstance(got, (np.ndarray, np.generic)) else None
    if dtype is not None and dtype.kind == "f" and dtype != np.float64:
        return say("wrong_precision", what=what, got_dtype=dtype, digits=_DIGITS.get(dtype, "?"))
    return None


def _scalar_type_problem(got, expected, what, strict_float) -> Text | None:
    float_expected = isinstance(expected, (float, np.floating)) or (
        isinstance(expected, np.ndarray) and expected.dtype.kind == "f")
    if isinstance(got, (bool, np.bool_)) or (isinstance(got, np.ndarray) and got.dtype.kind == "b"):
        return say("wrong_type", what=what, expected_type=say("type_float"), got_type=describe_type(got))
    precision = _precision_problem(got, what)
    if precision:
        return precision
    if isinstance(got, float):  # includes np.float64
        return None
    if not strict_float and isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype == np.float64:
        return None
    if not strict_float and not float_expected and isinstance(got, (int, np.integer)):
        return None  # an integer expected value (a count) may be answered by an integer
    expected_type = say("type_float_hint") if strict_float else say("type_float")
    return say("wrong_type", what=what, expected_type=expected_type, got_type=describe_type(got))


def _array_type_problem(got, expected: np.ndarray, what) -> Text | None:
    if isinstance(got, (list, tuple)):
        return say("wrong_type", what=what, expected_type=say("type_ndarray"),
                   got_type=describe_type(got)) + say("list_not_array")
    if _is_scalar(got) and expected.ndim > 0:
        return say("wrong_type", what=what, expected_type=say("type_ndarray_shape", shape=expected.shape),
                   got_type=describe_type(got))
    if not isinstance(got, (np.ndarray, np.generic)):
        return say("wrong_type", what=what, expected_type=say("type_ndarray"), got_type=describe_type(got))
    if np.asarray(got).dtype.kind == "O":
        return say("object_array", what=what)
    if expected.dtype.kind == "f" and np.asarray(got).dtype.kind != "f":
        return say("wrong_dtype", what=what, got_dtype=np.asarray(got).dtype)
    if expected.dtype == np.float64:
        return _precision_problem(got, what)
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

def _all_close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """``np.allclose``, a few times faster on the small arrays checks compare: its criterion
    ``|got - expected| <= atol + rtol * |expected|`` computed directly; anything it leaves unsure
    (infinities, NaN, other shapes or dtypes) goes to ``np.allclose`` itself."""
    if got.shape == expected.shape and got.dtype.kind == "f" and expected.dtype.kind == "f":
        with np.errstate(all="ignore"):
            if (np.abs(got - expected) <= atol + rtol * np.abs(expected)).all():
                return True
    return bool(np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=False))


def _compare_values(got: np.ndarray, expected: np.ndarray, what, rtol, atol, reveal, derivative,
                    context: _Context) -> list[Text]:
    if _all_close(got, expected, rtol, atol):
        return []
    bad_finite = ~np.isfinite(got) & np.isfinite(expected)
    if bad_finite.any():
        return [say("nonfinite", what=what, count=int(bad_finite.sum()))]
    pattern = _value_pattern(got, expected, what, rtol, atol, derivative, context)
    message = pattern if pattern is not None else _where_wrong(got, expected, what, rtol, atol, reveal)
    kink = _kink_hint(got, expected, rtol, atol, context)
    if kink is not None:
        message = message + kink
    if reveal and expected.size <= 12:
        message = message + say("expected_value", expected=show_value(expected), got=show_value(got))
    return [message]


def _close(a, b, rtol, atol) -> bool:
    return bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _kink_hint(got, expected, rtol, atol, context: _Context) -> Text | None:
    """A hint when every wrong entry sits exactly at one kink of the function's input."""
    z = context.first_input(got.shape)
    if z is None or not context.kinks:
        return None
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    for kink in context.kinks:
        if wrong.any() and np.all(z[wrong] == kink):
            return say("hint_kink", kink=kink)
    return None


def _value_pattern(got, expected, what, rtol, atol, derivative, context: _Context) -> Text | None:
    """The first recognisable pattern that explains every entry, or None.

    Patterns need evidence: a single number, or an answer with fewer than two entries that are not
    zero, fits "off by a factor" by accident (relu(z) for relu'(z) at one positive probe is "0.5 times").
    """
    if context.itself is not None:
        of, values = context.itself
        values = np.asarray(values, dtype=np.float64) if values is not None else None
        if values is not None and values.shape == got.shape and _close(got, values, rtol, atol) \
                and not _close(values, expected, rtol, atol):
            return say("pattern_returned_function", what=what, of=of)
    if got.size < 2:
        return None
    for value in context.inputs:
        if isinstance(value, np.ndarray) and value.shape == got.shape and _close(got, value, rtol, atol):
            return say("pattern_input_returned", what=what)
    evidence = int(np.count_nonzero(np.abs(expected) > atol))
    if evidence >= 2 and _close(got, -expected, rtol, atol):
        return say("pattern_sign", what=what)
    if got.ndim >= 2 and got.shape[-1] == got.shape[-2] and _close(got, np.swapaxes(expected, -1, -2), rtol, atol):
        return say("pattern_transposed", what=what)
    energy = float(np.sum(expected * expected))
    if evidence >= 2 and energy > 0:
        factor = float(np.sum(got * expected)) / energy
        if abs(factor) > 1e-12 and _close(got, factor * expected, rtol, atol):
            message = say("pattern_factor", what=what, factor=factor)
            return message + say("pattern_factor_chain") if derivative else message
    offset = float(np.mean(got - expected))
    if got.size >= 3 and _close(got, expected + offset, rtol, atol):
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


def _where_wrong(got, expected, what, rtol, atol, reveal) -> Text:
    """Which entries are wrong and by how much (no expected values).

    The relative error is shown only where the expected value is shown too (visible tests) and is not
    ~0: for a hidden test, error / relative error would give away the size of the expected value.
    """
    error = np.abs(got - expected)
    relative = error / np.maximum(np.abs(expected), atol)
    if got.ndim == 0:
        if reveal and abs(float(expected)) > 1e3 * atol:
            return say("scalar_differs", what=what, max_abs=float(error), max_rel=float(relative))
        return say("scalar_differs_abs", what=what, max_abs=float(error))
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    worst = np.unravel_index(int(np.argmax(np.where(wrong, error, -1.0))), got.shape)
    fields = dict(what=what, count=int(wrong.sum()), total=got.size, max_abs=float(error[worst]),
                  index=list(map(int, worst)))
    if reveal and abs(float(expected[worst])) > 1e3 * atol:
        return say("values_differ", max_rel=float(relative[worst]), **fields)
    return say("values_differ_abs", **fields)


def show_value(value) -> str:
    """A value on one line, rows of a matrix side by side."""
    if isinstance(value, np.ndarray):
        return " ".join(np.array2string(value, precision=6, suppress_small=True, separator=", ").split())
    if isinstance(value, tuple):  # e.g. collapse_linear's (W, b): each item on the same line
        return "(" + ", ".join(show_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):  # e.g. mlp_backward's grads, a list of (dW, db)
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, dict):  # e.g. two_layer_backprop's dict of arrays
        return "{" + ", ".join(f"{k!r}: {show_value(v)}" for k, v in value.items()) + "}"
    return repr(value)
