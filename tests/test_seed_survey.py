"""`nnmath seeds`: the reference graded as many learners, each with the grader's seeds for their id."""
from __future__ import annotations

import shutil
import subprocess
import sys

import nbformat

from autograder.contract import nbgrader_meta
from autograder.seed_survey import survey
from conftest import REPO

A, NB = "01_calculus", "calculus.ipynb"
FLAKY_CELL = "test_central_difference"


def nnmath_seeds(*args):
    return subprocess.run([sys.executable, "-m", "autograder.cli", "seeds", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


def course_with_a_flaky_check(tmp_path):
    """A copy of 01_calculus whose ``FLAKY_CELL`` also asserts a coin flip drawn from the cell's seed:
    the reference loses that cell for about half of the learners, and only that cell."""
    shutil.copytree(REPO / "source" / A, tmp_path / "source" / A)
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    path = tmp_path / "source" / A / NB
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == FLAKY_CELL)
    cell.source += "\nfrom autograder.inputs import generator\nassert generator('coin').random() < 0.5, 'tails'\n"
    nbformat.write(nb, str(path))
    return tmp_path


def test_the_course_reference_earns_every_point_on_every_learners_seeds():
    finished = nnmath_seeds("02_neurons", "--learners", "40", "--jobs", "2")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "graded as 40 learners, 5 test cell(s)" in finished.stdout
    assert finished.stdout.count("full marks on 40 learner(s)") == 5
    assert "0 test cell(s) the reference does not pass" in finished.stdout


def test_a_check_the_reference_passes_on_some_seeds_only_is_found(tmp_path):
    course = course_with_a_flaky_check(tmp_path)
    result = survey(course, A, 60, jobs=2)
    by_cell = {c.grade_id: c for c in result.cells}
    assert all(c.learners == 60 for c in result.cells)
    assert 10 <= by_cell[FLAKY_CELL].failures <= 50  # a fair coin, 60 throws
    assert by_cell[FLAKY_CELL].first_failure.startswith("seeds:") and "tails" in by_cell[FLAKY_CELL].first_failure
    assert [c.grade_id for c in result.failing] == [FLAKY_CELL]
    # the same learners fail again: the seeds are the grader's, fixed by the learner id
    again = survey(course, A, 60, jobs=1)
    assert [c.failures for c in again.cells] == [c.failures for c in result.cells]

    finished = nnmath_seeds(A, "--learners", "20", "--course-dir", str(course))
    assert finished.returncode == 1
    assert f"{FLAKY_CELL}" in finished.stdout and "1 test cell(s) the reference does not pass" in finished.stdout


def test_a_mistyped_assignment_is_a_clear_error():
    finished = nnmath_seeds("09_nothing")
    assert finished.returncode == 1 and "no such assignment: 09_nothing" in finished.stderr
