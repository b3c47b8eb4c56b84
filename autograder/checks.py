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

from typing import Callable, Mapping, Sequence

import numpy as np

from . import gradcheck
from .calls import call, describe_call
from .diagnose import ATOL, RTOL, compare, show_value
from .inputs import draw, generator
from .messages import Text, say
from .reference import reference
from .wire import Opaque

__all__ = ["CheckFailure", "expect", "expect_derivative", "expect_jacobian", "expect_backward",
           "expect_matches_reference", "expect_stable", "expect_raises"]


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


def _name(fn) -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def _evaluate(fn, args=(), kwargs=None, name=None):
    """``fn(*args, **kwargs)``, or a :class:`CheckFailure` if it raised or modified an argument."""
    __tracebackhide__ = True
    if fn is None:
        raise CheckFailure(name or "?", [say("not_defined", fn=name or "?")])
    name = name or _name(fn)
    outcome = call(fn, args, kwargs or {}, name=name)
    if outcome.problem is not None:
        raise CheckFailure(name, [outcome.problem])
    if isinstance(outcome.value, Opaque):  # an object that could not leave the sandbox is no answer
        raise CheckFailure(name, [say("opaque_result", what=f"{name}{describe_call(args, kwargs or {})}",
                                      type_name=outcome.value.type_name)])
    return outcome


def _passed(message: Text) -> None:
    print(message)


def expect(fn: Callable, *args, returns, rtol: float = RTOL, atol: float = ATOL, quiet: bool = False,
           **kwargs) -> None:
    """``fn(*args, **kwargs)`` returns ``returns`` (within ``rtol``/``atol``), type and shape included.

    For visible tests with known values: the message may show the expected value.
    quiet: a floating-point warning (overflow, invalid value) also fails the check.
    """
    __tracebackhide__ = True
    name = _name(fn)
    outcome = _evaluate(fn, args, kwargs)
    if quiet and outcome.warnings:
        raise CheckFailure(name, [say("warned", fn=name, warning="; ".join(sorted(set(outcome.warnings))))])
    what = f"{name}{describe_call(args, kwargs)}"
    problems = compare(outcome.value, returns, what, rtol=rtol, atol=atol, reveal=True, inputs=args,
                       derivative=name.endswith("_grad"))
    if problems:
        raise CheckFailure(name, problems)
    _passed(say("ok_value", fn=name, call=describe_call(args, kwargs), got=show_value(outcome.value)))


def expect_raises(fn: Callable, error: type, *args, **kwargs) -> None:
    """``fn(*args, **kwargs)`` raises ``error`` (e.g. ``ValueError`` for mismatched shapes)."""
    __tracebackhide__ = True
    name = _name(fn)
    outcome = call(fn, args, kwargs, name=name)
    raised = outcome.problem is not None and f"{error.__name__}:" in outcome.problem.en
    if not raised:
        problem = outcome.problem or say("wrong_type", what=f"{name}{describe_call(args, kwargs)}",
                                         expected_type=f"an error ({error.__name__})",
                                         got_type=type(outcome.value).__name__)
        raise CheckFailure(name, [problem])
    _passed(say("ok_value", fn=name, call=describe_call(args, kwargs), got=error.__name__))


def _gradient_verdict(name: str, of_name: str, analytic, numeric, what: str) -> float:
    """Fail unless ``analytic`` matches ``numeric`` in type, shape and value; return the error."""
    __tracebackhide__ = True
    problems = compare(analytic, numeric, what, rtol=1e-5, atol=1e-7, derivative=True)
    shape_ok = np.shape(analytic) == np.shape(numeric) and not any(
        "shape" in p.en or "should be" in p.en for p in problems)
    if not shape_ok:
        raise CheckFailure(name, problems)
    error = gradcheck.relative_error(analytic, numeric)
    verdict = gradcheck.verdict(error)
    if not verdict.passed:
        raise CheckFailure(name, [say("gradient_wrong", what=what, of=of_name, error=error,
                                      verdict=say(verdict.key))] + problems)
    return error


def expect_derivative(grad_fn: Callable, of: Callable, at, *, kinks: Sequence[float] = (),
                      h: float = gradcheck.DEFAULT_STEP, **kwargs) -> None:
    """``grad_fn(z)`` is the element-wise derivative of ``of`` at ``z``, checked numerically.

    at: an array or an input description (drawn from a seeded generator). kinks: points where
    ``of`` is not differentiable; probes are kept further than ``h`` from them.
    kwargs: passed to both functions (e.g. ``alpha=0.1``).
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

    def forward(v):
        return _evaluate(of, (v,), kwargs).value

    numeric = numerical(forward, x, h)
    error = _gradient_verdict(name, of_name, analytic, numeric, f"{name}{describe_call((x,), kwargs)}")
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
    """
    __tracebackhide__ = True
    name, of_name = _name(backward_fn), _name(of)
    rng = generator(f"backward:{name}")
    values = {key: np.asarray(draw(spec, rng), dtype=np.float64) for key, spec in inputs.items()}

    def forward(**named):
        return np.asarray(_evaluate(of, (), named).value, dtype=np.float64)

    upstream = rng.normal(size=np.shape(forward(**values)))
    named = {"upstream": upstream, **values}
    args = tuple(named[key] for key in backward_args)
    got = _evaluate(backward_fn, args).value
    grad_names = tuple(f"d{key}" for key in returns)
    numeric = gradcheck.projected_gradients(forward, {k: values[k] for k in returns}, upstream, h)
    problems = compare(got, tuple(numeric[k] for k in returns), name, names=grad_names, rtol=1e-5,
                       atol=1e-7, derivative=True)
    if any("shape" in p.en or "should" in p.en for p in problems):
        raise CheckFailure(name, problems)
    errors = gradcheck.gradient_errors(dict(zip(returns, got)), numeric)
    failed = [say("gradient_wrong", what=f"d{key}", of=of_name, error=err,
                  verdict=say(gradcheck.verdict(err).key))
              for key, err in errors.items() if not gradcheck.verdict(err).passed]
    if failed:
        raise CheckFailure(name, failed + problems)
    _passed(say("ok_derivative", fn=name, of=of_name, error=max(errors.values())))


def expect_matches_reference(fn: Callable, name: str, *arg_specs, trials: int = 3, rtol: float = RTOL,
                             atol: float = ATOL, **kwarg_specs) -> None:
    """``fn`` agrees with the hidden reference ``name`` on ``trials`` random inputs.

    arg_specs / kwarg_specs: arrays or input descriptions, drawn afresh for every trial.
    Messages describe inputs by shape only and never show expected values.
    """
    __tracebackhide__ = True
    expected_fn = reference(name)
    for trial in range(trials):
        rng = generator(f"reference:{name}:{trial}")
        args = tuple(draw(spec, rng) for spec in arg_specs)
        kwargs = {key: draw(spec, rng) for key, spec in kwarg_specs.items()}
        outcome = _evaluate(fn, args, kwargs, name=name)
        expected = expected_fn(*args, **kwargs)
        what = f"{name}{describe_call(_shapes_only(args), _shapes_only(kwargs))}"
        problems = compare(outcome.value, expected, what, rtol=rtol, atol=atol, inputs=args,
                           derivative=name.endswith("_grad") or "jacobian" in name)
        if problems:
            raise CheckFailure(name, problems)
    _passed(say("ok_reference", fn=name, trials=trials))


def expect_stable(fn: Callable, name: str, *arg_specs, rtol: float = RTOL, atol: float = ATOL,
                  **kwarg_specs) -> None:
    """At extreme inputs the answer is finite, raises no floating-point warning, and is right.

    arg_specs / kwarg_specs: arrays or input descriptions (e.g. ``Uniform((50,), -1e4, 1e4)``).
    """
    __tracebackhide__ = True
    rng = generator(f"stable:{name}")
    args = tuple(draw(spec, rng) for spec in arg_specs)
    kwargs = {key: draw(spec, rng) for key, spec in kwarg_specs.items()}
    outcome = _evaluate(fn, args, kwargs, name=name)
    if outcome.warnings:
        raise CheckFailure(name, [say("warned", fn=name, warning="; ".join(sorted(set(outcome.warnings))))])
    expected = reference(name)(*args, **kwargs)
    what = f"{name}{describe_call(_shapes_only(args), _shapes_only(kwargs))}"
    problems = compare(outcome.value, expected, what, rtol=rtol, atol=atol)
    if problems:
        raise CheckFailure(name, problems)
    _passed(say("ok_stable", fn=name))


def _shapes_only(values):
    """Arrays replaced by a placeholder of their shape, so hidden inputs stay hidden."""
    class Shape:
        def __init__(self, shape):
            self.shape = shape

        def __repr__(self):
            return f"<array {self.shape}>"

    if isinstance(values, dict):
        return {k: Shape(v.shape) if isinstance(v, np.ndarray) else v for k, v in values.items()}
    return tuple(Shape(v.shape) if isinstance(v, np.ndarray) else v for v in values)
