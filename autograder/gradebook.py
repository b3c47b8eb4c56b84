"""Putting trusted grades where nbgrader keeps them, so export, formgrader and feedback work.

Scores go into ``gradebook.db`` against each test cell's ``grade_id`` (a submission is created
the first time, updated after: grading twice never duplicates a grade), notes about the
learner's cells go into the answer cells' comments, and ``autograded/<student>/<assignment>/``
gets the learner's notebook as nbgrader would leave it — the *released* test cells (no hidden
tests) with the checks' messages as their outputs — for the formgrader and for feedback.

Whatever reaches these writers may quote learner text: it is written through
:func:`autograder.untrusted.shown_text` (encodable, no control characters), so no learner's
text can stop a writer or be taken for a terminal or ANSI sequence by a reader.
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from .contract import is_answer_cell, is_test_cell, nbgrader_meta
from .grading import SubmissionGrade
from .untrusted import shown_text, without_surrogates


class NotInGradebook(Exception):
    pass


def open_gradebook(course_dir: Path, assignment: str):
    """nbgrader's Gradebook for the course; the assignment must have been released into it."""
    from nbgrader.api import Gradebook, MissingEntry

    from .course import nbgrader_api

    api = nbgrader_api(course_dir)  # also puts alembic on PATH for a new gradebook
    gradebook = Gradebook(api.coursedir.db_url, api.coursedir.course_id)
    try:
        gradebook.find_assignment(assignment)
    except MissingEntry:
        gradebook.close()
        raise NotInGradebook(f"{assignment} is not in the gradebook yet: run `nnmath release {assignment}` "
                             f"(or nbgrader generate_assignment) first") from None
    return gradebook


def record(gradebook, assignment: str, notebook_id: str, grade: SubmissionGrade, language: str,
           timestamp=None) -> None:
    """Write one learner's scores and notes in one transaction (all of it or none)."""
    from nbgrader.api import MissingEntry

    try:
        gradebook.update_or_create_student(grade.student)
        try:
            gradebook.find_submission(assignment, grade.student)
        except MissingEntry:
            gradebook.add_submission(assignment, grade.student, timestamp=timestamp)
        notebook = gradebook.find_submission_notebook(notebook_id, assignment, grade.student)
        scores = {g.name: g for g in notebook.grades}
        for cell in grade.cells:
            if cell.grade_id in scores:
                scores[cell.grade_id].auto_score = cell.score
        comments = {c.name: c for c in notebook.comments}
        for name, comment in comments.items():
            notes = grade.cell_notes.get(name, [])
            comment.auto_comment = shown_text("\n".join(n.render(language) for n in notes)) or None
        gradebook.db.commit()
    except Exception:
        gradebook.db.rollback()
        raise


def autograded_notebook(release_nb, answers: dict[str, str] | None, grade: SubmissionGrade, language: str):
    """The release notebook with the learner's answers and the checks' messages as test outputs."""
    nb = copy.deepcopy(release_nb)
    results = {cell.grade_id: cell for cell in grade.cells}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        cell.outputs, cell.execution_count = [], None
        if is_answer_cell(cell) and answers is not None and grade_id in answers:
            cell.source = without_surrogates(answers[grade_id])
        if is_test_cell(cell) and grade_id in results:
            result = results[grade_id]
            if result.passed_lines:
                cell.outputs.append(nbformat.v4.new_output("stream", name="stdout",
                                                           text=shown_text("\n".join(result.passed_lines)) + "\n"))
            if result.problems:
                message = shown_text("\n".join(p.render(language) for p in result.problems))
                cell.outputs.append(nbformat.v4.new_output("error", ename="CheckFailure", evalue=message,
                                                           traceback=[f"CheckFailure: {message}"]))
    nb.metadata["nnmath"] = {**nb.metadata.get("nnmath", {}), "score": grade.score, "max_score": grade.max_score,
                             "status": grade.status}
    return nb


def write_autograded(course_dir: Path, assignment: str, notebook_file: str, nb, student: str) -> Path:
    folder = course_dir / "autograded" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / notebook_file
    temporary = path.with_suffix(".ipynb.partial")
    nbformat.write(nb, str(temporary))
    temporary.replace(path)  # a killed run never leaves half a notebook
    return path
