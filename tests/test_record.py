"""nbgrader stays the system of record (issue 15): lateness and penalties, manual grades, feedback
folders release_feedback accepts, unknown learners refused, the Canvas/Moodle export, the class report.

One class is graded once (module fixture) with a due date and ``penalty_method = "zero"``; the tests
read what it left and change copies of it where they need to.
"""
from __future__ import annotations

import csv
import datetime
import shutil
import subprocess
import sys

import pytest

from autograder.class_report import collect, write_report
from autograder.feedback import write_feedback
from autograder.grade_run import NothingToGrade, grade_class
from autograder.gradebook import open_gradebook
from autograder.simulate import ACTIVATIONS_CLASS, SimulatedLearner, expected_score
from conftest import REPO
from notebook_tools import read
from test_grade import A, NB, new_course, submit

pytestmark = pytest.mark.slow
DUE = datetime.datetime(2026, 11, 20, 12, 0, 0)
ON_TIME, LATE = "2026-11-20 11:59:00.000000 UTC", "2026-11-20 12:00:35.000000 UTC"  # 35 s late
CLASS = ACTIVATIONS_CLASS[:3]  # ada (right), ben (three mistakes), cam (overflows)
LATE_LEARNER = SimulatedLearner("lou", "correct, 35 s late")


def stamp(course, student, when, secret="s3cr3t"):
    folder = course / "submitted" / student / A
    (folder / "timestamp.txt").write_text(when)
    (folder / "submission_secret.txt").write_text(f"{secret}-{student}")


def nbgrader(course, *args):
    command = [sys.executable, "-m", "nbgrader", *args]
    return subprocess.run(command, cwd=course, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("record") / "course")
    with (course / "nbgrader_config.py").open("a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    for learner in CLASS + (LATE_LEARNER,):
        submit(course, learner)
        stamp(course, learner.student_id, LATE if learner is LATE_LEARNER else ON_TIME)
    gradebook = open_gradebook(course, A)
    gradebook.update_or_create_assignment(A, duedate=DUE)
    gradebook.update_or_create_student("zoe", first_name="Zoe", last_name="Zhang")  # on the roster, never submits
    gradebook.close()
    summary = grade_class(course, A)
    return course, summary


def copy_course(graded, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(graded[0], course)
    return course


def submission_rows(course):
    gradebook = open_gradebook(course, A)
    try:
        rows = {}
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(A, student.id)
            except Exception:
                continue
            rows[student.id] = (submission.timestamp, submission.total_seconds_late, submission.score,
                                submission.late_submission_penalty, submission.needs_manual_grade)
        return rows
    finally:
        gradebook.close()


def test_lateness_and_the_zero_penalty_are_recorded_as_stock_autograde_records_them(graded):
    course, _ = graded
    rows = submission_rows(course)
    assert set(rows) == {"ada", "ben", "cam", "lou"}, "zoe did not submit: no submission is made up for her"
    timestamp, seconds_late, score, penalty, _ = rows["lou"]
    assert timestamp == datetime.datetime(2026, 11, 20, 12, 0, 35) and seconds_late == 35
    assert score == 14 and penalty == 14, "penalty_method 'zero': the whole score"
    for student in ("ada", "ben", "cam"):
        assert rows[student][1] == 0 and not rows[student][3], student


def test_autograded_cells_do_not_ask_for_a_manual_grade(graded):
    rows = submission_rows(graded[0])
    assert not any(row[4] for row in rows.values()), "needs_manual_grade left set on autograded cells"


def test_a_resubmission_updates_the_timestamp_and_a_manual_grade_is_kept_but_flagged(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    gradebook = open_gradebook(course, A)
    grade = gradebook.find_grade("test_relu", "activations", A, "ada")
    grade.manual_score = 0.5
    comment = gradebook.find_comment("relu", "activations", A, "ada")
    comment.manual_comment = "Tidy <b>code</b>, but see me about relu."
    gradebook.db.commit()
    gradebook.close()

    again = grade_class(course, A, students=["ada"])  # same submission: nothing to flag
    assert again.manual_kept == {}
    assert submission_rows(course)["ada"][4], "a manual grade needs review, as stock marks it"

    stamp(course, "ada", LATE)  # a newer version, late
    summary = grade_class(course, A, students=["ada"])
    assert summary.manual_kept == {"ada": ["test_relu"]}, "a manual grade outliving a resubmission is flagged"
    timestamp, seconds_late, score, penalty, _ = submission_rows(course)["ada"]
    assert timestamp == datetime.datetime(2026, 11, 20, 12, 0, 35) and seconds_late == 35
    assert penalty == score, "the regraded late version gets the penalty"

    [page] = write_feedback(course, A, ["ada"])
    html = page.read_text()
    assert "0.5 (set by a grader)" in html and "see me about relu" in html
    assert "<b>code</b>" not in html, "a grader's comment is shown as text"
    assert "Late by 35 s" in html


def test_feedback_folders_are_what_release_feedback_needs(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    pages = write_feedback(course, A)
    assert {p.parent.parent.name for p in pages} == {"ada", "ben", "cam", "lou"}
    for page in pages:
        student = page.parent.parent.name
        assert (page.parent / "timestamp.txt").read_text() == (LATE if student == "lou" else ON_TIME)
        assert (page.parent / "submission_secret.txt").read_text() == f"s3cr3t-{student}"
    html = (course / "feedback" / "ben" / A / "activations.html").read_text()
    assert html.count("✓ relu is correct on 3 random inputs") == 1, "a passed check is said once"


def test_unknown_learners_and_an_uncollected_class_are_refused(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    before = submission_rows(course)
    with pytest.raises(NothingToGrade, match="zoe-typo"):
        grade_class(course, A, students=["zoe-typo"])
    assert submission_rows(course) == before and not (course / "autograded" / "zoe-typo").exists()
    shutil.rmtree(course / "submitted")
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", A, "--course-dir", str(course)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "nbgrader collect" in run.stderr and "Traceback" not in run.stderr


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def test_canvas_export_through_nbgrader_export(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    run = nbgrader(course, "export", "--exporter=autograder.export.CanvasExportPlugin", f"--to={tmp_path}/c.csv")
    assert run.returncode == 0, run.stderr
    header, possible, *rows = read_csv(tmp_path / "c.csv")
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    source = read(course / "source" / A / NB)
    cells = [h for h in header[5:] if h not in (f"{A}: late penalty", f"{A}: total")]
    assert len(cells) == 14 and all(h.startswith(f"{A}: test_") for h in cells)
    assert possible[0] == "Points Possible" and possible[header.index(f"{A}: total")] == "14"
    by_login = {row[3]: dict(zip(header, row)) for row in rows}
    assert set(by_login) == {"ada", "ben", "cam", "lou", "zoe"}
    assert by_login["zoe"]["Student"] == "Zhang, Zoe" and by_login["zoe"][f"{A}: total"] == "0"
    for learner in CLASS:
        row = by_login[learner.student_id]
        assert float(row[f"{A}: total"]) == expected_score(learner, source), learner.student_id
        assert sum(float(row[h]) for h in cells) == float(row[f"{A}: total"])
    assert by_login["lou"][f"{A}: late penalty"] == "-14" and by_login["lou"][f"{A}: total"] == "0"


def test_moodle_export_and_stock_csv_agree_on_totals(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    assert nbgrader(course, "export", "--exporter=autograder.export.MoodleExportPlugin",
                    f"--to={tmp_path}/m.csv").returncode == 0
    assert nbgrader(course, "export", f"--to={tmp_path}/stock.csv").returncode == 0
    header, *rows = read_csv(tmp_path / "m.csv")
    assert header[:4] == ["First name", "Last name", "Username", "Email address"]
    ours = {row[2]: float(row[header.index(f"{A}: total")]) for row in rows}
    stock_header, *stock = read_csv(tmp_path / "stock.csv")
    theirs = {row[stock_header.index("student_id")]: float(row[stock_header.index("score")]) for row in stock}
    assert ours == theirs, "the same final scores as nbgrader's own CSV export"
    for row in rows:
        for value in row[4:]:
            float(value)  # every grade cell is a plain number Moodle reads


def test_class_report_shows_plots_mistakes_late_and_missing(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    data = collect(course, A)
    assert {r.student for r in data.learners if not r.submitted} == {"zoe"}
    assert [r.student for r in data.learners if r.seconds_late] == ["lou"]
    assert data.mistakes, "ben's and cam's mistakes are diagnosed"
    assert all(grade_id.startswith("test_") for grade_id, _ in data.mistakes)
    assert data.passed["test_relu"] == 4
    page = write_report(course, A).read_text()
    assert page.count("<svg") == 2 and "Score distribution" in page and "Pass rate per test cell" in page
    for needle in ("zoe", "lou", "35 s", "test_softmax_jacobian"):
        assert needle in page, needle
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "report", A, "--course-dir", str(course),
                          "-o", str(tmp_path / "r.html")], capture_output=True, text=True)
    assert run.returncode == 0 and (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")


def test_the_grade_summary_ends_with_one_unbroken_row_per_learner(graded):
    from rich.console import Console

    from autograder.report import print_summary

    _, summary = graded
    console = Console(width=70, record=True, color_system=None)
    print_summary(console, summary)
    lines = console.export_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "Per learner" in line)
    for grade in summary.grades:
        score = f"{grade.score:g} / {grade.max_score:g}"
        assert any(grade.student in line and score in line for line in lines[start:]), (grade.student, score)
    assert any("test_softmax_jacobian" in line for line in lines), "a test id is never broken across lines"


def test_grade_changed_regrades_only_new_versions_and_cell_only_chosen_cells(graded, tmp_path):
    course = copy_course(graded, tmp_path)
    nothing = grade_class(course, A, changed_only=True)
    assert nothing.grades == [] and sorted(nothing.skipped) == ["ada", "ben", "cam", "lou"]
    stamp(course, "ben", "2026-11-20 11:59:30.000000 UTC")  # ben resubmits, still on time
    changed = grade_class(course, A, changed_only=True)
    assert [g.student for g in changed.grades] == ["ben"] and "ben" not in changed.skipped

    before = {g.name: g.score for g in open_gradebook(course, A).find_submission_notebook(
        "activations", A, "cam").grades}
    problems_before = read(course / "autograded" / "cam" / A / NB).metadata["nnmath"]["problems"]
    assert problems_before and "test_relu" not in problems_before
    partial = grade_class(course, A, students=["cam"], cells=["test_relu"])
    assert [c.grade_id for c in partial.grades[0].cells] == ["test_relu"]
    gradebook = open_gradebook(course, A)
    after = {g.name: g.score for g in gradebook.find_submission_notebook("activations", A, "cam").grades}
    gradebook.close()
    assert after == before, "the other cells keep their recorded scores"
    nb = read(course / "autograded" / "cam" / A / NB)
    assert nb.metadata["nnmath"]["score"] == sum(before.values()), "the page's score still counts every cell"
    assert nb.metadata["nnmath"]["problems"] == problems_before, "other cells keep their diagnoses"
    with pytest.raises(NothingToGrade, match="test_nope"):
        grade_class(course, A, cells=["test_nope"])
    run = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", A, "--course-dir", str(course),
                          "--changed"], capture_output=True, text=True)
    assert run.returncode == 0 and "Skipped 4 learner(s)" in run.stdout.replace("\n", " ")
