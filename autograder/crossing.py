"""What crosses the sandbox besides plain data, and how it is rebuilt on the far side.

The one rule: the trusted side decides, and only plain data or trusted descriptions cross. So:

- a **course function** (:class:`~autograder.functions.CourseFunction`) crosses as its description
  (``{"t": "fn", "d": ...}``); the sandbox rebuilds it, and after the call sends back its record
  (calls and points, capped), which the trusted side checks and copies onto its own object;
- one of the **learner's own functions**, passed as an argument on the trusted side (where it is a
  :class:`~autograder.remote.RemoteFunction`), crosses as a reference to the learner's name
  (``{"t": "ref", "name": ...}``) and resolves, in the sandbox, to the learner's function;
- a **numpy Generator** crosses as its bit generator's state (``{"t": "rng", ...}``); the sandbox
  builds an identical generator, and its state after the call comes back as plain data
  (:class:`RngState`), which the trusted side validates before setting its own generator to it.

Nothing that comes *back* from the sandbox is rebuilt as a function, a reference or a generator:
on the trusted side these tags decode to :class:`~autograder.wire.Opaque` (or, for a generator
state, to a validated :class:`RngState`). The sandbox also reseeds numpy's and Python's global
random state unpredictably before every call (so code drawing from ``np.random`` instead of
``rng`` cannot repeat itself) and refuses to import what a learner's install does not have.
"""
from __future__ import annotations

import secrets
import sys

import numpy as np
import numpy.random  # noqa: F401 (numpy loads it lazily: here, before any learner code can spoil the import)

from .functions import MAX_POINT_SIZE, MAX_POINTS, CourseFunction, DescriptionError, from_description

TAGS = ("fn", "ref", "rng")
BIT_GENERATORS = ("PCG64", "PCG64DXSM", "Philox", "SFC64", "MT19937")
# Installed in the grading environment, not in a learner's (pip install jupyterlab nbgrader nnmath).
BLOCKED_MODULES = ("torch", "sklearn", "scipy", "nbgrader", "sqlalchemy", "pandas", "tensorflow", "jax",
                   "solutions", "playwright")
BLOCKED_MARK = "is not part of the course's install"

_inside: dict | None = None  # in the sandbox: the learner's namespace (references resolve there)


def enter_sandbox(namespace: dict) -> None:
    """Called by the sandbox child: from now on, decode rebuilds functions, references and generators."""
    global _inside
    _inside = namespace


# --- encoding (either side) ---------------------------------------------------------------------------

class Reference:
    """Base of trusted stand-ins that cross as a reference to a name in the learner's program."""

    __name__: str


def encodes(value) -> bool:
    return type(value) in (CourseFunction, np.random.Generator) or issubclass(type(value), Reference)


def encode(value) -> dict:
    from . import wire

    if type(value) is CourseFunction:
        return {"t": "fn", "d": wire.encode(value.description)}
    if type(value) is np.random.Generator:
        state = value.bit_generator.state
        return {"t": "rng", "v": wire.encode(state)}
    return {"t": "ref", "name": str(value.__name__)}


def decode(data: dict):
    """Inside the sandbox: the function, learner function or generator ``data`` describes.
    On the trusted side: never a live object (an :class:`Opaque`, or a checked :class:`RngState`)."""
    from . import wire

    tag = data["t"]
    if _inside is None:
        if tag == "rng":
            return RngState.checked(wire.decode(data.get("v")))
        return wire.Opaque("function" if tag in ("fn", "ref") else "object")
    if tag == "fn":
        try:
            return from_description(wire.decode(data.get("d")))
        except DescriptionError as error:
            raise wire.WireError(f"bad function description: {error}") from None
    if tag == "ref":
        name = data.get("name")
        fn = _inside.get(name) if isinstance(name, str) else None
        if not callable(fn):
            raise wire.WireError(f"no function called {name!r} in the learner's program")
        return fn
    state = RngState.checked(wire.decode(data.get("v")))
    if state is None:
        raise wire.WireError("bad generator state")
    return state.generator()


class RngState:
    """A bit generator's state, checked to be one numpy itself would accept."""

    def __init__(self, state: dict):
        self.state = state

    @classmethod
    def checked(cls, state) -> "RngState | None":
        if not isinstance(state, dict) or state.get("bit_generator") not in BIT_GENERATORS:
            return None
        try:
            generator = getattr(np.random, state["bit_generator"])()
            generator.state = state
            return cls(generator.state)  # numpy's own normalised copy
        except Exception:  # any malformed state is simply not one
            return None

    def generator(self) -> np.random.Generator:
        bit_generator = getattr(np.random, self.state["bit_generator"])()
        bit_generator.state = self.state
        return np.random.Generator(bit_generator)


# --- inside the sandbox, around each call --------------------------------------------------------------

def before_call() -> None:
    """Reseed the global random states unpredictably, so only draws from the given ``rng`` repeat."""
    import random

    np.random.seed(secrets.randbits(32))
    random.seed(secrets.randbits(64))


def records(args, kwargs) -> dict:
    """The record of every course function among the arguments, keyed ``"0"``, ``"1"``, ... or by name."""
    from . import wire

    found = {str(i): a for i, a in enumerate(args) if type(a) is CourseFunction}
    found.update({k: v for k, v in kwargs.items() if type(v) is CourseFunction})
    return {key: {"calls": wire.encode(fn.calls), "points": [wire.encode(p) for p in fn.points[:MAX_POINTS]]}
            for key, fn in found.items()}


def apply_records(reply_records, args, kwargs) -> None:
    """On the trusted side: copy the (untrusted) records onto our course functions, if well-formed."""
    from . import wire

    if not isinstance(reply_records, dict):
        return
    for key, record in list(reply_records.items())[:64]:
        local = args[int(key)] if key.isdigit() and int(key) < len(args) else kwargs.get(key)
        if type(local) is not CourseFunction or not isinstance(record, dict):
            continue
        try:
            calls = wire.decode(record.get("calls"))
            points = [wire.decode(p) for p in list(record.get("points", []))[:MAX_POINTS]]
        except (wire.WireError, ValueError, TypeError):
            continue
        if type(calls) is not int or not 0 <= calls < 10**12:
            continue
        local.calls += calls
        local.points += [p for p in points if _point(p)][:MAX_POINTS - len(local.points)]


def _point(p) -> bool:
    return type(p) is float or (isinstance(p, np.ndarray) and p.dtype == np.float64 and p.size <= MAX_POINT_SIZE)


# --- what a learner's install offers ------------------------------------------------------------------

class _Blocked:
    """A meta-path finder refusing the grading environment's extra packages."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED_MODULES:
            raise ModuleNotFoundError(f"No module named '{name}': {name.split('.')[0]} {BLOCKED_MARK}",
                                      name=name)
        return None


def block_imports() -> None:
    """Make the modules a learner's install lacks unimportable (and forget any already imported)."""
    for name in list(sys.modules):
        if name.split(".")[0] in BLOCKED_MODULES:
            del sys.modules[name]
    sys.meta_path.insert(0, _Blocked())


def blocked_module(error: dict | None) -> str | None:
    """The blocked module a cell's error (``{"type", "message"}``) is about, if it is one."""
    if not error or error.get("type") != "ModuleNotFoundError" or BLOCKED_MARK not in str(error.get("message")):
        return None
    name = str(error.get("message")).split("'")[1:2]
    top = name[0].split(".")[0] if name else ""
    return top if top in BLOCKED_MODULES else None


# --- long calls -------------------------------------------------------------------------------------

def within(fn, seconds: float):
    """``fn`` allowed ``seconds`` of wall-clock time per call when graded (e.g. training).

    In the learner's kernel this is ``fn`` itself; in the grader, the learner's function with a
    longer deadline, still inside the submission's overall budget.
    """
    with_deadline = getattr(fn, "with_deadline", None)
    return with_deadline(seconds) if callable(with_deadline) else fn
