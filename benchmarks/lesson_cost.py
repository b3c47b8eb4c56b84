#!/usr/bin/env python
"""CPU seconds that grading one learner's notebook costs, per assignment.

    python benchmarks/lesson_cost.py [04_losses ...] [--students 10]

For each assignment (default: every one with a source notebook), grades reference submissions through
one real sandbox (:class:`~autograder.sandbox.ForkServer`, :func:`~autograder.grading.grade_submission`),
once with one learner and once with ``1 + --students`` learners, and counts the CPU time of this
process and of every process it started (the sandbox server and its forked learners, reaped when the
server closes). The difference divided by ``--students`` is the marginal CPU per learner, start-up
excluded; the start-up (the one-learner run) is printed apart. Exit status 1 if any learner loses a
point or the marginal cost reaches ``--budget`` seconds (1.0 by default, the course's target).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import nbformat  # noqa: E402

from autograder.curriculum import ASSIGNMENTS  # noqa: E402
from autograder.grading import AssignmentSpec, grade_submission, trusted_namespace  # noqa: E402
from autograder.sandbox import ForkServer, Limits  # noqa: E402
from autograder.simulate import SimulatedLearner, make_submission  # noqa: E402
from notebook_tools import read  # noqa: E402


def cpu_seconds() -> float:
    """User + system CPU of this process and of its reaped children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def grade_class(assignment: str, learners: int, scratch: Path) -> tuple[float, float, bool]:
    """(CPU seconds, wall seconds, every learner earned every point) for ``learners`` reference submissions."""
    notebook = ASSIGNMENTS[assignment].notebook_file
    source, release = read(REPO / "source" / assignment / notebook), read(REPO / "release" / assignment / notebook)
    path = scratch / notebook
    nbformat.write(make_submission(release, source, SimulatedLearner("reference", "", {})), str(path))
    cpu, wall, perfect = cpu_seconds(), time.monotonic(), True
    spec = AssignmentSpec.from_source(REPO, assignment)
    server = ForkServer(REPO, uid=62000 + os.getpid() % 900, limits=Limits(), prelude=spec.prelude)
    try:
        namespace = trusted_namespace(spec)
        for learner in range(learners):
            grade = grade_submission(server, spec, f"s{learner}", path, namespace)
            perfect &= all(cell.score == cell.points for cell in grade.cells)
    finally:
        server.close()
    return cpu_seconds() - cpu, time.monotonic() - wall, perfect


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--budget", type=float, default=1.0)
    args = parser.parse_args(argv)
    assignments = args.assignments or [a for a, spec in ASSIGNMENTS.items()
                                       if (REPO / "source" / a / spec.notebook_file).is_file()]
    ok = True
    print(f"| {'assignment':<16} | start-up CPU s | CPU s / learner | wall s / learner | all points |")
    print(f"|{'-' * 18}|----------------|-----------------|------------------|------------|")
    for assignment in assignments:
        with tempfile.TemporaryDirectory(prefix="nnmath-lesson-cost-") as scratch:
            one_cpu, one_wall, one_ok = grade_class(assignment, 1, Path(scratch))
            many_cpu, many_wall, many_ok = grade_class(assignment, 1 + args.students, Path(scratch))
        per_cpu, per_wall = (many_cpu - one_cpu) / args.students, (many_wall - one_wall) / args.students
        ok &= one_ok and many_ok and per_cpu < args.budget
        print(f"| {assignment:<16} | {one_cpu:>14.2f} | {per_cpu:>15.3f} | {per_wall:>16.3f} | "
              f"{'yes' if one_ok and many_ok else 'NO':>10} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
