"""``nnmath report ASSIGNMENT``: one self-contained HTML page about a graded class, for the instructor.

Read from where the grades live: nbgrader's gradebook (final scores with manual grades, lateness,
penalties, the roster) and the autograded notebooks ``nnmath grade`` writes (which diagnosis each
failed test cell got, and each submission's status). The page holds

- the distribution of final scores (after late penalties) as a histogram,
- the pass rate of each test cell as a bar chart,
- the most common diagnosed mistakes per function, with counts and an example message,
- late submissions (seconds late, penalty) and learners on the roster who did not submit,
- learners whose submission had problems (missing notebook, malformed, grader error, notes).

Plots are matplotlib SVG written inline, so the page needs no other file and no network. Every
learner-supplied string (ids, messages quoting answers) is HTML-escaped.
"""
from __future__ import annotations

import html
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .curriculum import ASSIGNMENTS


@dataclass
class LearnerRow:
    student: str
    submitted: bool
    score: float = 0.0  # final: the cells' scores (manual grades included) less the late penalty
    seconds_late: float = 0.0
    penalty: float = 0.0
    status: str = ""  # "graded", "missing", "malformed", "error"; "" when nnmath never graded it
    notes: list[str] = field(default_factory=list)


@dataclass
class ClassData:
    assignment: str
    max_score: float
    cells: list[tuple[str, float]]  # (grade_id, points) in notebook order
    learners: list[LearnerRow]
    passed: Counter  # grade_id -> learners with full marks on it
    mistakes: Counter  # (grade_id, diagnosis key) -> count
    examples: dict  # (grade_id, diagnosis key) -> one message (first line)

    @property
    def submitted(self) -> list[LearnerRow]:
        return [row for row in self.learners if row.submitted]


def collect(course_dir: Path, assignment: str) -> ClassData:
    """Everything the page shows, read from the gradebook and ``autograded/``."""
    from nbgrader.api import MissingEntry

    from .gradebook import open_gradebook

    notebook_file = ASSIGNMENTS[assignment].notebook_file
    gradebook = open_gradebook(course_dir, assignment)
    try:
        record = gradebook.find_assignment(assignment)
        notebook = record.notebooks[0]
        cells = [(cell.name, cell.max_score) for cell in notebook.grade_cells]
        data = ClassData(assignment, record.max_score, cells, [], Counter(), Counter(), {})
        for student in gradebook.students:
            try:
                submission = gradebook.find_submission(assignment, student.id)
            except MissingEntry:
                data.learners.append(LearnerRow(student.id, submitted=False))
                continue
            scores = {grade.name: grade.score for grade in
                      gradebook.find_submission_notebook(notebook.name, assignment, student.id).grades}
            penalty = submission.late_submission_penalty or 0.0
            row = LearnerRow(student.id, True, max(0.0, sum(scores.values()) - penalty),
                             submission.total_seconds_late, penalty)
            for grade_id, points in cells:
                data.passed[grade_id] += points > 0 and scores.get(grade_id, 0.0) >= points
            _read_autograded(course_dir / "autograded" / student.id / assignment / notebook_file, row, data)
            data.learners.append(row)
    finally:
        gradebook.close()
    return data


def _read_autograded(path: Path, row: LearnerRow, data: ClassData) -> None:
    """The diagnoses and status ``nnmath grade`` left in the learner's autograded notebook."""
    if not path.is_file():
        return
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:
        row.notes.append("autograded notebook unreadable")
        return
    info = nb.metadata.get("nnmath", {})
    row.status = info.get("status", "")
    row.notes = [str(note) for note in info.get("notes", [])]
    for grade_id, problems in info.get("problems", {}).items():
        for key, example in problems[:1]:  # the first diagnosis is the one the learner reads first
            data.mistakes[(grade_id, key)] += 1
            data.examples.setdefault((grade_id, key), example.splitlines()[0] if example else key)


# --- the page --------------------------------------------------------------------------------------

def _svg(figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline SVG in HTML needs neither


def score_histogram(data: ClassData) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3))
    scores = [row.score for row in data.submitted]
    top = max(data.max_score, 1.0)
    axes.hist(scores, bins=min(20, max(1, int(top)) + 1), range=(0, top), color="#3b6ea5", edgecolor="white")
    axes.set_xlabel(f"final score (of {data.max_score:g})")
    axes.set_ylabel("learners")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _svg(figure)


def pass_rate_chart(data: ClassData) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    graded = max(1, len(data.submitted))
    names = [grade_id for grade_id, _ in data.cells]
    rates = [100 * data.passed[grade_id] / graded for grade_id in names]
    figure, axes = plt.subplots(figsize=(6, 0.35 * len(names) + 0.8))
    axes.barh(names[::-1], rates[::-1], color="#4c9a62")
    axes.set_xlim(0, 100)
    axes.set_xlabel("learners with full marks (%)")
    return _svg(figure)


def _table(headers: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#f3f3f3}.none{color:#777}svg{max-width:100%;height:auto}"""


def render(data: ClassData) -> str:
    """The whole page as one HTML string."""
    submitted = data.submitted
    scores = sorted(row.score for row in submitted)
    parts = [f"<h1>{html.escape(data.assignment)}: class report</h1>"]
    if scores:
        parts.append(f"<p>{len(submitted)} of {len(data.learners)} learner(s) on the roster submitted. "
                     f"Final scores: min {scores[0]:g}, median {scores[len(scores) // 2]:g}, max {scores[-1]:g} "
                     f"of {data.max_score:g}.</p>")
        parts += ["<h2>Score distribution</h2>", score_histogram(data),
                  "<h2>Pass rate per test cell</h2>", pass_rate_chart(data)]
    else:
        parts.append(f"<p class='none'>No submissions of {html.escape(data.assignment)} in the gradebook yet.</p>")

    parts.append("<h2>Most common diagnosed mistakes</h2>")
    mistakes = sorted(data.mistakes.items(), key=lambda item: (-item[1], item[0]))
    parts.append(_table(["test cell", "diagnosis", "learners", "example"],
                        [[grade_id, key, count, data.examples[(grade_id, key)][:200]]
                         for (grade_id, key), count in mistakes])
                 if mistakes else "<p class='none'>None diagnosed.</p>")

    late = [row for row in submitted if row.seconds_late > 0]
    parts.append("<h2>Late submissions</h2>")
    parts.append(_table(["learner", "late by", "penalty", "final score"],
                        [[r.student, duration(r.seconds_late), f"{r.penalty:g}", f"{r.score:g}"] for r in late])
                 if late else "<p class='none'>None.</p>")
    missing = [row.student for row in data.learners if not row.submitted]
    parts.append("<h2>No submission</h2>")
    parts.append(_table(["learner"], [[s] for s in missing]) if missing else "<p class='none'>None.</p>")

    troubled = [row for row in submitted if row.status not in ("graded", "") or row.notes]
    parts.append("<h2>Learners with problems</h2>")
    parts.append(_table(["learner", "status", "notes"],
                        [[r.student, r.status, " / ".join(r.notes)[:300]] for r in troubled])
                 if troubled else "<p class='none'>None.</p>")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(data.assignment)}: class report</title><style>{STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def duration(seconds: float) -> str:
    """A lateness for people: seconds, minutes or hours."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def write_report(course_dir: Path, assignment: str, target: Path | None = None) -> Path:
    """Write the page (default ``reports/<assignment>.html`` in the course) and return its path."""
    course_dir = Path(course_dir).resolve()
    target = Path(target) if target else course_dir / "reports" / f"{assignment}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(collect(course_dir, assignment)), encoding="utf-8")
    return target
