"""The end-of-run summary of ``nnmath grade``: per exercise, how many passed; common mistakes; per learner.

Student ids and messages may hold learner text: they are printed as :class:`rich.text.Text`
(never parsed as rich markup) after :func:`autograder.untrusted.learner_text` (no terminal
control sequences, one line each). Values (ids, scores, counts) never wrap mid-value: their
columns are ``no_wrap``; only the notes column wraps, between words.
"""
from __future__ import annotations

from collections import defaultdict

from rich.table import Table
from rich.text import Text

from .grade_run import RunSummary, common_mistakes
from .untrusted import learner_text


def isolation_warnings() -> list[str]:
    """What this machine's sandbox lacks, as rich markup lines (none when it has everything)."""
    import os

    if os.geteuid() != 0:
        return ["[yellow]warning:[/yellow] not running as root: learner code runs as your user, with "
                "resource limits but without hidden files, a network ban or a separate uid"]
    from .cgroups import whole_submission_limits

    whole, how = whole_submission_limits()
    return [] if whole else [f"[yellow]warning:[/yellow] {how}"]


def print_summary(console, summary: RunSummary) -> None:
    grades = summary.grades
    skipped = getattr(summary, "skipped", [])
    if skipped:
        console.print(Text(f"Skipped {len(skipped)} learner(s) whose graded version is current (--changed): "
                           f"{', '.join(learner_text(s, 80) for s in skipped)}"))
    if getattr(summary, "cells", None) is not None:
        console.print(f"Graded only the test cell(s) {', '.join(summary.cells)} (--cell); the other cells keep "
                      f"their recorded scores, and the scores below count only these.")
    if not grades:
        console.print(f"No submissions of {summary.assignment} to grade.")
        return
    passed, points = defaultdict(int), {}
    for grade in grades:
        for cell in grade.cells:
            passed[cell.grade_id] += cell.score >= cell.points > 0
            points[cell.grade_id] = cell.points
    table = Table(title=f"{summary.assignment}: {len(grades)} submission(s) graded in {summary.seconds:.1f} s")
    table.add_column("test", no_wrap=True)
    table.add_column("points", justify="right", no_wrap=True)
    table.add_column("passed", justify="right", no_wrap=True)
    for grade_id in points:
        table.add_row(grade_id, f"{points[grade_id]:g}", f"{passed[grade_id]} / {len(grades)}")
    console.print(table)
    mistakes = common_mistakes(summary)
    if mistakes:
        console.print("[bold]Most common diagnosed mistakes[/bold]")
        for count, grade_id, example in mistakes:
            console.print(Text(f"  {count:>4} × {grade_id}: {learner_text((example.splitlines() or [''])[0], 160)}"))
    unusual = [g for g in grades if g.status != "graded" or g.notes]
    if unusual:
        console.print("[bold]Submissions with problems[/bold]")
        for grade in unusual:
            for note in grade.notes[:3]:
                console.print(Text(f"  {learner_text(grade.student, 80)} ({grade.status}): {learner_text(note, 300)}"))
    not_graded = [g for g in grades if g.status == "error"]
    if not_graded:
        console.print(Text(f"Not graded, nothing recorded (a fault of the grading system, or the grade could not "
                           f"be stored): {', '.join(learner_text(g.student, 80) for g in not_graded)}. Run "
                           f"`nnmath grade {summary.assignment}` again to grade them.", style="yellow"))
    kept = getattr(summary, "manual_kept", {})
    if kept:
        console.print("[bold]Manual grades kept although a newer submission was graded[/bold] (review them "
                      "in the formgrader)")
        for student, cells in sorted(kept.items()):
            console.print(Text(f"  {learner_text(student, 80)}: {', '.join(cells)}"))
    print_learners(console, summary)
    scores = sorted(g.score for g in grades)
    console.print(f"Scores: min {scores[0]:g}, median {scores[len(scores) // 2]:g}, max {scores[-1]:g} "
                  f"of {grades[0].max_score:g}. Recorded in gradebook.db; `nnmath feedback {summary.assignment}` "
                  f"writes the feedback pages.")


def print_learners(console, summary: RunSummary) -> None:
    """One row per learner graded in this run: score, status, the first note (if any)."""
    table = Table(title="Per learner")
    table.add_column("learner", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("failed tests", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("note", overflow="fold")
    for grade in sorted(summary.grades, key=lambda g: g.student):
        failed = sum(cell.score < cell.points for cell in grade.cells)
        note = str(grade.notes[0]) if grade.notes else ""
        table.add_row(Text(learner_text(grade.student, 80)), f"{grade.score:g} / {grade.max_score:g}", str(failed),
                      grade.status, Text(learner_text(note, 300)))
    console.print(table)
