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
from nbformat import NotebookNode

from .contract import is_answer_cell, is_test_cell, nbgrader_meta
from .grading import SubmissionGrade
from .untrusted import shown_text, without_surrogates


EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")


class NotInGradebook(Exception):
    pass


def open_gradebook(course_dir: Path, assignment: str):
    """nbgrader's Gradebook for the course; the assignment must have been released into it."""
    from nbgrader.api import Gradebook, MissingEntry

    from .course import course_directory

    coursedir = course_directory(course_dir)  # also puts alembic on PATH for a new gradebook
    gradebook = Gradebook(coursedir.db_url, coursedir.course_id)
    try:
        gradebook.find_assignment(assignment)
    except MissingEntry:
        gradebook.close()
        raise NotInGradebook(f"{assignment} is not in the gradebook yet: run `nnmath release {assignment}` "
                             f"(or nbgrader generate_assignment) first") from None
    return gradebook


def record(gradebook, assignment: str, notebook_id: str, grade: SubmissionGrade, language: str,
           timestamp=None, late=None, attempts: int = 5) -> list[str]:
    """Write one learner's scores and notes in one transaction (all of it or none).

    timestamp: when the graded version was submitted (recorded on every regrade). late: a
    :func:`late_penalty_assigner`, or None for no late policy. Returns the test cells whose manual
    grade was kept although a newer submission was just graded (for the summary to flag).

    Two grading runs at once (two assignments on one server database) may both create the same
    learner's student row: the second commit then fails on the unique id, is rolled back, and the
    transaction is retried, finding the row the other run made. Any other failure is raised.
    """
    from nbgrader.api import InvalidEntry
    from sqlalchemy.exc import IntegrityError, OperationalError

    for attempt in range(attempts):
        try:
            return _record_once(gradebook, assignment, notebook_id, grade, language, timestamp, late)
        except (InvalidEntry, IntegrityError, OperationalError):  # a concurrent insert (nbgrader wraps
            # its own commits' IntegrityError in InvalidEntry), or a SQLite lock held too long
            if attempt == attempts - 1:
                raise


def record_many(gradebook, assignment: str, notebook_id: str, items, language: str, late=None) -> list:
    """Record several learners in one transaction: each learner's scores and notes, then one commit.

    items: ``(grade, timestamp)`` pairs. Returns, per item, what :func:`record` returns (the kept manual
    grades) or the exception that learner's recording raised. Recording is an update-or-create, so a
    run killed before the commit loses the whole batch and a rerun records each learner once.

    nbgrader's own methods commit after every call (about 25 ms each on SQLite); within the batch
    their commits are flushes, and the batch commits once. If anything in the batch fails, the batch
    is rolled back and its learners are recorded one transaction each (:func:`record`), so one
    learner's failure is theirs alone.
    """
    items = list(items)
    if len(items) > 1:
        session = gradebook.db
        results = []
        session.commit = session.flush  # nbgrader's per-call commits, inside this one transaction
        try:
            for grade, timestamp in items:
                results.append(_record_once(gradebook, assignment, notebook_id, grade, language, timestamp, late))
        except Exception:
            results = None  # rolled back by _record_once: record them one by one below
        finally:
            del session.commit
        if results is not None:
            try:
                session.commit()
                return results
            except Exception:
                session.rollback()
    out = []
    for grade, timestamp in items:
        try:
            out.append(record(gradebook, assignment, notebook_id, grade, language, timestamp=timestamp, late=late))
        except Exception as error:
            out.append(error)
    return out


def _record_once(gradebook, assignment: str, notebook_id: str, grade: SubmissionGrade, language: str,
                 timestamp, late=None) -> list[str]:
    from nbgrader.api import Comment, Grade, MissingEntry

    kept = []
    try:
        gradebook.update_or_create_student(grade.student)
        try:
            submission = gradebook.find_submission(assignment, grade.student)
        except MissingEntry:
            submission = gradebook.add_submission(assignment, grade.student, timestamp=timestamp)
            previous = None
        else:
            previous = submission.timestamp
            if timestamp is not None:  # as stock autograde: each regrade records the graded version's time
                submission.timestamp = timestamp
        newer = previous is not None and timestamp is not None and timestamp > previous
        notebook = gradebook.find_submission_notebook(notebook_id, assignment, grade.student)
        scores = {g.name: g for g in _with_cells(gradebook, Grade, notebook)}
        for cell in grade.cells:
            if cell.grade_id in scores:
                entry = scores[cell.grade_id]
                entry.auto_score = cell.score
                # stock SaveAutoGrades: a manual grade (kept, as stock keeps it) still wants a human's look
                entry.needs_manual_grade = entry.manual_score is not None
                if entry.manual_score is not None and newer:
                    kept.append(cell.grade_id)
        comments = {c.name: c for c in _with_cells(gradebook, Comment, notebook)}
        for name, comment in comments.items():
            notes = grade.cell_notes.get(name, [])
            comment.auto_comment = shown_text("\n".join(n.render(language) for n in notes)) or None
        gradebook.db.flush()
        if late is not None:
            late(gradebook, submission, notebook)
        gradebook.db.commit()
    except Exception:
        gradebook.db.rollback()
        raise
    return kept


def _with_cells(gradebook, kind, notebook) -> list:
    """The notebook's grades or comments with their cells, in one query (not one lazy load per cell name)."""
    from sqlalchemy.orm import joinedload

    return gradebook.db.query(kind).filter(kind.notebook_id == notebook.id).options(joinedload(kind.cell)).all()


def late_penalty_assigner(config):
    """``assign(gradebook, submission, notebook)``: nbgrader's late policy, as stock autograde applies it.

    The course's ``AssignLatePenalties.plugin_class`` (default ``LateSubmissionPlugin``, whose
    ``penalty_method`` is ``none`` or ``zero``) decides the penalty from the notebook's score and the
    seconds late (due date plus any extension); ``AssignLatePenalties`` keeps it within [0, score].
    """
    assigners = []  # nbgrader's AssignLatePenalties, made at the first late submission: importing
    #                 nbgrader.preprocessors (nbconvert and every preprocessor) costs most of a second

    def assign(gradebook, submission, notebook) -> None:
        gradebook.db.refresh(notebook)  # its score is a SQL expression over the grades just flushed
        notebook.late_submission_penalty = None
        seconds = submission.total_seconds_late
        if seconds > 0:
            if not assigners:
                from nbgrader.preprocessors import AssignLatePenalties

                assigners.append(AssignLatePenalties(config=config))
                assigners[0].init_plugin()
            assigner = assigners[0]
            penalty = assigner.plugin_inst.late_submission_penalty(submission.student_id, notebook.score, seconds)
            if penalty is not None:
                notebook.late_submission_penalty = assigner._check_late_penalty(notebook, penalty)

    return assign


def autograded_notebook(release_nb, answers: dict[str, str] | None, grade: SubmissionGrade, language: str):
    """The release notebook with the learner's answers and the checks' messages as test outputs.

    ``release_nb`` may instead be the learner's earlier autograded notebook when only some test
    cells were regraded (``nnmath grade --cell``): the other test cells keep their outputs, scores
    and diagnoses, and the recorded score is the sum over every test cell.
    """
    nb = _fresh_copy(release_nb)
    results = {cell.grade_id: cell for cell in grade.cells}
    points = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_test_cell(cell):
            points[grade_id] = float(nbgrader_meta(cell).get("points", 0))
        if not is_test_cell(cell) or grade_id in results:
            cell.outputs, cell.execution_count = [], None
        if is_answer_cell(cell) and answers is not None and grade_id in answers:
            cell.source = without_surrogates(answers[grade_id])
        if is_test_cell(cell) and grade_id in results:
            result = results[grade_id]
            if result.passed_lines:
                cell.outputs.append(NotebookNode(output_type="stream", name="stdout",
                                                 text=shown_text("\n".join(dict.fromkeys(result.passed_lines))) + "\n"))
            if result.problems:
                message = shown_text("\n".join(p.render(language) for p in result.problems))
                cell.outputs.append(NotebookNode(output_type="error", ename="CheckFailure", evalue=message,
                                                 traceback=[f"CheckFailure: {message}"]))
    earlier = nb.metadata.get("nnmath", {})
    cell_scores = {**earlier.get("cell_scores", {}), **{c.grade_id: c.score for c in grade.cells}}
    problems = {k: v for k, v in earlier.get("problems", {}).items() if k not in results}
    # for `nnmath report`: which diagnosis each failed test cell got, and the notes
    problems.update({c.grade_id: [[p.key, shown_text(p.render(language))] for p in c.problems]
                     for c in grade.cells if c.problems})
    nb.metadata["nnmath"] = {**earlier, "score": sum(cell_scores.values()),
                             "max_score": sum(points.values()) or grade.max_score, "status": grade.status,
                             "cell_scores": cell_scores, "problems": problems,
                             "notes": [shown_text(n.render(language)) for n in grade.notes]}
    return nb


def _fresh_copy(nb):
    """A copy of ``nb`` that :func:`autograded_notebook` may change: its metadata copied deeply, each
    cell's own dict new (its ``source``, ``outputs`` and ``execution_count`` are replaced, never changed
    in place; its metadata and attachments are shared, read-only). A deep copy of every node took 4 ms."""
    fresh = NotebookNode(nb)
    fresh.metadata = copy.deepcopy(nb.metadata)
    fresh.cells = [NotebookNode(cell) for cell in nb.cells]
    return fresh


def write_autograded(course_dir: Path, assignment: str, notebook_file: str, nb, student: str) -> Path:
    from .untrusted import open_plain

    folder = course_dir / "autograded" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    # As stock autograde: the submission's timestamp and secret go along (generate_feedback and
    # release_feedback read them from here and from the feedback folder). They come with the
    # submission, so they are read as its notebook is: plain files, size-bounded.
    for name in EXCHANGE_FILES:
        try:
            with open_plain(course_dir / "submitted" / student / assignment / name, max_bytes=4096) as file:
                text = file.read()
        except Exception:  # missing, a link, a FIFO, too large: nbgrader's exchange writes none of these
            continue
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / notebook_file
    temporary = path.with_suffix(".ipynb.partial")
    # nbformat.write less its schema validation, which only logs (3 ms of a learner's 9 here): the
    # notebook is the release's, or an earlier autograded one, with our outputs and the learner's sources.
    text = nbformat.versions[nb.nbformat].writes_json(nb)
    temporary.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    temporary.replace(path)  # a killed run never leaves half a notebook
    return path
