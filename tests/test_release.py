"""release/ is exactly what source/ generates, in one language, and holds nothing hidden."""
from __future__ import annotations

import ast
import re
import inspect
import textwrap

import pytest

import solutions
from autograder.contract import check_assignment, is_answer_cell
from autograder.curriculum import ASSIGNMENTS as CURRICULUM
from conftest import ASSIGNMENTS, LANGUAGES, REPO
from notebook_tools import read

pytestmark = pytest.mark.slow

# Hidden checks are declared only inside hidden-test blocks; their names may be imported anywhere.
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "BEGIN SOLUTION", "END SOLUTION",
                  "expect_matches_reference(", "expect_stable(", "solutions")


def files_under(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# `z = np.asarray(z, dtype=np.float64)` and the like: input conversions every answer starts with.
CONVERSION = re.compile(r"^\w+ = np\.(as)?array\(\w+(, dtype=[\w.]+)?\)$")


def reference_body_lines(obj) -> set[str]:
    """The distinctive code lines of a reference function or class (not its def line, docstring or
    input conversions)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for statement in body:
                if not isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
                    lines |= {line.strip() for line in ast.unparse(statement).splitlines() if len(line.strip()) >= 12}
    return {line for line in lines if not CONVERSION.match(line)}


def code_lines(source: str) -> set[str]:
    """The statements of a code cell, one per line as ``ast.unparse`` writes them, docstrings dropped."""
    tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and ast.get_docstring(node):
            node.body = body[1:] or [ast.Pass()]
    return {line.strip() for line in ast.unparse(tree).splitlines()}


def test_every_source_notebook_keeps_the_contract():
    assert ASSIGNMENTS, "no source notebooks found"
    for assignment in ASSIGNMENTS:
        assert check_assignment(REPO, assignment) == []


def test_committed_release_is_exactly_what_source_generates(fresh_release):
    committed = REPO / "release"
    assert sorted(p.name for p in committed.iterdir()) == sorted(ASSIGNMENTS), "release/ holds other folders"
    for assignment in ASSIGNMENTS:
        assert files_under(committed / assignment) == files_under(fresh_release["en"] / assignment), (
            f"release/{assignment} is out of date: run `make release` (nnmath release) and commit it")


def test_release_generation_is_deterministic(tmp_path, fresh_release):
    from autograder.build_release import build_release
    build_release(REPO, ASSIGNMENTS, language="en", release_dir=tmp_path, gradebook=False)
    for assignment in ASSIGNMENTS:
        assert files_under(tmp_path / assignment) == files_under(fresh_release["en"] / assignment)


@pytest.mark.parametrize("language", LANGUAGES)
def test_release_keeps_only_its_own_language(language, fresh_release):
    other = {"en": "zh", "zh": "en"}[language]
    for assignment in ASSIGNMENTS:
        source = read(REPO / "source" / assignment / CURRICULUM[assignment].notebook_file)
        nb = read(fresh_release[language] / assignment / CURRICULUM[assignment].notebook_file)
        prose = [c for c in nb.cells if c.cell_type == "markdown"]
        assert prose and all(c.metadata.get("lang") == language for c in prose)
        assert not any(c.metadata.get("lang") == other for c in nb.cells)
        assert len(prose) == sum(c.cell_type == "markdown" for c in source.cells) // 2
        assert [c.source for c in nb.cells if c.cell_type == "code" and "set_language(" in c.source][0].count(
            f'set_language("{language}")') == 1
        assert nb.metadata["nnmath"]["language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_release_holds_no_reference_code_hidden_tests_or_solution_files(language, fresh_release):
    committed = [REPO / "release"] if language == "en" else []
    for release_dir in [fresh_release[language], *committed]:
        for assignment in ASSIGNMENTS:
            folder = release_dir / assignment
            assert [p.name for p in folder.iterdir()] == [CURRICULUM[assignment].notebook_file]
            text = (folder / CURRICULUM[assignment].notebook_file).read_text()
            for marker in HIDDEN_MARKERS:
                assert marker not in text, f"{marker!r} in the {language} release of {assignment}"
            nb = read(folder / CURRICULUM[assignment].notebook_file)
            code = set().union(*(code_lines(c.source) for c in nb.cells if c.cell_type == "code"))
            given = given_lines(assignment)
            for name in CURRICULUM[assignment].graded:
                leaked = reference_body_lines(solutions.REFERENCE[name]) & code - given
                assert not leaked, f"reference code of {name} in the release: {leaked}"


def given_lines(assignment) -> set[str]:
    """Code the source's answer cells give outside their solution regions (08's ``Value.__init__``):
    scaffolding the author hands out on purpose, not a leak."""
    nb = read(REPO / "source" / assignment / CURRICULUM[assignment].notebook_file)
    given = set()
    for cell in nb.cells:
        if is_answer_cell(cell):
            outside = re.sub(r"^[ \t]*### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?", "", cell.source,
                             flags=re.S | re.M)
            given |= code_lines(outside)
    return given


def test_the_reference_leak_detector_would_see_a_leak():
    lines = reference_body_lines(solutions.REFERENCE["sigmoid"])
    assert lines, "the detector must have something to look for"
    source = read(REPO / "source" / "03_activations" / "activations.ipynb")
    assert lines & set().union(*(code_lines(c.source) for c in source.cells if c.cell_type == "code"))
