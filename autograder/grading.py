"""Grading one submission with the trusted checks.

The learner's program is the source notebook's locked setup cells plus the submission's answer
cells (matched by ``grade_id``; everything else in the submission is ignored), run in a sandbox.
The test cells are the *source* notebook's, hidden tests included, executed here in the trusted
process: the same declarations a learner's kernel runs, with each answer's name bound to a
:class:`~autograder.remote.RemoteFunction`. Inputs come from a seed derived from the assignment,
the learner and the test cell, so a grade can be reproduced and never depends on visible values.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

import autograder
from . import inputs
from .checks import CheckFailure, forwards_from_reference
from .contract import is_answer_cell, is_test_cell, nbgrader_meta, strip_solution_markers
from .curriculum import ASSIGNMENTS, owner_of
from .earlier import reference_prelude
from .messages import Text, say
from .remote import RemoteFunction, SubmissionRunner
from .sandbox import ForkServer
from .untrusted import learner_text, open_plain, without_surrogates


@dataclass
class CellGrade:
    """The result of one test cell: its points, the score, what passed and what was wrong."""

    grade_id: str
    points: float
    score: float
    passed_lines: list[str] = field(default_factory=list)
    problems: list[Text] = field(default_factory=list)


@dataclass
class SubmissionGrade:
    student: str
    cells: list[CellGrade]
    notes: list[Text] = field(default_factory=list)
    status: str = "graded"  # or "missing", "malformed"
    cell_notes: dict[str, list[Text]] = field(default_factory=dict)  # answer grade_id -> notes
    answers: dict[str, str] | None = None  # answer grade_id -> the learner's source

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.cells)


@dataclass(frozen=True)
class AssignmentSpec:
    """What grading needs from the source notebook, read once per run."""

    name: str
    notebook_file: str
    prelude: tuple  # sources of the locked cells before the first answer: run once per sandbox
    program: tuple  # ((cell id, source or None for the learner's answer), ...) in notebook order, after those
    answers: tuple[str, ...]
    tests: tuple  # ((grade_id, points, source), ...)
    references: tuple = ()  # ((answer grade_id, the source notebook's solution), ...): trusted code

    @classmethod
    def from_source(cls, course_dir: Path, assignment: str) -> "AssignmentSpec":
        notebook_file = ASSIGNMENTS[assignment].notebook_file
        nb = nbformat.read(str(course_dir / "source" / assignment / notebook_file), as_version=4)
        program, answers, tests, references = [], [], [], []
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if cell.cell_type != "code":
                continue
            if is_answer_cell(cell):
                program.append((meta["grade_id"], None))
                answers.append(meta["grade_id"])
                references.append((meta["grade_id"], strip_solution_markers(cell.source)))
            elif is_test_cell(cell):
                tests.append((meta["grade_id"], float(meta.get("points", 0)), cell.source))
            elif meta.get("locked"):
                program.append((meta.get("grade_id", cell.get("id", "setup")), cell.source))
        leading = next((i for i, (_, source) in enumerate(program) if source is None), len(program))
        prelude = tuple(source for _, source in program[:leading])
        brought = reference_prelude(source for _, source in program if source is not None)
        if brought is not None:  # functions from earlier assignments: the course's reference (trusted)
            prelude = (brought, *prelude)
        return cls(assignment, notebook_file, prelude, tuple(program[leading:]), tuple(answers), tuple(tests),
                   tuple(references))

    def setup_sources(self) -> list[str]:
        return list(self.prelude) + [source for _, source in self.program if source is not None]


def seed_for(assignment: str, student: str, cell_id: str) -> int:
    digest = hashlib.sha256(f"nnmath|{assignment}|{student}|{cell_id}".encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "little")


def trusted_namespace(spec: AssignmentSpec) -> dict:
    """The names test cells may use: numpy, math, the checks, and what the setup cells define."""
    namespace = {"np": np, "math": math, **{name: getattr(autograder, name) for name in autograder.__all__}}
    for source in spec.setup_sources():
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        exec(compile(code, "<setup>", "exec"), namespace)  # trusted: from source/
    return namespace


def open_submission(path: Path):
    """The submitted notebook's text, refusing anything but a plain file of its own (see
    :func:`autograder.untrusted.open_plain`: no links, no FIFOs or devices, bounded size)."""
    return open_plain(path)


def read_answers(path: Path, spec: AssignmentSpec) -> tuple[dict[str, str] | None, Text | None]:
    """grade_id -> the learner's source of each answer cell, or (None, why) if unreadable."""
    if not os.path.lexists(path):
        return None, say("submission_missing", notebook=spec.notebook_file)
    try:
        with open_submission(path) as file:
            cells = notebook_cells(file.read())
    except Exception as error:  # any unreadable file: reported, never fatal
        return None, say("submission_malformed", notebook=spec.notebook_file,
                         error=learner_text(f"{type(error).__name__}: {learner_text(error, 200)}", 240))
    answers: dict[str, str] = {}
    for cell in cells:
        try:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in spec.answers and grade_id not in answers and cell.get("cell_type") == "code":
                source = cell.get("source", "")
                answers[grade_id] = without_surrogates("".join(source) if isinstance(source, list) else str(source))
        except (AttributeError, TypeError):  # a cell, or a part of one, of the wrong kind
            continue
    return answers, None


def notebook_cells(text: str) -> list:
    """The cells of a notebook's JSON text, as nbformat 4 cells (``dict``s: ``source`` a str or a list of lines).

    A version 4 notebook's cells are taken as parsed. ``nbformat.reads`` would wrap every dict of
    the notebook in a NotebookNode and validate it against the schema, only logging what it finds:
    most of the time reading took (8 ms of a 03 learner's 10). Older versions are converted.
    """
    nb = nbformat.reader.parse_json(text)
    if nbformat.reader.get_version(nb)[0] != 4:
        return list(nbformat.convert(nbformat.reader.reads(text), 4).cells)
    cells = nb["cells"]
    if not isinstance(cells, list):
        raise nbformat.ValidationError("the notebook's cells are not a list")
    return cells


def grade_submission(server: ForkServer, spec: AssignmentSpec, student: str, path: Path,
                     namespace: dict) -> SubmissionGrade:
    """Grade ``student``'s notebook at ``path``; learner faults cost only the checks they break."""
    answers, problem = read_answers(path, spec)
    if answers is None:
        status = "missing" if not os.path.lexists(path) else "malformed"
        return SubmissionGrade(student, [CellGrade(g, p, 0.0, problems=[problem]) for g, p, _ in spec.tests],
                               notes=[problem], status=status)
    program = [(cell_id, source if source is not None else answers.get(cell_id, ""))
               for cell_id, source in spec.program]
    runner = SubmissionRunner(server, program, budget_seconds=server.limits.budget_seconds)
    try:
        runner.start()
        cells = [grade_test_cell(spec, student, grade_id, points, source, runner, namespace)
                 for grade_id, points, source in spec.tests]
    finally:
        runner.close()
    cells = regrade_without_failed_dependencies(server, spec, student, answers, cells, namespace,
                                                deadline=runner.deadline)
    cell_notes: dict[str, list[Text]] = {}
    for cell_id in spec.answers:
        if cell_id in runner.skipped:
            how = runner.skip_reasons.get(cell_id)
            cell_notes.setdefault(cell_id, []).append(
                say("cell_crashed_how", cell=cell_id, how=how) if how else say("cell_crashed", cell=cell_id))
        elif cell_id in runner.cell_errors:
            error = runner.cell_errors[cell_id]
            cell_notes.setdefault(cell_id, []).append(
                say("cell_failed", cell=cell_id, error=learner_text(f"{error.get('type')}: {error.get('message')}", 240)))
    if runner.out_of_time:
        cell_notes.setdefault(spec.answers[0] if spec.answers else "", []).append(
            say("budget_spent_cells", seconds=f"{runner.budget_seconds:g}"))
    for name, kind in runner.broken.items():
        cell_notes.setdefault(name, []).append(say("function_broken", fn=name, what=say(f"broken_{kind}")))
    notes = [note for notes in cell_notes.values() for note in notes]
    return SubmissionGrade(student, cells, notes=notes, cell_notes=cell_notes, answers=answers)


def dependencies(source: str, names) -> set[str]:
    """The graded ``names`` an answer's source refers to (e.g. ``softmax`` inside ``softmax_jacobian``)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in names}


def regrade_without_failed_dependencies(server, spec: AssignmentSpec, student: str, answers: dict[str, str],
                                        cells: list[CellGrade], namespace: dict,
                                        deadline: float | None = None) -> list[CellGrade]:
    """Each function graded on its own: a failed test cell of ``f`` whose answer uses another graded
    function ``g`` that failed its own tests is graded again with the reference ``g`` in place of the
    learner's (trusted source, run in the sandbox with the rest of the learner's program). The
    cell's score is then ``f``'s alone; ``g`` keeps the score of its own cells.
    deadline: the submission's time budget ends then, for these runs too (issue 8).
    """
    failed_owners = {owner_of(c.grade_id, spec.answers) for c in cells if c.score < c.points}
    groups: dict[frozenset, list[int]] = {}
    for index, cell in enumerate(cells):
        owner = owner_of(cell.grade_id, spec.answers)
        if cell.score >= cell.points or owner is None:
            continue
        broken = frozenset(dependencies(answers.get(owner, ""), spec.answers) - {owner} & failed_owners)
        if broken:
            groups.setdefault(broken, []).append(index)
    if not groups:
        return cells
    references = dict(spec.references)
    tests = {grade_id: (points, source) for grade_id, points, source in spec.tests}
    cells = list(cells)
    for broken, indices in groups.items():
        program = [(cell_id, references[cell_id] if cell_id in broken
                    else source if source is not None else answers.get(cell_id, ""))
                   for cell_id, source in spec.program]
        runner = SubmissionRunner(server, program, budget_seconds=server.limits.budget_seconds, deadline=deadline)
        try:
            runner.start()
            for index in indices:
                grade_id = cells[index].grade_id
                again = grade_test_cell(spec, student, grade_id, *tests[grade_id], runner, namespace)
                if again.score >= again.points:
                    cells[index] = again
        finally:
            runner.close()
    return cells


def grade_test_cell(spec, student, grade_id, points, source, runner, namespace) -> CellGrade:
    """Run one source test cell against the learner's functions; all its checks must pass."""
    scope = dict(namespace)
    scope.update({name: RemoteFunction(name, runner) for name in spec.answers})
    inputs.set_seed(seed_for(spec.name, student, grade_id))
    printed = io.StringIO()
    try:
        # A derivative is judged against the reference's forward function: its points are its own.
        with contextlib.redirect_stdout(printed), forwards_from_reference():
            exec(_compiled(source, grade_id), scope)
    except CheckFailure as failure:
        return CellGrade(grade_id, points, 0.0, _lines(printed), failure.problems)
    except Exception as error:  # e.g. a NameError for a function the learner never defined
        return CellGrade(grade_id, points, 0.0, _lines(printed),
                         [say("test_error", error=learner_text(f"{type(error).__name__}: {error}", 240))])
    finally:
        inputs.set_seed(None)
    return CellGrade(grade_id, points, points, _lines(printed))


@functools.lru_cache(maxsize=256)
def _compiled(source: str, grade_id: str):
    """A test cell's code object: compiled once per process, not once per learner (trusted source)."""
    return compile(source, f"<{grade_id}>", "exec")


def _lines(buffer: io.StringIO) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if line.strip()]
