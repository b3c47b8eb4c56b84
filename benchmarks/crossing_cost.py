#!/usr/bin/env python
"""Grading cost per learner of each crossing mechanism (issue 9), beside plain-data checks.

    python benchmarks/crossing_cost.py [--students 10]

Grades ``--students`` reference submissions of the fixture assignment ``99_crossing``
(``tests/crossing_fixture.py``) and of ``03_activations`` in-process, through one real sandbox
(:class:`~autograder.sandbox.ForkServer`, :class:`~autograder.remote.SubmissionRunner`), timing
every test cell. Cells are grouped by the mechanism they exercise; the table prints the mean
milliseconds per learner for each group and per cell, and the number of sandbox round trips
(calls and programs) per learner. Start-up (the sandbox, each learner's cells) is printed apart.
Nothing is asserted: ``tests/test_crossing.py`` holds the correctness.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "tests", REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import crossing_fixture as fixture  # noqa: E402
from autograder import grading  # noqa: E402
from autograder.remote import SubmissionRunner  # noqa: E402
from autograder.sandbox import ForkServer, Limits  # noqa: E402
from autograder.simulate import reference_answers  # noqa: E402
from sandbox_counter import SandboxCounter  # noqa: E402

MECHANISMS = {  # test cell -> what crosses
    "test_step": "plain data (arrays in, arrays out)",
    "test_matmul": "plain data + source check (trusted side only)",
    "test_numerical_gradient": "course function (description, record back)",
    "test_neuron": "course function + learner function by reference",
    "test_init_params": "generator (state in, state back)",
    "test_init_params_rng": "generator (state in, state back)",
    "test_Value_numbers": "object programs (steps in, numbers back)",
    "test_Value_accumulate": "object programs (steps in, numbers back)",
    "test_Value_order": "object programs (steps in, numbers back)",
    "test_train_mlp": "long call (training, raised deadline)",
}


def grade_timed(course: Path, assignment: str, students: int, mechanism_of) -> tuple[dict, dict, float, float]:
    """mechanism -> ms per learner, mechanism -> round trips per learner, start-up s, cells s per learner."""
    spec = grading.AssignmentSpec.from_source(course, assignment)
    namespace = grading.trusted_namespace(spec)
    source_nb = __import__("nbformat").read(str(course / "source" / assignment / spec.notebook_file), as_version=4)
    answers = reference_answers(source_nb)
    program = [(cell_id, src if src is not None else answers[cell_id]) for cell_id, src in spec.program]
    started = time.monotonic()
    server = ForkServer(course, uid=61990, limits=Limits(), prelude=spec.prelude)
    startup = time.monotonic() - started
    times, trips, cell_seconds = defaultdict(float), defaultdict(int), 0.0
    try:
        for learner in range(students):
            runner = SubmissionRunner(server, program)
            began = time.monotonic()
            runner.start()
            cell_seconds += time.monotonic() - began
            for grade_id, points, source in spec.tests:
                began = time.monotonic()
                with SandboxCounter() as counter:
                    grade = grading.grade_test_cell(spec, f"s{learner}", grade_id, points, source, runner, namespace)
                mechanism = mechanism_of(grade_id)
                times[mechanism] += time.monotonic() - began
                trips[mechanism] += counter.round_trips
                if grade.score != points:
                    print(f"  warning: {grade_id} scored {grade.score}/{points}: {[p.en for p in grade.problems]}")
            runner.close()
    finally:
        server.close()
    return ({m: 1000 * t / students for m, t in times.items()}, {m: n / students for m, n in trips.items()},
            startup, cell_seconds / students)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    args = parser.parse_args(argv)
    fixture.register()
    with tempfile.TemporaryDirectory(prefix="nnmath-crossing-bench-") as scratch:
        course = fixture.new_course(Path(scratch) / "course", REPO)
        import shutil
        shutil.copytree(REPO / "source" / "03_activations", course / "source" / "03_activations")
        rows = []
        for assignment, mechanism_of in (("03_activations", lambda _: "plain data (03_activations, 14 cells)"),
                                         (fixture.A, lambda g: MECHANISMS[g])):
            ms, trips, startup, cells = grade_timed(course, assignment, args.students, mechanism_of)
            cell_counts = defaultdict(int)
            for grade_id, _, _ in grading.AssignmentSpec.from_source(course, assignment).tests:
                cell_counts[mechanism_of(grade_id)] += 1
            for mechanism in ms:
                rows.append((mechanism, cell_counts[mechanism], ms[mechanism], ms[mechanism] / cell_counts[mechanism],
                             trips[mechanism]))
            print(f"{assignment}: sandbox start-up {startup:.2f} s; running a learner's cells {1000 * cells:.0f} ms")
    print(f"\nper learner, mean of {args.students} reference submissions, one worker:\n")
    print(f"| {'mechanism':<52} | cells | ms / learner | ms / cell | round trips / learner |")
    print(f"|{'-' * 54}|-------|--------------|-----------|-----------------------|")
    for mechanism, cells, total, per_cell, trip in rows:
        print(f"| {mechanism:<52} | {cells:>5} | {total:>12.1f} | {per_cell:>9.1f} | {trip:>21.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
