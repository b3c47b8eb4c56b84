"""A lesson's mistakes under the real grader: what tests/test_lesson_<assignment>.py share.

Every other answer of a submission is the reference's, so a cell of another function losing points
would mean one function's grade depends on another. Graded through the sandbox, as `nnmath grade` does.
"""
from __future__ import annotations

import nbformat

from autograder.curriculum import ASSIGNMENTS
from autograder.grading import grade_submission
from autograder.simulate import SimulatedLearner, make_submission
from notebook_tools import REPO, read


def grade(grader, tmp_path, assignment: str, name: str, answers: dict) -> dict:
    """grade_id -> (score, points, problems) of a submission with ``answers``, the reference elsewhere."""
    spec, server, namespace = grader
    notebook = ASSIGNMENTS[assignment].notebook_file
    source, release = read(REPO / "source" / assignment / notebook), read(REPO / "release" / assignment / notebook)
    learner = SimulatedLearner(name, "", answers)
    path = tmp_path / notebook
    nbformat.write(make_submission(release, source, learner), str(path))
    result = grade_submission(server, spec, learner.student_id, path, namespace)
    return {cell.grade_id: (cell.score, cell.points, [str(p) for p in cell.problems]) for cell in result.cells}


def assert_reference_earns_every_point(grader, tmp_path, assignment: str) -> None:
    scores = grade(grader, tmp_path, assignment, "reference", {})
    assert scores and all(score == points for score, points, _ in scores.values()), scores


def assert_loses_exactly(grader, tmp_path, assignment: str, mistake: str, function: str, wrong: str,
                         cells: set, named: str) -> None:
    """The mistake ``wrong`` (an answer for ``function``) loses exactly ``cells``, each with ``named`` said."""
    scores = grade(grader, tmp_path, assignment, mistake.replace("/", ""), {function: wrong})
    lost = {g for g, (score, points, _) in scores.items() if score < points}
    assert lost == cells, f"{mistake}: lost {sorted(lost)}, expected exactly {sorted(cells)}"
    for grade_id in lost:
        score, _, problems = scores[grade_id]
        assert score == 0 and problems, (grade_id, problems)
        assert any(named in p for p in problems), (grade_id, problems)


def lesson_tests(assignment: str, mistakes: dict):
    """The tests of a lesson's mistakes file, bound to module names by the caller:
    ``grader, test_the_reference_earns_every_point, test_a_mistake_loses_exactly_its_own_points =
    lesson_tests(A, MISTAKES)``. What grading a learner costs is measured, not asserted:
    ``benchmarks/assignment_cost.py`` (exit status 1 at a second of CPU per learner or more)."""
    import pytest

    from notebook_tools import sandbox_grader

    @pytest.fixture(scope="module")
    def grader():
        with sandbox_grader(assignment) as graded:
            yield graded

    def test_the_reference_earns_every_point(grader, tmp_path):
        assert_reference_earns_every_point(grader, tmp_path, assignment)

    @pytest.mark.parametrize("mistake", sorted(mistakes))
    def test_a_mistake_loses_exactly_its_own_points(mistake, grader, tmp_path):
        assert_loses_exactly(grader, tmp_path, assignment, mistake, *mistakes[mistake])

    return grader, test_the_reference_earns_every_point, test_a_mistake_loses_exactly_its_own_points
