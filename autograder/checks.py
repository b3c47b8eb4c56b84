"""The checks a notebook's test cells declare.

A test cell is a list of declarations such as::

    expect(relu, np.array([-2.0, 0.0, 3.0]), returns=np.array([0.0, 0.0, 3.0]))
    expect_derivative(relu_grad, of=relu, at=Uniform((4, 5)), kinks=[0.0])
    expect_matches_reference(relu, "relu", Uniform((6, 3)))      # in a hidden-test block

Each declaration names the function under test and how to probe it; it calls the function only
through :func:`autograder.calls.call`, and computes every expected value, numerical gradient and
comparison itself. So the same cell can run in the learner's kernel, or be evaluated by a trusted
grader that binds ``relu`` to a stand-in for the learner's function running elsewhere.

A failed check raises :class:`CheckFailure` (an ``AssertionError``, so nbgrader scores the cell 0)
whose message says what is wrong in the current language; a passed check prints one line.
"""
from __future__ import annotations

import contextlib
from typing import Callable, Mapping, Sequence

import numpy as np

from . import gradcheck
from .calls import call, describe_call, plan
from .diagnose import ATOL, RTOL, compare, show_value
from .earlier import failed_there
from .inputs import Uniform, draw, generator
from .messages import Text, say
from .reference import ReferenceUnavailable, reference
from .wire import Opaque

__all__ = ["CheckFailure", "expect", "expect_derivative", "expect_jacobian", "expect_backward",
           "expect_matches_reference", "expect_elementwise", "expect_stable", "expect_raises",
           "forwards_from_reference"]


class CheckFailure(AssertionError):
    """A check found ``problems`` with the function called ``name``."""

    def __init__(self, name: str, problems: Sequence[Text]):
        self.name, self.problems = name, list(problems)
        super().__init__(name, self.problems)

    def render(self, language: str | None = None) -> str:
        lines = [say("check_failed", fn=self.name).render(language)]
        lines += ["  - " + p.render(language) for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the learner's problem, not our call stack."""
        return ["CheckFailure: " + self.render()]


# --- grading each function on its own ----------------------------------------------------------
# A derivative is checked against a numerical derivative of its forward function. In the learner's
# kernel that forward function is theirs, so a wrong forward makes a right derivative fail there:
# the message then says so, using what the forward's own checks found (_verdicts). The grader
# judges with the reference's forward function instead, so a derivative's points never depend on
# another function (forwards_from_reference).

_verdicts: dict[str, bool] = {}  # function name -> did its own latest check pass?
_reference_forwards = False


@contextlib.contextmanager
def forwards_from_reference():
    """Within this block, the forward function of a derivative check is the hidden reference's."""
    global _reference_forwards
    previous, _reference_forwards = _reference_forwards, True
    try:
        yield
    finally:
        _reference_forwards = previous


@contextlib.contextmanager
def _own_check(name: str):
    """Record whether this check of ``name`` itself passed."""
    try:
        yield
    except CheckFailure:
        _verdicts[name] = False
        raise
    _verdicts[name] = True


def _forward(of: Callable) -> Callable:
    if _reference_forwards:
        try:
            return reference(_name(of))
        except (KeyError, ReferenceUnavailable):
            pass
    return of


def _name(fn) -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def _evaluate(fn, args=(), kwargs=None, name=None):
    """``fn(*args, **kwargs)``, or a :class:`CheckFailure` if it raised or modified an argument."""
    __tracebackhide__ = True
    if fn is None:
        raise CheckFailure(name or "?", [say("not_defined", fn=name or "?")])
    name = name or _name(fn)
    outcome = call(fn, args, kwargs or {}, name=name)
    if outcome.problem is not None:  # e.g. raised, perhaps inside a function brought from an earlier notebook
        raise CheckFailure(name, _blame_callees(fn, [outcome.problem], earlier_only=True))
    if isinstance(outcome.value, Opaque):  # an object that could not leave the sandbox is no answer
        what = f"{name}{describe_call(args, kwargs or {})}"
        if outcome.value.type_name == "numpy.ndarray":  # only arrays of numbers cross: this one holds objects
            raise CheckFailure(name, [say("object_array", what=what)])
        raise CheckFailure(name, [say("opaque_result", what=what, type_name=outcome.value.type_name)])
    return outcome


def _forward_evaluator(checked: str, of: Callable, kwargs: dict):
    """``v -> of(v, **kwargs)`` for a numerical derivative; a failure of ``of`` is reported as its own."""
    forward_fn, of_name = _forward(of), _name(of)

    def forward(*args, **named):
        __tracebackhide__ = True
        try:
            return _evaluate(forward_fn, args, {**kwargs, **named}, name=of_name).value
        except CheckFailure as failure:
            raise CheckFailure(checked, [say("forward_broke", fn=checked, of=of_name, problem=failure.problems[0])]) \
                from None
    return forward


def _blame_forward(failure_problems: list[Text], of_name: str) -> list[Text]:
    """Add, in the learner's kernel, that the forward function failed its own test."""
    if not _reference_forwards and _verdicts.get(of_name) is False:
        return [failure_problems[0] + say("forward_at_fault", of=of_name)] + failure_problems[1:]
    return failure_problems


def _blame_callees(fn, problems: list[Text], earlier_only: bool = False) -> list[Text]:
    """Add, in the learner's kernel, which functions ``fn`` calls that failed their own tests
    (earlier_only: only functions brought from an earlier notebook, :mod:`autograder.earlier`)."""
    code = getattr(fn, "__code__", None)
    names = [name for name in getattr(code, "co_names", ()) if name != _name(fn)]
    if _reference_forwards or not problems:
        return problems
    earlier = [(name, failed_there(name)) for name in names if failed_there(name)]
    if earlier:  # a function brought from an earlier notebook, failing its own tests there
        name, assignment = earlier[0]
        return [problems[0] + say("uses_failed_earlier", fn=_name(fn), dep=name, assignment=assignment)] + problems[1:]
    failed = [name for name in names if _verdicts.get(name) is False]
    if earlier_only or not failed:
        return problems
    return [problems[0] + say("uses_failed", fn=_name(fn), dep=failed[0])] + problems[1:]


def _passed(message: Text) -> None:
    print(message)


# --- declarations ----------------------------------------------------------------------------------

def expect(fn: Callable, *args, returns, rtol: float = RTOL, atol: float = ATOL, quiet: bool = False,
           kinks: Sequence[float] = (), **kwargs) -> None:
    """``fn(*args, **kwargs)`` returns ``returns`` (within ``rtol``/``atol``), type and shape included.

    For visible tests with known values: the message may show the expected value.
    quiet: a floating-point warning (overflow, invalid value) also fails the check.
    kinks: input values where the contract fixes the value by convention (e.g. ``[0.0]`` for
    ``relu_grad``): a wrong answer only there is explained as the kink convention.
    """
    __tracebackhide__ = True
    name = _name(fn)
    with _own_check(name):
        outcome = _evaluate(fn, args, kwargs)
        if quiet and outcome.warnings:
            raise CheckFailure(name, [say("warned", fn=name, warning="; ".join(sorted(set(outcome.warnings))))])
        what = f"{name}{describe_call(args, kwargs)}"
        problems = compare(outcome.value, returns, what, rtol=rtol, atol=atol, reveal=True, inputs=args,
                           derivative=name.endswith("_grad"), kinks=kinks)
        if problems:
            raise CheckFailure(name, _blame_callees(fn, problems))
    _passed(say("ok_value", fn=name, call=describe_call(args, kwargs), got=show_value(outcome.value)))


def expect_raises(fn: Callable, error: type, *args, **kwargs) -> None:
    """``fn(*args, **kwargs)`` raises ``error`` or a subclass of it (e.g. ``ValueError`` for mismatched
    shapes); another exception, or none, fails.

    Arguments may be input descriptions (``Normal((2, 3))``, lesson01): they are drawn from the
    grader's seed and shown by shape only, so a hidden input stays hidden.
    """
    __tracebackhide__ = True
    name = _name(fn)
    drawn = any(hasattr(spec, "draw") for spec in (*args, *kwargs.values()))
    if drawn:
        rng = generator(f"raises:{name}")
        args = tuple(draw(spec, rng) for spec in args)
        kwargs = {key: draw(spec, rng) for key, spec in kwargs.items()}
    shown_args, shown_kwargs = (_shapes_only(args), _shapes_only(kwargs)) if drawn else (args, kwargs)
    what = f"{name}{describe_call(shown_args, shown_kwargs)}"
    with _own_check(name):
        outcome = call(fn, args, kwargs, name=name)
        if outcome.raised is not None and issubclass(outcome.raised, error):
            pass
        elif outcome.raised is NotImplementedError or outcome.raised is None and outcome.problem is not None:
            raise CheckFailure(name, [outcome.problem])  # a stub, a hang, a crash, a modified argument
        elif outcome.raised is not None:
            raise CheckFailure(name, [say("wrong_exception", what=what, got=outcome.raised.__name__,
                                          expected=error.__name__)])
        else:
            raise CheckFailure(name, [say("did_not_raise", what=what, got=show_value(outcome.value),
                                          expected=error.__name__)])
    _passed(say("ok_value", fn=name, call=describe_call(shown_args, shown_kwargs), got=error.__name__))


def _gradient_verdict(name: str, of_name: str, analytic, numeric, what: str, itself=None) -> float:
    """Fail unless ``analytic`` matches ``numeric`` in type, shape and value; return the error.

    A failure says, in the learner's kernel, when the forward function ``of_name`` failed its own test.
    """
    __tracebackhide__ = True
    problems = compare(analytic, numeric, what, rtol=1e-5, atol=1e-7, derivative=True, itself=itself)
    shape_ok = np.shape(analytic) == np.shape(numeric) and not any(
        p.key in ("wrong_type", "wrong_dtype", "wrong_precision", "wrong_shape", "object_array", "returned_none")
        for p in problems)
    if not shape_ok:
        raise CheckFailure(name, problems)
    error = gradcheck.relative_error(analytic, numeric)
    verdict = gradcheck.verdict(error)
    if not verdict.passed:
        wrong = say("gradient_wrong", what=what, of=of_name, error=error, verdict=say(verdict.key))
        patterns = [p for p in problems if p.key.startswith("pattern_")]  # a named mistake says most: first
        raise CheckFailure(name, _blame_forward(patterns + [wrong] + [p for p in problems if p not in patterns],
                                                of_name))
    return error


def expect_derivative(grad_fn: Callable, of: Callable, at, *, kinks: Sequence[float] = (),
                      h: float = gradcheck.DEFAULT_STEP, **kwargs) -> None:
    """``grad_fn(z)`` is the element-wise derivative of ``of`` at ``z``, checked numerically.

    at: an array or an input description (drawn from a seeded generator). kinks: points where
    ``of`` is not differentiable; probes are kept further than ``h`` from them.
    kwargs: passed to both functions (e.g. ``alpha=0.1``).
    When grading, ``of`` is the reference's, so only ``grad_fn`` is judged.
    """
    __tracebackhide__ = True
    _expect_numerically("derivative", grad_fn, of, at, gradcheck.numerical_derivative, h, kwargs,
                        prepare=lambda z: gradcheck.away_from_kinks(z, kinks, margin=10 * h))


def expect_jacobian(jac_fn: Callable, of: Callable, at, *, h: float = gradcheck.DEFAULT_STEP, **kwargs) -> None:
    """``jac_fn(x)`` is the Jacobian ``d of(x)[i] / d x[j]`` (shape out + in), checked numerically."""
    __tracebackhide__ = True
    _expect_numerically("jacobian", jac_fn, of, at, gradcheck.numerical_jacobian, h, kwargs)


def _expect_numerically(kind, analytic_fn, of, at, numerical, h, kwargs, prepare=None) -> None:
    """``analytic_fn(x)`` against ``numerical(of, x, h)`` at an input drawn for this check."""
    __tracebackhide__ = True
    name, of_name = _name(analytic_fn), _name(of)
    x = draw(at, generator(f"{kind}:{name}"))
    x = prepare(x) if prepare else x
    analytic = _evaluate(analytic_fn, (x,), kwargs).value
    forward = _forward_evaluator(name, of, {})
    numeric = numerical(lambda v: forward(v, **kwargs), x, h)
    itself = (of_name, forward(x, **kwargs)) if kind == "derivative" else None
    error = _gradient_verdict(name, of_name, analytic, numeric, f"{name}{describe_call((x,), kwargs)}", itself)
    _passed(say("ok_derivative", fn=name, of=of_name, error=error))


def expect_backward(backward_fn: Callable, of: Callable, inputs: Mapping[str, object], *,
                    backward_args: Sequence[str], returns: Sequence[str],
                    h: float = gradcheck.DEFAULT_STEP) -> None:
    """A backward function returns ``dL/d input`` for ``L = sum(upstream * of(**inputs))``.

    The projected check: for a random ``upstream`` shaped like the forward output, compare what
    ``backward_fn`` returns with central differences of that scalar, one named input at a time.

    inputs: name -> array or description (e.g. ``{"X": Normal((4, 3)), "W": ..., "b": ...}``).
    backward_args: the backward function's arguments, by name; ``"upstream"`` is the gradient
    flowing in (e.g. ``("upstream", "X", "W")`` for ``linear_backward(dZ, X, W)``).
    returns: which input each returned array differentiates, in order (e.g. ``("X", "W", "b")``).
    When grading, ``of`` is the reference's, so only ``backward_fn`` is judged.
    """
    __tracebackhide__ = True
    name, of_name = _name(backward_fn), _name(of)
    rng = generator(f"backward:{name}")
    values = {key: np.asarray(draw(spec, rng), dtype=np.float64) for key, spec in inputs.items()}
    evaluate_forward = _forward_evaluator(name, of, {})

    def forward(**named):
        return np.asarray(evaluate_forward(**named), dtype=np.float64)

    upstream = rng.normal(size=np.shape(forward(**values)))
    named = {"upstream": upstream, **values}
    args = tuple(named[key] for key in backward_args)
    got = _evaluate(backward_fn, args).value
    grad_names = tuple(f"d{key}" for key in returns)
    numeric = gradcheck.projected_gradients(forward, {k: values[k] for k in returns}, upstream, h)
    problems = compare(got, tuple(numeric[k] for k in returns), name, names=grad_names, rtol=1e-5,
                       atol=1e-7, derivative=True)
    if any(p.key in ("wrong_type", "wrong_dtype", "wrong_precision", "wrong_shape", "wrong_length",
                     "object_array", "returned_none") for p in problems):
        raise CheckFailure(name, problems)
    errors = gradcheck.gradient_errors(dict(zip(returns, got)), numeric)
    failed = [say("gradient_wrong", what=f"d{key}", of=of_name, error=err,
                  verdict=say(gradcheck.verdict(err).key))
              for key, err in errors.items() if not gradcheck.verdict(err).passed]
    if failed:
        raise CheckFailure(name, _blame_forward(failed + problems, of_name))
    _passed(say("ok_derivative", fn=name, of=of_name, error=max(errors.values())))


def _against_reference(fn, name: str, args: tuple, kwargs: dict, rtol: float, atol: float,
                       kinks: Sequence[float] = ()) -> None:
    """One call of ``fn`` compared with the reference; messages show shapes, never hidden values."""
    __tracebackhide__ = True
    outcome = _evaluate(fn, args, kwargs, name=name)
    expected = reference(name)(*args, **kwargs)
    what = f"{name}{describe_call(_shapes_only(args), _shapes_only(kwargs))}"
    problems = compare(outcome.value, expected, what, rtol=rtol, atol=atol, inputs=args, kinks=kinks,
                       derivative=name.endswith("_grad") or "jacobian" in name, itself=_itself(name, args, kwargs))
    if problems:
        raise CheckFailure(name, problems)


def _itself(name: str, args: tuple, kwargs: dict):
    """For a derivative ``f_grad``: ``("f", reference f at the same input)``, to recognise "returned f"."""
    if not name.endswith("_grad"):
        return None
    try:
        return name[:-len("_grad")], reference(name[:-len("_grad")])(*args, **kwargs)
    except (KeyError, ReferenceUnavailable, TypeError):
        return None


def expect_matches_reference(fn: Callable, name: str, *arg_specs, trials: int = 3, rtol: float = RTOL,
                             atol: float = ATOL, kinks: Sequence[float] = (), **kwarg_specs) -> None:
    """``fn`` agrees with the hidden reference ``name`` on ``trials`` random inputs.

    arg_specs / kwarg_specs: arrays or input descriptions, drawn afresh for every trial.
    Messages describe inputs by shape only and never show expected values.
    """
    __tracebackhide__ = True
    planned = []
    for trial in range(trials):
        rng = generator(f"reference:{name}:{trial}")
        args = tuple(draw(spec, rng) for spec in arg_specs)
        planned.append((args, {key: draw(spec, rng) for key, spec in kwarg_specs.items()}))
    with _own_check(name):
        plan(fn, planned)
        for args, kwargs in planned:
            _against_reference(fn, name, args, kwargs, rtol, atol, kinks)
    _passed(say("ok_reference", fn=name, trials=trials))


# --- 04_losses: the gradient of a loss with respect to its first argument -------------------------
def expect_gradient(grad_fn: Callable, of: Callable, at, *rest, h: float = gradcheck.DEFAULT_STEP) -> None:
    """``grad_fn(x, *rest)`` is the gradient of the scalar ``of(x, *rest)`` with respect to ``x``
    (e.g. ``mse_grad`` of ``mse`` at predictions ``x`` with targets ``rest[0]``), checked against
    central differences, entry by entry.

    at: an array or an input description; rest: the other arguments, held fixed.
    When grading, ``of`` is the reference's, so only ``grad_fn`` is judged.
    """
    __tracebackhide__ = True
    name, of_name = _name(grad_fn), _name(of)
    x = np.asarray(draw(at, generator(f"gradient:{name}")), dtype=np.float64)
    analytic = _evaluate(grad_fn, (x, *rest), {}).value
    forward = _forward_evaluator(name, of, {})
    numeric = gradcheck.numerical_gradient(lambda v: forward(v, *rest), x, h)
    error = _gradient_verdict(name, of_name, analytic, numeric, f"{name}{describe_call((x, *rest), {})}")
    _passed(say("ok_derivative", fn=name, of=of_name, error=error))


def expect_elementwise(fn: Callable, name: str, low: float = -5.0, high: float = 5.0, *,
                       kinks: Sequence[float] = (), rtol: float = RTOL, atol: float = ATOL, **kwarg_specs) -> None:
    """Every clause of the element-wise contract, against the hidden reference ``name``.

    A Python float in (a float, ``np.float64`` or 0-d float64 array out), a 0-d array, arrays of 1 to 3
    dimensions (float64 of the same shape out), the ``kinks`` themselves exactly (as floats and inside
    an array, ``-0.0`` included), and no argument modified (every call checks that).
    kwarg_specs: extra arguments (e.g. ``alpha=Uniform((), 0.05, 0.5)``), drawn for every case.
    """
    __tracebackhide__ = True
    rng = generator(f"elementwise:{name}")
    avoid = tuple(kinks)
    cases = [Uniform((), low, high, avoid=avoid).draw(rng),
             np.asarray(Uniform((), low, high, avoid=avoid).draw(rng)),
             Uniform((int(rng.integers(2, 9)),), low, high, avoid=avoid).draw(rng),
             Uniform((int(rng.integers(2, 6)), int(rng.integers(2, 6))), low, high, avoid=avoid).draw(rng),
             Uniform((2, int(rng.integers(2, 4)), int(rng.integers(2, 5))), low, high, avoid=avoid).draw(rng)]
    for kink in kinks:
        cases += [float(kink), np.array([kink, -kink if kink == 0 else kink, low, high], dtype=np.float64)]
    planned = [((z,), {key: draw(spec, rng) for key, spec in kwarg_specs.items()}) for z in cases]
    with _own_check(name):
        plan(fn, planned)
        for args, kwargs in planned:
            _against_reference(fn, name, args, kwargs, rtol, atol, kinks)
    _passed(say("ok_elementwise", fn=name, cases=len(cases)))


def expect_stable(fn: Callable, name: str, *arg_specs, rtol: float = RTOL, atol: float = ATOL,
                  **kwarg_specs) -> None:
    """At extreme inputs the answer is finite, raises no floating-point warning, and is right.

    arg_specs / kwarg_specs: arrays or input descriptions (e.g. ``Uniform((50,), -1e4, 1e4)``).
    """
    __tracebackhide__ = True
    rng = generator(f"stable:{name}")
    args = tuple(draw(spec, rng) for spec in arg_specs)
    kwargs = {key: draw(spec, rng) for key, spec in kwarg_specs.items()}
    with _own_check(name):
        outcome = _evaluate(fn, args, kwargs, name=name)
        if outcome.warnings:
            raise CheckFailure(name, [say("warned", fn=name, warning="; ".join(sorted(set(outcome.warnings))))])
        expected = reference(name)(*args, **kwargs)
        what = f"{name}{describe_call(_shapes_only(args), _shapes_only(kwargs))}"
        problems = compare(outcome.value, expected, what, rtol=rtol, atol=atol)
        if problems:
            raise CheckFailure(name, problems)
    _passed(say("ok_stable", fn=name))


class _Hidden:
    """Stands for a hidden input in a message: its shape, never its values."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _shapes_only(values):
    """Arrays replaced by a placeholder of their shape, numbers by their kind: hidden inputs stay hidden."""
    def hide(v):
        if isinstance(v, np.ndarray):
            return _Hidden(f"<array {v.shape}>")
        if isinstance(v, (float, np.floating)):
            return _Hidden("<float>")
        return v

    if isinstance(values, dict):
        return {k: hide(v) for k, v in values.items()}
    return tuple(hide(v) for v in values)
