"""``nnmath demo``: a simulated class goes through nbgrader's whole exchange flow, graded by nnmath.

For every assignment in the course's ``source/`` that has a class in
:data:`autograder.simulate.CLASSES`, in a throwaway course directory: ``nnmath release``,
``nbgrader release_assignment``; each learner fetches and submits as themselves (real local users
when run as root, see :mod:`autograder.exchange`), some twice, some after the due date;
``nbgrader collect``, ``nnmath grade`` (sandboxed, in parallel), ``nnmath feedback``, the class
report, ``nbgrader release_feedback``, each learner's ``fetch_feedback``, ``nbgrader export``.
Prints each class's table beside the score each learner's work deserves and the late penalty
nbgrader's policy (``penalty_method = "zero"``) must give, then the course: one row per learner with
each assignment's exported score and the total (the whole course's ``nbgrader export``).
Exit status 0: everything matched.
"""
from __future__ import annotations

import csv
import datetime
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from .build_release import build_release
from .class_report import write_report
from .course import CONFIG_FILE
from .curriculum import ASSIGNMENTS
from .exchange import exchange_config, learner_accounts, nbgrader, write_as
from .feedback import write_feedback
from .grade_run import grade_class
from .simulate import CLASSES, SimulatedClass, expected_score, failing_tests, make_submission, test_points

COURSE_ID = "nnmath"
NEWER = 1.1  # seconds between hand-ins whose order matters (nbgrader's timestamps, to be safe)


def demo_assignments(course_dir: Path) -> list[str]:
    """The assignments with a simulated class whose source the course has."""
    return [a for a in CLASSES if (course_dir / "source" / a).is_dir()]


def prepare_course(course_dir: Path, workdir: Path, assignments=("03_activations",),
                   exchange: Path | None = None) -> Path:
    """A fresh course directory in ``workdir``: this course's config and the assignments' sources
    (with ``exchange``: the config also names it, the course id and a late policy)."""
    demo_course = workdir / "course"
    if demo_course.exists():
        shutil.rmtree(demo_course)
    (demo_course / "source").mkdir(parents=True)
    config = (course_dir / CONFIG_FILE).read_text()
    if exchange is not None:
        config += ("\n# nnmath demo\n" + exchange_config(exchange, COURSE_ID)
                   + 'c.LateSubmissionPlugin.penalty_method = "zero"\n')
    (demo_course / CONFIG_FILE).write_text(config)
    for assignment in assignments:
        shutil.copytree(course_dir / "source" / assignment, demo_course / "source" / assignment)
    return demo_course


def hand_in_all(course: Path, assignment: str, klass: SimulatedClass, accounts, release_nb, source_nb) -> None:
    """Every learner fetches and submits through the exchange: first tries, then the on-time
    submissions, then (after the due date, which is set now) the late ones; then collect."""
    from nbgrader.api import Gradebook

    notebook_file = ASSIGNMENTS[assignment].notebook_file
    nbgrader(["release_assignment", assignment], course)

    def submit(learner) -> None:
        account = accounts[learner.student_id]
        write_as(account, account.home / assignment / notebook_file, make_submission(release_nb, source_nb, learner))
        nbgrader(["submit", assignment], account.home, account)

    for learner in klass.learners:
        account = accounts[learner.student_id]
        nbgrader(["fetch_assignment", assignment], account.home, account)
    for student, first in klass.first_tries.items():
        submit(first)
    time.sleep(NEWER)
    for learner in klass.learners:
        if learner.student_id not in klass.late:
            submit(learner)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        gradebook.update_or_create_assignment(
            assignment, duedate=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))
    time.sleep(NEWER)
    for learner in klass.learners:
        if learner.student_id in klass.late:
            submit(learner)
    nbgrader(["collect", assignment], course)


def recorded(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    """login -> (seconds late, late penalty) as the gradebook holds them."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        return {s.student_id: (s.total_seconds_late, s.late_submission_penalty or 0.0)
                for s in gradebook.assignment_submissions(assignment)}


def fetched_feedback(account, assignment: str) -> bool:
    """Whether the learner's ``fetch_feedback`` brought one page home."""
    stem = Path(ASSIGNMENTS[assignment].notebook_file).stem
    return len(list((account.home / assignment / "feedback").glob(f"*/{stem}.html"))) == 1


def run_class(console, course: Path, assignment: str, accounts) -> tuple[bool, dict[str, float]]:
    """Hand in, grade, return and export one assignment's class; print its table.

    Returns (all matched, learner -> the score the export must show: deserved minus the late penalty).
    """
    from rich.table import Table

    klass = CLASSES[assignment]
    notebook_file = ASSIGNMENTS[assignment].notebook_file
    source_nb = nbformat.read(str(course / "source" / assignment / notebook_file), as_version=4)
    release_nb = nbformat.read(str(course / "release" / assignment / notebook_file), as_version=4)
    with console.status(f"{assignment}: release_assignment, fetch and submit as each learner, collect ..."):
        hand_in_all(course, assignment, klass, accounts, release_nb, source_nb)
    with console.status(f"{assignment}: nnmath grade (sandboxed, in parallel), feedback, report ..."):
        summary = grade_class(course, assignment)
        feedback = write_feedback(course, assignment)
        report = write_report(course, assignment)
    with console.status(f"{assignment}: release_feedback, fetch_feedback as each learner, export ..."):
        nbgrader(["release_feedback", assignment], course)
        for learner in klass.learners:
            account = accounts[learner.student_id]
            nbgrader(["fetch_feedback", assignment], account.home, account)
        export = course / f"grades-{assignment}.csv"
        nbgrader(["export", f"--to={export}"], course)
    with open(export, newline="") as handle:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)
                    if row["assignment"] == assignment}

    late = recorded(course, assignment)
    points = test_points(source_nb)
    maximum = sum(points.values())
    results = {grade.student: grade for grade in summary.grades}
    table = Table(title=f"{assignment}: {len(klass.learners)} learners through nbgrader's exchange, "
                        f"nnmath grade {summary.seconds:.1f} s")
    for column in ("learner", "what they did", "score", "deserved", "failed tests", "late", "penalty", "exported",
                   "feedback", ""):
        table.add_column(column)
    all_match = True
    owed = {}
    for learner in klass.learners:
        account = accounts[learner.student_id]
        if account.login not in results or account.login not in late:  # never collected or never graded
            all_match = False
            table.add_row(learner.student_id, learner.description, *["-"] * 7, "[red]NOT GRADED[/red]")
            continue
        grade = results[account.login]
        deserved = expected_score(learner, source_nb)
        seconds_late, penalty = late[account.login]
        is_late = learner.student_id in klass.late
        owed[learner.student_id] = 0.0 if is_late else deserved
        failed_ids = sorted(c.grade_id for c in grade.cells if c.score < c.points)
        got_feedback = fetched_feedback(account, assignment)
        total = exported.get(account.login, float("nan"))
        match = (abs(grade.score - deserved) < 1e-9 and set(failed_ids) == failing_tests(learner, source_nb)
                 and (seconds_late > 0) == is_late and abs(penalty - (deserved if is_late else 0.0)) < 1e-9
                 and abs(total - (deserved - penalty)) < 1e-9 and got_feedback)
        all_match &= match
        failed = (f"all {len(failed_ids)}" if len(failed_ids) == len(points) else
                  ", ".join(t.removeprefix("test_") for t in failed_ids) or "-")
        did = learner.description
        if learner.student_id in klass.first_tries:
            did += f" (resubmitted; first: {klass.first_tries[learner.student_id].description})"
        table.add_row(learner.student_id, did, f"{grade.score:g} / {maximum:g}", f"{deserved:g}", failed,
                      f"{seconds_late:.0f} s" if seconds_late > 0 else "-", f"-{penalty:g}" if penalty else "-",
                      f"{total:g}", "fetched" if got_feedback else "[red]missing[/red]",
                      "[green]as deserved[/green]" if match else "[red]MISMATCH[/red]")
    console.print(table)
    console.print(f"Feedback ({len(feedback)} pages): {course / 'feedback'}/<login>/{assignment}/"
                  f"{Path(notebook_file).stem}.html; the class report: {report}; the export: {export}")
    return all_match, owed


def course_summary(console, course: Path, assignments: list[str], accounts, owed) -> bool:
    """The whole course's ``nbgrader export``: one row per learner, each assignment's score and the
    total, beside what the learner's work earns (owed: assignment -> learner -> score). True if all match."""
    from rich.table import Table

    export = course / "grades.csv"
    nbgrader(["export", f"--to={export}"], course)
    with open(export, newline="") as handle:
        rows = list(csv.DictReader(handle))
    exported = {(row["student_id"], row["assignment"]): float(row["score"]) for row in rows}
    maximum = {row["assignment"]: float(row["max_score"]) for row in rows}
    short = {a: a.split("_", 1)[0] for a in assignments}
    table = Table(title=f"The course: {len(accounts)} learners, {len(assignments)} assignments "
                        f"(the whole course's nbgrader export, {export.name}; late work scores 0)")
    table.add_column("learner")
    for assignment in assignments:
        table.add_column(f"{short[assignment]} /{maximum.get(assignment, 0):g}", justify="right")
    table.add_column(f"total /{sum(maximum.get(a, 0) for a in assignments):g}", justify="right")
    table.add_column("deserved", justify="right")
    table.add_column("")
    all_match = True
    for name, account in sorted(accounts.items()):
        scores = [exported.get((account.login, a), float("nan")) for a in assignments]
        earned = [owed[a].get(name, 0.0) for a in assignments]
        match = all(abs(s - e) < 1e-9 for s, e in zip(scores, earned))
        all_match &= match
        table.add_row(name, *(f"{s:g}" if s == e else f"[red]{s:g}[/red]" for s, e in zip(scores, earned)),
                      f"{sum(scores):g}", f"{sum(earned):g}",
                      "[green]as deserved[/green]" if match else "[red]MISMATCH[/red]")
    console.print(table)
    return all_match


def run_demo(course_dir: Path, workdir: Path | None = None, real_users: bool | None = None) -> int:
    """Run the demo in ``workdir`` (default: a new temporary folder); exit status 0 if all matched.

    real_users: make the learners real local users (default: when running as root).
    """
    from rich.console import Console

    console = Console(width=max(Console().width, 170))
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="nnmath-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    assignments = demo_assignments(course_dir)
    if not assignments:
        console.print(f"[red]No assignment in {course_dir / 'source'} has a simulated class "
                      f"(autograder.simulate.CLASSES).[/red]")
        return 1
    bin_dir = os.path.dirname(sys.executable)  # nbgrader runs `alembic` from its own environment
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    names = sorted({learner.student_id for a in assignments for learner in CLASSES[a].learners})
    with learner_accounts(names, COURSE_ID, real=real_users) as (root, exchange, accounts):
        demo_course = prepare_course(course_dir, workdir, assignments, exchange)
        real = all(a.real for a in accounts.values())
        console.print(f"[bold]nnmath demo[/bold]: {', '.join(assignments)}; {len(names)} simulated learners in "
                      f"{demo_course}")
        console.print(f"Learners are real local users ({', '.join(a.login for a in accounts.values())}), "
                      "deleted afterwards." if real else
                      "Not real users (not root, or --one-user): every learner is this user with a home of their "
                      "own (nbgrader's submit and fetch_feedback are told their names); permissions between "
                      "learners are not exercised.")
        with console.status("nnmath release ..."):
            build_release(demo_course, assignments)
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{demo_course / 'gradebook.db'}", COURSE_ID) as gradebook:
            for name, account in accounts.items():
                gradebook.update_or_create_student(account.login, first_name=name.title(), last_name="Learner")
        all_match = True
        owed = {}
        started = time.monotonic()
        for assignment in assignments:
            matched, owed[assignment] = run_class(console, demo_course, assignment, accounts)
            all_match &= matched
        all_match &= course_summary(console, demo_course, assignments, accounts, owed)
        console.print(f"{len(assignments)} assignments handed in, graded, returned and exported in "
                      f"{time.monotonic() - started:.0f} s.")
        shutil.rmtree(workdir / "learners", ignore_errors=True)  # a previous run's learners
        shutil.copytree(root / "home", workdir / "learners")
    console.print(f"The whole demo course (gradebook.db, submitted/, autograded/, feedback/, reports/) is in "
                  f"{demo_course}; the learners' homes (fetched assignments and feedback) in {workdir / 'learners'}")
    console.print("[green]Every score matches what the learner did.[/green]" if all_match
                  else "[red]Some scores do not match what the learner did.[/red]")
    return 0 if all_match else 1
