"""Checks on how a function behaves rather than on one exact value.

::

    expect_reproducible(init_params, [4, 8, 3], Rng(), "he")           # every draw comes from rng
    expect_calls(numerical_gradient, course_function("quadratic", A=A, b=b), Normal((3,)),
                 of=0, calls=lambda f, x: 2 * x.size)                   # how the given function was used
    expect_properties(init_params, [64, 32], Rng(), "he",
                      properties=[Shapes([((32, 64), (32,))]), Dtype(), Std(np.sqrt(2 / 64), at=(0, 0)),
                                  Zeros(at=(0, 1))])
    expect_properties(within(train_mlp, seconds=30), X, y, [2, 16, 3], 0.5, 40, 32, Rng(),
                      properties=[Falls(at=1), Accuracy(0.95, X_test, y_test, predict=...)])

Arguments are arrays or input descriptions, drawn from the check's seeded generator; ``Rng()``
draws a fresh ``numpy.random.Generator``. Every property is computed here, on plain data, the same
way in the learner's kernel and in the grader.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .calls import call, describe_call, same
from .checks import CheckFailure, _evaluate, _name, _passed
from .functions import CourseFunction
from .inputs import draw, generator
from .messages import Text, say

__all__ = ["Rng", "expect_reproducible", "expect_calls", "expect_restored", "expect_properties", "Shapes", "Dtype", "Std",
           "Zeros", "Gaussian", "Falls", "Accuracy", "TwoLayers", "Separates",
           "Reshuffled", "LastBatchTrained", "EpochMeans"]  # 07_training


@dataclass(frozen=True)
class Rng:
    """Input description: a fresh ``numpy.random.Generator`` (PCG64) seeded from the check's stream."""

    def draw(self, rng: np.random.Generator) -> np.random.Generator:
        return np.random.default_rng(int(rng.integers(2**63)))


def _draw_all(label, arg_specs, kwarg_specs):
    rng = generator(label)
    return tuple(draw(s, rng) for s in arg_specs), {k: draw(s, rng) for k, s in kwarg_specs.items()}


def _shown(args, kwargs) -> str:
    def short(v):
        if isinstance(v, np.random.Generator):
            return _Shown("rng")
        return _Shown(f"<array {v.shape}>") if isinstance(v, np.ndarray) and v.size > 6 else v
    return describe_call(tuple(short(a) for a in args), {k: short(v) for k, v in kwargs.items()})


class _Shown:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def expect_reproducible(fn: Callable, *arg_specs, **kwarg_specs) -> None:
    """``fn`` draws every random number from the generator it is given.

    Two calls with generators in the same state must give bit-identical results, and a call with a
    generator in another state a different one (so neither ``np.random`` nor a generator of the
    function's own making can be the source). In the grader, ``np.random`` is reseeded before each call.
    """
    __tracebackhide__ = True
    name = _name(fn)
    args, kwargs = _draw_all(f"reproducible:{name}", arg_specs, kwarg_specs)
    first = _evaluate(fn, args, kwargs, name=name).value
    again = _evaluate(fn, copy.deepcopy(args), copy.deepcopy(kwargs), name=name).value
    if not same(first, again) or not _is_data(first):
        raise CheckFailure(name, [say("not_reproducible", fn=name)])
    other_args, other_kwargs = _draw_all(f"reproducible:{name}:other", arg_specs, kwarg_specs)
    other = _evaluate(fn, other_args, other_kwargs, name=name).value
    if any(isinstance(a, np.random.Generator) for a in (*args, *kwargs.values())) and same(first, other):
        raise CheckFailure(name, [say("ignores_rng", fn=name)])
    _passed(say("ok_reproducible", fn=name))


def _is_data(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_data(v) for v in value)
    return isinstance(value, (np.ndarray, float, int, np.generic))


def expect_calls(fn: Callable, *arg_specs, of, calls=None, **kwarg_specs) -> None:
    """``fn`` uses the course function it is given: at least once, or exactly ``calls`` times.

    of: the position (int) or keyword (str) of the course function among the arguments.
    calls: a number, or a function of the drawn arguments giving it (e.g. ``2 * x.size`` central
    differences for ``numerical_gradient(f, x)``); None: at least one call.
    """
    __tracebackhide__ = True
    name = _name(fn)
    args, kwargs = _draw_all(f"calls:{name}", arg_specs, kwarg_specs)
    used = args[of] if isinstance(of, int) else kwargs[of]
    if type(used) is not CourseFunction:
        raise TypeError("expect_calls: `of` must name a course function argument")
    used.reset()
    _evaluate(fn, args, kwargs, name=name)
    expected = calls(*args, **kwargs) if callable(calls) else calls
    call_text = _shown(args, kwargs)
    if used.calls == 0:
        raise CheckFailure(name, [say("calls_never", fn=name, call=call_text, f=used.__name__)])
    if expected is not None and used.calls != expected:
        raise CheckFailure(name, [say("calls_count", fn=name, call=call_text, f=used.__name__, got=used.calls,
                                      expected=expected)])
    _passed(say("ok_calls", fn=name, f=used.__name__, got=used.calls))


def expect_restored(fn: Callable, *arg_specs, arg: int = 1, **kwarg_specs) -> None:
    """``fn`` leaves argument ``arg`` bit-for-bit as it was, even if it perturbs it while working
    (``numerical_gradient``); a change is reported with how many entries moved and by how many ulps."""
    __tracebackhide__ = True
    name = _name(fn)
    args, kwargs = _draw_all(f"restored:{name}", arg_specs, kwarg_specs)
    before, after = np.array(args[arg], dtype=np.float64, copy=True), []

    def probe(*a, **k):
        try:
            return fn(*a, **k)
        finally:
            after.append(np.array(a[arg], copy=True))
    probe.__name__ = name
    outcome = call(probe, args, kwargs, name=name)
    if after and after[0].shape == before.shape and after[0].dtype == np.float64 and \
            after[0].tobytes() != before.tobytes():
        moved = after[0] != before
        ulps = np.abs(after[0][moved] - before[moved]) / np.spacing(np.abs(before[moved]))
        raise CheckFailure(name, [say("changed_by_ulps", fn=name, arg=f"#{arg + 1}", count=int(moved.sum()),
                                      size=before.size, ulps=f"{np.max(ulps):.3g}")])
    if outcome.problem is not None:
        raise CheckFailure(name, [outcome.problem])
    _passed(say("ok_restored", fn=name))


def expect_properties(fn: Callable, *arg_specs, properties, **kwarg_specs) -> None:
    """``fn(*args)``'s result has every one of ``properties`` (see :class:`Shapes`, :class:`Std`, ...)."""
    __tracebackhide__ = True
    name = _name(fn)
    args, kwargs = _draw_all(f"properties:{name}", arg_specs, kwarg_specs)
    value = _evaluate(fn, args, kwargs, name=name).value
    what = f"{name}{_shown(args, kwargs)}"
    problems = [p for p in (prop.problem(value, what) for prop in properties) if p is not None]
    if problems:
        raise CheckFailure(name, problems[:3])
    summary = Text("; ".join(p.summary().en for p in properties), "；".join(p.summary().zh for p in properties))
    _passed(say("ok_properties", fn=name, call=_shown(args, kwargs), properties=summary))


# --- properties ---------------------------------------------------------------------------------------

def _part(value, at):
    """``value[at[0]][at[1]]...``, or None if the result has no such part."""
    for index in at:
        try:
            value = value[index]
        except (IndexError, KeyError, TypeError):
            return None
    return value


def _shapes(value):
    if isinstance(value, (list, tuple)):
        return [_shapes(v) for v in value]
    return tuple(np.shape(value)) if isinstance(value, (np.ndarray, float, np.generic)) else type(value).__name__


def _where(at) -> Text:
    path = "".join(f"[{i}]" for i in at)
    return Text(f"result{path}", f"结果{path}")


@dataclass(frozen=True)
class Shapes:
    """The result's nested structure of arrays has these shapes (lists and tuples alike)."""

    expected: object

    def problem(self, value, what):
        if _shapes(value) != _shapes_of(self.expected):
            return say("prop_shapes", what=what, got=_show(value, _shapes), expected=_show(self.expected, _shapes_of))
        return None

    def summary(self) -> Text:
        return Text("shapes right", "形状正确")


def _show(structure, shapes_of) -> str:
    """The shapes of a nested structure, lists as [...] and tuples as (...)."""
    if isinstance(structure, (list, tuple)) and not (shapes_of is _shapes_of and _is_shape(structure)):
        inner = ", ".join(_show(s, shapes_of) for s in structure)
        return f"[{inner}]" if isinstance(structure, list) else f"({inner})"
    return str(shapes_of(structure))


def _is_shape(expected) -> bool:
    return isinstance(expected, tuple) and all(type(n) is int for n in expected)


def _shapes_of(expected):
    if isinstance(expected, list) or (isinstance(expected, tuple) and expected and
                                      not all(type(n) is int for n in expected)):
        return [_shapes_of(e) for e in expected]
    return tuple(expected)


@dataclass(frozen=True)
class Dtype:
    """Every array in the result is float64."""

    def problem(self, value, what):
        arrays = _arrays(value)
        wrong = [a.dtype for a in arrays if a.dtype != np.float64]
        return say("prop_dtype", what=what, got=wrong[0]) if wrong else None

    def summary(self) -> Text:
        return Text("float64", "float64")


def _arrays(value) -> list:
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return [value] if isinstance(value, np.ndarray) else []


@dataclass(frozen=True)
class Std:
    """The part of the result at ``at`` has standard deviation ``near`` (relative tolerance ``rel``)."""

    near: float
    at: tuple = ()
    rel: float = 0.15

    def problem(self, value, what):
        part = _part(value, self.at)
        if not isinstance(part, np.ndarray) or part.size < 2:
            return say("prop_not_data", what=what, why=Text(f"no array at {_where(self.at).en}",
                                                            f"{_where(self.at).zh} 处没有数组"))
        std = float(np.std(part))
        if not abs(std - self.near) <= self.rel * self.near:
            return say("prop_std", what=what, part=_where(self.at), got=std, expected=self.near)
        return None

    def summary(self) -> Text:
        return Text(f"std of {_where(self.at).en} ≈ {self.near:.3g}", f"{_where(self.at).zh} 的标准差 ≈ {self.near:.3g}")


@dataclass(frozen=True)
class Gaussian:
    """The part at ``at`` looks drawn from a normal distribution of standard deviation ``std``, not a
    uniform one of the same spread: about 4.6% of normal draws lie beyond 2 std, no uniform draw of that
    std does (its entries stop at sqrt(3) std). Needs some 1000 entries (05_forward's init_params)."""

    std: float
    at: tuple = ()

    def problem(self, value, what):
        part = _part(value, self.at)
        if not isinstance(part, np.ndarray) or part.size < 1000:
            return say("prop_not_data", what=what, why=Text(f"no array of 1000 entries at {_where(self.at).en}",
                                                            f"{_where(self.at).zh} 处没有 1000 个分量的数组"))
        beyond = float(np.mean(np.abs(part) > 2 * self.std))
        if not 0.02 <= beyond <= 0.08:
            return say("prop_gaussian", what=what, part=_where(self.at), share=100 * beyond)
        return None

    def summary(self) -> Text:
        return Text(f"{_where(self.at).en} normally distributed", f"{_where(self.at).zh} 服从正态分布")


@dataclass(frozen=True)
class Zeros:
    """The part of the result at ``at`` is all zeros."""

    at: tuple = ()

    def problem(self, value, what):
        part = _part(value, self.at)
        if not isinstance(part, np.ndarray) or np.any(part != 0):
            return say("prop_zero", what=what, part=_where(self.at))
        return None

    def summary(self) -> Text:
        return Text(f"{_where(self.at).en} = 0", f"{_where(self.at).zh} = 0")


@dataclass(frozen=True)
class Falls:
    """The losses at ``at`` (one per epoch) fall: the last is below ``ratio`` times the first."""

    at: tuple = ()
    ratio: float = 0.9

    def problem(self, value, what):
        losses = _part(value, self.at)
        if not isinstance(losses, np.ndarray) or losses.ndim != 1 or losses.size < 2 or \
                not np.all(np.isfinite(losses)):
            return say("prop_not_data", what=what, why=Text("no finite losses, one per epoch",
                                                            "没有每轮一个的有限损失值"))
        if not losses[-1] < self.ratio * losses[0]:
            return say("prop_falls", what=what, first=float(losses[0]), last=float(losses[-1]))
        return None

    def summary(self) -> Text:
        return Text("the loss falls", "损失下降")


@dataclass(frozen=True)
class Accuracy:
    """``predict(result)`` (logits, one row per example of ``X``) classifies ``labels`` at least this well."""

    at_least: float
    X: object
    labels: object
    predict: Callable

    def problem(self, value, what):
        try:
            logits = np.asarray(self.predict(value, self.X), dtype=np.float64)
        except Exception as error:  # the result is not something the trusted forward pass can use
            return say("prop_not_data", what=what, why=f"{type(error).__name__}: {str(error)[:100]}")
        labels = np.asarray(self.labels)
        if logits.shape[:1] != labels.shape:
            return say("prop_not_data", what=what, why=Text("its predictions do not match the examples",
                                                            "预测与样本数量不符"))
        right = int(np.sum(np.argmax(logits, axis=-1) == labels))
        if right / labels.size < self.at_least:
            return say("prop_accuracy", what=what, got=_percent_below(right / labels.size), right=right,
                       total=labels.size, expected=self.at_least)
        return None

    def summary(self) -> Text:
        return Text(f"held-out accuracy ≥ {self.at_least:.0%}", f"留出数据准确率 ≥ {self.at_least:.0%}")


def _percent_below(share: float) -> str:
    """``share`` as a percentage with one decimal, rounded down: 341 of 359 (94.99%) is "94.9%",
    never a "95.0%" that reads as if it met a 95% bar."""
    return f"{np.floor(share * 1000 + 1e-9) / 10:.1f}%"


# --- 02_neurons: a small network's weights, judged by what the network computes ----------------------------
# (lesson02's block: xor_params may choose any hidden size, so shapes are checked for consistency, not equality)

def _size(shape, index):
    return shape[index] if isinstance(shape, tuple) and len(shape) > index else None


@dataclass(frozen=True)
class TwoLayers:
    """The result is ``(W1, b1, W2, b2)`` of a two-layer network ``n_in -> H -> n_out``, any ``H >= 2``:
    W1 (H, n_in), b1 (H,), W2 (n_out, H), b2 (n_out,)."""

    n_in: int
    n_out: int

    def problem(self, value, what):
        if not isinstance(value, (list, tuple)) or len(value) != 4:
            return say("prop_two_layers", what=what, got=_show(value, _shapes), n_in=self.n_in, n_out=self.n_out)
        W1, b1, W2, b2 = (_shapes(v) for v in value)
        H = _size(W1, 0)
        if (H is None or H < 2 or W1 != (H, self.n_in) or b1 != (H,) or W2 != (self.n_out, H)
                or b2 != (self.n_out,)):
            return say("prop_two_layers", what=what, got=_show(value, _shapes), n_in=self.n_in, n_out=self.n_out)
        return None

    def summary(self) -> Text:
        return Text("shapes right", "形状正确")


def _point(x) -> str:
    return "(" + ", ".join(f"{v:g}" for v in x) + ")"


@dataclass(frozen=True)
class Separates:
    """``forward(result, X)`` (one output per row of ``X``) is strictly above ``threshold`` where
    ``labels`` is 1 and strictly below it where ``labels`` is 0. ``X`` is shown in messages, so it must
    be public (the lesson's own points), never hidden inputs."""

    X: object
    labels: object
    forward: Callable
    threshold: float = 0.5

    def problem(self, value, what):
        X = np.asarray(self.X, dtype=np.float64)
        try:
            out = np.asarray(self.forward(value, X), dtype=np.float64).reshape(-1)
        except Exception as error:  # shapes that do not fit together, or not arrays at all
            return say("prop_not_data", what=what, why=f"{type(error).__name__}: {str(error)[:100]}")
        if out.shape != (len(X),):
            return say("prop_not_data", what=what, why=Text("the network does not give one output per point",
                                                            "网络没有为每个点给出一个输出"))
        for x, y, o in zip(X, np.asarray(self.labels), out):
            above = bool(o > self.threshold)
            if y and not above:
                return say("prop_below", what=what, point=_point(x), got=o, threshold=self.threshold)
            if not y and not o < self.threshold:
                return say("prop_above", what=what, point=_point(x), got=o, threshold=self.threshold)
        return None

    def summary(self) -> Text:
        return Text(f"every point on its side of {self.threshold:g}", f"每个点都落在 {self.threshold:g} 的正确一侧")


# --- 07_training: what train_mlp's losses say about its batches -----------------------------------------
# (lesson07's block) Called with lr = 0 the weights stay as initialised, so an epoch's mean batch loss
# changes only when the epoch's batches change; called with batch_size > N the only batch is the last one.

def _epoch_losses(value, at):
    losses = _part(value, at)
    if isinstance(losses, np.ndarray) and losses.ndim == 1 and losses.size >= 2:
        return losses
    return None


@dataclass(frozen=True)
class Reshuffled:
    """With ``lr = 0``, the losses at ``at`` differ between epochs: each epoch's batches were new."""

    at: tuple = ()

    def problem(self, value, what):
        losses = _epoch_losses(value, self.at)
        if losses is None or not np.all(np.isfinite(losses)):
            return say("prop_not_data", what=what, why=Text("no finite losses, one per epoch",
                                                            "没有每轮一个的有限损失值"))
        if np.ptp(losses) <= 1e-12 * max(1.0, float(np.max(np.abs(losses)))):
            return say("prop_not_reshuffled", what=what)
        return None

    def summary(self) -> Text:
        return Text("new batches every epoch", "每轮都是新的小批量")


@dataclass(frozen=True)
class LastBatchTrained:
    """With ``batch_size`` larger than the data, the only (last, smaller) batch is trained on:
    the losses at ``at`` are finite and fall."""

    at: tuple = ()
    ratio: float = 0.9

    def problem(self, value, what):
        losses = _epoch_losses(value, self.at)
        if losses is None or not np.all(np.isfinite(losses)) or not losses[-1] < self.ratio * losses[0]:
            return say("prop_last_batch", what=what)
        return None

    def summary(self) -> Text:
        return Text("the last, smaller batch is trained on", "最后那个较小的批量也参与训练")


@dataclass(frozen=True)
class EpochMeans:
    """With ``lr = 0`` and batches of one size, every epoch's loss is the initial network's mean loss
    over all the examples: ``loss(params, X, labels)`` of the returned (unchanged) params, for each epoch."""

    X: object
    labels: object
    loss: Callable
    epochs: int

    def problem(self, value, what):
        losses = _epoch_losses(value, (1,))
        try:
            expected = float(self.loss(value[0], self.X, self.labels))
        except Exception as error:  # the params are not something the trusted forward pass can use
            return say("prop_not_data", what=what, why=f"{type(error).__name__}: {str(error)[:100]}")
        if losses is None or losses.shape != (self.epochs,) or \
                not np.allclose(losses, expected, rtol=1e-9, atol=1e-12):
            return say("prop_epoch_means", what=what, epochs=self.epochs)
        return None

    def summary(self) -> Text:
        return Text("each epoch's loss is the mean of its batch losses", "每轮的损失是该轮各小批量损失的平均值")

