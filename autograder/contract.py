"""Check a source notebook against the exercise contract before it is released.

The contract (CURRICULUM.md, "How graded cells are identified" and "Languages"): every graded
name has one answer cell whose ``grade_id`` is the name and which defines it, and test cells
``test_<name>...`` carrying the points; prose comes in English/Chinese pairs; source notebooks
carry no outputs; comments of shared code cells come in English/Chinese line pairs; and each
answer's solution is the reference in ``solutions/``, character for character, so there is one
reference, not two. Each problem is one line naming the cell.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import nbformat

from .bilingual import SET_LANGUAGE_CALL, pairing_problems
from .curriculum import ASSIGNMENTS, LANGUAGES, owner_of

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# Declarations whose inputs the grader draws itself; every test cell needs one, so no cell can be
# passed by answering only the visible examples.
RANDOM_INPUT_CHECKS = ("expect_matches_reference(", "expect_elementwise(", "expect_derivative(", "expect_jacobian(",
                       "expect_backward(", "expect_stable(",
                       # issue 9 (autograder.checks_objects, checks_properties): inputs drawn from the seed too
                       "expect_graphs(", "expect_programs(", "expect_reproducible(", "expect_properties(", "expect_calls(",
                       "expect_restored(")
# lesson01: an expect_raises whose arguments are input descriptions draws them from the seed too.
DRAWN_RAISES = re.compile(r"expect_raises\(.*\b(Normal|Uniform)\(")
# Files that may sit beside the notebook (and so be released to learners).
RELEASABLE_SUFFIXES = {".ipynb", ".csv", ".npz", ".npy", ".png", ".jpg", ".svg", ".json", ".txt", ".md"}


def strip_solution_markers(source: str) -> str:
    """An answer cell's source as the reference has it: the solution markers removed."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)).rstrip()


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_answer_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_test_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def check_assignment(course_dir: Path, folder: str, compare_reference: bool = True) -> list[str]:
    """Every contract problem of ``source/<folder>/``, one line each (empty: releasable)."""
    if folder not in ASSIGNMENTS:
        return [f"{folder}: no such assignment (known: {', '.join(ASSIGNMENTS)})"]
    assignment = ASSIGNMENTS[folder]
    source_dir = course_dir / "source" / folder
    if not source_dir.is_dir():
        return [f"source/{folder}: missing (no source notebook has been written for it yet)"]
    problems = [f"source/{folder}/{p.name}: only the notebook and data files may sit in source/ "
                f"(everything there is released to learners)"
                for p in sorted(source_dir.iterdir()) if p.suffix not in RELEASABLE_SUFFIXES and
                not p.name.startswith(".")]
    path = source_dir / assignment.notebook_file
    if not path.is_file():
        return problems + [f"source/{folder}/{assignment.notebook_file}: missing"]
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # any unreadable notebook is one plain line, not a traceback
        return problems + [f"source/{folder}/{assignment.notebook_file}: not a valid notebook ({error})"
                           .splitlines()[0]]
    where = f"source/{folder}/{assignment.notebook_file}"
    return problems + [f"{where}: {p}" for p in check_notebook(nb, assignment.graded, compare_reference)]


def check_notebook(nb, graded: tuple[str, ...], compare_reference: bool = True) -> list[str]:
    """The contract problems of one source notebook whose graded names are ``graded``."""
    problems: list[str] = []
    problems += _outputs(nb)
    problems += _languages(nb)
    answers = _answer_cells(nb, graded, problems)
    problems += _tests(nb, answers)
    problems += _language_switch(nb)
    problems += _bilingual_comments(nb)
    if compare_reference:
        problems += _matches_reference(answers)
    return problems


def _label(index: int, cell) -> str:
    grade_id = nbgrader_meta(cell).get("grade_id")
    return f"cell {index + 1}" + (f" ({grade_id})" if grade_id else "")


def _outputs(nb) -> list[str]:
    return [f"{_label(i, c)} has outputs or an execution count: clear them (source notebooks are stored clean)"
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]


def _languages(nb) -> list[str]:
    problems = []
    cells = list(enumerate(nb.cells))
    for position, (i, cell) in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        lang = cell.metadata.get("lang")
        if lang not in LANGUAGES:
            problems.append(f"{_label(i, cell)} is prose without a language: set metadata \"lang\" to "
                            f"one of {', '.join(LANGUAGES)}")
        elif lang == "en":
            following = cells[position + 1][1] if position + 1 < len(cells) else None
            if following is None or following.cell_type != "markdown" or following.metadata.get("lang") != "zh":
                problems.append(f"{_label(i, cell)} is English prose without its Chinese twin right after it")
        elif lang == "zh":
            preceding = cells[position - 1][1] if position > 0 else None
            if preceding is None or preceding.cell_type != "markdown" or preceding.metadata.get("lang") != "en":
                problems.append(f"{_label(i, cell)} is Chinese prose without its English twin right before it")
    return problems


def _answer_cells(nb, graded, problems: list[str]) -> dict[str, str]:
    """grade_id -> source of every answer cell; problems appended for the graded names."""
    answers: dict[str, str] = {}
    seen_ids: set[str] = set()
    for i, cell in enumerate(nb.cells):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id:
            if grade_id in seen_ids:
                problems.append(f"{_label(i, cell)} reuses grade_id {grade_id!r}")
            seen_ids.add(grade_id)
        if not is_answer_cell(cell) or cell.cell_type != "code":
            continue
        answers[grade_id] = cell.source
        if BEGIN_SOLUTION not in cell.source or END_SOLUTION not in cell.source:
            problems.append(f"{_label(i, cell)} has no {BEGIN_SOLUTION} ... {END_SOLUTION} region")
        try:
            defined = {node.name for node in ast.parse(strip_solution_markers(cell.source)).body
                       if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        except SyntaxError as error:
            problems.append(f"{_label(i, cell)} is not valid Python ({error.msg}, line {error.lineno})")
            continue
        if grade_id not in defined:
            problems.append(f"{_label(i, cell)} does not define {grade_id}: an answer cell's grade_id is "
                            f"the name of the function or class it defines")
    for name in graded:
        if name not in answers:
            problems.append(f"no answer cell for {name} (an autograded-answer cell with grade_id {name!r})")
    return answers


def _tests(nb, answers: dict[str, str]) -> list[str]:
    problems, tested = [], set()
    for i, cell in enumerate(nb.cells):
        if not is_test_cell(cell):
            continue
        meta = nbgrader_meta(cell)
        owner = owner_of(meta.get("grade_id", ""), answers)
        if owner is None:
            problems.append(f"{_label(i, cell)} is a test cell whose grade_id is not test_<name> of an answer cell")
        tested.add(owner)
        if not meta.get("points", 0) > 0:
            problems.append(f"{_label(i, cell)} carries no points")
        if not meta.get("locked"):
            problems.append(f"{_label(i, cell)} is a test cell that is not locked (read-only)")
        if not any(check in cell.source for check in RANDOM_INPUT_CHECKS) and not DRAWN_RAISES.search(cell.source):
            problems.append(f"{_label(i, cell)} checks only fixed examples: add a check on inputs the grader "
                            f"draws (e.g. expect_matches_reference in a hidden-test block)")
        if cell.source.count(BEGIN_HIDDEN) != cell.source.count(END_HIDDEN):
            problems.append(f"{_label(i, cell)} has unbalanced hidden-test markers")
        code = "\n".join(line for line in cell.source.splitlines() if line.strip() not in (BEGIN_HIDDEN, END_HIDDEN))
        try:
            ast.parse(code)
        except SyntaxError as error:
            problems.append(f"{_label(i, cell)} is not valid Python ({error.msg}, line {error.lineno})")
    problems += [f"answer {name} has no test cell (grade_id test_{name} or test_{name}_...)"
                 for name in answers if name not in tested]
    return problems


def _language_switch(nb) -> list[str]:
    calls = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and SET_LANGUAGE_CALL.search(c.source)]
    if len(calls) != 1 or not nbgrader_meta(nb.cells[calls[0]]).get("locked"):
        return ['exactly one locked setup cell must call set_language("en") (the release sets its language there)']
    return []


def _bilingual_comments(nb) -> list[str]:
    """Comments of the shared code cells come in English/Chinese line pairs (the release keeps one).

    Only what learners read counts: test cells keep their own short code notes, and a solution
    region (removed by the release) may hold the reference's notes in English alone.
    """
    return [f"{_label(i, cell)} {problem} (write each comment as an English line, then its Chinese line)"
            for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and not is_test_cell(cell)
            for problem in pairing_problems(_without_solution(cell.source))]


def _without_solution(source: str) -> str:
    """``source`` with the lines of its solution regions blanked (line numbers kept)."""
    lines, inside = [], False
    for line in source.split("\n"):
        if line.strip() == BEGIN_SOLUTION:
            inside = True
        lines.append("" if inside else line)
        if line.strip() == END_SOLUTION:
            inside = False
    return "\n".join(lines)


def _matches_reference(answers: dict[str, str]) -> list[str]:
    from .reference import ReferenceUnavailable, reference

    problems = []
    for name, source in answers.items():
        try:
            expected = inspect.getsource(reference(name)).rstrip()
        except (KeyError, ReferenceUnavailable):
            continue  # an extra exercise with no reference function: its tests are its own
        if strip_solution_markers(source) != expected:
            problems.append(f"answer cell {name} differs from solutions/ ({inspect.getsourcefile(reference(name))}): "
                            f"the solution in the notebook must be the reference, character for character")
    return problems


def hidden_test_lines(source: str) -> list[str]:
    """The lines between the hidden-test markers of a test cell."""
    return re.findall(rf"{re.escape(BEGIN_HIDDEN)}\n(.*?)\n{re.escape(END_HIDDEN)}", source, re.S)
