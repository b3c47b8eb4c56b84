#!/usr/bin/env python
"""How ``nnmath grade`` scales: 1, 10 and 100 learners (1,000 with ``--thousand``), against stock and the floor.

    python benchmarks/grade_scaling.py [--thousand] [--stock-students 10] [--jobs N] [--keep DIR]
                                       [--served 5]

For each class size it builds (once, the largest) a class of 03_activations from
``benchmarks/grade_speed.py`` without the learner whose function never returns (that one measures
a timeout, not speed), grades a fresh copy with ``nnmath grade`` from the command line, start-up
included, and reports wall time, CPU (user + system of the whole process tree: the command, its
workers, their sandboxes) per learner and the peak resident memory of the largest single process.

With the grading service running (``nnmath serve``, started once and waited for), it then grades
``--served`` learners one at a time, each with its own ``nnmath grade --student`` command as an
instructor would for a regrade: wall time of each command, and CPU of the command plus what the
service's processes spent meanwhile (read from ``/proc``).

Stock ``nbgrader autograde`` grades the first ``--stock-students`` learners of the same class
(default 10: a stock run costs about 3 s per learner) in the same run; its time per learner is
scaled to each class size, and the table says so.

The floor is the CPU that the learners' own code and the checks need: every correct or wrong
learner's notebook program (setup and answer cells) and the source notebook's test cells, run
in this process one after the other with no sandbox, no kernel and no gradebook (broken learners,
whose cells kill their process, are left out of it; their mean is taken for them). Last, where a
learner's CPU goes beyond the floor, part by part (``benchmarks/grading_parts.py``).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

import grade_speed as speed  # noqa: E402
import grading_parts  # noqa: E402


@dataclass
class Run:
    learners: int
    wall: float
    cpu: float
    max_rss_mb: float
    returncode: int


def measured(command: list[str], cwd: Path, log: Path) -> Run:
    """Wall time, CPU of the whole process tree (every waited-for descendant) and the largest RSS."""
    started = time.monotonic()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=speed._env(), stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(0, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


def _process_tree(pid: int):
    """``pid`` and its live descendants, as ``(pid, /proc/pid/stat fields after the name, /proc/pid/status)``."""
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{current}/status").read_text()
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:  # it ended meanwhile: its CPU is in its parent's reaped-children count
            continue
        yield current, stat, status


def tree_cpu(pid: int) -> float:
    """CPU seconds so far of process ``pid`` and all its descendants, live or reaped (``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(sum(int(f) for f in stat[11:15]) / ticks  # utime, stime, cutime, cstime
               for _, stat, _ in _process_tree(pid))


def tree_peak_rss_mb(pid: int) -> float:
    """The largest peak resident memory (VmHWM) among ``pid`` and its live descendants."""
    return max((int(line.split()[1]) / 1024 for _, _, status in _process_tree(pid)
                for line in status.splitlines() if line.startswith("VmHWM:")), default=0.0)


def wrong_scores(course: Path, members: list, source_nb) -> list[str]:
    """The members whose score in ``course``'s gradebook is missing or not what their work deserves."""
    scores = speed.gradebook_scores(course, [m.student for m in members])
    return [m.student for m in members if scores.get(m.student) is None
            or abs(scores[m.student]["total"] - speed.expected_score(m.learner, source_nb)) > 1e-9]


@dataclass
class Served:
    ready_seconds: float  # from `nnmath serve` until it said it was ready
    walls: list
    cpus: list  # per learner: the command's CPU plus the service's meanwhile
    peak_rss_mb: float


def grade_served(course: Path, members: list) -> Served:
    """Start ``nnmath serve`` on ``course``, then grade each member with a ``nnmath grade --student`` of their own."""
    started = time.monotonic()
    service = subprocess.Popen([sys.executable, "-m", "autograder.cli", "serve", "--assignment", speed.ASSIGNMENT,
                                "--course-dir", str(course)], cwd=course, env=speed._env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        for line in service.stdout:
            if "ready:" in line:
                break
        else:
            raise RuntimeError("nnmath serve ended before it was ready")
        ready = time.monotonic() - started
        walls, cpus = [], []
        for member in members:
            before = tree_cpu(service.pid)
            command = speed.nnmath_command(course, None) + ["--student", member.student]
            run = measured(command, course, course / f"served-{member.student}.log")
            if run.returncode or "graded by the grading service" not in (course / f"served-{member.student}.log").read_text():
                raise RuntimeError(f"nnmath grade --student {member.student} was not graded by the service")
            walls.append(run.wall)
            cpus.append(run.cpu + tree_cpu(service.pid) - before)
        return Served(ready, walls, cpus, tree_peak_rss_mb(service.pid))
    finally:
        service.terminate()
        service.wait(timeout=60)


def floor_cpu(course: Path, members: list) -> float:
    """Mean CPU seconds per learner of their own code plus the checks, in this process (see the module doc).

    What runs is what grading must run: the locked set-up cells once (imports: not the floor), then
    per learner the locked cells after the first answer with the learner's answer cells in notebook
    order, and every test cell of the source notebook (hidden tests included) on the result.
    """
    from autograder.grading import AssignmentSpec
    from autograder.simulate import reference_answers

    spec = AssignmentSpec.from_source(course, speed.ASSIGNMENT)
    reference = reference_answers(speed.read_source(course))
    tests = [source for _, _, source in spec.tests]
    base: dict = {"__name__": "__main__"}
    _run(spec.prelude, base)
    total, counted = 0.0, 0
    honest = [m for m in members if m.kind != "broken"]
    for i, member in enumerate(honest[:1] + honest):  # the first once more: warm caches are not the floor
        answers = {**reference, **member.learner.answers}
        started = time.process_time()
        namespace = dict(base)
        _run([answers[cell] if source is None else source for cell, source in spec.program], namespace)
        _run(tests, namespace)
        if i:
            total += time.process_time() - started
            counted += 1
    return total / max(counted, 1)


def _run(sources, namespace: dict) -> None:
    """Each cell's source in ``namespace``; a cell that raises (a learner's mistake, a failed check) ends alone."""
    for source in sources:
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:  # the cells and the checks print: into a buffer, not the terminal
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, "<cell>", "exec"), namespace)
        except Exception:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--thousand", action="store_true", help="also grade 1,000 learners (about a minute or two)")
    parser.add_argument("--stock-students", type=int, default=10, help="learners stock nbgrader grades (default 10)")
    parser.add_argument("--jobs", type=int, help="nnmath grade --jobs (default: all cores)")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR (new or empty) and keep it")
    parser.add_argument("--served", type=int, default=5, help="learners graded one by one through nnmath serve")
    args = parser.parse_args(argv)

    sizes = [1, 10, 100] + ([1000] if args.thousand else [])
    workdir = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="nnmath-scaling-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        members = speed.make_class(max(sizes), hang=False)
        print(f"building a class of {len(members)} submissions of {speed.ASSIGNMENT} in {workdir} ...", flush=True)
        course = speed.build_course(workdir / "build", members)
        source_nb = speed.read_source(course)
        rows = []
        for n in sizes:
            chosen = members[:n]
            copy = speed.copy_course(course, workdir / f"nnmath-{n}", chosen)
            print(f"nnmath grade, {n} learner(s) ...", end=" ", flush=True)
            run = measured(speed.nnmath_command(copy, args.jobs), copy, copy / "nnmath.log")
            run.learners = n
            print(f"{run.wall:.2f} s", flush=True)
            wrong = wrong_scores(copy, chosen, source_nb)
            if run.returncode or wrong:
                print(f"  problems: exit status {run.returncode}; wrong or missing scores: {wrong}", flush=True)
                return 1
            rows.append(run)
        served_members = members[: max(1, min(args.served, len(members)))]
        served_copy = speed.copy_course(course, workdir / "served", served_members)
        print(f"nnmath serve, then nnmath grade --student for {len(served_members)} learner(s) one by one ...",
              end=" ", flush=True)
        served = grade_served(served_copy, served_members)
        wrong = wrong_scores(served_copy, served_members, source_nb)
        if wrong:
            print(f"  problems: wrong or missing scores through the service: {wrong}", flush=True)
            return 1
        print(" ".join(f"{w:.2f}" for w in served.walls) + " s", flush=True)
        stock_n = min(args.stock_students, len(members))
        stock_copy = speed.copy_course(course, workdir / "stock", members[:stock_n])
        print(f"stock nbgrader autograde, {stock_n} learner(s) ...", end=" ", flush=True)
        stock = measured(speed.stock_command(), stock_copy, stock_copy / "stock.log")
        print(f"{stock.wall:.1f} s", flush=True)
        stock_per = stock.wall / stock_n
        print("floor (the learners' code and the checks, in this process) ...", end=" ", flush=True)
        floor = floor_cpu(course, members[: max(sizes)] if max(sizes) <= 100 else members[:100])
        print(f"{1000 * floor:.0f} ms CPU per learner", flush=True)

        print("where a learner's CPU goes (benchmarks/grading_parts.py, one worker, in this process) ...", flush=True)
        parts = grading_parts.measure(speed.copy_course(course, workdir / "parts"), members[:100], 100)

        cores = args.jobs or os.cpu_count() or 1
        print()
        print(f"{speed.ASSIGNMENT}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; nnmath grade"
              f"{' --jobs %d' % args.jobs if args.jobs else ''}, start-up included")
        print("| learners | wall | wall / learner | CPU / learner | peak RSS (largest process) "
              "| stock (scaled) | stock / nnmath | CPU / floor | wall / wall floor |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r.learners} | {r.wall:.2f} s | {1000 * r.wall / r.learners:.0f} ms | "
                  f"{1000 * r.cpu / r.learners:.0f} ms | {r.max_rss_mb:.0f} MB | "
                  f"{stock_per * r.learners:.1f} s | {stock_per * r.learners / r.wall:.1f}x | "
                  f"{r.cpu / r.learners / floor:.2f}x | {r.wall / r.learners / (floor / cores):.2f}x |")
        wall, cpu = statistics.median(served.walls), statistics.median(served.cpus)
        print(f"| 1, service running (`nnmath serve`) | {wall:.2f} s median, {max(served.walls):.2f} s max "
              f"of {len(served.walls)} | | {1000 * cpu:.0f} ms median | {served.peak_rss_mb:.0f} MB (service) | "
              f"{stock_per:.1f} s | {stock_per / wall:.1f}x | {cpu / floor:.2f}x | |")
        print(f"the service was ready {served.ready_seconds:.1f} s after `nnmath serve` started; each learner then "
              f"took its own `nnmath grade --student` command (start-up of that command included)")
        print(f"stock nbgrader autograde measured on {stock_n} learner(s) of the same class in this run: "
              f"{stock.wall:.1f} s ({1000 * stock_per:.0f} ms each, CPU {1000 * stock.cpu / stock_n:.0f} ms each, "
              f"peak RSS {stock.max_rss_mb:.0f} MB); larger classes scaled linearly from it")
        print(f"floor: {1000 * floor:.0f} ms CPU per learner (learners' code + checks, no sandbox, no start-up); "
              f"{cores} cores give a wall-clock floor of {1000 * floor / cores:.0f} ms "
              f"per learner")
        print()
        print(grading_parts.report(parts))
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
