#!/usr/bin/env python
"""Grading cost per learner of each lesson notebook: under one second is the course's budget.

    python benchmarks/lesson_cost.py [ASSIGNMENT ...] [--students 5]

Grades ``--students`` reference submissions of each assignment (default: every notebook in
``source/``) through one real sandbox, as ``nnmath grade`` does for one worker, and prints per
learner: the wall-clock time of running the learner's cells and of every test cell, and the CPU
time that took on the trusted side and in the sandbox (the fork server and the submissions it
forks). Start-up of the sandbox is printed apart. Exit status 1 if any assignment costs a second
of CPU or more per learner.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests", REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from autograder import grading  # noqa: E402
from autograder.curriculum import ASSIGNMENTS  # noqa: E402
from crossing_cost import grade_timed  # noqa: E402

BUDGET_SECONDS = 1.0


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def cost(assignment: str, students: int) -> tuple[float, float, float]:
    """(wall s per learner, CPU s per learner, sandbox start-up s). The sandbox is closed (and so
    waited for) inside grade_timed, so its CPU, and that of the submissions it forked, is counted."""
    before_cpu, before_wall = cpu_seconds(), time.monotonic()
    ms, _, startup, _ = grade_timed(REPO, assignment, students, lambda _: "all")
    wall, cpu = time.monotonic() - before_wall, cpu_seconds() - before_cpu
    spec = grading.AssignmentSpec.from_source(REPO, assignment)
    per_learner_wall = (wall - startup) / students
    # Start-up CPU is paid once per worker, not per learner: take its share out at the wall-clock ratio.
    per_learner_cpu = cpu * (1 - startup / wall) / students if wall > 0 else cpu / students
    print(f"{assignment}: {len(spec.tests)} test cells; tests {ms['all']:.0f} ms per learner; "
          f"sandbox start-up {startup:.2f} s")
    return per_learner_wall, per_learner_cpu, startup


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--students", type=int, default=5)
    args = parser.parse_args(argv)
    names = args.assignments or [a for a in ASSIGNMENTS if (REPO / "source" / a).is_dir()]
    rows = [(name, *cost(name, args.students)) for name in names]
    print(f"\nper learner, mean of {args.students} reference submissions, one worker (pid {os.getpid()}):\n")
    print("| assignment | wall s / learner | CPU s / learner |")
    print("|---|---|---|")
    for name, wall, cpu, _ in rows:
        print(f"| {name} | {wall:.3f} | {cpu:.3f} |")
    over = [name for name, _, cpu, _ in rows if cpu >= BUDGET_SECONDS]
    if over:
        print(f"over the budget of {BUDGET_SECONDS:g} s of CPU per learner: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
