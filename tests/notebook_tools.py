"""Running notebooks in tests and reading what their cells printed."""
from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.contract import is_answer_cell, is_test_cell, nbgrader_meta

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CellResult:
    index: int
    grade_id: str | None
    is_test: bool
    error: str | None  # "Name: value" of the exception the cell raised
    stdout: str
    stderr: str
    images: int


def execute(nb, workdir: Path, timeout: int = 120) -> list[CellResult]:
    """Run every cell (continuing past errors) in ``workdir``; one result per code cell."""
    nb = copy.deepcopy(nb)
    workdir.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    results = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        error, stdout, stderr, images = None, "", "", 0
        for output in cell.outputs:
            if output.output_type == "error":
                error = f"{output.ename}: {output.evalue}"
            elif output.output_type == "stream":
                if output.name == "stdout":
                    stdout += output.text
                else:
                    stderr += output.text
            elif output.output_type in ("display_data", "execute_result") and "image/png" in output.get("data", {}):
                images += 1
        results.append(CellResult(index, nbgrader_meta(cell).get("grade_id"), is_test_cell(cell), error, stdout,
                                  stderr, images))
    return results


def with_answers(release_nb, answers: dict[str, str]):
    """A copy of a release notebook with the given answer cells filled in."""
    nb = copy.deepcopy(release_nb)
    for cell in nb.cells:
        if is_answer_cell(cell) and nbgrader_meta(cell)["grade_id"] in answers:
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
    return nb


# Where a lesson that brings earlier functions runs in the tests of a learner's setup: beside the
# earlier releases filled with the reference answers, apart from those releases' own stub copies.
WITH_EARLIER = "finished-earlier"


def brings_earlier(nb) -> bool:
    """Does the notebook's setup cell ``bring`` functions of earlier assignments?"""
    from autograder.earlier import bring_calls
    return bool(bring_calls([cell.source for cell in nb.cells if cell.cell_type == "code"][:1]))


def place_earlier(nb, folder: Path, release_dir: Path = REPO / "release") -> None:
    """Beside ``folder`` (where a release of a later lesson runs), the earlier releases its setup
    ``bring``s, filled with the reference answers: what a learner who finished them has. Those
    releases' own setups bring from earlier ones still (07 brings from 06, which brings from 01-05):
    every one of them is placed."""
    from autograder.curriculum import ASSIGNMENTS
    from autograder.simulate import reference_answers

    for assignment in earlier_needed(nb, release_dir):
        file = ASSIGNMENTS[assignment].notebook_file
        answers = reference_answers(read(REPO / "source" / assignment / file))
        target = folder.parent / assignment / file
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(with_answers(read(release_dir / assignment / file), answers), str(target))


def earlier_needed(nb, release_dir: Path = REPO / "release") -> list[str]:
    """The earlier assignments ``nb``'s setup brings from, and those their setups bring from, in
    course order. One whose release is not in ``release_dir`` is listed, and not looked into."""
    from autograder.curriculum import ASSIGNMENTS
    from autograder.earlier import bring_calls

    found, todo = set(), [nb]
    while todo:
        setup = [cell.source for cell in todo.pop().cells if cell.cell_type == "code"][:1]
        for assignment in dict.fromkeys(a for a, _ in bring_calls(setup)):
            if assignment in found:
                continue
            found.add(assignment)
            path = release_dir / assignment / ASSIGNMENTS[assignment].notebook_file
            if path.is_file():
                todo.append(read(path))
    return [a for a in ASSIGNMENTS if a in found]


def missing_earlier(nb, release_dir: Path = REPO / "release") -> list[str]:
    """The earlier assignments ``nb`` needs (:func:`earlier_needed`) that have no release in ``release_dir``
    (e.g. 06_backprop on a branch that was made before 06 was written): ``nb`` cannot run as a learner
    who finished them until they exist."""
    from autograder.curriculum import ASSIGNMENTS

    return [a for a in earlier_needed(nb, release_dir)
            if not (release_dir / a / ASSIGNMENTS[a].notebook_file).is_file()]


def ready_beside_earlier(nb, release_dir: Path = REPO / "release") -> bool:
    """Does ``nb`` bring earlier functions, with every earlier release it needs there to place beside it?"""
    return brings_earlier(nb) and not missing_earlier(nb, release_dir)


def read(path: Path):
    return nbformat.read(str(path), as_version=4)


@contextlib.contextmanager
def sandbox_grader(assignment: str):
    """(spec, fork server, trusted namespace) to grade submissions of ``assignment`` in the real sandbox."""
    import os

    from autograder.grading import AssignmentSpec, trusted_namespace
    from autograder.sandbox import ForkServer, Limits

    repo = Path(__file__).resolve().parents[1]
    spec = AssignmentSpec.from_source(repo, assignment)
    server = ForkServer(repo, uid=59000 + os.getpid() % 900, limits=Limits(cell_seconds=5, call_seconds=3),
                        prelude=spec.prelude)
    try:
        yield spec, server, trusted_namespace(spec)
    finally:
        server.close()
