"""Finding the hidden reference implementation, on the instructor's side only.

The reference lives in ``solutions/`` beside ``autograder/`` in the course repository; it is never
packaged or released. A learner's install has no ``solutions/``, and asking for the reference
there is an error that says so (hidden tests never run on the learner's side).
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from .messages import say

CODE_ROOT = Path(__file__).resolve().parent.parent


class ReferenceUnavailable(RuntimeError):
    pass


_found = None  # the solutions package, once imported (a check asks for references ~190 times a learner)


def reference(name: str):
    """The reference implementation of the graded function (or class) ``name``."""
    global _found
    solutions = _found
    if solutions is None:
        if not (CODE_ROOT / "solutions" / "__init__.py").is_file():
            raise ReferenceUnavailable(str(say("reference_missing")))
        if str(CODE_ROOT) not in sys.path:
            sys.path.append(str(CODE_ROOT))
        solutions = _found = importlib.import_module("solutions")
    try:
        return solutions.REFERENCE[name]
    except KeyError:
        raise KeyError(f"no reference implementation called {name!r}") from None
