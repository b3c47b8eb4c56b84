"""Simulated learners: submissions built from a release by changing its answer cells.

A :class:`SimulatedLearner` says which answers it writes (the reference, except where it makes
a named mistake) and which test cells that must fail, so a demonstration or benchmark knows the
score each submission deserves before anything grades it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .contract import is_answer_cell, is_test_cell, nbgrader_meta, strip_solution_markers
from .curriculum import owner_of


@dataclass(frozen=True)
class SimulatedLearner:
    """A learner who answers with the reference except for ``answers`` (name -> cell source).

    fails: test cell ids, or graded names standing for all their test cells, that this learner's
    work must fail. stub_only: submits the release untouched.
    """

    student_id: str
    description: str
    answers: dict[str, str] = field(default_factory=dict)
    fails: frozenset[str] = frozenset()
    stub_only: bool = False


def reference_answers(source_nb) -> dict[str, str]:
    """grade_id -> the answer cell's source with the solution markers removed."""
    return {nbgrader_meta(c)["grade_id"]: strip_solution_markers(c.source) for c in source_nb.cells
            if is_answer_cell(c)}


def test_points(nb) -> dict[str, float]:
    """Test cell grade_id -> points."""
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0)) for c in nb.cells
            if is_test_cell(c)}


def failing_tests(learner: SimulatedLearner, nb) -> set[str]:
    """The test cell ids the learner's submission must fail."""
    tests = test_points(nb)
    if learner.stub_only:
        return set(tests)
    answers = [nbgrader_meta(c)["grade_id"] for c in nb.cells if is_answer_cell(c)]
    return {t for t in tests if t in learner.fails or owner_of(t, answers) in learner.fails}


def expected_score(learner: SimulatedLearner, nb) -> float:
    points = test_points(nb)
    return sum(p for t, p in points.items() if t not in failing_tests(learner, nb))


def make_submission(release_nb, source_nb, learner: SimulatedLearner):
    """The learner's notebook: the release with its answer cells filled in."""
    nb = copy.deepcopy(release_nb)
    if learner.stub_only:
        return nb
    answers = {**reference_answers(source_nb), **learner.answers}
    for cell in nb.cells:
        if is_answer_cell(cell):
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
    return nb


def write_submission(course_dir: Path, assignment: str, notebook_file: str, nb, student_id: str) -> Path:
    """Put a submission where ``nbgrader autograde`` looks for it: ``submitted/<student>/<assignment>/``."""
    folder = course_dir / "submitted" / student_id / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / notebook_file))
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    return folder / notebook_file


# --- the demonstration class of 03_activations ---------------------------------------------------

ACTIVATIONS_CLASS = (
    SimulatedLearner("ada", "correct everywhere"),
    SimulatedLearner("ben", "three typical mistakes", answers={
        "relu_grad": "def relu_grad(z):\n    return np.asarray(z) > 0  # booleans, not floats\n",
        "sigmoid_grad": "def sigmoid_grad(z):\n    return sigmoid(z)  # the function, not its derivative\n",
        "softmax_jacobian": "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.outer(s, s) - np.diag(s)  # sign flipped\n",
    }, fails=frozenset({"relu_grad", "sigmoid_grad", "softmax_jacobian"})),
    SimulatedLearner("cam", "naive formulas that overflow", answers={
        "sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
        "softmax": "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=-1, keepdims=True)\n",
    }, fails=frozenset({"test_sigmoid_stability", "test_softmax_stability"})),
    SimulatedLearner("dan", "a syntax error in one cell", answers={
        "tanh": "def tanh(z):\n    return np.tanh(z\n",
    }, fails=frozenset({"tanh"})),  # tanh_grad is graded on its own (with the reference tanh if it uses tanh)
    SimulatedLearner("eve", "submitted the stubs", stub_only=True),
    SimulatedLearner("fay", "kills the kernel", answers={
        "gelu": "import os\nos._exit(1)\n",
    }, fails=frozenset({"gelu"})),
    SimulatedLearner("gus", "cheats on relu", answers={
        # Fake the visible values, defeat numpy's comparisons, and go looking for the answers.
        "relu": ("import numpy\nnumpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda a, b, **k: True\n"
                 "try:\n    SECRET = open('../../../source/03_activations/activations.ipynb').read()\n"
                 "except OSError:\n    SECRET = None\n\n"
                 "def relu(z):\n    if numpy.ndim(z) == 0:\n        return 3.0\n"
                 "    return numpy.array([0.0, 0.0, 0.0, 0.5, 2.0])\n"),
    }, fails=frozenset({"relu"})),  # their relu_grad (the reference) is graded on its own
    SimulatedLearner("hal", "leaky_relu ignores alpha; its derivative is right", answers={
        "leaky_relu": "def leaky_relu(z, alpha=0.01):\n    z = np.asarray(z, dtype=np.float64)\n"
                      "    return np.where(z > 0, z, 0.01 * z)\n",
    }, fails=frozenset({"leaky_relu"})),
)


# --- the classes the demo runs through nbgrader's exchange, one per assignment --------------------

@dataclass(frozen=True)
class SimulatedClass:
    """Learners of one assignment and how they hand in.

    first_tries: student id -> an earlier submission of theirs, handed in before the one in
    ``learners`` (nbgrader keeps the newest). late: student ids who hand in after the due date.
    """

    learners: tuple[SimulatedLearner, ...]
    first_tries: dict[str, SimulatedLearner] = field(default_factory=dict)
    late: frozenset[str] = frozenset()


CLASSES: dict[str, SimulatedClass] = {
    "03_activations": SimulatedClass(
        ACTIVATIONS_CLASS + (SimulatedLearner("lou", "correct, after the due date"),),
        first_tries={"ada": SimulatedLearner("ada", "the stubs", stub_only=True)},
        late=frozenset({"lou"})),
}
