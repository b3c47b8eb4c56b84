"""The whole exchange flow with real local users, and a stock-nbgrader twin of the same class.

As root, the test creates three local users and an nbgrader exchange in a temporary folder. The
instructor releases 03_activations; each learner fetches and submits as themselves (ben twice,
lou after the due date); the instructor collects. The course is then copied: the twin is graded
by stock ``nbgrader autograde`` and ``generate_feedback``, the course by ``nnmath grade`` and
``nnmath feedback``. Both release their feedback, the learners fetch ours, and both export.
Everything nbgrader records around the scores must be the same in both (timestamps, lateness,
penalties under ``penalty_method = "zero"``, ``needs_manual_grade``, the files beside autograded
notebooks and feedback, the feedback files in the exchange, the export's columns); scores aside.

The users, the exchange and nbgrader in forked children that drop to the learner's uid are
:mod:`autograder.exchange`'s, which ``nnmath demo`` uses too.
"""
from __future__ import annotations

import csv
import datetime
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.exchange import exchange_config, learner_accounts, nbgrader, write_as
from autograder.simulate import ACTIVATIONS_CLASS, SimulatedLearner, make_submission
from conftest import REPO
from notebook_tools import read
from test_grade import A, NB

pytestmark = pytest.mark.slow
COURSE_ID = "nnmath"
LEARNERS = {"ada": ACTIVATIONS_CLASS[0], "ben": ACTIVATIONS_CLASS[1], "lou": SimulatedLearner("lou", "late")}


@pytest.fixture
def world():
    """A world-readable temporary root, three fresh local users, an exchange; all removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("the exchange-flow test creates local users: run it as root (CI and make test do)",
                    pytrace=False)
    with learner_accounts(LEARNERS, COURSE_ID, real=True) as world:
        yield world


def course_config(exchange: Path) -> str:
    return ((REPO / "nbgrader_config.py").read_text() + "\n" + exchange_config(exchange, COURSE_ID)
            + 'c.LateSubmissionPlugin.penalty_method = "zero"\n')


def hand_in(user, learner, release_nb, source_nb, course: Path) -> None:
    """Write the learner's answers into their fetched notebook (as them) and submit it."""
    write_as(user, user.home / A / NB, make_submission(release_nb, source_nb, learner))
    nbgrader(["submit", A], user.home, user)


def recorded(course: Path):
    """What the gradebook holds around the scores, per learner."""
    from nbgrader.api import Gradebook

    config_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(config_url, COURSE_ID) as gradebook:
        out = {}
        for submission in gradebook.assignment_submissions(A):
            notebook = submission.notebooks[0]
            out[submission.student_id] = {
                "timestamp": submission.timestamp, "seconds_late": submission.total_seconds_late,
                "penalised": bool(submission.late_submission_penalty),
                "penalty_is_score": submission.late_submission_penalty == notebook.score
                if submission.late_submission_penalty else None,
                "needs_manual_grade": submission.needs_manual_grade,
                "grades": sorted((g.name, g.needs_manual_grade, g.auto_score is None, g.manual_score)
                                 for g in notebook.grades),
                "comments": sorted((c.name, c.manual_comment) for c in notebook.comments)}
        return out


def files(folder: Path) -> dict[str, list[str]]:
    return {d.name: sorted(p.name for p in (d / A).iterdir()) for d in sorted(folder.iterdir())}


def export_rows(course: Path, target: Path):
    nbgrader(["export", f"--to={target}"], course)
    with open(target, newline="") as handle:
        rows = list(csv.DictReader(handle))
    keep = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "max_score")
    return sorted(({k: row[k] for k in keep} | {"late": float(row["late_submission_penalty"]) > 0}
                   for row in rows), key=lambda r: r["student_id"])


def test_the_exchange_flow_records_what_stock_nbgrader_records(world):
    from nbgrader.api import Gradebook

    root, exchange, users = world
    course = root / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(course_config(exchange))
    shutil.copytree(REPO / "source" / A, course / "source" / A)
    env_path = str(Path(sys.executable).parent)
    subprocess.run([sys.executable, "-m", "autograder.cli", "release", A, "--course-dir", str(course)],
                   check=True, capture_output=True, env={**os.environ, "PATH": env_path + os.pathsep + os.environ["PATH"]})
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        for name, user in users.items():
            gradebook.update_or_create_student(user.login, first_name=name.title(), last_name="Learner")
    nbgrader(["release_assignment", A], course)

    release_nb, source_nb = read(course / "release" / A / NB), read(course / "source" / A / NB)
    for name, user in users.items():
        nbgrader(["fetch_assignment", A], user.home, user)
        assert (user.home / A / NB).is_file(), f"{name} fetched nothing"
    hand_in(users["ada"], LEARNERS["ada"], release_nb, source_nb, course)
    hand_in(users["ben"], LEARNERS["ben"], release_nb, source_nb, course)  # three mistakes
    time.sleep(1.1)  # nbgrader keeps the newest submission by its timestamp
    hand_in(users["ben"], LEARNERS["ada"], release_nb, source_nb, course)  # fixed
    due = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        gradebook.update_or_create_assignment(A, duedate=due)
    time.sleep(1.1)
    hand_in(users["lou"], LEARNERS["lou"], release_nb, source_nb, course)  # after the due date
    nbgrader(["collect", A], course)

    stock = root / "stock"
    shutil.copytree(course, stock)
    stock_exchange = root / "stock-exchange"
    shutil.copytree(exchange, stock_exchange, symlinks=True)
    (stock / "nbgrader_config.py").write_text(course_config(stock_exchange))
    nbgrader(["autograde", A], stock, timeout=600)
    nbgrader(["generate_feedback", A], stock)
    nbgrader(["release_feedback", A], stock)

    os.environ["PATH"] = env_path + os.pathsep + os.environ["PATH"]
    for command in (["grade", A, "--jobs", "1"], ["feedback", A]):
        run = subprocess.run([sys.executable, "-m", "autograder.cli", *command, "--course-dir", str(course)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    nbgrader(["release_feedback", A], course)

    ours, theirs = recorded(course), recorded(stock)
    assert set(ours) == {u.login for u in users.values()}
    assert ours == theirs, "nnmath records what stock nbgrader records around the scores"
    lou, ben = ours[users["lou"].login], ours[users["ben"].login]
    assert lou["seconds_late"] > 0 and lou["penalised"] and lou["penalty_is_score"]
    assert ben["seconds_late"] == 0 and not ben["penalised"]
    assert files(course / "autograded") == files(stock / "autograded")
    assert files(course / "feedback") == files(stock / "feedback")
    outbound = f"{COURSE_ID}/feedback"
    assert sorted(os.listdir(exchange / outbound)) == sorted(os.listdir(stock_exchange / outbound))
    assert export_rows(course, root / "ours.csv") == export_rows(stock, root / "stock.csv")

    for name, user in users.items():
        nbgrader(["fetch_feedback", A], user.home, user)
        pages = list((user.home / A / "feedback").glob(f"*/{Path(NB).stem}.html"))
        assert len(pages) == 1, f"{name} fetched {len(pages)} feedback pages"
        html = pages[0].read_text()
        assert "Feedback on 03_activations" in html and "BEGIN HIDDEN" not in html
    canvas = root / "canvas.csv"
    nbgrader(["export", "--exporter=autograder.export.CanvasExportPlugin", f"--to={canvas}"], course)
    rows = list(csv.reader(io.StringIO(canvas.read_text(encoding="utf-8-sig"))))
    assert {row[3] for row in rows[2:]} == {u.login for u in users.values()}


def test_without_real_users_each_learner_is_a_home_of_this_user(monkeypatch):
    """The fallback when not root: one uid, a home per learner, nbgrader told each learner's name."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    with learner_accounts(["amy", "bo"], COURSE_ID, real=False) as (root, exchange, accounts):
        assert all(not a.real and a.login == name for name, a in accounts.items())
        course = root / "course"
        shutil.copytree(REPO / "release" / A, course / "release" / A)
        (course / "nbgrader_config.py").write_text(course_config(exchange))
        nbgrader(["release_assignment", A], course)
        for account in accounts.values():
            nbgrader(["fetch_assignment", A], account.home, account)
            assert (account.home / A / NB).is_file()
            nbgrader(["submit", A], account.home, account)
        nbgrader(["collect", A], course)
        assert sorted(p.name for p in (course / "submitted").iterdir()) == ["amy", "bo"]
    assert not root.exists()
