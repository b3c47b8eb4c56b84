"""bring: functions from earlier assignments, the learner's own in their kernel, the reference in grading."""
from __future__ import annotations

import os

import nbformat
import numpy as np
import pytest

import solutions
from autograder import earlier, expect, messages
from autograder.checks import CheckFailure
from autograder.earlier import bring, bring_calls, reference_prelude
from autograder.grading import AssignmentSpec, grade_submission, trusted_namespace
from autograder.simulate import reference_answers
from conftest import REPO
from notebook_tools import place_earlier, read, with_answers

SETUP = ('from autograder.earlier import bring\n'
         'relu, sigmoid = bring("03_activations", "relu", "sigmoid")\n'
         'linear_forward, = bring("02_neurons", "linear_forward")\n')


@pytest.fixture(autouse=True)
def nothing_registered(monkeypatch):
    """No reference registered by a grader's prelude earlier in this process (grading tests do that)."""
    monkeypatch.setattr(earlier, "_registered", {})
    monkeypatch.setattr(earlier, "_failing", {})


@pytest.fixture
def learner_dir(tmp_path, monkeypatch):
    """A learner's folder for a later lesson beside their 03_activations notebook: relu written, sigmoid a
    stub (the release's), in the learner's kernel (no reference)."""
    answers = reference_answers(read(REPO / "source" / "03_activations" / "activations.ipynb"))
    nb = with_answers(read(REPO / "release" / "03_activations" / "activations.ipynb"), {"relu": answers["relu"]})
    (tmp_path / "03_activations").mkdir()
    nbformat.write(nb, str(tmp_path / "03_activations" / "activations.ipynb"))
    here = tmp_path / "05_forward"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("NNMATH_EARLIER", "notebook")
    monkeypatch.setattr(earlier, "_failing", {})
    yield here
    messages._language = None


def test_brings_the_learners_own_functions_and_says_which_pass(learner_dir, capsys):
    messages.set_language("zh")
    relu, sigmoid = bring("03_activations", "relu", "sigmoid")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("✓ relu") and "还没有写" in out[1] and "sigmoid" in out[1]
    assert messages.get_language() == "zh"  # the earlier notebook's set_language("en") did not stick
    np.testing.assert_array_equal(relu(np.array([-1.0, 2.0])), [0.0, 2.0])
    assert relu.__module__ != "solutions.activations"
    with pytest.raises(NotImplementedError):
        sigmoid(0.0)
    assert earlier.failed_there("sigmoid") == "03_activations" and earlier.failed_there("relu") is None


def test_a_failing_check_of_a_caller_names_the_earlier_function(learner_dir, capsys):
    relu, sigmoid = bring("03_activations", "relu", "sigmoid")
    namespace = {"sigmoid": sigmoid, "np": np}
    exec("def squash(z):\n    return 2.0 * sigmoid(z) - 1.0\n", namespace)
    with pytest.raises(CheckFailure) as failure:
        expect(namespace["squash"], 0.0, returns=0.0)
    message = failure.value.render("en")
    assert "uses sigmoid from your 03_activations notebook, which fails its own tests there" in message


def test_a_wrong_earlier_function_is_noted_not_hidden(learner_dir, capsys):
    path = learner_dir.parent / "03_activations" / "activations.ipynb"
    nb = with_answers(read(path), {"relu": "def relu(z):\n    return np.abs(np.asarray(z, dtype=np.float64))"})
    nbformat.write(nb, str(path))
    relu, = bring("03_activations", "relu")
    assert "fails its own tests there" in capsys.readouterr().out
    assert earlier.failed_there("relu") == "03_activations"


def test_no_earlier_notebook_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NNMATH_EARLIER", "notebook")
    with pytest.raises(FileNotFoundError) as error:
        bring("02_neurons", "linear_forward")
    where = str(error.value)
    assert str(tmp_path.parent / "02_neurons" / "neurons.ipynb") in where
    assert str(tmp_path / "02_neurons" / "neurons.ipynb") in where


def test_only_graded_names_of_that_assignment(monkeypatch):
    with pytest.raises(ValueError):
        bring("03_activations", "linear_forward")
    with pytest.raises(ValueError):
        bring("99_nothing", "relu")


def test_in_the_course_repository_bring_gives_the_reference(monkeypatch):
    monkeypatch.delenv("NNMATH_EARLIER", raising=False)
    assert bring("03_activations", "relu", "tanh") == (solutions.relu, solutions.tanh)


def test_bring_calls_are_read_statically():
    assert bring_calls(["%matplotlib inline\n" + SETUP]) == [("03_activations", ("relu", "sigmoid")),
                                                            ("02_neurons", ("linear_forward",))]
    assert reference_prelude(["import numpy as np\n"]) is None


def lesson_course(tmp_path):
    """A course folder whose 05_forward notebook brings earlier functions and grades one answer that uses them."""
    nb = nbformat.v4.new_notebook()
    setup = nbformat.v4.new_code_cell("import numpy as np\nfrom autograder import expect, expect_matches_reference\n"
                                      + SETUP)
    setup.metadata["nbgrader"] = {"grade": False, "grade_id": "setup", "locked": True, "solution": False,
                                  "schema_version": 3, "task": False}
    answer = nbformat.v4.new_code_cell("def mlp_forward(X, params, activation='relu'):\n"
                                       "    (W, b), = params\n    return sigmoid(linear_forward(X, W, b))")
    answer.metadata["nbgrader"] = {"grade": False, "grade_id": "mlp_forward", "locked": False, "solution": True,
                                   "schema_version": 3, "task": False}
    test = nbformat.v4.new_code_cell("expect(mlp_forward, np.zeros((1, 2)), [(np.ones((1, 2)), np.zeros(1))],"
                                     " returns=np.array([[0.5]]))")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "test_mlp_forward", "locked": True, "points": 1,
                                 "solution": False, "schema_version": 3, "task": False}
    nb.cells = [setup, answer, test]
    (tmp_path / "source" / "05_forward").mkdir(parents=True)
    nbformat.write(nb, str(tmp_path / "source" / "05_forward" / "forward.ipynb"))
    return tmp_path, nb


def test_the_grading_spec_brings_the_reference(tmp_path, monkeypatch):
    monkeypatch.setenv("NNMATH_EARLIER", "notebook")  # no earlier notebook anywhere: only the prelude can supply them
    monkeypatch.chdir(tmp_path)
    course, _ = lesson_course(tmp_path)
    spec = AssignmentSpec.from_source(course, "05_forward")
    assert "def sigmoid(z):" in spec.prelude[0] and "def linear_forward(X, W, b):" in spec.prelude[0]
    namespace = trusted_namespace(spec)
    assert namespace["sigmoid"](np.array([1e4]))[0] == 1.0
    np.testing.assert_array_equal(namespace["relu"](np.array([-1.0, 3.0])), [0.0, 3.0])


@pytest.mark.slow
def test_it_works_in_the_sandbox(tmp_path, monkeypatch):
    from autograder.sandbox import ForkServer, Limits
    monkeypatch.setenv("NNMATH_EARLIER", "notebook")
    monkeypatch.chdir(tmp_path)
    course, nb = lesson_course(tmp_path)
    spec = AssignmentSpec.from_source(course, "05_forward")
    server = ForkServer(REPO, uid=59000 + os.getpid() % 900, limits=Limits(cell_seconds=5, call_seconds=3),
                        prelude=spec.prelude)
    try:
        path = tmp_path / "forward.ipynb"
        nbformat.write(nb, str(path))
        result = grade_submission(server, spec, "learner", path, trusted_namespace(spec))
    finally:
        server.close()
    assert [(c.grade_id, c.score) for c in result.cells] == [("test_mlp_forward", 1.0)], result


def test_place_earlier_puts_reference_filled_releases_beside(tmp_path, monkeypatch):
    _, nb = lesson_course(tmp_path)
    here = tmp_path / "05_forward"
    here.mkdir()
    place_earlier(nb, here)
    monkeypatch.chdir(here)
    monkeypatch.setenv("NNMATH_EARLIER", "notebook")
    monkeypatch.setattr(earlier, "_failing", {})
    relu, sigmoid = bring("03_activations", "relu", "sigmoid")
    linear_forward, = bring("02_neurons", "linear_forward")
    assert not earlier._failing
    messages._language = None


def test_a_brought_function_whose_own_test_reads_its_source_passes_there(tmp_path, monkeypatch, capsys):
    """06_backprop brings 01's numerical_gradient, whose test cell holds ``expect_source(own_work=True)``:
    the source of a function run from the earlier notebook is found (linecache), so a right answer passes."""
    answers = reference_answers(read(REPO / "source" / "01_calculus" / "calculus.ipynb"))
    (tmp_path / "01_calculus").mkdir()
    nbformat.write(with_answers(read(REPO / "release" / "01_calculus" / "calculus.ipynb"), answers),
                   str(tmp_path / "01_calculus" / "calculus.ipynb"))
    (tmp_path / "06_backprop").mkdir()
    monkeypatch.chdir(tmp_path / "06_backprop")
    monkeypatch.setenv("NNMATH_EARLIER", "notebook")
    numerical_gradient, = bring("01_calculus", "numerical_gradient")
    out = capsys.readouterr().out
    assert out.startswith("✓ numerical_gradient") and earlier.failed_there("numerical_gradient") is None, out
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1.0, 2.0])), [2.0, 4.0])
    messages._language = None
