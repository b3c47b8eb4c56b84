#!/usr/bin/env python
"""Where a learner's grading CPU goes beyond the floor: the parts, each measured on its own.

    python benchmarks/grading_parts.py [--students 100]

On a class of 03_activations (the ``grade_speed.py`` class, as ``grade_scaling.py`` grades it), in
this process with one real sandbox (:class:`~autograder.sandbox.ForkServer`), it measures per learner
the CPU of: the floor (``grade_scaling.floor_cpu``); a confined child that runs one statement (fork,
control groups, uid, limits, scratch folder, teardown); one call crossing into the child and back
(an identity function on a 2x3 array: encoding, both sides' checks, the round trip) and how many
calls a learner's checks make; grading a whole learner (``grade_submission``: trusted side and
sandbox apart); recording in the gradebook (batches of 50, as ``nnmath grade`` does) and writing the
autograded notebook. CPU of the sandbox is read when its server has been closed and reaped
(``RUSAGE_CHILDREN``), less a second server's start and first learner. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import grade_speed as speed  # noqa: E402
from sandbox_counter import SandboxCounter  # noqa: E402

UID = 61990
TRIVIAL_CALLS = 100


@dataclass
class Cost:
    """Milliseconds of CPU per repetition: the grading process's and the sandbox's (server and children)."""
    trusted: float
    sandbox: float

    @property
    def total(self) -> float:
        return self.trusted + self.sandbox


def _cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def sandboxed(course: Path, spec, work, repetitions: int) -> Cost:
    """The CPU of ``work(server, i)`` for i in range(repetitions), after one warm-up, per repetition."""
    from autograder.sandbox import ForkServer, Limits

    def started():
        server = ForkServer(course, uid=UID, limits=Limits(), prelude=spec.prelude)
        work(server, 0)  # warm-up: the checks' and the server's first calls
        return server

    before = _cpu(resource.RUSAGE_CHILDREN)
    started().close()
    fixed = _cpu(resource.RUSAGE_CHILDREN) - before  # a server's start, warm-up and end
    server = started()
    trusted, children = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN)
    for i in range(repetitions):
        work(server, i)
    trusted = _cpu(resource.RUSAGE_SELF) - trusted
    server.close()
    sandbox = _cpu(resource.RUSAGE_CHILDREN) - children - fixed
    return Cost(1000 * trusted / repetitions, max(0.0, 1000 * sandbox / repetitions))


def measure(course: Path, members: list, students: int) -> dict:
    """Each part's CPU per learner (ms) on ``course`` (a built grade_speed class), and calls per learner."""
    import nbformat
    import numpy as np

    import grade_scaling
    from autograder import grading
    from autograder.gradebook import autograded_notebook, open_gradebook, record_many, write_autograded

    spec = grading.AssignmentSpec.from_source(course, speed.ASSIGNMENT)
    namespace = grading.trusted_namespace(spec)
    chosen = [m.student for m in members if m.file_fault is None][:students]

    def trivial_child(server, _):
        session = server.session()
        session.run_cell("x = 1")
        session.end()

    def trivial_calls(server, _):
        session = server.session()
        session.run_cell("def same(z):\n    return z")
        z = np.arange(6.0).reshape(2, 3)
        for _ in range(TRIVIAL_CALLS):
            session.call("same", (z,), {})
        session.end()

    grades, calls = [], []
    counter = SandboxCounter()

    def learner(server, i):
        student = chosen[i % len(chosen)]
        path = course / "submitted" / student / speed.ASSIGNMENT / spec.notebook_file
        before = counter.calls
        grades.append(grading.grade_submission(server, spec, student, path, namespace))
        calls.append(counter.calls - before)

    parts = {"floor": 1000 * grade_scaling.floor_cpu(course, members[:students])}
    child = sandboxed(course, spec, trivial_child, 100)
    with_calls = sandboxed(course, spec, trivial_calls, 20)
    parts["child"] = child.total
    parts["call_us"] = 1000 * (with_calls.total - child.total) / TRIVIAL_CALLS
    with counter:
        whole = sandboxed(course, spec, learner, len(chosen))
    parts["calls"] = sum(calls[-len(chosen):]) / len(chosen)  # the measured learners, not the warm-ups
    parts["trusted"], parts["sandbox"] = whole.trusted, whole.sandbox
    graded = grades[-len(chosen):]
    gradebook = open_gradebook(course, speed.ASSIGNMENT)
    try:
        started = _cpu(resource.RUSAGE_SELF)
        for first in range(0, len(graded), 50):
            record_many(gradebook, speed.ASSIGNMENT, Path(spec.notebook_file).stem,
                        [(g, None) for g in graded[first:first + 50]], "en")
        parts["record"] = 1000 * (_cpu(resource.RUSAGE_SELF) - started) / len(graded)
    finally:
        gradebook.close()
    release_nb = nbformat.read(str(course / "release" / speed.ASSIGNMENT / spec.notebook_file), as_version=4)
    started = _cpu(resource.RUSAGE_SELF)
    for grade in graded:
        write_autograded(course, speed.ASSIGNMENT, spec.notebook_file,
                         autograded_notebook(release_nb, grade.answers, grade, "en"), grade.student)
    parts["notebook"] = 1000 * (_cpu(resource.RUSAGE_SELF) - started) / len(graded)
    return parts


def report(parts: dict) -> str:
    """The parts as a Markdown table, and what they leave of 1.5x the floor."""
    floor = parts["floor"]
    crossing = parts["calls"] * parts["call_us"] / 1000
    fixed = parts["child"] + parts["record"] + parts["notebook"]
    rows = [
        ("the floor: the learners' code and the checks in one process", floor),
        ("grading a learner (`grade_submission`): the trusted side", parts["trusted"]),
        ("grading a learner: the sandbox (server and child)", parts["sandbox"]),
        ("within those two: a confined child's life, running one statement", parts["child"]),
        (f"within those two (estimate): {parts['calls']:.0f} calls crossing, {parts['call_us']:.0f} us each "
         "(both sides)", crossing),
        ("recording in the gradebook (batches of 50)", parts["record"]),
        ("writing the autograded notebook", parts["notebook"]),
    ]
    graded = parts["trusted"] + parts["sandbox"] + parts["record"] + parts["notebook"]
    lines = ["| part, per 03 learner | CPU ms |", "|---|---|"]
    lines += [f"| {label} | {ms:.1f} |" for label, ms in rows]
    lines.append(f"| grading, recording and the notebook together | {graded:.1f} ({graded / floor:.1f}x the floor) |")
    lines.append(f"1.5x the floor leaves {0.5 * floor:.1f} ms per learner beyond it; a child, recording and "
                 f"the notebook alone take {fixed:.1f} ms, the calls' crossing about {crossing:.0f} ms more")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=100, help="learners measured (default 100)")
    args = parser.parse_args(argv)
    members = speed.make_class(args.students, hang=False)
    with tempfile.TemporaryDirectory(prefix="nnmath-parts-") as scratch:
        course = speed.build_course(Path(scratch), members)
        print(report(measure(course, members, args.students)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
