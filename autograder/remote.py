"""Stand-ins for the learner's functions on the trusted side.

A :class:`SubmissionRunner` keeps the learner's cells running in a sandbox :class:`~autograder.sandbox.Session`
(restarting it, without the offending cell, when a cell crashes or hangs). A
:class:`RemoteFunction` is bound to a learner's name in the namespace where the trusted test cells
run: calling it sends the arguments to the sandbox and turns the plain-data answer back into what
the checks expect — the value, the learner's exception, their floating-point warnings, and any
change they made to an argument, so :func:`autograder.calls.call` notices it as usual.

Everything a reply carries is bounded before the trusted side computes with it: its text is
made safe (:func:`autograder.untrusted.learner_text`), its size is limited by
:mod:`autograder.wire` and by the size of the call's arguments (:func:`reply_size_bound`), and
calls with arguments of the same shapes must answer with values of the same shapes
(:func:`shape_signature`), so that no two answers can be broadcast against each other into
something far larger than either. One time budget covers a submission's cells, their re-runs
after a crash or a hang, and its calls.
"""
from __future__ import annotations

import keyword
import re
import time
import warnings
from collections import deque

import numpy as np

from . import crossing, wire
from .calls import LearnerFault, describe_call
from .messages import say
from .sandbox import ForkServer, SandboxDown, SandboxFault, encoded
from .untrusted import learner_text


# The most numbers the planned calls of one request may carry: far below a frame's limit (wire.MAX_FRAME)
# however they are nested, so a plan can never fail where its calls one by one would not.
MAX_PLANNED_ELEMENTS = 1 << 20


class SubmissionRunner:
    """The program of one submission (setup cells from source, answer cells from the learner)."""

    def __init__(self, server: ForkServer, cells: list[tuple[str, str]], budget_seconds: float = 120.0,
                 deadline: float | None = None):
        """budget_seconds: the submission's time in all; deadline: a ``time.monotonic()`` by which it
        ends (default: ``budget_seconds`` from now), shared by every runner of one submission."""
        self.server, self.cells = server, cells
        self.skipped: set[str] = set()        # cells that crashed or hung: left out of every restart
        self.skip_reasons: dict[str, object] = {}  # cell id -> how it ended the process (str or Text)
        self.cell_errors: dict[str, dict] = {}  # cell id -> the exception it raised
        self.broken: dict[str, str] = {}      # function name -> "crashed" / "timed_out"
        self.session = None
        self.budget_seconds = budget_seconds
        self.deadline = time.monotonic() + budget_seconds if deadline is None else deadline
        self.out_of_time = False  # the budget ran out while cells were (re-)running
        self.reply_shapes: dict = {}  # (name, argument shapes) -> the shapes of its first answer
        # Answers made ahead (plan): (name, encoded arguments, answer or SandboxFault, seconds), in call order.
        self.planned: deque = deque()
        self.unplanned: set[str] = set()  # functions a planned call of which hung or crashed: one by one from then on

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def start(self) -> None:
        """Run every cell not known to crash; a cell that crashes or hangs is skipped from then on.

        Each run of a cell gets at most what is left of the budget, re-runs included: when it is
        spent, the cells not yet run are left out and every call is refused (``budget_spent``).
        """
        self.planned.clear()
        while True:
            if self.left() <= 0:  # spent (by an earlier runner of this submission, say): start nothing
                self.out_of_time, self.session = True, None
                return
            session = self.server.session()
            cell_id = None
            try:
                for cell_id, source in self.cells:
                    if cell_id in self.skipped:
                        continue
                    if self.left() <= 0:
                        self.out_of_time = True
                        break
                    result = session.run_cell(source, seconds=self.left())
                    if result.get("ok"):
                        self.cell_errors.pop(cell_id, None)
                    else:
                        self.cell_errors[cell_id] = result.get("error", {})
            except SandboxFault as fault:
                self.skipped.add(cell_id)
                self.skip_reasons[cell_id] = fault.detail if fault.kind == "crashed" else ""
                if self.left() <= 0:
                    self.out_of_time = True
                    self.session = None
                    return
                continue
            self.session = session
            return

    def call(self, name: str, args: tuple, kwargs: dict, seconds: float | None = None) -> dict:
        """seconds: this call's own deadline (default: the limits' ``call_seconds``), never past the budget."""
        return self._ask(name, lambda: describe_call(args, kwargs), seconds,
                         lambda s: self.session.call(name, args, kwargs, seconds=s))

    def perform(self, name: str, steps: list, what: str, seconds: float | None = None) -> dict:
        """Run a program (:mod:`autograder.programs`) on the learner's class ``name``."""
        return self._ask(name, what, seconds, lambda s: self.session.perform(name, steps, seconds=s))

    def plan(self, name: str, calls: list[tuple[tuple, dict]], seconds: float | None = None) -> None:
        """Make, in one request, the calls ``[(args, kwargs), ...]`` of ``name`` a check is about to
        make one by one (:meth:`autograder.sandbox.Session.call_each`); each answer then waits for
        the check's own call with the same arguments (:meth:`planned_answer`).

        Only plain data is planned (arrays, numbers, strings and lists, tuples and dicts of them:
        no function, generator or object whose state a call could change), and nothing where a call
        would be refused. A call that hangs or crashes the child ends it there: that call's fault is
        kept for the check's own call, which reports it as it would have; the learner's function
        counts as broken only if the check makes that call, and its calls are never planned again
        (so a hang the checks never reach costs the submission's budget one call's time at most).
        """
        self.planned.clear()
        if len(calls) < 2 or sum(elements_in(list(args) + list(kwargs.values())) for args, kwargs in calls) > \
                MAX_PLANNED_ELEMENTS:
            return
        sent = [encoded(args, kwargs) for args, kwargs in calls]
        if not all(_plain(one) for one in sent) or name in self.broken or name in self.unplanned or \
                crossing.blocked_module(self.cell_errors.get(name)) or self.left() <= 0 or self.out_of_time:
            return
        if self.session is None or self.session.ended is not None:
            self.start()
            if self.session is None or self.out_of_time:
                return
        seconds = min(seconds or self.server.limits.call_seconds, max(0.1, self.left()))
        try:
            replies, fault = self.session.call_each(name, sent, seconds, until=self.deadline)
        except SandboxFault:  # the child had already ended: the calls go one by one, and start it again
            self.session = None
            return
        self.planned.extend((name, one, reply, seconds) for one, reply in zip(sent, replies))
        if fault is not None:
            self.session = None
            self.unplanned.add(name)
            self.planned.append((name, sent[len(replies)], fault, seconds))

    def planned_answer(self, name: str, args: tuple, kwargs: dict) -> dict | None:
        """The answer made ahead for this call, if it is the next one planned; else None, and the
        plan is dropped (the check went another way: its calls go one by one from here)."""
        if not self.planned:
            return None
        planned_name, sent, answer, seconds = self.planned[0]
        if planned_name != name or sent != encoded(args, kwargs):
            self.planned.clear()
            return None
        self.planned.popleft()
        if isinstance(answer, SandboxFault):
            raise self._broken_by(name, answer, lambda: describe_call(args, kwargs), seconds)
        return answer

    def _ask(self, name: str, what, seconds: float | None, ask) -> dict:
        """what: the call in words for a message (a str, or a callable making it: only a fault needs it)."""
        self.planned.clear()
        if name in self.broken:
            raise LearnerFault(say("broken_before", fn=name, what=say(f"broken_{self.broken[name]}")))
        if self.left() <= 0 or self.out_of_time:
            raise LearnerFault(say("budget_spent", fn=name, seconds=f"{self.budget_seconds:g}"))
        if crossing.blocked_module(self.cell_errors.get(name)):  # its cell imported what learners lack
            raise LearnerFault(say("import_unavailable", fn=name,
                                   module=crossing.blocked_module(self.cell_errors[name])))
        if self.session is None or self.session.ended is not None:
            self.start()
            if self.session is None or self.out_of_time:
                raise LearnerFault(say("budget_spent", fn=name, seconds=f"{self.budget_seconds:g}"))
        # This call's own deadline (or the usual one), never past what is left of the submission's budget.
        seconds = min(seconds or self.server.limits.call_seconds, max(0.1, self.left()))
        try:
            return ask(seconds)
        except SandboxFault as fault:
            raise self._broken_by(name, fault, what, seconds) from None

    def _broken_by(self, name: str, fault: SandboxFault, what, seconds: float) -> LearnerFault:
        """A call of ``name`` hung or crashed its child (now ended): so is ``name`` from now on."""
        self.broken[name] = fault.kind
        self.session = None
        what = what() if callable(what) else what
        if fault.kind == "timed_out":
            return LearnerFault(say("timed_out", fn=name, call=what, seconds=f"{seconds:g}"))
        return LearnerFault(say("crashed", fn=name, call=what, how=fault.detail or "?"))

    def check_reply(self, name: str, args: tuple, kwargs: dict, value) -> None:
        """Refuse an answer far larger than its arguments, or shaped unlike an earlier one for the same shapes."""
        size, bound = elements_in(value), reply_size_bound(args, kwargs)
        if size > bound:
            raise LearnerFault(say("reply_too_large", fn=name, call=describe_call(args, kwargs), size=size,
                                   bound=bound))
        key = (name, argument_signature((args, kwargs)))
        shapes = shape_signature(value)
        first = self.reply_shapes.setdefault(key, shapes)
        if first != shapes:
            raise LearnerFault(say("reply_inconsistent", fn=name, call=describe_call(args, kwargs),
                                   first=learner_text(shapes_in_words(first), 160),
                                   now=learner_text(shapes_in_words(shapes), 160)))

    def close(self) -> None:
        """End the submission's child. Its grade is complete by now: a server that fails to report
        the end is marked down (and replaced before the next submission), not held against it."""
        if self.session is not None:
            session, self.session = self.session, None
            try:
                session.end()
            except SandboxDown:
                pass


class RemoteFunction(crossing.Reference):
    """Calls the learner's function ``name`` in the sandbox; behaves like a local function.

    Passed as an argument to another learner function, it crosses as a reference to ``name``
    (:mod:`autograder.crossing`). seconds: its calls' deadline (see :meth:`with_deadline`).
    """

    sees_copies_only = True  # its arguments cross serialized (see autograder.calls.call)

    def __init__(self, name: str, runner: SubmissionRunner, seconds: float | None = None):
        self.__name__ = name
        self._runner = runner
        self._seconds = seconds

    def with_deadline(self, seconds: float) -> "RemoteFunction":
        """The same function, each call allowed ``seconds`` (inside the submission's budget)."""
        return RemoteFunction(self.__name__, self._runner, seconds=float(seconds))

    @property
    def source(self) -> str:
        """The learner's answer cell that defines this name (for checks on the source)."""
        return dict(self._runner.cells).get(self.__name__, "")

    def plan(self, calls: list[tuple[tuple, dict]]) -> None:
        """The calls ``[(args, kwargs), ...]`` a check is about to make, made ahead in one request
        (:meth:`SubmissionRunner.plan`); the check then calls as usual."""
        self._runner.plan(self.__name__, calls, seconds=self._seconds)

    def perform_program(self, steps: list, what: str) -> dict:
        """Carry out a program on the learner's class of this name, in the sandbox: plain results."""
        reply = self._runner.perform(self.__name__, steps, what, seconds=self._seconds)
        if "error" in reply:
            raise learner_exception(reply["error"])
        return wire.decode(reply["program"])

    def __call__(self, *args, **kwargs):
        name = self.__name__
        reply = self._runner.planned_answer(name, args, kwargs)
        if reply is None:
            reply = self._runner.call(name, args, kwargs, seconds=self._seconds)
        if "error" in reply:
            if crossing.blocked_module(reply["error"]):  # imported, while running, what learners lack
                raise LearnerFault(say("import_unavailable", fn=name, module=crossing.blocked_module(reply["error"])))
            raise learner_exception(reply["error"])
        try:
            value = wire.decode(reply["value"])
            changed_args = {int(i): wire.decode(v) for i, v in dict(reply.get("changed_args", {})).items()
                            if str(i).isdigit() and int(i) < len(args)}
            changed_kwargs = {k: wire.decode(v) for k, v in dict(reply.get("changed_kwargs", {})).items() if k in kwargs}
        except (KeyError, TypeError, ValueError, wire.WireError) as error:
            raise LearnerFault(say("reply_refused", fn=name, call=describe_call(args, kwargs),
                                   why=learner_text(error, 200))) from None
        self._runner.check_reply(name, args, kwargs, value)
        crossing.apply_records(reply.get("records"), args, kwargs)
        for index, remote in changed_args.items():
            write_back(args[index], remote)
        for key, remote in changed_kwargs.items():
            write_back(kwargs[key], remote)
        for category, message in list(reply.get("warnings", []))[:20]:
            warnings.warn(learner_text(message, 300), RuntimeWarning if category == "RuntimeWarning" else UserWarning,
                          stacklevel=2)
        return value

    def __deepcopy__(self, memo):  # a check's private copy of the arguments still names the same function
        return self

    def __repr__(self) -> str:
        return f"<learner's {self.__name__}>"


def _plain(call: dict) -> bool:
    """Whether the :func:`autograder.sandbox.encoded` arguments of a call are plain data only."""
    return all(_plain_value(a) for a in call["args"]) and all(_plain_value(v) for v in call["kwargs"].values())


def _plain_value(description: dict) -> bool:
    tag, value = description.get("t"), description.get("v")
    if tag in ("py", "int", "float", "np.float64", "ndarray"):
        return True
    if tag == "np.scalar":
        return _plain_value(value)
    if tag in ("list", "tuple"):
        return all(_plain_value(v) for v in value)
    if tag == "dict":
        return all(_plain_value(v) for v in value.values())
    return False  # a function, a generator, an object that could not cross


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")


def elements_in(value) -> int:
    """How many numbers a decoded value holds (array elements, scalars), nested values included."""
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, (list, tuple)):
        return sum(elements_in(v) for v in value)
    if isinstance(value, dict):
        return sum(elements_in(v) for v in value.values())
    return 1


def reply_size_bound(args: tuple, kwargs: dict) -> int:
    """The most numbers an answer may hold: four times the square of the arguments' (a Jacobian of
    a batch fits), at least 4096, at most :data:`autograder.wire.MAX_ELEMENTS`."""
    values = list(args) + list(kwargs.values())
    if any(isinstance(v, np.random.Generator) for v in values):  # data drawn from a generator (05's init_params)
        return wire.MAX_ELEMENTS
    given = elements_in(values)
    return min(wire.MAX_ELEMENTS, max(1 << 12, 4 * given * given))


def argument_signature(value):
    """What decides an answer's shapes: array shapes, and the values of whole numbers and strings
    (layer sizes, a scheme's name), and which function or generator is passed (by type and name)."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(argument_signature(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), argument_signature(v)) for k, v in value.items())))
    if isinstance(value, (bool, int, np.integer, str)):
        return ("value", repr(value)[:100])
    if isinstance(value, (float, np.floating)) or value is None:
        return "scalar"
    return ("object", type(value).__name__, str(getattr(value, "__name__", ""))[:60])


def shape_signature(value):
    """The structure of a value with its array shapes, not its numbers (what broadcasting depends on)."""
    if isinstance(value, np.ndarray) and value.ndim:
        return ("array", value.shape)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(shape_signature(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), shape_signature(v)) for k, v in value.items())))
    return "scalar"


def shapes_in_words(signature) -> str:
    """A :func:`shape_signature` as a message shows it: ``(4096, 1)``, ``a number``, ``[(3,), a number]``."""
    if signature == "scalar":
        return "a number"
    kind, inner = signature
    if kind == "array":
        return str(inner)
    if kind == "dict":
        return "{" + ", ".join(f"{key}: {shapes_in_words(value)}" for key, value in inner) + "}"
    words = ", ".join(shapes_in_words(item) for item in inner)
    return f"[{words}]" if kind == "list" else f"({words})"


# Built-in exceptions a learner's exception may be reported as (by the sandbox, which checks identity).
_KNOWN_BASES = {cls.__name__: cls for cls in (
    NotImplementedError, ValueError, TypeError, IndexError, KeyError, LookupError, ZeroDivisionError,
    OverflowError, FloatingPointError, ArithmeticError, AttributeError, NameError, AssertionError,
    RecursionError, RuntimeError, MemoryError)}


def learner_exception(error: dict) -> Exception:
    """An exception carrying the learner's exception's type name and message (never its object).

    Its class derives from the most specific built-in exception the sandbox saw it really is, so
    ``except ValueError`` and ``expect_raises(f, ValueError)`` judge it as they would locally.
    The message is made safe text (one line, no control characters, no lone surrogates).
    """
    if not isinstance(error, dict):
        error = {}
    name, message = str(error.get("type", "Exception")), learner_text(error.get("message", ""), 500)
    bases = error.get("bases") if isinstance(error.get("bases"), list) else []
    base = next((_KNOWN_BASES[b] for b in bases if isinstance(b, str) and b in _KNOWN_BASES), Exception)
    if not _IDENTIFIER.match(name) or keyword.iskeyword(name):
        name = base.__name__
    if name == base.__name__:
        return base(message)
    return type(name, (base,), {})(message)


def write_back(local, remote) -> None:
    """Copy the sandbox's view of an argument over our copy, so an in-place change shows here too."""
    if isinstance(local, np.random.Generator) and isinstance(remote, crossing.RngState):
        local.bit_generator.state = remote.state  # checked when decoded: the state after the call
    elif isinstance(local, np.ndarray):
        if isinstance(remote, np.ndarray) and remote.shape == local.shape and local.flags.writeable:
            if remote.dtype != local.dtype or remote.tobytes() != local.tobytes():
                local[...] = remote.astype(local.dtype, copy=False)
    elif isinstance(local, (list, tuple)) and type(remote) is type(local) and len(local) == len(remote):
        for a, b in zip(local, remote):
            write_back(a, b)
    elif isinstance(local, dict) and isinstance(remote, dict):
        for key in local.keys() & remote.keys():
            write_back(local[key], remote[key])
