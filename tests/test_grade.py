"""`nnmath grade`: faults cost only their learner, a killed run finishes on rerun, feedback hides the hidden."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import nbformat
import pytest

from autograder.build_release import build_release
from autograder.contract import hidden_test_lines
from autograder.feedback import write_feedback
from autograder.grade_run import grade_class
from autograder.simulate import (ACTIVATIONS_CLASS, SimulatedLearner, expected_score, make_submission,
                                 write_submission)
from conftest import REPO
from notebook_tools import read

pytestmark = pytest.mark.slow
A, NB = "03_activations", "activations.ipynb"


def new_course(path, language="en"):
    path.mkdir(parents=True, exist_ok=True)
    config = (REPO / "nbgrader_config.py").read_text()
    (path / "nbgrader_config.py").write_text(config.replace('language = "en"', f'language = "{language}"'))
    shutil.copytree(REPO / "source" / A, path / "source" / A)
    build_release(path, [A])
    return path


def submit(course, learner):
    source, release = read(course / "source" / A / NB), read(course / "release" / A / NB)
    write_submission(course, A, NB, make_submission(release, source, learner), learner.student_id)


def scores_in_gradebook(course):
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute("""select student.id, count(distinct submitted_assignment.id), count(grade.id),
                                    sum(grade.auto_score is null), sum(grade.auto_score)
                             from submitted_assignment join student on student.id = submitted_assignment.student_id
                             join submitted_notebook on submitted_notebook.assignment_id = submitted_assignment.id
                             join grade on grade.notebook_id = submitted_notebook.id
                             group by student.id""").fetchall()
    return {student: (submissions, grades, missing, total) for student, submissions, grades, missing, total in rows}


def test_a_killed_run_rerun_ends_with_every_grade_exactly_once(tmp_path):
    course = new_course(tmp_path / "course")
    # Enough learners that the run is still grading when the first batch is recorded (BATCH_SECONDS)
    learners = [SimulatedLearner(f"s{i:02d}-{base.student_id}", base.description, base.answers, base.fails,
                                 base.stub_only) for i, base in enumerate(ACTIVATIONS_CLASS * 10)]
    for learner in learners:
        submit(course, learner)
    command = [sys.executable, "-m", "autograder.cli", "grade", A, "--course-dir", str(course), "--jobs", "2"]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    autograded = course / "autograded"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        if autograded.is_dir() and len(list(autograded.iterdir())) >= 3:
            break
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)  # the whole run, mid-way
    run.wait()
    partly = scores_in_gradebook(course)
    assert len(partly) < len(learners), "the run was meant to be killed before it finished"
    time.sleep(0.5)
    # Sandboxes name their course on their command line: none of this course's may survive.
    assert subprocess.run(["pgrep", "-f", "--", f"--course={course.resolve()}"], capture_output=True).returncode == 1, \
        "sandbox processes outlived the killed run"

    subprocess.run(command, check=True, capture_output=True, timeout=300)
    subprocess.run(command, check=True, capture_output=True, timeout=300)  # and once more: nothing doubles
    final = scores_in_gradebook(course)
    source = read(course / "source" / A / NB)
    assert set(final) == {learner.student_id for learner in learners}
    for learner in learners:
        submissions, grades, missing, total = final[learner.student_id]
        assert (submissions, grades, missing) == (1, 14, 0), learner.student_id
        assert total == expected_score(learner, source), learner.student_id


def test_missing_empty_and_malformed_notebooks_are_reported_not_fatal(tmp_path):
    course = new_course(tmp_path / "course")
    submit(course, SimulatedLearner("ada", "reference"))
    (course / "submitted" / "nofile" / A).mkdir(parents=True)
    for student, content in (("empty", ""), ("garbage", "{ not json"), ("alist", "[1, 2, 3]"),
                             ("wrongmeta", '{"cells": "x", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')):
        (course / "submitted" / student / A).mkdir(parents=True)
        (course / "submitted" / student / A / NB).write_text(content)
    summary = grade_class(course, A)
    grades = {g.student: g for g in summary.grades}
    assert grades["ada"].score == 14
    assert grades["nofile"].status == "missing" and "No notebook" in grades["nofile"].notes[0].en
    for student in ("empty", "garbage", "alist", "wrongmeta"):
        assert grades[student].status == "malformed", student
        assert grades[student].score == 0 and "not a readable notebook" in grades[student].notes[0].en
    assert scores_in_gradebook(course)["garbage"][1:] == (14, 0, 0)


@pytest.mark.skipif(os.geteuid() != 0, reason="per-submission control groups need root")
def test_a_grading_run_closes_its_sandboxes_so_none_of_their_control_groups_outlives_it(tmp_path):
    """Pool workers end without running ``atexit``: a sandbox closed only there was killed with its
    worker, its control groups left behind and its CPU missing from the run's own accounting."""
    from autograder import cgroups

    def groups():
        return {os.path.join(path, name) for path in set(cgroups.own_groups().values()) if os.path.isdir(path)
                for name in os.listdir(path) if name.startswith(cgroups.PREFIX)}

    course = new_course(tmp_path / "course")
    submit(course, SimulatedLearner("ada", "reference"))
    before = groups()
    assert grade_class(course, A, jobs=2).grades[0].score == 14
    assert groups() <= before, "a sandbox of the run was not closed: its control groups outlived it"


def test_answers_are_read_from_cells_as_stored_in_any_notebook_version():
    import json

    from autograder.grading import notebook_cells

    cell = {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "relu"}}, "outputs": [],
            "execution_count": None, "source": ["def relu(z):\n", "    return z\n"]}
    v4 = {"cells": [cell, {"cell_type": "code", "source": 3}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    [first, _] = notebook_cells(json.dumps(v4))
    assert "".join(first["source"]) == "def relu(z):\n    return z\n"
    v3 = {"worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1", "metadata": {}, "outputs": [],
                                     "language": "python"}]}], "metadata": {}, "nbformat": 3, "nbformat_minor": 0}
    [converted] = notebook_cells(json.dumps(v3))
    assert converted["source"] == "x = 1" and converted["cell_type"] == "code"


def test_a_warning_or_output_from_correct_code_costs_nothing(tmp_path):
    course = new_course(tmp_path / "course")
    chatty = SimulatedLearner("chatty", "prints and warns", answers={
        "relu": ("import sys, warnings\nprint('hello ' * 1000)\nprint('to stderr', file=sys.stderr)\n"
                 "def relu(z):\n    warnings.warn('just saying')\n    print('computing relu')\n"
                 "    return np.maximum(np.asarray(z, dtype=float), 0.0)\n")})
    submit(course, chatty)
    [grade] = grade_class(course, A).grades
    assert grade.score == 14, [(c.grade_id, [p.en for p in c.problems]) for c in grade.cells if c.problems]


def test_hidden_inputs_are_reproducible_for_a_learner_and_differ_between_learners(tmp_path):
    course = new_course(tmp_path / "course")
    # Right on the visible values (|z| <= 1), wrong beyond: only the hidden, random inputs see it.
    wrong_far_out = ("def gelu(z):\n    z = np.asarray(z, dtype=float)\n    exact = z * 0.5 * (1 + erf(z / np.sqrt(2)))\n"
                     "    return np.where(np.abs(z) > 1.5, 1.01 * exact, exact)\n")
    for student in ("pat", "sam"):
        submit(course, SimulatedLearner(student, "gelu wrong far out", answers={"gelu": wrong_far_out}))

    def gelu_messages():
        return {g.student: [p.en for c in g.cells if c.grade_id == "test_gelu" for p in c.problems]
                for g in grade_class(course, A).grades}

    first, second = gelu_messages(), gelu_messages()
    assert first == second and first["pat"], "the same learner is graded on the same inputs every time"
    assert first["pat"] != first["sam"], "different learners get different random inputs"


def test_feedback_speaks_the_course_language_and_never_shows_hidden_tests(tmp_path):
    course = new_course(tmp_path / "course", language="zh")
    submit(course, ACTIVATIONS_CLASS[1])  # ben: three mistakes
    grade_class(course, A)
    [page] = write_feedback(course, A)
    html = page.read_text()
    assert "得分" in html and "符号相反" in html and "dtype" in html
    for block in hidden_test_lines((course / "source" / A / NB).read_text()):
        for line in block.replace("\\n", "\n").splitlines():
            text = line.strip().strip('",').strip()
            if len(text) > 20:
                assert text not in html, f"hidden test line in feedback: {text}"
    assert "expect_matches_reference(" not in html and "BEGIN HIDDEN" not in html


def test_grade_command_errors_are_one_line(tmp_path):
    def nnmath(*args):
        return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True)

    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "source" / A, course / "source" / A)
    (course / "release" / A).mkdir(parents=True)
    shutil.copy(REPO / "release" / A / NB, course / "release" / A / NB)
    unknown = nnmath("grade", "09_nope", "--course-dir", str(course))
    assert unknown.returncode == 1 and "no such assignment" in unknown.stderr and "Traceback" not in unknown.stderr
    unreleased = nnmath("grade", A, "--course-dir", str(course))
    assert unreleased.returncode == 1 and "not in the gradebook" in unreleased.stderr
    assert "Traceback" not in unreleased.stderr


# --- issue 8: faults of the grading system are never a learner's score; odd submissions never stop a run --

def test_an_infrastructure_fault_is_never_recorded_as_a_score_and_a_rerun_grades_it(tmp_path, monkeypatch):
    from autograder import grade_run
    from autograder.sandbox import SandboxDown

    course = new_course(tmp_path / "course")
    submit(course, SimulatedLearner("ada", "reference"))
    grade_class(course, A)
    submit(course, SimulatedLearner("bea", "reference"))
    graded_for_real = grade_run.grade_submission

    def server_dies(server, spec, student, path, namespace):  # in the workers, which are forked from here
        raise SandboxDown("the sandbox server did not report the end of a child (EOFError)")

    monkeypatch.setattr(grade_run, "grade_submission", server_dies)
    summary = grade_class(course, A)
    assert {g.student: g.status for g in summary.grades} == {"ada": "error", "bea": "error"}
    assert all("fault of the grading system" in g.notes[0].en and "评分系统" in g.notes[0].zh for g in summary.grades)
    recorded = scores_in_gradebook(course)
    assert recorded["ada"] == (1, 14, 0, 14), "the earlier grade stays; no 0 stands for the fault"
    assert "bea" not in recorded
    monkeypatch.setattr(grade_run, "grade_submission", graded_for_real)
    grade_class(course, A)
    assert scores_in_gradebook(course)["bea"] == (1, 14, 0, 14)


def test_a_dead_sandbox_server_is_replaced_before_the_next_submission(tmp_path):
    from autograder import grade_run
    from autograder.grading import AssignmentSpec, trusted_namespace
    from autograder.sandbox import Limits

    course = new_course(tmp_path / "course")
    submit(course, SimulatedLearner("ada", "reference"))
    spec = AssignmentSpec.from_source(course, A)
    grade_run._worker.update(spec=spec, namespace=trusted_namespace(spec), course_dir=course, uid=62500,
                             limits=Limits())
    grade_run._start_server()
    try:
        grade_run._worker["server"].process.kill()  # as if the previous submission's clean-up had killed it
        grade_run._worker["server"].process.wait()
        grade = grade_run._grade_in_worker("ada")
        assert grade.status == "graded" and grade.score == 14
        assert grade_run._worker["server"].alive()
    finally:
        grade_run._worker["server"].close()
        grade_run._worker.clear()


def test_odd_text_and_files_in_a_submission_never_stop_grading_or_feedback(tmp_path):
    """A lone surrogate in the notebook, a FIFO for timestamp.txt, an id the gradebook cannot store."""
    import json

    from autograder.report import print_summary
    from rich.console import Console

    course = new_course(tmp_path / "course")
    odd = SimulatedLearner("odd", "surrogates", answers={
        "relu": "def relu(z):\n    '\ud800 \x1b[2J'\n    return np.maximum(np.asarray(z, dtype=float), 0.0)\n"})
    source, release = read(course / "source" / A / NB), read(course / "release" / A / NB)
    folder = course / "submitted" / "odd" / A
    folder.mkdir(parents=True)
    # nbformat cannot write a lone surrogate as UTF-8: write the JSON with \ud800 escapes, as a file may hold.
    (folder / NB).write_text(json.dumps(make_submission(release, source, odd), ensure_ascii=True))
    os.mkfifo(folder / "timestamp.txt")
    submit(course, SimulatedLearner("ada", "reference"))
    unstorable = os.fsdecode(b"bad-\xff-id")  # a folder name that is not UTF-8: "bad-\udcff-id"
    shutil.copytree(course / "submitted" / "ada", course / "submitted" / unstorable)
    summary = grade_class(course, A)
    grades = {g.student: g for g in summary.grades}
    assert grades["odd"].score == 14 and grades["ada"].score == 14
    assert grades[unstorable].status == "error" and "could not be recorded" in grades[unstorable].notes[-1].en
    assert scores_in_gradebook(course)["odd"] == (1, 14, 0, 14)
    print_summary(Console(file=open(os.devnull, "w"), force_terminal=True), summary)
    failures = []
    pages = write_feedback(course, A, failures=failures)
    assert not failures and {p.parent.parent.name for p in pages} == {"odd", "ada"}
