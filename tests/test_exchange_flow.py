"""The whole exchange flow with real local users, and a stock-nbgrader twin of the same class.

As root, the test creates three local users and an nbgrader exchange in a temporary folder. The
instructor releases 03_activations; each learner fetches and submits as themselves (ben twice,
lou after the due date); the instructor collects. The course is then copied: the twin is graded
by stock ``nbgrader autograde`` and ``generate_feedback``, the course by ``nnmath grade`` and
``nnmath feedback``. Both release their feedback, the learners fetch ours, and both export.
Everything nbgrader records around the scores must be the same in both (timestamps, lateness,
penalties under ``penalty_method = "zero"``, ``needs_manual_grade``, the files beside autograded
notebooks and feedback, the feedback files in the exchange, the export's columns); scores aside.

nbgrader runs in forked children of this process that drop to the learner's uid (the venv's
interpreter lives under /root, which other users cannot traverse, so they could not exec it).
"""
from __future__ import annotations

import csv
import datetime
import io
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.simulate import ACTIVATIONS_CLASS, SimulatedLearner, make_submission
from conftest import REPO
from notebook_tools import read
from test_grade import A, NB

pytestmark = pytest.mark.slow
COURSE_ID = "nnmath"
LEARNERS = {"ada": ACTIVATIONS_CLASS[0], "ben": ACTIVATIONS_CLASS[1], "lou": SimulatedLearner("lou", "late")}


def nbgrader(argv, cwd: Path, user: pwd.struct_passwd | None = None, timeout: float = 180) -> str:
    """Run ``nbgrader *argv`` in a forked child (as ``user`` when given); return its output, raise on failure."""
    from nbgrader.apps.nbgraderapp import NbGraderApp  # imported once, before forking

    log = tempfile.TemporaryFile()
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        code = 1
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            if user is not None:
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
                os.environ.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
            os.environ["JUPYTER_CONFIG_DIR"] = str(Path(os.environ["HOME"]) / ".jupyter")
            os.chdir(cwd)
            sys.argv = ["nbgrader", *argv]
            try:
                NbGraderApp.launch_instance()
                code = 0
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            raise TimeoutError(f"nbgrader {' '.join(argv)} did not finish in {timeout} s")
        time.sleep(0.05)
    log.seek(0)
    output = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise AssertionError(f"nbgrader {' '.join(argv)} failed:\n{output[-3000:]}")
    return output


@pytest.fixture
def world():
    """A world-readable temporary root, three fresh local users, an exchange; all removed afterwards."""
    if os.geteuid() != 0:
        pytest.fail("the exchange-flow test creates local users: run it as root (CI and make test do)",
                    pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="nnx-", dir="/tmp"))
    root.chmod(0o755)
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    tag = f"nnx{os.getpid() % 100000}"
    users = {}
    try:
        for name in LEARNERS:
            login = f"{tag}{name}"
            home = root / "home" / login
            subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                            "--user-group", login], check=True, capture_output=True)
            user = pwd.getpwnam(login)
            home.mkdir(parents=True)
            (home / "nbgrader_config.py").write_text(
                f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.course_id = {COURSE_ID!r}\n")
            for path in (home, home / "nbgrader_config.py"):
                os.chown(path, user.pw_uid, user.pw_gid)
            users[name] = user
        yield root, exchange, users
    finally:
        for user in users.values():
            subprocess.run(["userdel", user.pw_name], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def course_config(exchange: Path) -> str:
    return ((REPO / "nbgrader_config.py").read_text()
            + f"\nc.CourseDirectory.course_id = {COURSE_ID!r}\nc.Exchange.root = {str(exchange)!r}\n"
            + 'c.LateSubmissionPlugin.penalty_method = "zero"\n')


def hand_in(user, learner, release_nb, source_nb, course: Path) -> None:
    """Write the learner's answers into their fetched notebook (as them) and submit it."""
    notebook = Path(user.pw_dir) / A / NB
    import nbformat
    nbformat.write(make_submission(release_nb, source_nb, learner), str(notebook))
    os.chown(notebook, user.pw_uid, user.pw_gid)
    nbgrader(["submit", A], Path(user.pw_dir), user)


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
            gradebook.update_or_create_student(user.pw_name, first_name=name.title(), last_name="Learner")
    nbgrader(["release_assignment", A], course)

    release_nb, source_nb = read(course / "release" / A / NB), read(course / "source" / A / NB)
    for name, user in users.items():
        nbgrader(["fetch_assignment", A], Path(user.pw_dir), user)
        assert (Path(user.pw_dir) / A / NB).is_file(), f"{name} fetched nothing"
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
    assert set(ours) == {u.pw_name for u in users.values()}
    assert ours == theirs, "nnmath records what stock nbgrader records around the scores"
    lou, ben = ours[users["lou"].pw_name], ours[users["ben"].pw_name]
    assert lou["seconds_late"] > 0 and lou["penalised"] and lou["penalty_is_score"]
    assert ben["seconds_late"] == 0 and not ben["penalised"]
    assert files(course / "autograded") == files(stock / "autograded")
    assert files(course / "feedback") == files(stock / "feedback")
    outbound = f"{COURSE_ID}/feedback"
    assert sorted(os.listdir(exchange / outbound)) == sorted(os.listdir(stock_exchange / outbound))
    assert export_rows(course, root / "ours.csv") == export_rows(stock, root / "stock.csv")

    for name, user in users.items():
        nbgrader(["fetch_feedback", A], Path(user.pw_dir), user)
        pages = list((Path(user.pw_dir) / A / "feedback").glob(f"*/{Path(NB).stem}.html"))
        assert len(pages) == 1, f"{name} fetched {len(pages)} feedback pages"
        html = pages[0].read_text()
        assert "Feedback on 03_activations" in html and "BEGIN HIDDEN" not in html
    canvas = root / "canvas.csv"
    nbgrader(["export", "--exporter=autograder.export.CanvasExportPlugin", f"--to={canvas}"], course)
    rows = list(csv.reader(io.StringIO(canvas.read_text(encoding="utf-8-sig"))))
    assert {row[3] for row in rows[2:]} == {u.pw_name for u in users.values()}
