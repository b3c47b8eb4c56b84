"""A source notebook that breaks the exercise contract is refused with a line that names the cell."""
from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder.contract import check_assignment, is_answer_cell, is_test_cell, nbgrader_meta
from conftest import REPO

NOTEBOOK = "source/03_activations/activations.ipynb"


@pytest.fixture
def course(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "source" / "03_activations", tmp_path / "source" / "03_activations")
    return tmp_path


def edit(course, change):
    path = course / NOTEBOOK
    nb = nbformat.read(str(path), as_version=4)
    change(nb)
    nbformat.write(nb, str(path))


def cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def problems_after(course, change):
    edit(course, change)
    return "\n".join(check_assignment(course, "03_activations"))


def test_the_committed_notebook_keeps_the_contract(course):
    assert check_assignment(course, "03_activations") == []


def test_outputs_in_a_source_notebook(course):
    def run(nb):
        cell(nb, "relu").outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi")]
        cell(nb, "relu").execution_count = 3
    assert "(relu) has outputs" in problems_after(course, run)


def test_prose_without_its_twin(course):
    def drop_first_chinese(nb):
        nb.cells.remove(next(c for c in nb.cells if c.metadata.get("lang") == "zh"))
    assert "without its Chinese twin" in problems_after(course, drop_first_chinese)


def test_prose_without_a_language(course):
    def untag(nb):
        del next(c for c in nb.cells if c.cell_type == "markdown").metadata["lang"]
    assert "prose without a language" in problems_after(course, untag)


def test_missing_answer_cell(course):
    def drop(nb):
        nb.cells.remove(cell(nb, "gelu"))
    text = problems_after(course, drop)
    assert "no answer cell for gelu" in text and "test_gelu" in text


def test_answer_cell_defining_another_name(course):
    def rename(nb):
        cell(nb, "tanh").source = cell(nb, "tanh").source.replace("def tanh(", "def tanh2(")
    assert "(tanh) does not define tanh" in problems_after(course, rename)


def test_answer_differing_from_the_reference(course):
    def change(nb):
        cell(nb, "relu").source = cell(nb, "relu").source.replace("0.0)", "0.0) * 1.0")
    assert "answer cell relu differs from solutions/" in problems_after(course, change)


def test_test_cell_unlocked_or_without_points(course):
    def change(nb):
        nbgrader_meta(cell(nb, "test_relu"))["locked"] = False
        nbgrader_meta(cell(nb, "test_tanh"))["points"] = 0
    text = problems_after(course, change)
    assert "(test_relu) is a test cell that is not locked" in text and "(test_tanh) carries no points" in text


def test_test_cell_named_after_no_answer(course):
    def change(nb):
        nbgrader_meta(cell(nb, "test_relu"))["grade_id"] = "check_relu"
    assert "grade_id is not test_<name>" in problems_after(course, change)


def test_answer_without_tests(course):
    def change(nb):
        for c in [c for c in nb.cells if is_test_cell(c) and nbgrader_meta(c)["grade_id"] == "test_softmax_jacobian"]:
            nb.cells.remove(c)
    assert "answer softmax_jacobian has no test cell" in problems_after(course, change)


def test_unbalanced_hidden_tests(course):
    def change(nb):
        cell(nb, "test_relu").source = cell(nb, "test_relu").source.replace("### END HIDDEN TESTS", "")
    assert "unbalanced hidden-test markers" in problems_after(course, change)


def test_test_cell_with_only_fixed_examples(course):
    def change(nb):
        source = cell(nb, "test_relu").source
        cell(nb, "test_relu").source = source[:source.index("### BEGIN HIDDEN TESTS")]
    assert "(test_relu) checks only fixed examples" in problems_after(course, change)


def test_duplicate_grade_ids(course):
    def change(nb):
        nbgrader_meta(cell(nb, "test_tanh_grad"))["grade_id"] = "test_tanh"
    assert "reuses grade_id 'test_tanh'" in problems_after(course, change)


def test_no_language_switch(course):
    def change(nb):
        cell(nb, "setup").source = cell(nb, "setup").source.replace('set_language("en")', "")
    assert "set_language" in problems_after(course, change)


def test_a_python_file_beside_the_notebook_would_be_released(course):
    (course / "source" / "03_activations" / "grading_helpers.py").write_text("SECRET = 1\n")
    assert "grading_helpers.py: only the notebook and data files" in "\n".join(
        check_assignment(course, "03_activations"))


def test_a_malformed_notebook_is_one_line(course):
    (course / NOTEBOOK).write_text("{ this is not json")
    [problem] = check_assignment(course, "03_activations")
    assert "not a valid notebook" in problem and "\n" not in problem


def test_unknown_and_unwritten_assignments(course):
    assert "no such assignment" in check_assignment(course, "09_transformers")[0]
    assert "missing" in check_assignment(course, "04_losses")[0]


def test_every_answer_cell_is_recognised():
    nb = nbformat.read(str(REPO / NOTEBOOK), as_version=4)
    from autograder.curriculum import ASSIGNMENTS
    assert {nbgrader_meta(c)["grade_id"] for c in nb.cells if is_answer_cell(c)} == set(
        ASSIGNMENTS["03_activations"].graded)


def test_the_curriculum_table_names_every_graded_function_of_every_assignment():
    import solutions
    from autograder.curriculum import ASSIGNMENTS

    assert set(ASSIGNMENTS) == set(solutions.ASSIGNMENT_OF.values())
    for folder, assignment in ASSIGNMENTS.items():
        assert set(assignment.graded) == {n for n, f in solutions.ASSIGNMENT_OF.items() if f == folder}, folder
        assert assignment.notebook == folder.split("_", 1)[1]


# --- comments of shared code cells (lesson authors) ------------------------------------------------

def test_an_english_comment_without_its_chinese_line(course):
    def change(nb):
        cell(nb, "setup").source += "\n# a new note in English only"
    text = problems_after(course, change)
    last = len(cell(nbformat.read(str(course / NOTEBOOK), as_version=4), "setup").source.split("\n"))
    assert f"(setup) line {last}: an English comment without its Chinese line right after it" in text


def test_a_chinese_docstring_line_without_its_english_line(course):
    def change(nb):
        relu = cell(nb, "relu")
        relu.source = relu.source.replace("    Rectified linear unit, element-wise.\n", "")
        relu.source = relu.source.replace('"""Rectified linear unit, element-wise.\n', '"""\n    多余的一行。\n')
    text = problems_after(course, change)
    assert "(relu) line 3: a Chinese docstring line without its English line right before it" in text


def test_an_ungraded_by_hand_cell_is_accepted(course):
    def change(nb):
        nb.cells.insert(nb.cells.index(cell(nb, "setup")) + 1, nbformat.v4.new_code_cell(
            "# By hand first.\n# 先动手算。\nanswer = ...\ncheck_by_hand(\"sigmoid(0)\", answer)"))
    assert problems_after(course, change) == ""


def test_the_reference_notes_inside_a_solution_may_stay_english(course):
    def change(nb):
        relu = cell(nb, "relu")
        relu.source = relu.source.replace("    ### BEGIN SOLUTION\n", "    ### BEGIN SOLUTION\n    # a note for instructors\n")
    text = problems_after(course, change)
    assert "differs from solutions/" in text and "English comment" not in text  # only the reference check objects
