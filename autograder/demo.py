"""``nnmath demo``: release 03_activations to a simulated class, grade it, and show the result.

Builds a throwaway course directory from this course's configuration and source notebook,
writes one submission per :data:`autograder.simulate.ACTIVATIONS_CLASS` learner, grades them with
stock ``nbgrader autograde`` (through nbgrader's API), writes feedback, and prints the class's
table beside the score each learner's work deserves. Exit status 0 means every score matched.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import nbformat

from .build_release import build_release
from .course import CONFIG_FILE, nbgrader_api
from .curriculum import ASSIGNMENTS
from .simulate import ACTIVATIONS_CLASS, expected_score, failing_tests, make_submission, test_points, write_submission

ASSIGNMENT = "03_activations"


def prepare_course(course_dir: Path, workdir: Path) -> Path:
    """A fresh course directory in ``workdir`` holding this course's config and the demo's source."""
    demo_course = workdir / "course"
    if demo_course.exists():
        shutil.rmtree(demo_course)
    (demo_course / "source").mkdir(parents=True)
    shutil.copy(course_dir / CONFIG_FILE, demo_course / CONFIG_FILE)
    shutil.copytree(course_dir / "source" / ASSIGNMENT, demo_course / "source" / ASSIGNMENT)
    return demo_course


def grades_of(api, student: str) -> dict[str, float] | None:
    """Test cell grade_id -> score of a student's autograded submission, or None if it has none."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(api.coursedir.db_url) as gradebook:
        try:
            submission = gradebook.find_submission(ASSIGNMENT, student)
        except MissingEntry:
            return None
        return {grade.name: grade.score for notebook in submission.notebooks for grade in notebook.grades
                if grade.max_score > 0}


def run_demo(course_dir: Path, workdir: Path | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="nnmath-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    demo_course = prepare_course(course_dir, workdir)
    notebook_file = ASSIGNMENTS[ASSIGNMENT].notebook_file
    console.print(f"[bold]nnmath demo[/bold]: a class of {len(ACTIVATIONS_CLASS)} simulated learners in {demo_course}")

    build_release(demo_course, [ASSIGNMENT])
    source_nb = nbformat.read(str(demo_course / "source" / ASSIGNMENT / notebook_file), as_version=4)
    release_nb = nbformat.read(str(demo_course / "release" / ASSIGNMENT / notebook_file), as_version=4)
    for learner in ACTIVATIONS_CLASS:
        write_submission(demo_course, ASSIGNMENT, notebook_file, make_submission(release_nb, source_nb, learner),
                         learner.student_id)

    api = nbgrader_api(demo_course)
    failures: dict[str, str] = {}
    with console.status("grading with nbgrader autograde ...") as status:
        for learner in ACTIVATIONS_CLASS:
            status.update(f"grading {learner.student_id} with nbgrader autograde ...")
            result = api.autograde(ASSIGNMENT, learner.student_id)
            if not result["success"]:
                failures[learner.student_id] = _reason(result)
        status.update("writing feedback ...")
        api.generate_feedback(ASSIGNMENT)

    maximum = sum(test_points(source_nb).values())
    table = Table(title=f"{ASSIGNMENT}: stock nbgrader autograde, {len(ACTIVATIONS_CLASS)} learners")
    for column in ("learner", "what they did", "score", "deserved", "failed tests", ""):
        table.add_column(column)
    all_match = True
    for learner in ACTIVATIONS_CLASS:
        grades = grades_of(api, learner.student_id)
        deserved = expected_score(learner, source_nb)
        if learner.student_id in failures or grades is None:
            match = learner.breaks_grading
            score = "not graded"
            failed = failures.get(learner.student_id, "no grades recorded")
        else:
            total = sum(grades.values())
            failed_ids = sorted(t for t, s in grades.items() if s < test_points(source_nb)[t])
            match = (not learner.breaks_grading and abs(total - deserved) < 1e-9
                     and set(failed_ids) == failing_tests(learner, source_nb))
            score = f"{total:g} / {maximum:g}"
            failed = (f"all {len(failed_ids)}" if len(failed_ids) == len(grades) else
                      ", ".join(t.removeprefix("test_") for t in failed_ids) or "-")
        all_match &= match
        table.add_row(learner.student_id, learner.description, score,
                      "grader fails" if learner.breaks_grading else f"{deserved:g}", failed,
                      "[green]as deserved[/green]" if match else "[red]MISMATCH[/red]")
    console.print(table)
    feedback = demo_course / "feedback"
    console.print(f"Feedback for each learner: {feedback}/<learner>/{ASSIGNMENT}/{Path(notebook_file).stem}.html")
    console.print(f"The whole demo course (gradebook.db, submitted/, autograded/) is in {demo_course}")
    if failures:
        console.print("Stock nbgrader could not grade: " + "; ".join(f"{s} ({r})" for s, r in failures.items()))
    console.print("[green]Every score matches what the learner did.[/green]" if all_match
                  else "[red]Some scores do not match what the learner did.[/red]")
    return 0 if all_match else 1


def _reason(result: dict) -> str:
    """The exception that stopped nbgrader (e.g. ``DeadKernelError: Kernel died``), in one line."""
    text = ((result.get("log") or "") + "\n" + (result.get("error") or "")).splitlines()
    raised = [line.strip() for line in text if re.match(r"\s*[\w.]+(Error|Exception): ", line)
              and "NbGraderException" not in line]
    if not raised:
        return "see nbgrader's log"
    return re.sub(r"^[\w.]*\.(?=\w+(Error|Exception): )", "", raised[0])[:120]
