"""``nnmath feedback``: an HTML page per learner from the trusted grader's autograded notebooks.

The page is the learner's notebook with each test cell's released source (never the hidden tests)
and the checks' messages, preceded by a score table, in the course's language. Each learner's page
is written on its own: a page that cannot be made is reported for that learner and the others
are still written.
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from .contract import is_test_cell, nbgrader_meta
from .course import course_language
from .curriculum import ASSIGNMENTS
from .messages import say
from .untrusted import learner_text, open_plain


def summary_cell(nb, assignment: str, language: str):
    """A markdown cell: the score and one row per test cell."""
    rows = []
    for cell in nb.cells:
        if is_test_cell(cell):
            meta = nbgrader_meta(cell)
            failed = any(o.output_type == "error" for o in cell.outputs)
            verdict = say("feedback_failed" if failed else "feedback_passed").render(language)
            rows.append(f"| `{meta['grade_id']}` | {meta.get('points', 0):g} | {'✗' if failed else '✓'} {verdict} |")
    info = nb.metadata.get("nnmath", {})
    text = "\n\n".join([
        "# " + say("feedback_title", assignment=assignment).render(language),
        say("feedback_score", score=info.get("score", 0), max_score=info.get("max_score", 0)).render(language),
        say("feedback_table").render(language) + "\n" + "\n".join(rows)])
    return nbformat.v4.new_markdown_cell(text)


def write_feedback(course_dir: Path, assignment: str, students: list[str] | None = None,
                   failures: list[tuple[str, str]] | None = None) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` for each autograded submission.

    failures: if given, receives ``(student, why)`` for each page that could not be written.
    """
    from nbconvert import HTMLExporter

    course_dir = Path(course_dir).resolve()
    notebook_file = ASSIGNMENTS[assignment].notebook_file
    language = course_language(course_dir)
    autograded = course_dir / "autograded"
    if not students:
        graded = autograded.iterdir() if autograded.is_dir() else ()
        students = sorted(p.name for p in graded if (p / assignment / notebook_file).is_file())
    exporter = HTMLExporter(template_name="lab")
    written = []
    for student in students:
        source = autograded / student / assignment / notebook_file
        if not source.is_file():
            continue
        try:
            written.append(_write_page(exporter, course_dir, assignment, notebook_file, language, student, source))
        except Exception as error:  # this learner's page only
            if failures is not None:
                failures.append((student, learner_text(f"{type(error).__name__}: {error}", 300)))
    return written


def _write_page(exporter, course_dir: Path, assignment: str, notebook_file: str, language: str, student: str,
                source: Path) -> Path:
    with open_plain(source, max_bytes=64 << 20) as file:
        nb = nbformat.read(file, as_version=4)
    nb.cells.insert(0, summary_cell(nb, assignment, language))
    html, _ = exporter.from_notebook_node(nb)
    target = course_dir / "feedback" / student / assignment / (Path(notebook_file).stem + ".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".html.partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(target)
    return target
