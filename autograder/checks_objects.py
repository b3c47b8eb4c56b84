"""Checks on a learner's class, by programs described as data (08's ``Value``).

::

    p = Program(); a = p.new(2.0); out = 1 - a * 3; out.backward(); p.read(a, "grad")
    expect_program(Value, p, returns=[-3.0])        # visible: known numbers
    expect_program(Value, p)                        # hidden: the same program on the reference
    expect_graphs(Value, "diamond", trials=3)       # hidden: random graphs from the grader's seed

The program runs with the learner's class where it lives (their kernel, or the sandbox, which
sends back only numbers or the failing step) and, for hidden checks, with the reference on the
trusted side; the numbers are compared. A failure names the step (``1 - a`` raised TypeError: is
``__rsub__`` missing?) or the value that is wrong, without revealing hidden values.
"""
from __future__ import annotations

import numpy as np

from . import programs
from .calls import LearnerFault
from .checks import CheckFailure, _passed
from .diagnose import ATOL, RTOL
from .inputs import generator
from .messages import Text, say
from .programs import Program
from .reference import ReferenceUnavailable, reference

__all__ = ["Program", "expect_program", "expect_programs", "expect_graphs"]

KINDS = {"chain": ("deep chains", "深链"), "reuse": ("reused nodes", "重复使用的节点"),
         "diamond": ("diamonds", "菱形结构")}


def _class_name(cls) -> str:
    return getattr(cls, "__name__", None) or "the class"


def run_program(cls, program: Program) -> dict:
    """``programs.perform`` with ``cls`` where it lives; :class:`CheckFailure` if it could not run.

    On the trusted side ``cls`` is a stand-in for the learner's class that runs the program in
    the sandbox; its (untrusted) answer is checked to be plain numbers before it is used.
    """
    __tracebackhide__ = True
    name = _class_name(cls)
    remote = getattr(cls, "perform_program", None)
    try:
        if remote is not None and not isinstance(cls, type):
            result = remote(program.steps, f": `{program.labels[-1]}`")
        else:
            result = programs.perform(cls, program.steps)
    except LearnerFault as fault:
        raise CheckFailure(name, [fault.text]) from None
    except NotImplementedError:
        raise CheckFailure(name, [say("not_implemented", fn=name)]) from None
    except Exception as error:
        raise CheckFailure(name, [say("raised", fn=name, call="", error=f"{type(error).__name__}: {error}")]) from None
    return _checked(result, program, name)


def _checked(result, program: Program, name: str) -> dict:
    reads = result.get("reads") if isinstance(result, dict) else None
    failed = result.get("failed") if isinstance(result, dict) else None
    error = result.get("error") if isinstance(result, dict) else None
    ok = (isinstance(reads, list) and len(reads) <= len(program.reads()) and all(type(r) is float for r in reads)
          and (failed is None or (type(failed) is int and 0 <= failed < len(program.steps)
                                  and isinstance(error, dict) and all(isinstance(error.get(k), str)
                                                                      for k in ("type", "message")))))
    if not ok or (failed is None and len(reads) != len(program.reads())):
        raise CheckFailure(name, [say("opaque_result", what=f"{name}: {program.labels[-1]}",
                                      type_name="malformed program result")])
    return {"reads": reads, "failed": failed, "error": error}


def _step_problem(cls_name: str, program: Program, result: dict, culprit: str | None = None) -> Text:
    at, error = result["failed"], result["error"]
    step, label = program.steps[at], program.labels[at]
    if error["type"] == "NotAnObject":
        return say("program_not_object", step=label, type_name=error["message"], cls=cls_name)
    if error["type"] == "NotANumber":
        return say("program_not_number", step=label, type_name=error["message"])
    if error["type"] == "NotImplementedError":
        return say("not_implemented", fn=cls_name)  # the name alone, as every stub says it
    hint = Text("", "")
    if step[0] == "op" and isinstance(step[2], list) and error["type"] == "TypeError":
        hint = say("hint_reflected", method=programs.REFLECTED.get(step[1], "__r" + step[1]))
    elif step[0] == "call" and error["type"] == "AttributeError":
        hint = say("hint_method", method=step[2])
    elif culprit is not None:
        hint = say("hint_culprit", step=culprit)
    return say("program_raised", step=label, error=f"{error['type']}: {error['message']}", hint=hint)


def _context(program: Program, before: int) -> str:
    for i in range(before, -1, -1):
        if program.steps[i][0] == "call" and program.steps[i][2] == "backward":
            return program.labels[i]
    return program.labels[before - 1] if before else program.labels[0]


def _accumulates(cls) -> bool:
    """Whether ``cls`` sums the gradients of a node used twice (``a * a``, ``a + a``): a probe."""
    p = Program()
    a = p.new(1.5)
    out = a * a + a
    out.backward()
    p.read(a, "grad")
    try:
        result = run_program(cls, p)
    except CheckFailure:
        return False
    return result["failed"] is None and abs(result["reads"][0] - 4.0) < 1e-9


def _probes(program: Program) -> list[Program]:
    """One tiny program per kind of operation ``program`` uses (``a.tanh()``, ``a * 1.7``, ``1.7 - a``,
    ``a ** 2``...), on leaves of its own: each operation alone, value and gradients read."""
    probes, seen = [], set()
    for step in program.steps:
        if step[0] == "op":
            left, right = (isinstance(o, list) for o in step[2:])
            key = (step[1], left, right, step[3][1] if step[1] == "**" else None)
        elif step[0] == "neg" or (step[0] == "call" and step[2] != "backward"):
            key = (step[0], step[-1] if step[0] == "call" else None)
        else:
            continue
        if key in seen:
            continue
        seen.add(key)
        p = Program()
        a, b = p.new(0.7), p.new(1.6)
        if step[0] == "op":
            symbol = step[1]
            x = step[3][1] if right else b
            out = programs.OPERATORS[symbol](1.7 if left else a, a if left else x)
        elif step[0] == "neg":
            out = -a
        else:
            out = getattr(a, step[2])()
        out.backward()
        p.read(out, "data")
        p.read(a, "grad")
        if step[0] == "op" and not left and not right:
            p.read(b, "grad")
        probes.append(p)
    return probes


def _culprit(cls, name: str, program: Program) -> str | None:
    """The first operation of ``program`` that is already wrong on its own (how it reads), or None
    (also where the reference is not at hand: a learner's own kernel)."""
    try:
        correct = reference(name)
    except ReferenceUnavailable:
        return None
    for probe in _probes(program):
        try:
            got = run_program(cls, probe)
        except CheckFailure:
            return None
        expected = programs.perform(correct, probe.steps)
        if got["failed"] is not None or expected.get("failed") is not None:
            if got["failed"] != expected.get("failed"):
                return probe.labels[2]
            continue
        if not np.allclose(got["reads"], expected["reads"], rtol=RTOL, atol=ATOL):
            return probe.labels[2]
    return None


def _seeds(cls) -> bool:
    """Whether ``backward()`` of ``cls`` starts from d out / d out = 1: a leaf's own backward gives it grad 1."""
    p = Program()
    a = p.new(0.5)
    a.backward()
    p.read(a, "grad")
    try:
        result = run_program(cls, p)
    except CheckFailure:
        return True  # it cannot even do this: say nothing about seeding
    return result["failed"] is not None or abs(result["reads"][0] - 1.0) < 1e-12


def _reused(program: Program) -> bool:
    uses: dict = {}
    for step in program.steps:
        operands = step[2:] if step[0] == "op" else step[1:2] if step[0] in ("neg", "call") else []
        for o in operands:
            if type(o) is int and not (step[0] == "call" and step[2] == "backward"):
                uses[o] = uses.get(o, 0) + 1
    return any(n > 1 for n in uses.values())


def expect_program(cls, program: Program, *, returns=None, rtol: float = RTOL, atol: float = ATOL,
                   what: str | None = None) -> None:
    """Carrying out ``program`` with ``cls`` reads the numbers ``returns`` (visible tests) or, when
    ``returns`` is None, the numbers the reference class of the same name reads (hidden tests)."""
    __tracebackhide__ = True
    name = _class_name(cls)
    got = run_program(cls, program)
    expected = programs.perform(reference(name), program.steps) if returns is None else \
        {"reads": [float(r) for r in returns], "failed": None}
    if got["failed"] is not None and got["failed"] != expected.get("failed"):
        step = program.steps[got["failed"]]
        culprit = _culprit(cls, name, program) if step[0] == "call" and step[2] == "backward" else None
        raise CheckFailure(name, [_step_problem(name, program, got, culprit)])
    for k, (g, e) in enumerate(zip(got["reads"], expected["reads"])):
        if np.isclose(g, e, rtol=rtol, atol=atol) or (np.isnan(g) and np.isnan(e)):
            continue
        at = program.reads()[k]
        hint = Text("", "")
        culprit = _culprit(cls, name, program)
        if program.steps[at][2] == "grad" and not _seeds(cls):
            hint = say("hint_seed")
        elif culprit is not None:
            hint = say("hint_culprit", step=culprit)
        elif program.steps[at][2] == "grad" and _reused(program):
            hint = say("hint_accumulate") if not _accumulates(cls) else say("hint_order")
        if returns is not None:
            raise CheckFailure(name, [say("program_value", step=program.labels[at], context=_context(program, at),
                                      got=f"{g:.6g}", expected=f"{e:.6g}", hint=hint)])
        raise CheckFailure(name, [say("program_wrong", step=program.labels[at], context=_context(program, at),
                                      hint=hint)])
    _passed(say("ok_program", cls=name, what=what or _context(program, len(program.steps) - 1)))


def expect_graphs(cls, kind: str, *, trials: int = 3, size: int = 12, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """``cls`` computes and differentiates ``trials`` random expression graphs of ``kind`` (``"chain"``,
    ``"reuse"``, ``"diamond"``; see :func:`autograder.programs.random_program`) like the reference."""
    __tracebackhide__ = True
    name = _class_name(cls)
    for trial in range(trials):
        program = programs.random_program(generator(f"graphs:{kind}:{size}:{trial}"), kind, size)
        _quiet(expect_program, cls, program, rtol=rtol, atol=atol)
    en, zh = KINDS[kind]
    _passed(say("ok_graphs", cls=name, trials=trials, kind=Text(en, zh)))


def expect_programs(cls, build, *, leaves=None, trials: int = 3) -> None:
    """``build(a, b, ...)`` on :class:`Program` stand-ins (one leaf per ``(low, high)`` range in
    ``leaves``; default ``(-1.5, 1.5)`` for each of ``build``'s parameters) returns the output; ``trials`` times, with leaf values drawn from the grader's seed in
    those ranges, ``backward()`` runs from the output and its ``data`` and every leaf's ``grad`` are
    compared with the reference's (hidden tests)."""
    __tracebackhide__ = True
    name = _class_name(cls)
    if leaves is None:
        import inspect

        leaves = ((-1.5, 1.5),) * len(inspect.signature(build).parameters)
    what = None
    for trial in range(trials):
        p = Program()
        nodes = [p.new(0.0) for _ in leaves]
        what = build(*nodes).label
        rng = generator(f"programs:{what}:{trial}")
        for node, (low, high) in zip(nodes, leaves):
            p.steps[node._index][1] = float(rng.uniform(low, high))
        out = build(*nodes)
        out.backward()
        p.read(out, "data")
        for node in nodes:
            p.read(node, "grad")
        _quiet(expect_program, cls, p)
    _passed(say("ok_programs", cls=name, what=what, trials=trials))


def _quiet(check, *args, **kwargs) -> None:
    """Run a check without its success line (a summary line follows)."""
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        check(*args, **kwargs)
