#!/usr/bin/env python
"""CPU cost of grading one learner of an assignment with ``nnmath grade``'s machinery (lesson01).

    python benchmarks/assignment_cost.py [ASSIGNMENT ...] [--students 10]

For each assignment with a source notebook, grades ``--students`` reference submissions in-process
through one real sandbox (:class:`~autograder.sandbox.ForkServer`, as ``nnmath grade`` with one
worker does) and prints the wall time per learner and the CPU time per learner: the trusted side
(this process) plus the sandbox (the fork server and every submission it forked, counted once the
server has exited). The CPU figure includes the sandbox's start-up spread over the learners, so it
is an upper bound of the per-learner cost. The issues ask for under one second of CPU per learner:
the exit status is 1 when an assignment costs that or more, or its reference submission loses points
(the tests assert correctness only, never time).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from autograder.curriculum import ASSIGNMENTS  # noqa: E402
from autograder.grading import AssignmentSpec, grade_submission, trusted_namespace  # noqa: E402
from autograder.sandbox import ForkServer, Limits  # noqa: E402
from autograder.simulate import SimulatedLearner, make_submission  # noqa: E402


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(assignment: str, students: int) -> tuple[float, float, float]:
    """(wall seconds per learner, CPU seconds per learner, score of the last learner / points)."""
    notebook = ASSIGNMENTS[assignment].notebook_file
    source = nbformat.read(str(REPO / "source" / assignment / notebook), as_version=4)
    release = nbformat.read(str(REPO / "release" / assignment / notebook), as_version=4)
    spec = AssignmentSpec.from_source(REPO, assignment)
    cpu0 = _cpu()
    server = ForkServer(REPO, uid=58000 + os.getpid() % 900, limits=Limits(), prelude=spec.prelude)
    namespace = trusted_namespace(spec)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        for n in range(students):
            learner = SimulatedLearner(f"bench{n}", "reference")
            path = Path(tmp) / f"{n}-{notebook}"
            nbformat.write(make_submission(release, source, learner), str(path))
            grade = grade_submission(server, spec, learner.student_id, path, namespace)
        wall = time.perf_counter() - start
    server.close()
    cpu = _cpu() - cpu0
    score = sum(c.score for c in grade.cells) / sum(c.points for c in grade.cells)
    return wall / students, cpu / students, score


BUDGET_SECONDS = 1.0  # of CPU per learner, as the issues ask


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--students", type=int, default=10)
    options = parser.parse_args()
    chosen = options.assignments or [a for a in ASSIGNMENTS if (REPO / "source" / a).is_dir()]
    print(f"{'assignment':<16} {'wall ms/learner':>16} {'CPU ms/learner':>15}  score")
    failed = []
    for assignment in chosen:
        wall, cpu, score = measure(assignment, options.students)
        over = cpu >= BUDGET_SECONDS or score < 1
        print(f"{assignment:<16} {wall * 1000:>16.0f} {cpu * 1000:>15.0f}  {score:.0%}"
              f"{'  <- over budget or not full marks' if over else ''}")
        if over:
            failed.append(assignment)
    print(f"{len(chosen) - len(failed)} of {len(chosen)} under {BUDGET_SECONDS:g} s of CPU per learner with full marks"
          + (f"; not: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
