"""The grading service: ``nnmath serve`` keeps each assignment's workers and sandboxes running.

A run of ``nnmath grade`` pays its start-up (imports, the assignment's set-up cells, a sandbox per
worker) before it grades anything: seconds, where grading one learner takes a fifth of one. A
running service has paid it already, so a regrade of one learner, or a submission graded as it
arrives, costs the grading and the recording only.

``nnmath grade`` asks the course's service first (:func:`ask`). When one answers, the service
grades and records, with the same code as a run of its own
(:func:`autograder.grade_run.grade_class`, given the warm :class:`~autograder.grade_run.Workers`),
so scores, the gradebook and the handling of every fault are the same; the command shows the
progress and prints the summary the service wrote. When none answers (none started, or it was
killed and left its socket behind) the command grades in its own process, as without a service.

The service grades one request at a time. It listens on ``<course>/.nnmath/grading.sock``, in a
folder only its owner may enter, and answers only processes of its own uid (``SO_PEERCRED``):
asking it to grade is as privileged as running ``nnmath grade``. A warm set of workers is
replaced when what it was started from has changed (:func:`fingerprint`). At most ``max_warm``
assignments are kept warm; the one used least recently makes way for another.

Protocol: one JSON object per line. The client sends one request, ``{"grade": assignment,
"students": [...] | null, "cells": [...] | null, "changed": bool, "width": int, "terminal": bool}``
or ``{"ping": true}``; the service answers ``{"progress": [done, total, student]}`` lines, then one
of ``{"done": text}`` (the summary, rendered for the client's terminal), ``{"refused": message}``
(a problem the user can fix, as ``nnmath grade`` would say it) or ``{"failed": message}``; a ping
is answered ``{"ready": [warm assignments]}``.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import socket
import struct
import time
import traceback
from collections import OrderedDict
from pathlib import Path

SOCKET_PATH = Path(".nnmath") / "grading.sock"
REQUEST_BYTES = 1 << 16  # a request names an assignment, learners and cells: far less than this
# A client waits this long for the service's next line (a learner's grade, or the answer); one learner
# takes at most its budget (Limits.budget_seconds, 120 s), so a longer silence is a service that hangs.
SILENCE_SECONDS = 600.0
SEND_SECONDS = 30.0  # the service's wait for a client to take a line; then it stops writing to that client
CODE_ROOT = Path(__file__).resolve().parent.parent


class ServiceError(Exception):
    """The service could not start or answer (the message says why); a user's problem is ``Refused``."""


class Refused(Exception):
    """The service's answer was a problem the user can fix; the message is what to show."""


def socket_path(course_dir: Path) -> Path:
    return Path(course_dir) / SOCKET_PATH


# --- the client side: nnmath grade -----------------------------------------------------------------------

def ask(course_dir: Path, request: dict, progress=None, timeout: float = SILENCE_SECONDS) -> dict | None:
    """Send ``request`` to the course's service and return its final answer (``done``/``ready``).

    None when no service answers on the socket (none running, or a socket left by a killed one).
    progress: called as ``progress(done, total, student)`` for each progress line.
    timeout: seconds to wait for each line of the answer.
    Raises :class:`Refused` for a problem the user can fix and :class:`ServiceError` if the service
    failed or stopped before it answered.
    """
    path = socket_path(course_dir)
    if not path.is_socket():
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(2.0)
        try:
            connection.connect(str(path))
        except (ConnectionRefusedError, FileNotFoundError, PermissionError):
            return None
        connection.settimeout(timeout)
        connection.sendall(json.dumps(request).encode() + b"\n")
        for line in connection.makefile("rb"):
            answer = json.loads(line)
            if "progress" in answer:
                if progress is not None:
                    progress(*answer["progress"])
            elif "refused" in answer:
                raise Refused(answer["refused"])
            elif "failed" in answer:
                raise ServiceError(f"the grading service failed: {answer['failed']}")
            else:
                return answer
        raise ServiceError("the grading service stopped before it answered")
    except (OSError, ValueError) as error:
        raise ServiceError(f"the grading service stopped answering ({type(error).__name__}: {error})") from None
    finally:
        connection.close()


# --- the service -----------------------------------------------------------------------------------------

def fingerprint(course_dir: Path, assignment: str) -> str:
    """What an assignment's warm workers were started from (names, sizes, mtimes): its change restarts them.

    The assignment's source and release folders (set-up and test cells, the released notebook), the
    course's ``nbgrader_config.py`` (its language) and the reference in ``solutions/``, which each
    worker imports when it starts.
    """
    course_dir = Path(course_dir)
    return _files_digest([course_dir / "source" / assignment, course_dir / "release" / assignment,
                          course_dir / "nbgrader_config.py", CODE_ROOT / "solutions"])


def code_fingerprint() -> str:
    """The grading code's files: the service imported it when it started, so its change restarts the service."""
    return _files_digest([CODE_ROOT / "autograder"])


def _files_digest(roots: list[Path]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            try:
                status = path.stat()
            except OSError:
                continue
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class WarmSets:
    """Each assignment's warm :class:`~autograder.grade_run.Workers`, at most ``max_warm`` of them."""

    def __init__(self, course_dir: Path, jobs: int, max_warm: int, log):
        self.course_dir, self.jobs, self.max_warm, self.log = Path(course_dir), jobs, max(1, max_warm), log
        self._sets: OrderedDict[str, tuple] = OrderedDict()  # assignment -> (Workers, fingerprint)

    def get(self, assignment: str):
        """The assignment's workers, started (and waited for) if none are warm or what they knew changed."""
        from .grade_run import Workers

        now = fingerprint(self.course_dir, assignment)
        if assignment in self._sets:
            workers, then = self._sets[assignment]
            if then == now:
                self._sets.move_to_end(assignment)
                return workers
            self.log(f"{assignment}: its notebooks, the course's configuration or the reference changed; "
                     f"starting its workers anew")
            self.close(assignment)
        while len(self._sets) >= self.max_warm:
            oldest = next(iter(self._sets))
            self.log(f"{oldest}: its workers stop, to make room for {assignment} (--max-warm {self.max_warm})")
            self.close(oldest)
        started = time.monotonic()
        workers = Workers(self.course_dir, assignment, self.jobs)
        try:
            workers.warm()
        except Exception as error:  # e.g. no such source: the request's own run says it plainly
            workers.discard()
            self.log(f"{assignment}: its workers did not start ({type(error).__name__}: {error})")
            return workers
        self._sets[assignment] = (workers, now)
        _rehearse_recording(self.course_dir, assignment)
        self.log(f"{assignment}: {self.jobs} worker(s) and their sandboxes ready in {time.monotonic() - started:.1f} s")
        return workers

    def warm_assignments(self) -> list[str]:
        return list(self._sets)

    def close(self, assignment: str | None = None) -> None:
        """End one assignment's workers (all of them when ``assignment`` is None)."""
        for name in [assignment] if assignment is not None else list(self._sets):
            workers, _ = self._sets.pop(name, (None, None))
            if workers is not None:
                workers.close(cancel=True)


def _rehearse_recording(course_dir: Path, assignment: str) -> None:
    """Do once, before any request, what a run does first in this process: import and open the gradebook
    (sqlalchemy, nbgrader: most of a second), read the notebooks, render a summary. Nothing is written."""
    import nbformat

    from .course import load_config
    from .curriculum import ASSIGNMENTS
    from .grade_run import RunSummary
    from .grading import AssignmentSpec
    from .gradebook import late_penalty_assigner, open_gradebook

    try:
        late_penalty_assigner(load_config(course_dir))
        open_gradebook(course_dir, assignment).close()
        nbformat.read(str(course_dir / "release" / assignment / ASSIGNMENTS[assignment].notebook_file), as_version=4)
        AssignmentSpec.from_source(course_dir, assignment)
        render_summary(RunSummary(assignment), 80, True)
    except Exception:  # not released yet, say: the request says so
        pass


def _peer_uid(connection: socket.socket) -> int:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[1]


def _read_request(connection: socket.socket) -> dict:
    """One JSON object on one line, bounded in size and time."""
    connection.settimeout(10.0)
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(REQUEST_BYTES)
        if not chunk:
            break
        data += chunk
        if len(data) > REQUEST_BYTES:
            raise ValueError("request too long")
    connection.settimeout(SEND_SECONDS)  # a client that stops reading cannot hold the service
    request = json.loads(data)
    if not isinstance(request, dict):
        raise ValueError("a request is a JSON object")
    return request


def _names(value, what: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{what} must be a list of names")
    return value


def render_summary(summary, width: int, terminal: bool) -> str:
    """What ``nnmath grade`` prints after grading (what the sandbox lacks here, the summary), as text for a
    terminal ``width`` columns wide (colours if ``terminal``)."""
    from rich.console import Console

    from .report import isolation_warnings, print_summary

    buffer = io.StringIO()
    console = Console(file=buffer, width=max(40, min(int(width), 400)), force_terminal=bool(terminal),
                      color_system="standard" if terminal else None, highlight=False)
    for warning in isolation_warnings():  # of the machine the service grades on
        console.print(warning)
    print_summary(console, summary)
    console.print(f"[dim]graded by the grading service (nnmath serve, pid {os.getpid()})[/dim]")
    return buffer.getvalue()


class Service:
    """Answers grading requests for one course, one at a time, with warm workers (see the module doc)."""

    def __init__(self, course_dir: Path, jobs: int | None = None, max_warm: int = 2, log=print, restart=None):
        """restart: called (after the service has closed) when the grading code changed since it started,
        to start it anew (``nnmath serve`` execs itself); without it the service stops then."""
        self.course_dir = Path(course_dir).resolve()
        self.log = log
        self.code = code_fingerprint()
        self.restart = restart
        self.warm = WarmSets(self.course_dir, jobs or os.cpu_count() or 1, max_warm, log)
        self.listener: socket.socket | None = None

    def listen(self) -> Path:
        """Bind the course's socket (refusing if a live service holds it; a dead one's is replaced)."""
        path = socket_path(self.course_dir)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path.parent, 0o700)
        if path.exists():
            try:
                alive = ask(self.course_dir, {"ping": True}, timeout=5.0) is not None
            except (Refused, ServiceError):
                alive = True  # something took the connection: not ours to replace
            if alive:
                raise ServiceError(f"a grading service already answers on {path}")
            path.unlink()  # left by a service that was killed
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        os.chmod(path, 0o600)
        self.listener.listen(16)
        return path

    def serve_forever(self) -> None:
        """Answer requests until SIGTERM or SIGINT; then end the workers and remove the socket."""
        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while True:
                connection, _ = self.listener.accept()
                with connection:
                    self.answer(connection)
                if self.code != code_fingerprint():
                    break
        except KeyboardInterrupt:
            return self.close()
        self.close()
        self.log("the grading code changed since the service started: "
                 + ("it starts anew" if self.restart else "it stops (start it again)"))
        if self.restart:
            self.restart()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
            try:
                socket_path(self.course_dir).unlink()
            except FileNotFoundError:
                pass
        self.warm.close()

    def answer(self, connection: socket.socket) -> None:
        """Read one request from ``connection`` and answer it; nothing a client sends stops the service."""
        gone = []

        def send(message: dict) -> None:
            if gone:
                return
            try:
                connection.sendall(json.dumps(message).encode() + b"\n")
            except OSError:  # the client is gone or stopped reading: grading goes on and is recorded all the same
                gone.append(True)

        if _peer_uid(connection) != os.geteuid():
            return
        try:
            request = _read_request(connection)
            if request.get("ping"):
                send({"ready": self.warm.warm_assignments()})
                return
            assignment = request.get("grade")
            students = _names(request.get("students"), "students")
            cells = _names(request.get("cells"), "cells")
        except (OSError, ValueError) as error:
            send({"failed": f"a request it could not read ({type(error).__name__}: {error})"})
            return
        if self.code != code_fingerprint():  # its modules are the old ones: the run must not use them
            send({"failed": "the grading code changed since it started; it starts anew"})
            return
        send(self.grade(assignment, students, cells, bool(request.get("changed")), request.get("width", 100),
                        request.get("terminal", False), send))

    def grade(self, assignment, students, cells, changed: bool, width, terminal, send) -> dict:
        """Grade and record as ``nnmath grade`` would; the final answer: ``done``, ``refused`` or ``failed``."""
        from .curriculum import ASSIGNMENTS
        from .grade_run import NothingToGrade, grade_class
        from .gradebook import NotInGradebook

        if assignment not in ASSIGNMENTS or not (self.course_dir / "source" / assignment).is_dir():
            return {"refused": f"no such assignment in {self.course_dir}: {assignment}"}
        started = time.monotonic()
        try:
            workers = self.warm.get(assignment)
            summary = grade_class(self.course_dir, assignment, students=students, cells=cells, changed_only=changed,
                                  workers=workers, progress=lambda done, total, student: send(
                                      {"progress": [done, total, student]}))
            text = render_summary(summary, width if isinstance(width, int) else 100, terminal)
        except (NotInGradebook, NothingToGrade) as error:
            return {"refused": str(error)}
        except Exception as error:  # the service's own fault: said, logged, and the service goes on
            self.log(traceback.format_exc())
            return {"failed": f"{type(error).__name__}: {error}"}
        self.log(f"{assignment}: {len(summary.grades)} learner(s) graded in {time.monotonic() - started:.2f} s")
        return {"done": text}
