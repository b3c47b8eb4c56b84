"""Running notebooks in tests and reading what their cells printed."""
from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.contract import is_answer_cell, is_test_cell, nbgrader_meta

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CellResult:
    index: int
    grade_id: str | None
    is_test: bool
    error: str | None  # "Name: value" of the exception the cell raised
    stdout: str
    stderr: str
    images: int


def execute(nb, workdir: Path, timeout: int = 120) -> list[CellResult]:
    """Run every cell (continuing past errors) in ``workdir``; one result per code cell."""
    nb = copy.deepcopy(nb)
    workdir.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    results = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        error, stdout, stderr, images = None, "", "", 0
        for output in cell.outputs:
            if output.output_type == "error":
                error = f"{output.ename}: {output.evalue}"
            elif output.output_type == "stream":
                if output.name == "stdout":
                    stdout += output.text
                else:
                    stderr += output.text
            elif output.output_type in ("display_data", "execute_result") and "image/png" in output.get("data", {}):
                images += 1
        results.append(CellResult(index, nbgrader_meta(cell).get("grade_id"), is_test_cell(cell), error, stdout,
                                  stderr, images))
    return results


def with_answers(release_nb, answers: dict[str, str]):
    """A copy of a release notebook with the given answer cells filled in."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if is_answer_cell(cell) and nbgrader_meta(cell)["grade_id"] in answers:
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
    return nb


# Where a lesson that brings earlier functions runs in the tests of a learner's setup: beside the
# earlier releases filled with the reference answers, apart from those releases' own stub copies.
WITH_EARLIER = "finished-earlier"


def brings_earlier(nb) -> bool:
    """Does the notebook's setup cell ``bring`` functions of earlier assignments?"""
    from autograder.earlier import bring_calls
    return bool(bring_calls([cell.source for cell in nb.cells if cell.cell_type == "code"][:1]))


def place_earlier(nb, folder: Path, release_dir: Path = REPO / "release") -> None:
    """Beside ``folder`` (where a release of a later lesson runs), the earlier releases its setup
    ``bring``s, filled with the reference answers: what a learner who finished them has."""
    from autograder.curriculum import ASSIGNMENTS
    from autograder.earlier import bring_calls
    from autograder.simulate import reference_answers

    setup = [cell.source for cell in nb.cells if cell.cell_type == "code"][:1]
    for assignment in dict.fromkeys(a for a, _ in bring_calls(setup)):
        file = ASSIGNMENTS[assignment].notebook_file
        answers = reference_answers(read(REPO / "source" / assignment / file))
        target = folder.parent / assignment / file
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_answers(read(release_dir / assignment / file), answers), str(target))


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


@contextlib.contextmanager
def sandbox_grader(assignment: str):
    """(spec, fork server, trusted namespace) to grade submissions of ``assignment`` in the real sandbox."""
    import os

    from autograder.grading import AssignmentSpec, trusted_namespace
    from autograder.sandbox import ForkServer, Limits

    repo = Path(__file__).resolve().parents[1]
    spec = AssignmentSpec.from_source(repo, assignment)
    server = ForkServer(repo, uid=59000 + os.getpid() % 900, limits=Limits(cell_seconds=5, call_seconds=3),
                        prelude=spec.prelude)
    try:
        yield spec, server, trusted_namespace(spec)
    finally:
        server.close()


def grade_answers(grader, workdir: Path, assignment: str, notebook_file: str, name: str, answers: dict) -> dict:
    """Grade the committed release of ``assignment`` with ``answers`` (grade_id -> source; the others
    the reference's) through ``grader`` (:func:`sandbox_grader`): grade_id -> (score, points, problems)."""
    from autograder.grading import grade_submission
    from autograder.simulate import SimulatedLearner, make_submission

    repo = Path(__file__).resolve().parents[1]
    spec, server, namespace = grader
    source, release = read(repo / "source" / assignment / notebook_file), read(repo / "release" / assignment / notebook_file)
    learner = SimulatedLearner(name, "", answers)
    path = workdir / notebook_file
    nbformat.write(make_submission(release, source, learner), str(path))
    result = grade_submission(server, spec, learner.student_id, path, namespace)
    return {cell.grade_id: (cell.score, cell.points, [str(p) for p in cell.problems]) for cell in result.cells}


def assert_grading_costs_under_a_second(assignment: str) -> None:
    """``benchmarks/assignment_cost.py`` grades 5 learners: full marks, under a second of CPU each."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, str(repo / "benchmarks" / "assignment_cost.py"), assignment,
                             "--students", "5"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith(assignment)).split()
    assert row[-1] == "100%", row
    assert float(row[2]) < 1000, f"{row[2]} ms of CPU per learner (start-up included)"
