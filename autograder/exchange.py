"""nbgrader's exchange with several learner accounts on one machine (for the demo and the tests).

:func:`learner_accounts` makes one account per learner, each with its own home holding an
``nbgrader_config.py`` that points at a shared exchange. As root they are real local users
(``useradd``), removed afterwards; otherwise every account is the current user with its own home
in which nbgrader's ``submit`` and ``fetch_feedback`` are told the account's login (they take the
student id from the uid): the same exchange commands, without the permissions between users.

:func:`nbgrader` runs one nbgrader command in a forked child, as the account when given: the
parent imports nbgrader once (about 2 s) and each command then costs a fork, and the child needs
no access to the interpreter's files (the venv may live where other users cannot exec it).
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

MARKER = "nnmath exchange learner, run "  # the GECOS field of the users made here: "<MARKER><pid>"


@dataclass(frozen=True)
class Account:
    """A learner's login name (their nbgrader student id), home, and uid/gid (None: the current user)."""

    login: str
    home: Path
    uid: int | None = None
    gid: int | None = None

    @property
    def real(self) -> bool:
        return self.uid is not None


def nbgrader(argv, cwd: Path, account: Account | None = None, timeout: float = 180) -> str:
    """Run ``nbgrader *argv`` in ``cwd`` in a forked child (as ``account`` when given).

    Returns the command's output; raises RuntimeError when it fails, TimeoutError after ``timeout`` s.
    """
    from nbgrader.apps.nbgraderapp import NbGraderApp  # imported once, before forking

    log = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # the child: never returns to the caller
        code = 1
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            if account is not None:
                if account.real:
                    os.setgroups([])
                    os.setgid(account.gid)
                    os.setuid(account.uid)
                else:
                    _pretend_to_be(account.login)
                os.environ.update(HOME=str(account.home), USER=account.login, LOGNAME=account.login)
            os.environ["JUPYTER_CONFIG_DIR"] = str(Path(os.environ["HOME"]) / ".jupyter")
            os.chdir(cwd)
            sys.argv = ["nbgrader", *argv]
            try:
                NbGraderApp.launch_instance()
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise TimeoutError(f"nbgrader {' '.join(argv)} did not finish in {timeout} s")
        time.sleep(0.05)
    log.seek(0)
    output = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"nbgrader {' '.join(argv)} failed:\n{output[-3000:]}")
    return output


def _pretend_to_be(login: str) -> None:
    """In this (forked) process, nbgrader's exchange takes ``login`` as the learner's student id."""
    from nbgrader.exchange.default import fetch_feedback, submit

    for module in (fetch_feedback, submit):
        module.get_username = lambda: login


def exchange_config(exchange: Path, course_id: str) -> str:
    """The lines that point nbgrader at ``exchange`` for ``course_id``."""
    return f"c.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.course_id = {course_id!r}\n"


def _remove_stale_users() -> None:
    """Delete users made here by runs that are gone (a run killed before its clean-up)."""
    for entry in pwd.getpwall():
        if entry.pw_gecos.startswith(MARKER):
            run = entry.pw_gecos.removeprefix(MARKER)
            if run.isdigit() and not Path(f"/proc/{run}").exists():
                subprocess.run(["userdel", entry.pw_name], capture_output=True)


@contextlib.contextmanager
def learner_accounts(names, course_id: str, real: bool | None = None):
    """Yield ``(root, exchange, {name: Account})``: a world-readable folder, an exchange in it, and
    one account per name (real local users when ``real``, default: when running as root).

    Real logins are ``<tag><name>`` with a tag unique to this process, so runs at once do not share
    users; they are deleted on exit, as is ``root``.
    """
    real = os.geteuid() == 0 if real is None else real
    root = Path(tempfile.mkdtemp(prefix="nnx-", dir="/tmp"))
    root.chmod(0o755)
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    tag = f"nnx{os.getpid() % 100000}"
    made = []
    accounts = {}
    try:
        if real:
            _remove_stale_users()
        for name in names:
            login = f"{tag}{name}" if real else name
            home = root / "home" / login
            home.mkdir(parents=True)
            (home / "nbgrader_config.py").write_text("c = get_config()\n" + exchange_config(exchange, course_id))
            if real:
                subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                                "--comment", f"{MARKER}{os.getpid()}", "--user-group", login],
                               check=True, capture_output=True)
                made.append(login)
                user = pwd.getpwnam(login)
                for path in (home, home / "nbgrader_config.py"):
                    os.chown(path, user.pw_uid, user.pw_gid)
                accounts[name] = Account(login, home, user.pw_uid, user.pw_gid)
            else:
                accounts[name] = Account(login, home)
        yield root, exchange, accounts
    finally:
        for login in made:
            subprocess.run(["userdel", login], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def write_as(account: Account, path: Path, nb) -> None:
    """Write notebook ``nb`` to ``path`` (in the account's home) and give it to the account."""
    import nbformat

    nbformat.write(nb, str(path))
    if account.real:
        os.chown(path, account.uid, account.gid)
