"""The gradebook on a real PostgreSQL server (nbgrader's ``db_url``), two grading runs at once.

The server is Debian's ``postgresql`` (``make test`` installs it), started afresh by
:mod:`pg_server`. Two assignments, 03_activations and ``03_retake`` (a copy of it, made known by
:mod:`fixture_assignment`), are graded by two ``nnmath grade`` processes at the same time into
one database. The two runs meet at a barrier before each inserts its first learner row (see
:mod:`fixture_assignment`), so they overlap and both insert the same learner at the same moment:
one insert must fail on the unique id and :func:`autograder.gradebook.record` retry it. Every
learner must end with exactly one submission per assignment, every grade filled in once, and the
scores the simulated class deserves. The test fails, never skips, when
PostgreSQL or psycopg2 is missing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from autograder.simulate import ACTIVATIONS_CLASS, expected_score, make_submission, write_submission
from conftest import REPO
from notebook_tools import read
from pg_server import INSTALL, postgres_server, server_bin
from test_grade import A, NB

pytestmark = pytest.mark.slow
RETAKE = "03_retake"
FIXTURE = REPO / "tests" / "fixture_assignment.py"


@pytest.fixture(scope="module")
def database_url():
    if server_bin() is None:
        pytest.fail(INSTALL, pytrace=False)
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.fail("the PostgreSQL test needs psycopg2: pip install -e '.[test]' (`make test` does this)",
                    pytrace=False)
    with postgres_server() as url:
        yield url


def scores(url):
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    query = sqlalchemy.text("""
        select assignment.name, student.id, count(distinct submitted_assignment.id), count(grade.id),
               sum(case when grade.auto_score is null then 1 else 0 end), sum(grade.auto_score)
        from submitted_assignment
        join assignment on assignment.id = submitted_assignment.assignment_id
        join student on student.id = submitted_assignment.student_id
        join submitted_notebook on submitted_notebook.assignment_id = submitted_assignment.id
        join grade on grade.notebook_id = submitted_notebook.id
        group by assignment.name, student.id""")
    with engine.connect() as db:
        rows = db.execute(query).all()
        students = db.execute(sqlalchemy.text("select count(*) from student")).scalar()
    engine.dispose()
    return {(a, s): (n, g, missing, total) for a, s, n, g, missing, total in rows}, students


def test_two_assignments_graded_at_once_into_postgresql(database_url, tmp_path):
    url = database_url("gradebook")
    course = tmp_path / "course"
    course.mkdir()
    config = (REPO / "nbgrader_config.py").read_text()
    # A course id is needed on a server database: PostgreSQL enforces the assignment -> course foreign
    # key that SQLite leaves unchecked, and nbgrader's default course id "" has no course row.
    (course / "nbgrader_config.py").write_text(
        config + f"\nc.CourseDirectory.db_url = {url!r}\nc.CourseDirectory.course_id = 'nnmath'\n")
    shutil.copytree(REPO / "source" / A, course / "source" / A)
    shutil.copytree(REPO / "source" / A, course / "source" / RETAKE)
    subprocess.run([sys.executable, str(FIXTURE), "release", A, RETAKE, "--course-dir", str(course)],
                   check=True, capture_output=True, timeout=300)
    assert not (course / "gradebook.db").exists(), "the gradebook lives on the server, not in SQLite"

    source = read(course / "source" / A / NB)
    learners = ACTIVATIONS_CLASS
    for assignment in (A, RETAKE):
        release = read(course / "release" / assignment / NB)
        for learner in learners:
            write_submission(course, assignment, NB, make_submission(release, source, learner), learner.student_id)

    meet = tmp_path / "meet"
    meet.mkdir()

    def grade(assignment, env=None):
        return subprocess.Popen([sys.executable, str(FIXTURE), "grade", assignment, "--course-dir", str(course),
                                 "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env={**os.environ, **(env or {})})

    together = {"NNMATH_TEST_MEET": f"{meet}:2"}
    runs = [grade(A, together), grade(RETAKE, together)]  # at once: both create the same learners' rows
    for run in runs:
        output, _ = run.communicate(timeout=300)
        assert run.returncode == 0, output[-2000:]
    assert len(list(meet.glob("arrived-*"))) == 2, "both runs were recording at the same moment"
    events = [line.split() for log in meet.glob("log-*") for line in log.read_text().splitlines()]
    conflicts = [student for what, student in events if what == "conflict"]
    assert conflicts, "the two runs inserted the same learner at once, and one insert failed"
    added = [student for what, student in events if what == "added"]
    assert sorted(added) == sorted(learner.student_id for learner in ACTIVATIONS_CLASS), \
        "each learner's row was inserted once; the conflicting insert was retried as an update"
    rerun = grade(A)  # and once more: nothing doubles
    output, _ = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, output[-2000:]

    final, students = scores(url)
    assert students == len(learners), "each learner exactly once, whichever run created them"
    assert set(final) == {(a, learner.student_id) for a in (A, RETAKE) for learner in learners}
    for (assignment, student), (submissions, grades, missing, total) in final.items():
        learner = next(x for x in learners if x.student_id == student)
        assert (submissions, grades, missing) == (1, 14, 0), (assignment, student)
        assert total == expected_score(learner, source), (assignment, student)
