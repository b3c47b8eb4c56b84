"""Limits for a submission as a whole: one control group per submission (cgroup v1).

Resource limits (``setrlimit``) count one process at a time: a submission of 16 processes could
hold 16 times its memory and CPU. A control group counts every process in it together. The
sandbox server (root, before it confines itself) makes ``nnmath-sandbox-<token>/`` under its own
group in each of the ``memory``, ``pids``, ``cpu`` and ``cpuacct`` hierarchies, moves itself into
``server/`` there (so a live sandbox's folder is never empty), and gives each child a group
``child-<n>/`` with ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes``: no swap
either; the per-process limit plus :data:`GROUP_HEADROOM`), ``pids.max`` and a one-core CPU quota; the child joins them itself before it runs any
learner code, and its groups are removed when it has been reaped.

Only cgroup v1 hierarchies mounted at ``/sys/fs/cgroup/<controller>`` are used: a unified (v2)
hierarchy would need controllers delegated to this process's group, which this code does not
arrange; where memory and pids groups cannot be made the sandbox keeps per-process rlimits only
and says so (:func:`whole_submission_limits`).
"""
from __future__ import annotations

import os
import secrets
import time

ROOT = "/sys/fs/cgroup"
PREFIX = "nnmath-sandbox-"
REQUIRED = ("memory", "pids")
# The group's memory is the per-process limit plus this: one process alone always meets its own
# limit (a clean MemoryError) before the group's (the kernel's OOM killer), several together the group's.
GROUP_HEADROOM = 256 << 20
OPTIONAL = ("cpu", "cpuacct")
CPU_PERIOD_US = 100_000


def own_groups() -> dict[str, str]:
    """controller -> the folder of this process's cgroup v1 group, for the controllers mounted."""
    found = {}
    try:
        with open("/proc/self/cgroup") as file:
            lines = file.read().splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3 or not parts[1]:
            continue  # the unified (v2) line is "0::/path"
        names = [n for n in parts[1].split(",") if not n.startswith("name=")]
        for name in names:
            for mount in (f"{ROOT}/{parts[1]}", f"{ROOT}/{name}"):
                if os.path.isfile(f"{mount}/cgroup.procs"):
                    found[name] = os.path.normpath(f"{mount}/{parts[2].lstrip('/')}")
                    break
    return found


def whole_submission_limits() -> tuple[bool, str]:
    """Whether per-submission groups can be made here, and a sentence saying what holds instead."""
    if os.geteuid() != 0:
        return False, "not root: memory, processes and CPU are limited per process only (rlimits)"
    groups = own_groups()
    missing = [c for c in REQUIRED if c not in groups or not os.access(groups[c], os.W_OK)]
    if missing:
        return False, (f"no writable cgroup v1 {'/'.join(missing)} hierarchy: memory, processes and CPU "
                       f"are limited per process only (rlimits), not for a submission as a whole")
    return True, "memory, processes and CPU are limited for each submission as a whole (cgroup v1)"


def _write(dir_fd: int, name: str, value) -> None:
    fd = os.open(name, os.O_WRONLY, dir_fd=dir_fd)
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


def _rmdir(dir_fd: int, name: str, seconds: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            os.rmdir(name, dir_fd=dir_fd)
            return True
        except FileNotFoundError:
            return True
        except OSError:  # EBUSY while the last task's exit is being accounted
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)


class SandboxGroups:
    """The groups of one sandbox server; held by directory descriptors, so they work after pivot_root."""

    def __init__(self, limits: dict):
        self.limits = limits
        self.name = PREFIX + secrets.token_hex(6)
        self.dirs: dict[str, int] = {}
        groups = own_groups()
        for controller in REQUIRED + OPTIONAL:
            if controller not in groups or groups[controller] in (groups.get(c) for c in self.dirs):
                continue  # not mounted, or co-mounted with one already set up (cpu,cpuacct)
            try:
                path = os.path.join(groups[controller], self.name)
                os.mkdir(path)
                os.mkdir(os.path.join(path, "server"))
                self.dirs[controller] = os.open(path, os.O_DIRECTORY)
                _write(self.dirs[controller], "server/cgroup.procs", 0)
            except OSError:
                if controller in REQUIRED:
                    self.close()
                    raise
        self.cpuacct = self.dirs.get("cpuacct", self.dirs.get("cpu"))

    def memory_bytes(self) -> int:
        """What all of a submission's processes may hold together."""
        return self.limits["memory_bytes"] + GROUP_HEADROOM

    def join_files(self, number: int) -> list[int]:
        """Make ``child-<number>`` in every hierarchy with its limits; write-ends of its ``cgroup.procs``."""
        name, files = f"child-{number}", []
        for controller, dir_fd in self.dirs.items():
            os.mkdir(name, dir_fd=dir_fd)
            if controller == "memory":
                _write(dir_fd, f"{name}/memory.limit_in_bytes", self.memory_bytes())
                try:
                    _write(dir_fd, f"{name}/memory.memsw.limit_in_bytes", self.memory_bytes())
                except OSError:  # no swap accounting: nothing to swap to either, or swap is not limited
                    pass
            elif controller == "pids":
                _write(dir_fd, f"{name}/pids.max", self.limits["processes"])
            elif controller == "cpu":
                try:
                    _write(dir_fd, f"{name}/cpu.cfs_period_us", CPU_PERIOD_US)
                    _write(dir_fd, f"{name}/cpu.cfs_quota_us", CPU_PERIOD_US)  # one core for all its processes
                except OSError:
                    pass
            files.append(os.open(f"{name}/cgroup.procs", os.O_WRONLY, dir_fd=dir_fd))
        return files

    def cpu_seconds(self, number: int) -> float:
        """CPU time used by every process of child ``number`` so far (0 without cpuacct)."""
        if self.cpuacct is None:
            return 0.0
        try:
            fd = os.open(f"child-{number}/cpuacct.usage", os.O_RDONLY, dir_fd=self.cpuacct)
        except OSError:
            return 0.0
        try:
            return int(os.read(fd, 64) or b"0") / 1e9
        finally:
            os.close(fd)

    def ran_out_of_memory(self, number: int) -> bool:
        """Whether the kernel had to kill a process of child ``number`` for the group's memory."""
        dir_fd = self.dirs.get("memory")
        if dir_fd is None:
            return False
        try:
            fd = os.open(f"child-{number}/memory.oom_control", os.O_RDONLY, dir_fd=dir_fd)
            try:
                text = os.read(fd, 4096).decode()
            finally:
                os.close(fd)
        except OSError:
            return False
        return any(line.split()[:1] == ["oom_kill"] and line.split()[1] != "0" for line in text.splitlines())

    def remove_child(self, number: int) -> None:
        for dir_fd in self.dirs.values():
            _rmdir(dir_fd, f"child-{number}")

    def close(self) -> None:
        for dir_fd in self.dirs.values():
            os.close(dir_fd)
        self.dirs = {}


def sweep() -> None:
    """Remove the groups of sandboxes that no longer run (a killed run cannot remove its own).

    A live sandbox's group always holds its server, so only groups with no task left anywhere go.
    """
    for path in set(own_groups().values()):
        try:
            names = [n for n in os.listdir(path) if n.startswith(PREFIX)]
        except OSError:
            continue
        for name in names:
            group = os.path.join(path, name)
            try:
                subgroups = [e.path for e in os.scandir(group) if e.is_dir(follow_symlinks=False)]
                if any(open(os.path.join(sub, "cgroup.procs")).read().strip() for sub in subgroups):
                    continue
                for sub in subgroups:
                    os.rmdir(sub)
                os.rmdir(group)
            except OSError:
                continue


def remove(name: str) -> None:
    """Remove the (empty) groups called ``name`` of a sandbox whose server has exited."""
    for path in set(own_groups().values()):
        if not os.path.isdir(os.path.join(path, name)):
            continue
        try:
            parent = os.open(path, os.O_DIRECTORY)
        except OSError:
            continue
        try:
            group = os.open(name, os.O_DIRECTORY, dir_fd=parent)
            try:
                for entry in os.scandir(group):
                    if entry.is_dir(follow_symlinks=False):
                        _rmdir(group, entry.name)
            finally:
                os.close(group)
            _rmdir(parent, name)
        except OSError:
            pass
        finally:
            os.close(parent)
