"""Grades out to an LMS: nbgrader export plugins writing Canvas's and Moodle's gradebook CSV import.

Both are nbgrader ``ExportPlugin`` subclasses, so the instructor's usual command works::

    nbgrader export --exporter=autograder.export.CanvasExportPlugin --to=canvas.csv
    nbgrader export --exporter=autograder.export.MoodleExportPlugin --to=moodle.csv

Each row is one learner on the gradebook's roster (a learner who did not submit gets zeros, as
nbgrader's own ``CsvExportPlugin`` does). Per assignment there is one column per graded test cell
(its score, manual grades and extra credit included: nbgrader's ``Grade.score``), one column with
the late-submission penalty as a negative number, so a row's columns add up to the final score,
and the final score ``max(0, raw - penalty)`` as nbgrader computes it.

Column formats, as each system documents its gradebook CSV import:

- **Canvas** (Grades > Import): user columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login ID``,
  ``Section``, then one column per assignment; a column Canvas does not know creates a new
  assignment. The optional second row, ``Points Possible``, gives each column's maximum. Canvas
  matches learners by its own ``ID`` when given, else by SIS ids; nbgrader's student id goes in
  ``SIS Login ID`` (its ``ID`` is Canvas's internal number, which nbgrader does not know).
- **Moodle** (Grade administration > Import > CSV file): one header row, a column identifying the
  user (mapped on import to *Email address*, *Username* or *ID number*), then one column per grade
  item, each mapped on import to an existing or a new grade item. Numbers use a dot; values must
  lie between the item's minimum and maximum, so the penalty column goes into an item whose
  minimum is negative (or is left unmapped when the total column is imported).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin


@dataclass
class Column:
    """One exported column: its header (the key of each row's values) and its maximum score."""
    header: str
    max_score: float


def _number(value: float) -> str:
    """A score as both systems read it: a dot, no exponent, no trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def grade_table(gradebook: Gradebook, assignments: list[str], students: list[str]):
    """``(columns, rows)``: for each learner, the scores of each assignment's graded cells.

    rows: ``[(student, {header: value})]`` with ``value`` a float (``None`` where no score applies).
    Grade cells come in the order of their notebook; assignments in the gradebook's order.
    """
    chosen = [a for a in gradebook.assignments if not assignments or a.name in assignments]
    columns: list[Column] = []
    cells_of = {}
    for assignment in chosen:
        cells = [(notebook.name, cell) for notebook in assignment.notebooks for cell in notebook.grade_cells]
        cells_of[assignment.name] = cells
        columns += [Column(f"{assignment.name}: {cell.name}", cell.max_score) for _, cell in cells]
        columns.append(Column(f"{assignment.name}: late penalty", 0.0))
        columns.append(Column(f"{assignment.name}: total", assignment.max_score))
    rows = []
    for student in gradebook.students:
        if students and student.id not in students:
            continue
        values = {}
        for assignment in chosen:
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                submission = None
            raw = 0.0
            for notebook_name, cell in cells_of[assignment.name]:
                score = 0.0
                if submission is not None:
                    try:
                        score = gradebook.find_grade(cell.name, notebook_name, assignment.name, student.id).score
                    except MissingEntry:
                        pass
                values[f"{assignment.name}: {cell.name}"] = score
                raw += score
            penalty = (submission.late_submission_penalty or 0.0) if submission is not None else 0.0
            values[f"{assignment.name}: late penalty"] = -penalty
            values[f"{assignment.name}: total"] = max(0.0, raw - penalty)
        rows.append((student, values))
    return columns, rows


class _LmsExportPlugin(ExportPlugin):
    default_file = "grades.csv"

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or self.default_file
        columns, rows = grade_table(gradebook, [str(a) for a in self.assignment], [str(s) for s in self.student])
        self.log.info("Exporting grades to %s (%s)", dest, type(self).__name__)
        # utf-8-sig: both systems read a BOM as "this file is UTF-8" (names in Chinese stay readable in Excel too).
        with open(dest, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            self.write(writer, columns, rows)

    def write(self, writer, columns, rows) -> None:
        raise NotImplementedError


class CanvasExportPlugin(_LmsExportPlugin):
    """Canvas's gradebook import CSV: user columns, a ``Points Possible`` row, one column per score."""
    default_file = "canvas_grades.csv"
    USER_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]

    def write(self, writer, columns, rows) -> None:
        writer.writerow(self.USER_COLUMNS + [c.header for c in columns])
        writer.writerow(["Points Possible", "", "", "", ""] + [_number(c.max_score or 0.0) for c in columns])
        for student, values in rows:
            name = ", ".join(part for part in (student.last_name, student.first_name) if part) or student.id
            writer.writerow([name, "", "", student.id, ""] + [_number(values[c.header]) for c in columns])


class MoodleExportPlugin(_LmsExportPlugin):
    """Moodle's grade import CSV: user identification columns, then one column per grade item."""
    default_file = "moodle_grades.csv"
    USER_COLUMNS = ["First name", "Last name", "Username", "Email address"]

    def write(self, writer, columns, rows) -> None:
        writer.writerow(self.USER_COLUMNS + [c.header for c in columns])
        for student, values in rows:
            writer.writerow([student.first_name or "", student.last_name or "", student.id, student.email or ""]
                            + [_number(values[c.header]) for c in columns])
