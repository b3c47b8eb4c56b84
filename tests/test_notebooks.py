"""Every assignment's notebook, run as the reference, as a learner's stubs, and in both languages."""
from __future__ import annotations

import pytest

from autograder.contract import is_answer_cell, nbgrader_meta
from autograder.curriculum import ASSIGNMENTS as CURRICULUM
from autograder.simulate import reference_answers
from conftest import ASSIGNMENTS, LANGUAGES, REPO
from notebook_tools import execute, read, with_answers

pytestmark = pytest.mark.slow

NOT_IMPLEMENTED = {"en": "is not implemented yet", "zh": "还没有实现"}
SUCCESS_WORDS = {"en": "as expected", "zh": "符合预期"}


def source_nb(assignment):
    return read(REPO / "source" / assignment / CURRICULUM[assignment].notebook_file)


def release_nb(release_dir, assignment):
    return read(release_dir / assignment / CURRICULUM[assignment].notebook_file)


def stub_answers(nb):
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if is_answer_cell(c)}


def assert_all_passed(results, language="en"):
    for r in results:
        assert r.error is None, f"cell {r.index} ({r.grade_id}) raised {r.error}\n{r.stdout}"
        assert r.stderr == "", f"cell {r.index} ({r.grade_id}) wrote to stderr: {r.stderr}"
    tests = [r for r in results if r.is_test]
    assert tests, "a notebook with no test cells"
    for r in tests:
        lines = r.stdout.strip().splitlines()
        assert lines and all(line.startswith("✓") for line in lines), (r.grade_id, r.stdout)
    assert any(SUCCESS_WORDS[language] in r.stdout for r in tests)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_passes_every_test_cell_hidden_tests_included(assignment, tmp_path):
    nb = source_nb(assignment)
    results = execute(nb, tmp_path)
    assert_all_passed(results)
    plot_cells = [r for r in results if r.grade_id is None and ("plt." in nb.cells[r.index].source
                                                              or "plot_" in nb.cells[r.index].source)]
    assert plot_cells and all(r.images >= 1 for r in plot_cells), "every plot cell draws an image"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_stubs_fail_every_graded_test_hidden_tests_included(assignment, fresh_release, tmp_path):
    stubs = stub_answers(release_nb(fresh_release["en"], assignment))
    results = execute(with_answers(source_nb(assignment), stubs), tmp_path)
    tests = [r for r in results if r.is_test]
    assert tests
    for r in tests:
        assert r.error is not None, f"{r.grade_id} passed on the stubs"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_with_the_reference_answers_passes_its_visible_tests(assignment, language, fresh_release, tmp_path):
    answers = reference_answers(source_nb(assignment))
    results = execute(with_answers(release_nb(fresh_release[language], assignment), answers), tmp_path)
    assert_all_passed(results, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_stubs_raise_only_their_clear_not_implemented_errors(assignment, language, fresh_release, tmp_path):
    results = execute(release_nb(fresh_release[language], assignment), tmp_path)
    for r in results:
        assert r.stderr == "", f"cell {r.index} wrote to stderr: {r.stderr}"
        if r.is_test:
            assert r.error is not None and r.error.startswith("CheckFailure"), (r.grade_id, r.error)
            assert NOT_IMPLEMENTED[language] in r.error, (r.grade_id, r.error)
        else:
            assert r.error is None, f"cell {r.index} ({r.grade_id}) raised {r.error} before any work was done"
