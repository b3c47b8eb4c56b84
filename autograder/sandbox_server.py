"""The inside of the sandbox: a fork server that runs learner code, one child per submission.

Started by :mod:`autograder.sandbox` (as root: inside new mount, network, IPC and PID namespaces
made by ``unshare``). Before any learner code exists it makes its control groups
(:mod:`autograder.cgroups`), switches to a new root file system holding only the system, the
Python installation and the public ``autograder`` package (:func:`confine`), and imports what
answer cells use (numpy, IPython, matplotlib). Then, for each submission, it forks a child that
joins control groups of its own (memory, processes and CPU for all its processes together), takes
mount and IPC namespaces of its own with fresh ``/tmp``, ``/var/tmp`` and ``/dev/shm`` (so all it
writes there, and every System V or POSIX IPC object it makes, vanishes with its last process:
clean-up is the kernel's, not a walk of a hostile tree), drops to a uid of its own, takes
resource limits, works in an empty directory and serves requests on the socket it was handed:
run a cell, call a function by name (or several calls of it in one request, each answered as it
returns, so a check's planned calls cost one round trip: :meth:`autograder.sandbox.Session.call_each`). The child only ever answers with plain data
(:mod:`autograder.wire`); all judging happens outside.

Control protocol on the control socket: one byte per request — ``F`` (fork; carries the child's
socket as SCM_RIGHTS), ``K`` (kill the current child), ``Q`` (quit) — answered with wire frames
``{"ready": ...}``, ``{"forked": pid, "uid": uid}``, ``{"exited": code, "signal": n, "reason": ...}``
(reason: ``"cpu"`` or ``"memory"`` when a limit of the whole submission ended it).
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import re
import resource
import select
import signal
import socket
import sys
import tempfile
import time
import warnings

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 8, 32, 4096, 16384
MS_PRIVATE = 1 << 18
CLONE_NEWNS, CLONE_NEWIPC = 0x00020000, 0x08000000
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # inside the namespace: a fresh tmpfs for each child
SCRATCH_SIZE = "256m"  # each; written pages also count against the child's memory group
WORKDIR = "/tmp/submission"  # the child's working directory, inside its own /tmp
PRELOAD = ("numpy", "IPython", "matplotlib", "autograder", "autograder.plotting", "math", "json", "random",
           "itertools", "functools", "collections", "fractions", "decimal", "statistics", "copy", "re", "typing",
           "dataclasses")
# Imported by every setup cell but used only by a plot, which grading never draws: loaded on first use
# (in the child that draws), it costs nothing else; loaded up front, a third of the server's start-up.
LAZY = ("matplotlib.pyplot",)


# --- confinement (root, inside a private mount namespace) -------------------------------------------

def _mount(source, target, fstype, flags, data):
    libc = ctypes.CDLL(None, use_errno=True)
    as_bytes = [s.encode() if isinstance(s, str) else s for s in (source, target, fstype, data)]
    if libc.mount(as_bytes[0], as_bytes[1], as_bytes[2], flags, as_bytes[3]) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def _bind_read_only(source: str, target: str) -> None:
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(source, target, None, MS_BIND | MS_REC, None)
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)


def confine(keep: list[str], root: str = "/mnt") -> None:
    """Make a new root holding only what learner code needs, and switch to it.

    An allow-list, not a deny-list: the system's programs and libraries (``/usr``, ``/etc`` and
    the ``/bin``/``/lib`` links), a few device nodes, a fresh ``/proc`` of this PID namespace, empty
    private ``/tmp``, ``/var/tmp`` and ``/dev/shm``, and the ``keep`` paths (the Python
    installation, the environment, the public checks), all read-only. Courses, code checkouts,
    homes and every other file on the machine are simply not there. The old root is detached.
    """
    _mount("tmpfs", root, "tmpfs", 0, "mode=755")
    for scratch in SCRATCH:  # first, so that kept paths inside them (a venv in /tmp) are bound on top
        os.makedirs(root + scratch, exist_ok=True)
        _mount("tmpfs", root + scratch, "tmpfs", 0, "mode=1777,size=256m")
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = "/" + name
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
        elif os.path.isdir(path):
            _bind_read_only(path, root + path)
    for path in ("/usr", "/etc", *keep):
        if os.path.exists(path):
            _bind_read_only(path, root + path)
    os.makedirs(root + "/dev", exist_ok=True)
    for device in ("null", "zero", "full", "random", "urandom"):
        target = f"{root}/dev/{device}"
        open(target, "a").close()
        _mount(f"/dev/{device}", target, None, MS_BIND, None)
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    _switch_root(root)


def _switch_root(root: str) -> None:
    """pivot_root into ``root`` and detach the old root (chroot if pivot_root is refused)."""
    import platform

    libc = ctypes.CDLL(None, use_errno=True)
    number = {"x86_64": 155, "aarch64": 41}.get(platform.machine())
    old = root + "/.old-root"
    os.mkdir(old)
    if number is not None and libc.syscall(number, root.encode(), old.encode()) == 0:
        os.chdir("/")
        if libc.umount2(b"/.old-root", 2) != 0:  # MNT_DETACH
            raise OSError(ctypes.get_errno(), "could not detach the old root")
        os.rmdir("/.old-root")
    else:
        os.chroot(root)  # the kernel refuses new user namespaces inside a chroot, so it holds
        os.chdir("/")


# --- the child: one submission ------------------------------------------------------------------------

def import_lazily(name: str) -> None:
    """Put module ``name`` in ``sys.modules`` now and run its code at its first attribute access."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)
    spec.loader.exec_module(module)


def make_shell():
    """An IPython shell (magics, ``display``) as in a kernel, without history or a GUI."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class SandboxShell(InteractiveShell):
        def enable_gui(self, gui=None):  # `%matplotlib inline` asks for one; there is no screen here
            pass

        def enable_matplotlib(self, gui=None):  # no inline figures to show: the backend stays Agg (MPLBACKEND)
            return gui, "agg"

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    return SandboxShell.instance(config=config)


def limit_resources(limits: dict) -> None:
    """Caps on CPU seconds, memory, processes, file size and open files (hard = soft: no raising them)."""
    def cap(kind, value):
        resource.setrlimit(kind, (value, value))
    cap(resource.RLIMIT_CPU, limits["cpu_seconds"])
    with open("/proc/self/statm") as statm:  # the address space the fork already has, plus headroom
        current = int(statm.read().split()[0]) * resource.getpagesize()
    cap(resource.RLIMIT_AS, current + limits["memory_bytes"])
    cap(resource.RLIMIT_FSIZE, limits["output_bytes"])
    cap(resource.RLIMIT_NOFILE, 64)
    cap(resource.RLIMIT_CORE, 0)
    if os.geteuid() == 0:
        cap(resource.RLIMIT_NPROC, limits["processes"])


def become(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: no setuid program can give privileges back


def private_scratch(kept: list[str]) -> None:
    """This child's own mount and IPC namespaces, with a fresh tmpfs on every scratch folder.

    Everything the child writes there, and every IPC object it makes, belongs to namespaces that
    die with its last process: no other learner can see them, and nothing has to be deleted.
    ``kept``: kept paths that lie inside a scratch folder (a virtualenv under /tmp), bound again
    on top of the fresh tmpfs from descriptors opened before it hid them.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS | CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare of the child's mount and IPC namespaces")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    held = [(path, os.open(path, os.O_PATH)) for path in kept if os.path.exists(path)]
    for scratch in SCRATCH:
        _mount("tmpfs", scratch, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={SCRATCH_SIZE}")
    for path, fd in held:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
        os.close(fd)


def limit_ipc(limits: dict) -> None:
    """In the child's IPC namespace: shared memory no larger than its memory limit, few objects."""
    pages = limits["memory_bytes"] // resource.getpagesize()
    for name, value in (("kernel/shmmax", limits["memory_bytes"]), ("kernel/shmall", pages),
                        ("kernel/shmmni", 16), ("kernel/msgmni", 16), ("fs/mqueue/queues_max", 16)):
        try:
            with open(f"/proc/sys/{name}", "w") as file:
                file.write(str(value))
        except OSError:
            pass


def run_child(data: socket.socket, shell, uid: int, limits: dict, workdir: str, joins: list[int],
              kept_in_scratch: list[str] | None) -> None:
    """Set up the child's jail, then serve the grader's requests until it says goodbye.

    joins: write-ends of the ``cgroup.procs`` of this child's control groups (joined first, so
    that every process it ever starts counts). kept_in_scratch: None outside a namespace; else
    see :func:`private_scratch`.
    """
    for fd in joins:
        os.write(fd, b"0")
        os.close(fd)
    if kept_in_scratch is not None:
        private_scratch(kept_in_scratch)
        limit_ipc(limits)
        os.mkdir(workdir, 0o700)
    output = open(os.path.join(workdir, ".output"), "wb", buffering=0)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    keep = {0, 1, 2, data.fileno()}
    for fd in range(3, 1024):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too much output: a write error, not a silent death
    for name in ("HOME", "TMPDIR", "MPLCONFIGDIR", "IPYTHONDIR"):
        os.environ[name] = workdir
    if os.geteuid() == 0:
        os.chown(workdir, uid, uid)
        os.chown(1, uid, uid)  # its output file (fd 1 and 2)
        os.chmod(workdir, 0o700)
        os.chdir(workdir)
        limit_resources(limits)
        become(uid)
    else:
        os.setsid()
        os.chdir(workdir)
        limit_resources(limits)
    serve(data, shell)


def serve(data: socket.socket, shell) -> None:
    from autograder import crossing, wire

    crossing.enter_sandbox(shell.user_ns)
    while True:
        try:
            request = wire.receive(data)
        except (EOFError, wire.WireError):
            return
        op, request_id = request.get("op"), request.get("id")
        if op == "cell":
            wire.send(data, {**run_cell(shell, request["source"]), "id": request_id})
        elif op == "call":
            wire.send(data, {**call(shell, request), "id": request_id})
        elif op == "calls":  # several calls of one function, each answered as soon as it returns
            for index, one in enumerate(request["calls"]):
                reply = call(shell, {"name": request["name"], "args": one["args"], "kwargs": one["kwargs"]})
                wire.send(data, {**reply, "id": request_id, "index": index})
                if "error" in reply:  # the caller stops at a raised exception: so do its planned calls
                    break
        elif op == "perform":  # a program on a learner's class (autograder.programs)
            wire.send(data, {**perform(shell, request), "id": request_id})
        else:
            return


# IPython syntax: a magic or shell escape (`%time`, `!pip`, `x = !ls`) or help (`relu?`).
IPYTHON_SYNTAX = re.compile(r"^\s*[%!]|=\s*[%!]|\?\s*$", re.MULTILINE)


def run_cell(shell, source: str) -> dict:
    """Run one cell in the shell's namespace: ``{"ok": True}`` or the exception it raised.

    Plain Python (almost every cell) is compiled and run directly, which is what IPython does with
    it, less the kernel's bookkeeping: a tenth of the time (0.05 ms, not 0.5 to 2.7 ms, per cell,
    a dozen cells per learner). IPython's own syntax, and what does not compile as plain Python
    (top-level ``await``, or a syntax error IPython should report), goes through ``shell.run_cell``.
    """
    if not IPYTHON_SYNTAX.search(source):
        try:
            code = compile(source, "<cell>", "exec")
        except SyntaxError:
            code = None
        if code is not None:
            try:
                exec(code, shell.user_ns)
            except BaseException as error:  # the learner's; SystemExit included, as in IPython
                return {"ok": False, "error": _describe(error)}
            return {"ok": True}
    result = shell.run_cell(source, store_history=False)
    error = result.error_before_exec or result.error_in_exec
    if error is None:
        return {"ok": True}
    return {"ok": False, "error": _describe(error)}


def call(shell, request: dict) -> dict:
    """Call a function of the learner's namespace on decoded arguments; report plain data."""
    from autograder import wire

    import numpy as np

    name = request["name"]
    fn = shell.user_ns.get(name)
    if not callable(fn):
        return {"error": {"type": "NameError", "message": f"name '{name}' is not defined"}}
    from autograder import crossing

    try:  # functions, references and generators are rebuilt here (autograder.crossing)
        args = [wire.decode(a) for a in request["args"]]
        kwargs = {k: wire.decode(v) for k, v in request["kwargs"].items()}
    except wire.WireError as error:
        return {"error": {"type": "NameError", "message": str(error)[:300]}}
    sent = {"args": request["args"], "kwargs": request["kwargs"]}
    crossing.before_call()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            try:
                value = fn(*args, **kwargs)
            except BaseException as error:  # the learner's; SystemExit included
                return {"error": _describe(error)}
    # Arguments travel back only if the call changed them, so the grader can see an in-place edit.
    changed_args = {str(i): encoded for i, a in enumerate(args) if (encoded := wire.encode(a)) != sent["args"][i]}
    changed_kwargs = {k: encoded for k, v in kwargs.items() if (encoded := wire.encode(v)) != sent["kwargs"][k]}
    return {"value": wire.encode(value), "changed_args": changed_args, "changed_kwargs": changed_kwargs,
            "warnings": [[w.category.__name__, str(w.message)[:300]] for w in caught[:20]],
            "records": crossing.records(args, kwargs)}


def perform(shell, request: dict) -> dict:
    """Carry out a program (:mod:`autograder.programs`) with the learner's class; numbers come back."""
    from autograder import crossing, programs, wire

    import numpy as np

    cls = shell.user_ns.get(request.get("name"))
    if not isinstance(cls, type):
        return {"error": {"type": "NameError", "message": f"class '{request.get('name')}' is not defined"}}
    crossing.before_call()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                result = programs.perform(cls, request.get("steps"))
            except programs.ProgramError as error:
                return {"error": {"type": "ProgramError", "message": str(error)}}
    return {"program": wire.encode(result)}


# The real built-in exception classes, taken before any learner code runs (it may rebind the names).
_BUILTIN_EXCEPTIONS = {name: cls for name, cls in vars(__import__("builtins")).items()
                       if isinstance(cls, type) and issubclass(cls, BaseException)}


def _describe(error: BaseException) -> dict:
    """Type name, message, and which built-in exceptions it really is (by identity, not by name)."""
    try:
        message = str(error)
    except Exception:
        message = "(unprintable)"
    bases = [cls.__name__ for cls in type(error).__mro__ if _BUILTIN_EXCEPTIONS.get(cls.__name__) is cls]
    return {"type": type(error).__name__[:60], "message": message[:500], "bases": bases[:20]}


# --- the fork server -----------------------------------------------------------------------------------

def serve_forks(control: socket.socket, shell, uid_base: int, uid_span: int, limits: dict, namespace: bool,
                groups, kept_in_scratch: list[str]) -> None:
    """Fork a child per ``F`` request; report its exit; kill it on ``K``; stop on ``Q`` or EOF.

    Child ``n`` runs as uid ``uid_base + n % uid_span``: each submission its own uid (a uid comes
    back only after ``uid_span`` more submissions, long after every process of it was killed).
    While a child runs, the CPU time of all its processes is watched (when cpuacct is there).
    """
    from autograder import wire

    child, pidfd, number, reason = None, None, 0, None
    while True:
        watch = [control] + ([pidfd] if pidfd is not None else [])
        readable, _, _ = select.select(watch, [], [], 0.25 if child is not None and groups else None)
        if child is not None and groups and reason is None and \
                groups.cpu_seconds(number) > limits["cpu_seconds"]:
            reason = "cpu"
            _kill_all(child, namespace)
        if pidfd is not None and pidfd in readable:
            ended = _reap(child, namespace)
            if groups:
                if reason is None and groups.ran_out_of_memory(number):
                    reason = "memory"
                groups.remove_child(number)
            _clean(workdir, namespace)
            wire.send(control, {**ended, "reason": reason})
            os.close(pidfd)
            child, pidfd, reason = None, None, None
            continue
        if control not in readable:
            continue
        op, fds, _, _ = socket.recv_fds(control, 1, 1)
        if op == b"F" and child is None and len(fds) == 1:
            number += 1
            uid = uid_base + number % uid_span
            joins = groups.join_files(number) if groups else []
            workdir = WORKDIR if namespace else tempfile.mkdtemp(prefix="submission-", dir="/tmp")
            # Everything the server holds moves to the collector's permanent generation: the child's
            # collections then never walk (and so never copy-on-write) the inherited heap.
            gc.freeze()
            child = os.fork()
            if child == 0:
                control.close()
                try:
                    run_child(socket.socket(fileno=fds[0]), shell, uid, limits, workdir, joins,
                              kept_in_scratch if namespace else None)
                except BaseException:  # before learner code: the jail could not be set up (stderr is ours)
                    import traceback
                    traceback.print_exc()
                    sys.stderr.flush()
                    os._exit(70)
                finally:
                    os._exit(0)
            for fd in joins + fds:
                os.close(fd)
            pidfd = os.pidfd_open(child)
            wire.send(control, {"forked": child, "uid": uid})
            continue
        for fd in fds:
            os.close(fd)
        if op == b"K" and child is not None:
            _kill_all(child, namespace)  # its pidfd turns readable: reaped and reported above
        elif op in (b"Q", b""):
            if child is not None:
                _kill_all(child, namespace)
                _reap(child, namespace)
                if groups:
                    groups.remove_child(number)
                _clean(workdir, namespace)
            return


def _kill_all(child: int, namespace: bool) -> None:
    """Kill the child and everything it started (it may have left its process group)."""
    try:
        if namespace:
            os.kill(-1, signal.SIGKILL)  # from PID 1 of the namespace: every other process in it
        else:
            os.killpg(child, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _clean(workdir: str, namespace: bool) -> None:
    """Remove what the child wrote, within a bound on entries and time.

    In a namespace there is nothing to do: the child's tmpfs mounts lived in its own mount
    namespace, which the kernel tore down with its last process. Outside one (no root) its
    folder is in the machine's /tmp: removed without recursion, at most ``remove_tree``'s bound.
    """
    if not namespace:
        remove_tree(workdir)


def remove_tree(top: str, max_entries: int = 200_000, seconds: float = 10.0) -> bool:
    """Delete ``top`` and what it holds, links not followed, iteratively; False if the bound stopped it."""
    deadline, count, folders, to_visit = time.monotonic() + seconds, 0, [], [top]
    while to_visit:
        folder = to_visit.pop()
        folders.append(folder)
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                count += 1
                if count > max_entries or time.monotonic() > deadline:
                    return False
                try:
                    if entry.is_dir(follow_symlinks=False):
                        to_visit.append(entry.path)
                    else:
                        os.unlink(entry.path)
                except OSError:
                    continue
    for folder in reversed(folders):
        try:
            os.rmdir(folder)
        except OSError:
            pass
    return True


def _reap(child: int, namespace: bool) -> dict:
    """Wait for the child, clean up whatever it left running, and describe how it ended."""
    _, status = os.waitpid(child, 0)
    _kill_all(child, namespace)
    while namespace:  # orphans of the child were re-parented to us, PID 1
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    return {"exited": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--control-fd", type=int, required=True)
    parser.add_argument("--uid", type=int, required=True, help="the first of the children's uids")
    parser.add_argument("--uid-span", type=int, default=1, help="how many uids, one per child in turn")
    parser.add_argument("--limits", required=True)
    parser.add_argument("--keep", action="append", default=[])
    parser.add_argument("--course", help="the course this sandbox grades (shown in ps; never reachable inside)")
    parser.add_argument("--prelude", default="[]", help="JSON list of trusted cells every child starts after")
    args = parser.parse_args(argv)
    limits = json.loads(args.limits)
    namespace = os.getpid() == 1 and os.geteuid() == 0
    # Matplotlib's font list, read from (or built once into) the grading user's own cache before the
    # confinement hides that cache: inside, every start would rebuild it with fc-list (most of a second).
    __import__("matplotlib.font_manager")
    groups = None
    if namespace:
        from autograder.cgroups import SandboxGroups
        try:
            groups = SandboxGroups(limits)
        except OSError:
            groups = None  # per-process limits only; the grader has said so
        confine(args.keep)
    kept_in_scratch = [p for p in args.keep if any(p.startswith(s + "/") for s in SCRATCH)]
    for module in PRELOAD:
        __import__(module)
    import autograder

    for name in autograder.__all__:  # all of it, here: not again in every child that grades
        getattr(autograder, name)
    for module in LAZY:
        import_lazily(module)
    from autograder import crossing
    crossing.block_imports()  # only what a learner's install offers (after numpy & co. are loaded)
    shell = make_shell()
    prelude = [run_cell(shell, source) for source in json.loads(args.prelude)]  # same for every child: run once
    control = socket.socket(fileno=args.control_fd)
    from autograder import wire
    wire.send(control, {"ready": True, "namespace": namespace, "prelude": prelude,
                        "cgroups": sorted(groups.dirs) if groups else [], "cgroup_name": groups.name if groups else None})
    try:
        serve_forks(control, shell, args.uid, max(1, args.uid_span), limits, namespace, groups, kept_in_scratch)
    finally:
        if groups:
            groups.close()


if __name__ == "__main__":
    main()
