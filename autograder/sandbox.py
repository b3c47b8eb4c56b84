"""Running learner code apart from the grader: the trusted side of the sandbox.

A :class:`ForkServer` is one long-lived sandbox process (see :mod:`autograder.sandbox_server`);
:meth:`ForkServer.session` forks a fresh child for one submission and returns a :class:`Session`
to run its cells and call its functions, each under a wall-clock deadline. When the grader runs
as root the server lives in new mount, network and PID namespaces (``unshare``) on a root file
system of its own that holds only the system, the Python installation and the public checks (no
course, no ``solutions/``, no home directories), and each child runs as its own unprivileged uid;
otherwise it runs as the grader's user, with resource limits only, and :attr:`ForkServer.isolated`
is False.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import wire

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

    def for_server(self) -> str:
        return json.dumps({"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_bytes,
                           "output_bytes": self.output_bytes, "processes": self.processes})


class SandboxFault(Exception):
    """The learner's process died or stopped answering; ``kind`` is "crashed" or "timed_out"."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


def kept_paths() -> list[str]:
    """What it must still reach: the Python installation and environment, and the public checks."""
    return [sys.base_prefix, sys.prefix, str(CODE_ROOT / "autograder")]


class ForkServer:
    """One sandbox process that forks a child per submission."""

    def __init__(self, course_dir: Path, uid: int, limits: Limits = Limits(), prelude: list[str] = (),
                 keep: list[str] | None = None, start_timeout: float = 60.0):
        """prelude: trusted cells (the notebook's setup) run once, before any child is forked.
        keep: paths to leave reachable, read-only (default: :func:`kept_paths`)."""
        self.limits = limits
        parent, child = socket.socketpair()
        command = [sys.executable, "-I", "-m", "autograder.sandbox_server", "--control-fd", str(child.fileno()),
                   "--uid", str(uid), "--limits", limits.for_server(), "--prelude", json.dumps(list(prelude)),
                   f"--course={course_dir}"]
        command += [f"--keep={p}" for p in (kept_paths() if keep is None else keep)]
        wants_namespaces = os.geteuid() == 0 and shutil.which("unshare") and shutil.which("setpriv")
        if wants_namespaces:
            # The namespace's first process dies with its parent, and every process in it with that one.
            command = ["setpriv", "--pdeathsig", "KILL", "unshare", "--mount", "--net", "--pid", "--fork",
                       "--kill-child", "--mount-proc", *command]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
        self.process = subprocess.Popen(command, pass_fds=[child.fileno()], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd="/")
        child.close()
        self.control = parent
        self.control.settimeout(start_timeout)
        try:
            hello = wire.receive(self.control)
        except (EOFError, OSError, wire.WireError) as error:
            stderr = self._stderr()
            self.close()
            raise RuntimeError(f"the sandbox did not start ({error}): {stderr}") from None
        self.isolated = bool(hello.get("namespace")) and bool(wants_namespaces)
        self.active: Session | None = None
        self.prelude_results = hello.get("prelude", [])

    def _stderr(self) -> str:
        try:
            return self.process.stderr.read().decode(errors="replace")[-2000:] if self.process.poll() is not None else ""
        except Exception:
            return ""

    def session(self) -> "Session":
        """A fresh child for one submission (ending the previous one first, if it is still there)."""
        if self.active is not None:
            self.active.end()
        ours, theirs = socket.socketpair()
        socket.send_fds(self.control, [b"F"], [theirs.fileno()])
        theirs.close()
        reply = wire.receive(self.control, deadline=time.monotonic() + 30)
        if "forked" not in reply:
            raise RuntimeError(f"the sandbox refused to fork: {reply}")
        self.active = Session(self, ours)
        return self.active

    def _end_child(self) -> dict:
        """Kill the current child (and all it started) and wait for the server's report."""
        self.control.sendall(b"K")
        deadline = time.monotonic() + 30
        while True:
            reply = wire.receive(self.control, deadline=deadline)
            if "exited" in reply:
                self.active = None
                return reply

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
        if self.process.stderr:
            self.process.stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class Session:
    """One child of the fork server: a fresh interpreter state for one submission."""

    server: ForkServer
    sock: socket.socket
    ended: dict | None = field(default=None)

    def _ask(self, request: dict, seconds: float) -> dict:
        """Send a request and wait, at most ``seconds`` in all, for the reply that answers it.

        Each request carries a random id the reply must echo, and nothing may follow the reply:
        a child writing anything else to its channel is at fault in the call that did it.
        """
        if self.ended is not None:
            raise SandboxFault("crashed", self._how())
        request_id = secrets.token_hex(8)
        try:
            self.sock.settimeout(seconds)
            wire.send(self.sock, {**request, "id": request_id})
            reply = wire.receive(self.sock, deadline=time.monotonic() + seconds)
            if reply.pop("id", None) != request_id or wire.pending(self.sock):
                raise wire.WireError("the child wrote to the grader's channel out of turn")
            return reply
        except socket.timeout:
            self.end()
            raise SandboxFault("timed_out", f"{seconds:g} s") from None
        except (EOFError, OSError, wire.WireError) as error:
            self.end()
            how = self._how() if isinstance(error, EOFError) else str(error)
            raise SandboxFault("crashed", how) from None

    def _how(self) -> str:
        if not self.ended:
            return ""
        if self.ended.get("signal"):
            return f"killed by signal {self.ended['signal']}"
        return f"exit status {self.ended.get('exited')}"

    def run_cell(self, source: str) -> dict:
        """``{"ok": True}`` or ``{"ok": False, "error": {"type", "message"}}``; SandboxFault if it dies."""
        return self._ask({"op": "cell", "source": source}, self.server.limits.cell_seconds)

    def call(self, name: str, args: tuple, kwargs: dict, seconds: float | None = None) -> dict:
        """The child's answer to ``name(*args, **kwargs)``: ``value`` (encoded), ``changed_args``,
        ``changed_kwargs``, ``warnings`` and ``records`` (of course functions), or ``error``.
        seconds: this call's deadline (default: the limits' ``call_seconds``)."""
        return self._ask({"op": "call", "name": name, "args": [wire.encode(a) for a in args],
                          "kwargs": {k: wire.encode(v) for k, v in kwargs.items()}},
                         seconds or self.server.limits.call_seconds)

    def perform(self, name: str, steps: list, seconds: float | None = None) -> dict:
        """The child's answer to a program (:mod:`autograder.programs`) on its class ``name``:
        ``program`` (encoded ``{"reads", "failed", "error"}``) or ``error``."""
        return self._ask({"op": "perform", "name": name, "steps": steps}, seconds or self.server.limits.call_seconds)

    def end(self) -> None:
        """Kill the child and everything it started; a child is never trusted to exit by itself."""
        if self.ended is not None:
            return
        self.sock.close()
        try:
            self.ended = self.server._end_child()
        except (EOFError, OSError, wire.WireError) as error:
            self.ended = {"exited": None, "signal": None}
            raise RuntimeError(f"the sandbox stopped answering ({error})") from None
