"""The end-of-run summary of ``nnmath grade``: per exercise, how many passed; common mistakes.

Student ids and messages may hold learner text: they are printed as :class:`rich.text.Text`
(never parsed as rich markup) after :func:`autograder.untrusted.learner_text` (no terminal
control sequences, one line each).
"""
from __future__ import annotations

from collections import defaultdict

from rich.table import Table
from rich.text import Text

from .grade_run import RunSummary, common_mistakes
from .untrusted import learner_text


def print_summary(console, summary: RunSummary) -> None:
    grades = summary.grades
    if not grades:
        console.print(f"No submissions of {summary.assignment} to grade.")
        return
    passed, points = defaultdict(int), {}
    for grade in grades:
        for cell in grade.cells:
            passed[cell.grade_id] += cell.score >= cell.points > 0
            points[cell.grade_id] = cell.points
    table = Table(title=f"{summary.assignment}: {len(grades)} submission(s) graded in {summary.seconds:.1f} s")
    table.add_column("test")
    table.add_column("points", justify="right")
    table.add_column("passed", justify="right")
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
    scores = sorted(g.score for g in grades)
    console.print(f"Scores: min {scores[0]:g}, median {scores[len(scores) // 2]:g}, max {scores[-1]:g} "
                  f"of {grades[0].max_score:g}. Recorded in gradebook.db; `nnmath feedback {summary.assignment}` "
                  f"writes the feedback pages.")
