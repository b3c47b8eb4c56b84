"""The demo's simulated classes (``autograder.simulate.CLASSES``) are consistent with their assignments,
so adding a class for another assignment is a data change the demo picks up; and every class whose
assignment has its notebook is graded here by the real grader: each learner fails exactly the test
cells its ``fails`` says (the demo's "deserved" column), no more, no fewer."""
from __future__ import annotations

import nbformat
import pytest

from autograder.contract import is_answer_cell, nbgrader_meta
from autograder.curriculum import ASSIGNMENTS
from autograder.demo import demo_assignments
from autograder.grading import grade_submission
from autograder import simulate
from autograder.simulate import CLASSES, SimulatedClass, SimulatedLearner, failing_tests, make_submission
from conftest import REPO
from notebook_tools import read, sandbox_grader


def _source(assignment: str):
    """The source notebook of ``assignment``, or a skip when it has none yet (06 and 07 are being written)."""
    path = REPO / "source" / assignment / ASSIGNMENTS[assignment].notebook_file
    if not path.is_file():
        pytest.skip(f"{assignment} has no source notebook yet: its class is checked once it has")
    return read(path)


def _everyone(klass: SimulatedClass) -> tuple[SimulatedLearner, ...]:
    return klass.learners + tuple(klass.first_tries.values())


def test_every_assignment_of_the_course_has_a_class():
    assert sorted(CLASSES) == sorted(ASSIGNMENTS)


def test_one_class_takes_the_whole_course():
    """The same learners in every assignment, so the export shows each one's row over the course;
    and across the course: one right everywhere, the stubs, a late learner, and the hostile cases."""
    rosters = {a: {learner.student_id for learner in klass.learners} for a, klass in CLASSES.items()}
    assert len({frozenset(r) for r in rosters.values()}) == 1, rosters
    assert all("lou" in klass.late for klass in CLASSES.values())
    assert all(any(learner.stub_only for learner in klass.learners) for klass in CLASSES.values())
    assert any(klass.first_tries for a, klass in CLASSES.items() if a != "03_activations")
    descriptions = " ".join(learner.description for klass in CLASSES.values() for learner in klass.learners)
    for hostile in ("loops forever", "kills the kernel", "cheats", "solutions"):
        assert hostile in descriptions


@pytest.mark.parametrize("assignment", sorted(CLASSES))
def test_a_class_names_its_assignments_cells_and_its_own_learners(assignment):
    assert assignment in ASSIGNMENTS
    klass = CLASSES[assignment]
    ids = [learner.student_id for learner in klass.learners]
    assert len(ids) == len(set(ids)), "one learner, one id"
    assert set(klass.late) <= set(ids) and set(klass.first_tries) <= set(ids)
    assert all(first.student_id == student for student, first in klass.first_tries.items())
    nb = _source(assignment)
    answers = {nbgrader_meta(c)["grade_id"] for c in nb.cells if is_answer_cell(c)}
    for learner in _everyone(klass):
        assert set(learner.answers) | set(learner.edits) <= answers, (learner.student_id, set(learner.answers) - answers)
        assert set(learner.fails) <= answers | set(simulate.test_points(nb)), (learner.student_id, learner.fails)
        assert learner.stub_only or failing_tests(learner, nb) or not (learner.answers or learner.edits), \
            f"{learner.student_id} changes answers but is to fail nothing"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(CLASSES))
def test_each_learner_fails_exactly_the_cells_the_class_says(assignment, tmp_path):
    source = _source(assignment)
    notebook = ASSIGNMENTS[assignment].notebook_file
    release = read(REPO / "release" / assignment / notebook)
    wrong = {}
    with sandbox_grader(assignment) as (spec, server, namespace):
        for learner in _everyone(CLASSES[assignment]):
            path = tmp_path / learner.student_id / notebook
            path.parent.mkdir(exist_ok=True)
            nbformat.write(make_submission(release, source, learner), str(path))
            grade = grade_submission(server, spec, learner.student_id, path, namespace)
            failed = {cell.grade_id for cell in grade.cells if cell.score < cell.points}
            if failed != failing_tests(learner, source):
                wrong[f"{learner.student_id} ({learner.description})"] = (sorted(failed),
                                                                          sorted(failing_tests(learner, source)))
    assert not wrong, f"failed versus expected: {wrong}"


def test_an_edit_that_no_longer_applies_is_refused():
    source = _source("03_activations")
    release = read(REPO / "release" / "03_activations" / "activations.ipynb")
    learner = SimulatedLearner("x", "", edits={"relu": ("no such text", "")}, fails=frozenset({"relu"}))
    with pytest.raises(ValueError, match="no such text"):
        make_submission(release, source, learner)


def test_the_demo_runs_every_class_whose_assignment_the_course_has(tmp_path):
    (tmp_path / "source" / "03_activations").mkdir(parents=True)
    (tmp_path / "source" / "01_calculus").mkdir()
    assert sorted(demo_assignments(tmp_path)) == ["01_calculus", "03_activations"]
