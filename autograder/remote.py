"""Stand-ins for the learner's functions on the trusted side.

A :class:`SubmissionRunner` keeps the learner's cells running in a sandbox :class:`~autograder.sandbox.Session`
(restarting it, without the offending cell, when a cell crashes or hangs). A
:class:`RemoteFunction` is bound to a learner's name in the namespace where the trusted test cells
run: calling it sends the arguments to the sandbox and turns the plain-data answer back into what
the checks expect — the value, the learner's exception, their floating-point warnings, and any
change they made to an argument, so :func:`autograder.calls.call` notices it as usual.
"""
from __future__ import annotations

import keyword
import re
import time
import warnings

import numpy as np

from . import crossing, wire
from .calls import LearnerFault, describe_call
from .messages import say
from .sandbox import ForkServer, SandboxFault


class SubmissionRunner:
    """The program of one submission (setup cells from source, answer cells from the learner)."""

    def __init__(self, server: ForkServer, cells: list[tuple[str, str]], budget_seconds: float = 120.0):
        self.server, self.cells = server, cells
        self.skipped: set[str] = set()        # cells that crashed or hung: left out of every restart
        self.cell_errors: dict[str, dict] = {}  # cell id -> the exception it raised
        self.broken: dict[str, str] = {}      # function name -> "crashed" / "timed_out"
        self.session = None
        self.budget_seconds = budget_seconds
        self.deadline = time.monotonic() + budget_seconds

    def start(self) -> None:
        """Run every cell not known to crash; a cell that crashes or hangs is skipped from then on."""
        while True:
            session = self.server.session()
            try:
                for cell_id, source in self.cells:
                    if cell_id in self.skipped:
                        continue
                    result = session.run_cell(source)
                    if result.get("ok"):
                        self.cell_errors.pop(cell_id, None)
                    else:
                        self.cell_errors[cell_id] = result.get("error", {})
            except SandboxFault:
                self.skipped.add(cell_id)
                continue
            self.session = session
            return

    def call(self, name: str, args: tuple, kwargs: dict, seconds: float | None = None) -> dict:
        """seconds: this call's own deadline (default: the limits' ``call_seconds``), never past the budget."""
        return self._ask(name, describe_call(args, kwargs), seconds,
                         lambda s: self.session.call(name, args, kwargs, seconds=s))

    def perform(self, name: str, steps: list, what: str, seconds: float | None = None) -> dict:
        """Run a program (:mod:`autograder.programs`) on the learner's class ``name``."""
        return self._ask(name, what, seconds, lambda s: self.session.perform(name, steps, seconds=s))

    def _ask(self, name: str, what: str, seconds: float | None, ask) -> dict:
        if name in self.broken:
            raise LearnerFault(say("broken_before", fn=name, what=say(f"broken_{self.broken[name]}")))
        if time.monotonic() > self.deadline:
            raise LearnerFault(say("budget_spent", fn=name, seconds=f"{self.budget_seconds:g}"))
        if crossing.blocked_module(self.cell_errors.get(name)):  # its cell imported what learners lack
            raise LearnerFault(say("import_unavailable", fn=name,
                                   module=crossing.blocked_module(self.cell_errors[name])))
        if self.session is None or self.session.ended is not None:
            self.start()
        seconds = min(seconds or self.server.limits.call_seconds, max(0.1, self.deadline - time.monotonic()))
        try:
            return ask(seconds)
        except SandboxFault as fault:
            self.broken[name] = fault.kind
            self.session = None
            if fault.kind == "timed_out":
                raise LearnerFault(say("timed_out", fn=name, call=what, seconds=f"{seconds:g}")) from None
            raise LearnerFault(say("crashed", fn=name, call=what, how=fault.detail or "?")) from None

    def close(self) -> None:
        if self.session is not None:
            self.session.end()
            self.session = None


class RemoteFunction(crossing.Reference):
    """Calls the learner's function ``name`` in the sandbox; behaves like a local function.

    Passed as an argument to another learner function, it crosses as a reference to ``name``
    (:mod:`autograder.crossing`). seconds: its calls' deadline (see :meth:`with_deadline`).
    """

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

    def perform_program(self, steps: list, what: str) -> dict:
        """Carry out a program on the learner's class of this name, in the sandbox: plain results."""
        reply = self._runner.perform(self.__name__, steps, what, seconds=self._seconds)
        if "error" in reply:
            raise learner_exception(reply["error"])
        return wire.decode(reply["program"])

    def __call__(self, *args, **kwargs):
        reply = self._runner.call(self.__name__, args, kwargs, seconds=self._seconds)
        if "error" in reply:
            if crossing.blocked_module(reply["error"]):  # imported, while running, what learners lack
                raise LearnerFault(say("import_unavailable", fn=self.__name__,
                                       module=crossing.blocked_module(reply["error"])))
            raise learner_exception(reply["error"])
        crossing.apply_records(reply.get("records"), args, kwargs)
        for index, remote in dict(reply.get("changed_args", {})).items():
            if str(index).isdigit() and int(index) < len(args):
                write_back(args[int(index)], wire.decode(remote))
        for key, remote in dict(reply.get("changed_kwargs", {})).items():
            if key in kwargs:
                write_back(kwargs[key], wire.decode(remote))
        for category, message in reply.get("warnings", [])[:20]:
            warnings.warn(str(message), RuntimeWarning if category == "RuntimeWarning" else UserWarning, stacklevel=2)
        return wire.decode(reply["value"])

    def __deepcopy__(self, memo):  # a check's private copy of the arguments still names the same function
        return self

    def __repr__(self) -> str:
        return f"<learner's {self.__name__}>"


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")


# Built-in exceptions a learner's exception may be reported as (by the sandbox, which checks identity).
_KNOWN_BASES = {cls.__name__: cls for cls in (
    NotImplementedError, ValueError, TypeError, IndexError, KeyError, LookupError, ZeroDivisionError,
    OverflowError, FloatingPointError, ArithmeticError, AttributeError, NameError, AssertionError,
    RecursionError, RuntimeError, MemoryError)}


def learner_exception(error: dict) -> Exception:
    """An exception carrying the learner's exception's type name and message (never its object).

    Its class derives from the most specific built-in exception the sandbox saw it really is, so
    ``except ValueError`` and ``expect_raises(f, ValueError)`` judge it as they would locally.
    """
    name, message = str(error.get("type", "Exception")), str(error.get("message", ""))[:500]
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
