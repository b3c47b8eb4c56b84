"""``nnmath seeds``: does the reference earn every point whatever inputs a learner is given?

Each learner's hidden inputs (and each ``Rng()`` a check hands to a function) are drawn from a
seed made of the assignment, the learner's id and the test cell (:func:`autograder.grading.seed_for`),
so a check that the reference passes on most seeds but not all takes points from a few correct
learners in every large class. One CI run found such a check: 07's capstone, which the reference
failed on 2 seeds in 1,000 (94.99% held out against a 95% bar).

This grades the reference, as learners ``seeds:0``, ``seeds:1``, ..., on every test cell of the
source notebook, hidden tests included, with the grader's seeds. The reference is trusted code,
so it runs in plain worker processes, without the sandbox: thousands of learners take minutes.
"""
from __future__ import annotations

import contextlib
import io
import linecache
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import inputs
from .checks import forwards_from_reference
from .grading import AssignmentSpec, _compiled, seed_for, trusted_namespace


@dataclass
class CellSurvey:
    """How one test cell fared: on how many learners' seeds the reference lost its points."""

    grade_id: str
    learners: int = 0
    failures: int = 0
    first_failure: str = ""  # "<learner id>: <what the check said>"

    def merge(self, other: "CellSurvey") -> None:
        self.learners += other.learners
        self.failures += other.failures
        self.first_failure = self.first_failure or other.first_failure


@dataclass
class Survey:
    assignment: str
    learners: int
    cells: list[CellSurvey] = field(default_factory=list)

    @property
    def failing(self) -> list[CellSurvey]:
        return [c for c in self.cells if c.failures]


def _without_magics(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))


def reference_functions(spec: AssignmentSpec) -> dict:
    """The learner's side as the reference would fill it: the locked cells and every solution, run in
    one namespace. Each solution is compiled under a name ``linecache`` knows, so that checks reading a
    function's source (``matmul`` must not use ``@``) see it."""
    import matplotlib

    matplotlib.use("Agg")  # the notebook's plot cells run too; nothing is shown
    import matplotlib.pyplot as plt

    namespace: dict = {}
    references = dict(spec.references)
    sources = [("setup", source) for source in spec.prelude]
    sources += [(cell_id, references[cell_id] if source is None else source) for cell_id, source in spec.program]
    for cell_id, source in sources:
        code = _without_magics(source)
        filename = f"<reference {cell_id}>"
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, filename, "exec"), namespace)  # trusted: from source/
        plt.close("all")
    return namespace


def _survey_learners(course_dir: str, assignment: str, first: int, count: int) -> list[CellSurvey]:
    spec = AssignmentSpec.from_source(Path(course_dir), assignment)
    checks_scope = trusted_namespace(spec)
    learner = reference_functions(spec)
    answers = {name: learner[name] for name in spec.answers if name in learner}
    cells = [CellSurvey(grade_id) for grade_id, _, _ in spec.tests]
    for k in range(first, first + count):
        student = f"seeds:{k}"
        for cell, (grade_id, _points, source) in zip(cells, spec.tests):
            scope = {**checks_scope, **answers}
            inputs.set_seed(seed_for(spec.name, student, grade_id))
            cell.learners += 1
            try:
                with contextlib.redirect_stdout(io.StringIO()), forwards_from_reference():
                    exec(_compiled(source, grade_id), scope)
            except Exception as error:  # a CheckFailure, or the reference raising
                cell.failures += 1
                cell.first_failure = cell.first_failure or f"{student}: {type(error).__name__}: {error}"
            finally:
                inputs.set_seed(None)
    return cells


def survey(course_dir: Path, assignment: str, learners: int, jobs: int = 1) -> Survey:
    """Grade the reference as ``learners`` learners, in ``jobs`` processes (learners split evenly)."""
    jobs = max(1, min(jobs, learners))
    share, extra = divmod(learners, jobs)
    chunks, first = [], 0
    for j in range(jobs):
        count = share + (j < extra)
        chunks.append((first, count))
        first += count
    result = Survey(assignment, learners)
    with ProcessPoolExecutor(jobs) as pool:
        parts = [pool.submit(_survey_learners, str(course_dir), assignment, first, count) for first, count in chunks]
        for part in parts:
            cells = part.result()
            if not result.cells:
                result.cells = cells
            else:
                for mine, theirs in zip(result.cells, cells):
                    mine.merge(theirs)
    return result


def report_lines(result: Survey) -> list[str]:
    lines = [f"the reference of {result.assignment} graded as {result.learners} learners, "
             f"{len(result.cells)} test cell(s), the grader's seeds:"]
    for cell in result.cells:
        lines.append(f"  {cell.grade_id:<32} {'lost on ' + str(cell.failures) if cell.failures else 'full marks on':>14}"
                     f" {cell.learners} learner(s)")
        if cell.failures:
            lines.append(f"      first: {cell.first_failure[:400]}")
    lines.append(f"{len(result.failing)} test cell(s) the reference does not pass on every learner's inputs")
    return lines


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)
