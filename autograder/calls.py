"""Calling a function under test without letting it break the check.

:func:`call` runs the function on private copies of its arguments, records floating-point
warnings instead of printing them, catches its exceptions, and notices if it modified an argument.
The check then decides what counts as failure (a warning fails only a stability check).
"""
from __future__ import annotations

import copy
import inspect
import warnings
from dataclasses import dataclass, field

import numpy as np

from .messages import Text, say


class LearnerFault(Exception):
    """Calling the function failed in a way that has its own explanation (a hang, a crash)."""

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


@dataclass
class Outcome:
    """What happened when the function was called."""

    value: object = None
    problem: Text | None = None  # raised, or modified an argument
    warnings: list[str] = field(default_factory=list)
    raised: type | None = None  # the class of the exception it raised, if it raised one


def describe_call(args, kwargs) -> str:
    """``(z=...)``-style text of a call, short enough for a message: shapes instead of arrays."""
    def short(x):
        if isinstance(x, np.ndarray):
            if x.ndim != 1 or x.size > 6:
                return f"<array {x.shape}>"
            return np.array2string(x, precision=4, separator=", ")
        if callable(x):
            return getattr(x, "__name__", "<function>")
        if isinstance(x, (list, tuple)) and any(isinstance(v, (np.ndarray, list, tuple)) for v in x):
            inner = ", ".join(short(v) for v in x)  # e.g. a network's params: [(W, b), ...] by shapes
            return f"[{inner}]" if isinstance(x, list) else f"({inner}{',' if len(x) == 1 else ''})"
        return repr(x)
    parts = [short(a) for a in args] + [f"{k}={short(v)}" for k, v in kwargs.items()]
    return "(" + ", ".join(parts) + ")"


def call(fn, args: tuple = (), kwargs: dict | None = None, name: str | None = None) -> Outcome:
    """Call ``fn(*args, **kwargs)`` on copies of the arguments and report what happened."""
    kwargs = kwargs or {}
    name = name or getattr(fn, "__name__", "the function")
    passed_args, passed_kwargs = copy.deepcopy((args, kwargs))
    # A function that only sees its arguments serialized (the sandbox's) cannot touch the caller's
    # objects afterwards, so those serve as the record of what was given: one copy, not two.
    given = (args, kwargs) if getattr(fn, "sees_copies_only", False) else copy.deepcopy((args, kwargs))
    outcome = Outcome()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            try:
                outcome.value = fn(*passed_args, **passed_kwargs)
            except NotImplementedError as error:
                outcome.problem, outcome.raised = say("not_implemented", fn=name), type(error)
                return outcome
            except LearnerFault as fault:
                outcome.problem = fault.text
                return outcome
            except Exception as error:  # the learner's bug, reported in the check's message
                outcome.problem = say("raised", fn=name, call=describe_call(args, kwargs),
                                      error=f"{type(error).__name__}: {error}")
                outcome.raised = type(error)
                return outcome
    outcome.warnings = [f"{w.category.__name__}: {w.message}" for w in caught]
    changed = _changed_argument(given, (passed_args, passed_kwargs), fn)
    if changed is not None:
        outcome.problem = say("mutated", fn=name, arg=changed)
    return outcome


def plan(fn, calls: list[tuple[tuple, dict]]) -> None:
    """Tell ``fn`` the calls ``[(args, kwargs), ...]`` a check is about to make through :func:`call`,
    in that order, when it can make them ahead (a sandbox's function: one round trip for them all);
    for any other function, nothing. The calls themselves are made, and judged, as usual."""
    if getattr(type(fn), "sees_copies_only", False):
        fn.plan(calls)


def _parameter_names(fn) -> list[str]:
    """Names of ``fn``'s positional parameters. A sandbox proxy takes ``*args, **kwargs``: its
    names are then those of the reference of the same name, where one is at hand (lesson01: the
    message named a learner's ``x`` "kwargs")."""
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return []
    names = [p.name for p in parameters if p.kind in positional]
    if not names and any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in parameters):
        from .reference import ReferenceUnavailable, reference
        try:
            return _parameter_names(reference(getattr(fn, "__name__", "")))
        except (KeyError, ReferenceUnavailable, TypeError, ImportError):
            return []
    return names


def _changed_argument(before, after, fn) -> str | None:
    (args0, kwargs0), (args1, kwargs1) = before, after
    for i, (a, b) in enumerate(zip(args0, args1)):
        if not same(a, b):
            names = _parameter_names(fn)
            return f"`{names[i]}`" if i < len(names) else f"#{i + 1}"
    for key in kwargs0:
        if not same(kwargs0[key], kwargs1[key]):
            return f"`{key}`"
    return None


def same(a, b) -> bool:
    """Bit-for-bit equality of plain data (arrays, numbers, nested lists/tuples/dicts).

    Objects that are not data (functions, random generators) are not compared.
    """
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype and \
            a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float, complex, str, bytes, bool, np.generic)) or a is None:
        return a == b or (a != a and b != b)  # NaN equals NaN here
    return True
