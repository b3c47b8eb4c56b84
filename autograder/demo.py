"""``nnmath demo``: release 03_activations to a simulated class, grade it, and show the result.

Builds a throwaway course directory from this course's configuration and source notebook,
writes one submission per :data:`autograder.simulate.ACTIVATIONS_CLASS` learner (one of them
cheats), grades them with ``nnmath grade`` (sandboxed, in parallel), writes feedback and the class
report, and prints
the class's table beside the score each learner's work deserves. Exit status 0: every score matched.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from .build_release import build_release
from .class_report import write_report
from .course import CONFIG_FILE
from .curriculum import ASSIGNMENTS
from .feedback import write_feedback
from .grade_run import grade_class
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


def run_demo(course_dir: Path, workdir: Path | None = None) -> int:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="nnmath-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    demo_course = prepare_course(course_dir, workdir)
    notebook_file = ASSIGNMENTS[ASSIGNMENT].notebook_file
    console.print(f"[bold]nnmath demo[/bold]: a class of {len(ACTIVATIONS_CLASS)} simulated learners in {demo_course}")

    with console.status("releasing 03_activations ..."):
        build_release(demo_course, [ASSIGNMENT])
    source_nb = nbformat.read(str(demo_course / "source" / ASSIGNMENT / notebook_file), as_version=4)
    release_nb = nbformat.read(str(demo_course / "release" / ASSIGNMENT / notebook_file), as_version=4)
    for learner in ACTIVATIONS_CLASS:
        write_submission(demo_course, ASSIGNMENT, notebook_file, make_submission(release_nb, source_nb, learner),
                         learner.student_id)

    with console.status("grading with nnmath grade (sandboxed, in parallel) ..."):
        summary = grade_class(demo_course, ASSIGNMENT)
        feedback = write_feedback(demo_course, ASSIGNMENT)
        report = write_report(demo_course, ASSIGNMENT)

    points = test_points(source_nb)
    maximum = sum(points.values())
    results = {grade.student: grade for grade in summary.grades}
    table = Table(title=f"{ASSIGNMENT}: nnmath grade, {len(ACTIVATIONS_CLASS)} learners, {summary.seconds:.1f} s")
    for column in ("learner", "what they did", "score", "deserved", "failed tests", ""):
        table.add_column(column)
    all_match = True
    for learner in ACTIVATIONS_CLASS:
        grade = results[learner.student_id]
        deserved = expected_score(learner, source_nb)
        failed_ids = sorted(c.grade_id for c in grade.cells if c.score < c.points)
        match = abs(grade.score - deserved) < 1e-9 and set(failed_ids) == failing_tests(learner, source_nb)
        all_match &= match
        failed = (f"all {len(failed_ids)}" if len(failed_ids) == len(points) else
                  ", ".join(t.removeprefix("test_") for t in failed_ids) or "-")
        table.add_row(learner.student_id, learner.description, f"{grade.score:g} / {maximum:g}", f"{deserved:g}",
                      failed, "[green]as deserved[/green]" if match else "[red]MISMATCH[/red]")
    console.print(table)
    console.print(f"Feedback for each learner ({len(feedback)} pages): "
                  f"{demo_course / 'feedback'}/<learner>/{ASSIGNMENT}/{Path(notebook_file).stem}.html")
    console.print(f"The class report (plots, mistakes, late and missing): {report}")
    console.print(f"The whole demo course (gradebook.db, submitted/, autograded/) is in {demo_course}")
    console.print("[green]Every score matches what the learner did.[/green]" if all_match
                  else "[red]Some scores do not match what the learner did.[/red]")
    return 0 if all_match else 1
