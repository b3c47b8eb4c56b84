"""The demo's simulated classes (``autograder.simulate.CLASSES``) are consistent with their assignments,
so adding a class for another assignment is a data change the demo picks up."""
from __future__ import annotations

import pytest

from autograder.contract import is_answer_cell, nbgrader_meta
from autograder.curriculum import ASSIGNMENTS
from autograder.demo import demo_assignments
from autograder import simulate
from autograder.simulate import CLASSES, SimulatedClass, SimulatedLearner
from conftest import REPO
from notebook_tools import read


@pytest.mark.parametrize("assignment", sorted(CLASSES))
def test_a_class_names_its_assignments_cells_and_its_own_learners(assignment):
    assert assignment in ASSIGNMENTS
    klass = CLASSES[assignment]
    ids = [learner.student_id for learner in klass.learners]
    assert len(ids) == len(set(ids)), "one learner, one id"
    assert set(klass.late) <= set(ids) and set(klass.first_tries) <= set(ids)
    assert all(first.student_id == student for student, first in klass.first_tries.items())
    source = REPO / "source" / assignment / ASSIGNMENTS[assignment].notebook_file
    if not source.is_file():
        pytest.skip(f"{assignment} has no source notebook yet")
    nb = read(source)
    answers = {nbgrader_meta(c)["grade_id"] for c in nb.cells if is_answer_cell(c)}
    for learner in klass.learners + tuple(klass.first_tries.values()):
        assert set(learner.answers) <= answers, (learner.student_id, set(learner.answers) - answers)
        assert set(learner.fails) <= answers | set(simulate.test_points(nb)), (learner.student_id, learner.fails)


def test_the_demo_runs_every_class_whose_assignment_the_course_has(tmp_path, monkeypatch):
    (tmp_path / "source" / "03_activations").mkdir(parents=True)
    (tmp_path / "source" / "01_calculus").mkdir()
    extra = SimulatedClass((SimulatedLearner("ada", "correct everywhere"),))
    monkeypatch.setitem(CLASSES, "01_calculus", extra)
    monkeypatch.setitem(CLASSES, "02_neurons", extra)  # no source: left out
    assert sorted(demo_assignments(tmp_path)) == ["01_calculus", "03_activations"]
