"""`nnmath demo` takes its simulated class through nbgrader's exchange, every assignment of the course
that has its notebook, and every score matches what the learner did: resubmission kept, late penalty
applied, feedback fetched, export right, and the course summary adds each learner's row up."""
from __future__ import annotations

import csv
import os
import pwd
import subprocess
import sys

import pytest

from autograder.demo import demo_assignments
from autograder.simulate import CLASSES
from conftest import REPO

pytestmark = pytest.mark.slow
A = "03_activations"


def test_demo_grades_the_class_as_deserved(tmp_path):
    klass = CLASSES[A]
    assert klass.late and klass.first_tries, "the demo class has late and resubmitting learners"
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "demo", "--dir", str(tmp_path)], cwd=REPO,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Every score matches what the learner did." in out
    assignments = demo_assignments(REPO)
    names = {learner.student_id for a in assignments for learner in CLASSES[a].learners}
    rows = sum(len(CLASSES[a].learners) for a in assignments) + len(names)  # class tables, then the course's
    assert out.count("as deserved") == rows and "MISMATCH" not in out
    assert f"The course: {len(names)} learners, {len(assignments)} assignments" in out
    assert "14 / 14" in out and "0 / 14" in out and "cheats" in out and "-14" in out
    assert out.count("fetched") >= rows - len(names) and "resubmitted" in out

    course = tmp_path / "course"
    pages = sorted(course.glob(f"feedback/*/{A}/activations.html"))
    assert len(pages) == len(klass.learners) and str(course / "feedback") in out
    submitted = sorted(p.parent.name for p in course.glob(f"submitted/*/{A}"))
    assert len(submitted) == len(klass.learners) and all(s.endswith(tuple(
        learner.student_id for learner in klass.learners)) for s in submitted), "collected from the exchange"
    fetched = sorted(tmp_path.glob(f"learners/*/{A}/feedback/*/activations.html"))
    assert len(fetched) == len(klass.learners), "every learner fetched their feedback"
    with open(course / f"grades-{A}.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    late = [row for sid, row in rows.items() if sid.endswith(tuple(klass.late))]
    assert late and all(float(r["late_submission_penalty"]) > 0 and float(r["score"]) == 0 for r in late)
    with open(course / "grades.csv", newline="") as handle:
        course_rows = list(csv.DictReader(handle))
    assert sorted({(r["student_id"][-3:], r["assignment"]) for r in course_rows}) == sorted(
        (name, a) for name in names for a in assignments), "the course export: every learner, every assignment"
    ada = [float(r["score"]) for r in course_rows if r["student_id"].endswith("ada")]
    assert sum(ada) == sum(float(r["max_score"]) for r in course_rows if r["student_id"].endswith("ada")) > 0
    assert f"{sum(ada):g}" in out
    report = course / "reports" / f"{A}.html"
    assert report.read_text().count("<svg") == 2 and "Most common diagnosed mistakes" in report.read_text()
    if os.geteuid() == 0:  # real local users, named as the submissions are: all deleted again
        assert all(s.startswith("nnx") for s in submitted)
        assert not [s for s in submitted if s in {u.pw_name for u in pwd.getpwall()}], "the demo's users are gone"
