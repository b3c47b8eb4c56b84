"""``nnmath feedback``: an HTML page per learner from the trusted grader's autograded notebooks.

The page is the learner's notebook with each test cell's released source (never the hidden tests)
and the checks' messages, preceded by a score table, in the course's language. Each learner's page
is written on its own: a page that cannot be made is reported for that learner and the others
are still written.
"""
from __future__ import annotations

import html
import shutil
from pathlib import Path

import nbformat

from .class_report import duration
from .contract import is_test_cell, nbgrader_meta
from .course import course_language
from .curriculum import ASSIGNMENTS
from .messages import say
from .untrusted import learner_text, open_plain


def gradebook_view(gradebook, assignment: str, notebook_id: str, student: str) -> dict:
    """What the gradebook says of one submission: scores (manual grades win), comments, penalty.

    Returns ``{"scores": {grade_id: (score, manual)}, "comments": [(grade_id, text)], "raw": float,
    "penalty": float, "seconds_late": float}``; empty when the gradebook has no such submission.
    """
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
        notebook = gradebook.find_submission_notebook(notebook_id, assignment, student)
    except MissingEntry:
        return {}
    scores = {g.name: (g.score, g.manual_score is not None) for g in notebook.grades}
    comments = [(c.name, c.manual_comment) for c in notebook.comments if c.manual_comment]
    return {"scores": scores, "comments": comments, "raw": notebook.score,
            "penalty": notebook.late_submission_penalty or 0.0, "seconds_late": submission.total_seconds_late}


def summary_cell(nb, assignment: str, language: str, view: dict | None = None):
    """A markdown cell: the score and one row per test cell (the gradebook's scores when given)."""
    view = view or {}
    scores = view.get("scores", {})
    rows = []
    for cell in nb.cells:
        if is_test_cell(cell):
            meta = nbgrader_meta(cell)
            failed = any(o.output_type == "error" for o in cell.outputs)
            verdict = say("feedback_failed" if failed else "feedback_passed").render(language)
            points = f"{meta.get('points', 0):g}"
            score, manual = scores.get(meta["grade_id"], (None, False))
            if manual:
                points = say("feedback_manual_score", points=score).render(language) + f" / {points}"
            rows.append(f"| `{meta['grade_id']}` | {points} | {'✗' if failed else '✓'} {verdict} |")
    info = nb.metadata.get("nnmath", {})
    raw = view.get("raw", info.get("score", 0))
    penalty = view.get("penalty", 0.0)
    parts = ["# " + say("feedback_title", assignment=assignment).render(language),
             say("feedback_score", score=max(0.0, raw - penalty), max_score=info.get("max_score", 0)).render(language)]
    if penalty:
        parts.append(say("feedback_late_penalty", late=duration(view.get("seconds_late", 0)), penalty=penalty,
                         raw=raw).render(language))
    parts.append(say("feedback_table").render(language) + "\n" + "\n".join(rows))
    if view.get("comments"):
        # Graders' comments are their own words, shown as written (escaped as text, not markdown).
        lines = [f"- `{grade_id}`: {html.escape(text)}" for grade_id, text in view["comments"]]
        parts.append(say("feedback_comments").render(language) + "\n\n" + "\n".join(lines))
    return nbformat.v4.new_markdown_cell("\n\n".join(parts))


def write_feedback(course_dir: Path, assignment: str, students: list[str] | None = None,
                   failures: list[tuple[str, str]] | None = None) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` for each autograded submission.

    Beside each page go the submission's ``timestamp.txt`` and ``submission_secret.txt`` (as stock
    ``generate_feedback`` leaves them), which ``nbgrader release_feedback`` needs.
    failures: if given, receives ``(student, why)`` for each page that could not be written.
    """
    from nbconvert import HTMLExporter

    from .gradebook import open_gradebook

    course_dir = Path(course_dir).resolve()
    notebook_file = ASSIGNMENTS[assignment].notebook_file
    language = course_language(course_dir)
    autograded = course_dir / "autograded"
    if not students:
        graded = autograded.iterdir() if autograded.is_dir() else ()
        students = sorted(p.name for p in graded if (p / assignment / notebook_file).is_file())
    exporter = HTMLExporter(template_name="lab")
    written = []
    gradebook = open_gradebook(course_dir, assignment)
    try:
        for student in students:
            source = autograded / student / assignment / notebook_file
            if not source.is_file():
                continue
            try:
                view = gradebook_view(gradebook, assignment, Path(notebook_file).stem, student)
                written.append(_write_page(exporter, course_dir, assignment, notebook_file, language, student,
                                           source, view))
            except Exception as error:  # this learner's page only
                gradebook.db.rollback()
                if failures is not None:
                    failures.append((student, learner_text(f"{type(error).__name__}: {error}", 300)))
    finally:
        gradebook.close()
    return written


def _write_page(exporter, course_dir: Path, assignment: str, notebook_file: str, language: str, student: str,
                source: Path, view: dict) -> Path:
    from .gradebook import EXCHANGE_FILES

    with open_plain(source, max_bytes=64 << 20) as file:
        nb = nbformat.read(file, as_version=4)
    nb.cells.insert(0, summary_cell(nb, assignment, language, view))
    html_text, _ = exporter.from_notebook_node(nb)
    target = course_dir / "feedback" / student / assignment / (Path(notebook_file).stem + ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".html.partial")
    partial.write_text(html_text, encoding="utf-8")
    partial.replace(target)
    for name in EXCHANGE_FILES:  # copied by autograded/ from submitted/ as plain files only
        if (source.parent / name).is_file() and not (source.parent / name).is_symlink():
            shutil.copyfile(source.parent / name, target.parent / name)
    return target
