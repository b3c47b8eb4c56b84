"""A learner row another grading run inserts between our look-up and our insert: the insert fails
on the unique id, the transaction is rolled back and retried, and the grade is recorded once.

The race is forced deterministically on SQLite: the first time the run looks ``ada`` up, a second
gradebook session (the "other run") inserts her and the look-up reports her missing, as it would
have a moment earlier. ``tests/test_postgres.py`` makes the same conflict happen between two real
processes on a server.
"""
from __future__ import annotations

import sqlite3

import pytest

from autograder.grade_run import grade_class
from autograder.simulate import ACTIVATIONS_CLASS, expected_score
from notebook_tools import read
from test_grade import A, NB, new_course, submit

pytestmark = pytest.mark.slow


def test_a_learner_row_inserted_by_another_run_meanwhile_is_retried(tmp_path, monkeypatch):
    from nbgrader.api import Gradebook, InvalidEntry, MissingEntry

    course = new_course(tmp_path / "course")
    ada = ACTIVATIONS_CLASS[0]
    submit(course, ada)
    url = f"sqlite:///{course / 'gradebook.db'}"
    find, add = Gradebook.find_student, Gradebook.add_student
    events = []

    def find_student(self, student_id):
        if student_id == ada.student_id and "raced" not in events:
            events.append("raced")
            with Gradebook(url) as other:  # the other run wins the race
                other.add_student(student_id)
            raise MissingEntry()
        return find(self, student_id)

    def add_student(self, student_id, **kwargs):
        try:
            return add(self, student_id, **kwargs)
        except InvalidEntry:
            events.append("conflict")
            raise

    monkeypatch.setattr(Gradebook, "find_student", find_student)
    monkeypatch.setattr(Gradebook, "add_student", add_student)
    summary = grade_class(course, A, jobs=1)

    assert events[:2] == ["raced", "conflict"], events
    assert [g.score for g in summary.grades] == [expected_score(ada, read(course / "source" / A / NB))]
    with sqlite3.connect(course / "gradebook.db") as db:
        assert db.execute("select count(*) from student").fetchone() == (1,)
        submissions, missing, total = db.execute("""
            select count(distinct submitted_assignment.id), sum(grade.auto_score is null), sum(grade.auto_score)
            from submitted_assignment
            join submitted_notebook on submitted_notebook.assignment_id = submitted_assignment.id
            join grade on grade.notebook_id = submitted_notebook.id""").fetchone()
    assert (submissions, missing, total) == (1, 0, summary.grades[0].score)
