"""Counts what crosses into the sandbox while it is active: requests (round trips) and learner-function calls.

    with SandboxCounter() as counter:
        ...grade...
    counter.round_trips, counter.calls

A check's planned calls go in one request (``Session.call_each``): one round trip, each call counted.
"""
from __future__ import annotations

from autograder.sandbox import Session

COUNTED = ("call", "call_each", "perform")


class SandboxCounter:
    def __init__(self):
        self.round_trips = self.calls = 0
        self.originals = {name: getattr(Session, name) for name in COUNTED}

    def __enter__(self) -> "SandboxCounter":
        def counted(name, original):
            def method(session, *args, **kwargs):
                self.round_trips += 1
                self.calls += len(args[1]) if name == "call_each" else 1
                return original(session, *args, **kwargs)
            return method
        for name, original in self.originals.items():
            setattr(Session, name, counted(name, original))
        return self

    def __exit__(self, *exc):
        for name, original in self.originals.items():
            setattr(Session, name, original)
