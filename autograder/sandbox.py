"""Running learner code apart from the grader: the trusted side of the sandbox.

A :class:`ForkServer` is one long-lived sandbox process (see :mod:`autograder.sandbox_server`);
:meth:`ForkServer.session` forks a fresh child for one submission and returns a :class:`Session`
to run its cells and call its functions, each under a wall-clock deadline. When the grader runs
as root the server lives in new mount, network, IPC and PID namespaces (``unshare``) on a root file
system of its own that holds only the system, the Python installation and the public checks (no
course, no ``solutions/``, no home directories), and each child runs as an unprivileged uid of its
own, in control groups of its own where the system has them (:attr:`ForkServer.whole_limits`);
otherwise it runs as the grader's user, with resource limits only, and :attr:`ForkServer.isolated`
is False.

A server that stops answering on its control channel, or whose process has ended, is *down*
(:class:`SandboxDown`): a fault of the grading machinery, never of a learner's code, so it is
raised past every ``except Exception`` of the checks, and the grader replaces the server.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cgroups, wire
from .messages import say
from .untrusted import learner_text

CODE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Seconds are wall-clock deadlines set by the grader."""

    cell_seconds: float = 10.0
    call_seconds: float = 5.0
    cpu_seconds: int = 60
    memory_bytes: int = 1 << 30
    output_bytes: int = 4 << 20
    processes: int = 16
    budget_seconds: float = 120.0  # wall-clock for one submission in all: cells, re-runs and calls

    def for_server(self) -> str:
        return json.dumps({"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_bytes,
                           "output_bytes": self.output_bytes, "processes": self.processes})


class SandboxFault(Exception):
    """The learner's process died or stopped answering; ``kind`` is "crashed" or "timed_out".

    detail: how it ended, a str or a :class:`~autograder.messages.Text` (a limit of the whole submission).
    """

    def __init__(self, kind: str, detail=""):
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


class SandboxDown(BaseException):
    """The sandbox server itself failed: not the learner's doing, so no check may take it for an answer."""


def kept_paths() -> list[str]:
    """What it must still reach: the Python installation and environment, and the public checks."""
    return [sys.base_prefix, sys.prefix, str(CODE_ROOT / "autograder")]


class ForkServer:
    """One sandbox process that forks a child per submission."""

    def __init__(self, course_dir: Path, uid: int, limits: Limits = Limits(), prelude: list[str] = (),
                 keep: list[str] | None = None, start_timeout: float = 60.0, uid_span: int = 1, wait: bool = True):
        """uid, uid_span: children run as ``uid``, ``uid + 1``, ... ``uid + uid_span - 1`` in turn.
        prelude: trusted cells (the notebook's setup) run once, before any child is forked.
        keep: paths to leave reachable, read-only (default: :func:`kept_paths`).
        wait: wait here until the server has started; with False the caller does other work while the
        server starts (its imports take seconds) and must call :meth:`wait_started` before any session."""
        self.limits = limits
        self.dead = False
        self.cgroup_name = None
        self.active: Session | None = None
        self._started = False
        parent, child = socket.socketpair()
        command = [sys.executable, "-I", "-m", "autograder.sandbox_server", "--control-fd", str(child.fileno()),
                   "--uid", str(uid), "--uid-span", str(uid_span), "--limits", limits.for_server(),
                   "--prelude", json.dumps(list(prelude)), f"--course={course_dir}"]
        command += [f"--keep={p}" for p in (kept_paths() if keep is None else keep)]
        wants_namespaces = os.geteuid() == 0 and shutil.which("unshare") and shutil.which("setpriv")
        if wants_namespaces:
            cgroups.sweep()  # groups a killed run could not remove
            # The namespace's first process dies with its parent, and every process in it with that one.
            command = ["setpriv", "--pdeathsig", "KILL", "unshare", "--mount", "--net", "--ipc", "--pid", "--fork",
                       "--kill-child", "--mount-proc", *command]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
        # The server's own errors go to a file (a pipe nobody reads while grading could fill and block it).
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=self.errors, env=env, cwd="/")
        child.close()
        self.control = parent
        self.control.settimeout(start_timeout)
        self._wants_namespaces = wants_namespaces
        if wait:
            self.wait_started()

    def wait_started(self) -> None:
        """Wait for the server's greeting (once); raises RuntimeError if it did not start."""
        if self._started:
            return
        try:
            hello = wire.receive(self.control)
        except (EOFError, OSError, wire.WireError) as error:
            stderr = self._stderr()
            self.close()
            raise RuntimeError(f"the sandbox did not start ({error}): {stderr}") from None
        self.isolated = bool(hello.get("namespace")) and bool(self._wants_namespaces)
        self.cgroup_name = hello.get("cgroup_name")
        # Memory and processes counted for all of a submission's processes together (else per process).
        self.whole_limits = {"memory", "pids"} <= set(hello.get("cgroups", []))
        self.prelude_results = hello.get("prelude", [])
        self._started = True

    def _stderr(self) -> str:
        """The end of what the server wrote to its stderr (the grader's own code: a traceback, say)."""
        try:
            size = os.fstat(self.errors.fileno()).st_size
            return learner_text(os.pread(self.errors.fileno(), 2000, max(0, size - 2000)).decode(errors="replace"), 2000)
        except Exception:
            return ""

    def alive(self) -> bool:
        """Whether the server can still be trusted to serve the next submission."""
        return not self.dead and self.process.poll() is None

    def _down(self, what: str, error) -> SandboxDown:
        self.dead = True
        return SandboxDown(f"the sandbox server {what} ({type(error).__name__}: {error}) {self._stderr()}".strip())

    def session(self) -> "Session":
        """A fresh child for one submission (ending the previous one first, if it is still there)."""
        self.wait_started()
        if self.active is not None:
            self.active.end()
        if not self.alive():
            raise SandboxDown("the sandbox server is not running")
        ours, theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [b"F"], [theirs.fileno()])
            reply = wire.receive(self.control, deadline=time.monotonic() + 30)
        except (EOFError, OSError, wire.WireError) as error:
            ours.close()
            raise self._down("did not fork a child", error) from None
        finally:
            theirs.close()
        if "forked" not in reply:
            ours.close()
            raise self._down("refused to fork", RuntimeError(str(reply)[:200]))
        self.active = Session(self, ours, uid=reply.get("uid"))
        return self.active

    def _end_child(self) -> dict:
        """Kill the current child (and all it started) and wait for the server's report.

        The server has 30 s to reap and account for it (it only kills and waits: clean-up is
        the kernel's); a server that does not report in time, or at all, is down.
        """
        try:
            self.control.sendall(b"K")
            deadline = time.monotonic() + 30
            while True:
                reply = wire.receive(self.control, deadline=deadline)
                if "exited" in reply:
                    self.active = None
                    return reply
        except (EOFError, OSError, wire.WireError) as error:
            self.active = None
            raise self._down("did not report the end of a child", error) from None

    def close(self) -> None:
        try:
            self.control.sendall(b"Q")
        except OSError:
            pass
        self.control.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors.close()
        if self.cgroup_name:  # its server has exited (with its namespace, so every child is gone)
            cgroups.remove(self.cgroup_name)
            self.cgroup_name = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def encoded(args: tuple, kwargs: dict) -> dict:
    """A call's arguments as the child receives them (:func:`autograder.wire.encode`)."""
    return {"args": [wire.encode(a) for a in args], "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}}


@dataclass
class Session:
    """One child of the fork server: a fresh interpreter state for one submission."""

    server: ForkServer
    sock: socket.socket
    uid: int | None = None
    ended: dict | None = field(default=None)

    def _ask(self, request: dict, seconds: float) -> dict:
        """Send a request and wait, at most ``seconds`` in all, for the reply that answers it.

        Each request carries a random id the reply must echo, and nothing may follow the reply:
        a child writing anything else to its channel is at fault in the call that did it.
        """
        if self.ended is not None:
            raise SandboxFault("crashed", self._how())
        request_id = secrets.token_hex(8)
        seconds = max(seconds, 0.05)
        try:
            self.sock.settimeout(seconds)
            wire.send(self.sock, {**request, "id": request_id})
            reply = wire.receive(self.sock, deadline=time.monotonic() + seconds)
            if reply.pop("id", None) != request_id or wire.pending(self.sock):
                raise wire.WireError("the child wrote to the grader's channel out of turn")
            return reply
        except (EOFError, OSError, wire.WireError) as error:  # socket.timeout included
            raise self._fault(error, seconds) from None

    def _fault(self, error: BaseException, seconds: float) -> SandboxFault:
        """End the child whose request failed with ``error``: the fault that ends it (a hang or a crash)."""
        self.end()
        if isinstance(error, socket.timeout):
            return SandboxFault("timed_out", f"{seconds:g} s")
        return SandboxFault("crashed", self._how() if isinstance(error, EOFError) else str(error))

    def _how(self):
        if not self.ended:
            return ""
        if self.ended.get("reason") in ("cpu", "memory"):
            return say(f"how_{self.ended['reason']}", seconds=self.server.limits.cpu_seconds,
                       megabytes=(self.server.limits.memory_bytes + cgroups.GROUP_HEADROOM) >> 20)
        if self.ended.get("signal"):
            return f"killed by signal {self.ended['signal']}"
        return f"exit status {self.ended.get('exited')}"

    def run_cell(self, source: str, seconds: float | None = None) -> dict:
        """``{"ok": True}`` or ``{"ok": False, "error": {"type", "message"}}``; SandboxFault if it dies.

        seconds: a shorter deadline than the cell limit (what is left of a submission's budget)."""
        limit = self.server.limits.cell_seconds
        return self._ask({"op": "cell", "source": source}, limit if seconds is None else min(limit, seconds))

    def call(self, name: str, args: tuple, kwargs: dict, seconds: float | None = None) -> dict:
        """The child's answer to ``name(*args, **kwargs)``: ``value`` (encoded), ``changed_args``,
        ``changed_kwargs``, ``warnings`` and ``records`` (of course functions), or ``error``.
        seconds: this call's deadline (default: the limits' ``call_seconds``); the runner caps it by
        what is left of the submission's budget."""
        return self._ask({"op": "call", "name": name, **encoded(args, kwargs)}, seconds or self.server.limits.call_seconds)

    def call_each(self, name: str, calls: list[dict], seconds: float | None = None,
                  until: float | None = None) -> tuple[list[dict], SandboxFault | None]:
        """The child's answers to several calls of ``name``, each given as :func:`encoded` arguments,
        one after another as :meth:`call` would give them, in one request: one round trip, not one per call.

        The answers stop after the first that is an ``error`` (a caller stops at a raised exception).
        Each call has ``seconds`` of its own (default: the limits' ``call_seconds``), counted from
        the answer before it and never past ``until`` (a ``time.monotonic()``). A call that hangs or
        crashes the child ends it: the answers before it come back, with the :class:`SandboxFault`
        of that call (else None).
        """
        if self.ended is not None:
            raise SandboxFault("crashed", self._how())
        request_id = secrets.token_hex(8)
        seconds = max(seconds or self.server.limits.call_seconds, 0.05)
        replies: list[dict] = []
        try:
            self.sock.settimeout(seconds)
            wire.send(self.sock, {"op": "calls", "name": name, "id": request_id, "calls": calls})
            while len(replies) < len(calls):
                deadline = time.monotonic() + seconds
                reply = wire.receive(self.sock, deadline=deadline if until is None else min(deadline, until))
                if reply.pop("id", None) != request_id or reply.pop("index", None) != len(replies):
                    raise wire.WireError("the child wrote to the grader's channel out of turn")
                replies.append(reply)
                if "error" in reply:
                    break
            if wire.pending(self.sock):  # written after the last answer: the fault of the call that wrote it
                replies.pop()
                raise wire.WireError("the child wrote to the grader's channel out of turn")
            return replies, None
        except (EOFError, OSError, wire.WireError) as error:  # socket.timeout included
            return replies, self._fault(error, seconds)

    def perform(self, name: str, steps: list, seconds: float | None = None) -> dict:
        """The child's answer to a program (:mod:`autograder.programs`) on its class ``name``:
        ``program`` (encoded ``{"reads", "failed", "error"}``) or ``error``."""
        return self._ask({"op": "perform", "name": name, "steps": steps}, seconds or self.server.limits.call_seconds)

    def end(self) -> None:
        """Kill the child and everything it started; a child is never trusted to exit by itself.

        :class:`SandboxDown` if the server does not report the child's end.
        """
        if self.ended is not None:
            return
        self.sock.close()
        self.ended = {"exited": None, "signal": None}
        self.ended = self.server._end_child()
