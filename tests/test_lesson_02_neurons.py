"""02_neurons under the real grader: each mistake of issue 10 loses exactly its own points, with a
message that names it, and the reference keeps every point. Graded through the sandbox, as
`nnmath grade` does (the pattern of test_graded_on_its_own.py)."""
from __future__ import annotations


import nbformat
import pytest

from autograder.grading import grade_submission
from autograder.simulate import SimulatedLearner, make_submission
from conftest import REPO
from notebook_tools import read, sandbox_grader

pytestmark = pytest.mark.slow
A, NB = "02_neurons", "neurons.ipynb"

# name: (function, wrong answer, words the failing cell's message must hold)
MISTAKES = {
    "neuron ignores its activation": ("neuron", '''def neuron(x, w, b, activation):
    return float(np.dot(w, x) + b)  # forgot the activation''', ("neuron", "tanh")),
    "step with >=": ("step", '''def step(z, threshold=0.0):
    z = np.asarray(z, dtype=np.float64)
    return (z >= threshold).astype(np.float64)''', ("step", "`>` versus `>=`")),
    "step returns booleans": ("step", '''def step(z, threshold=0.0):
    return np.asarray(z, dtype=np.float64) > threshold''', ("step", "bool")),
    "collapse_linear with the product in the wrong order": ("collapse_linear", '''def collapse_linear(W1, b1, W2, b2):
    return W1.T @ W2.T, W2 @ b1 + b2''', ("collapse_linear",)),
    "collapse_linear forgets W2 on b1": ("collapse_linear", '''def collapse_linear(W1, b1, W2, b2):
    return W2 @ W1, b1.sum() + b2''', ("collapse_linear",)),
    "linear_forward without the transpose": ("linear_forward", '''def linear_forward(X, W, b):
    return np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64) + b''', ("linear_forward",)),
    "xor_params right on three of the four points": ("xor_params", '''def xor_params():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -1.0]])  # (1, 1) gives 2 - 1 = 1
    b2 = np.array([0.0])
    return W1, b1, W2, b2''', ("xor_params", "(1, 1)", "below 0.5")),
    "xor_params with an output exactly 0.5": ("xor_params", '''def xor_params():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -2.0]])
    b2 = np.array([-0.5])  # (0, 1) gives exactly 0.5
    return W1, b1, W2, b2''', ("xor_params", "above 0.5")),
    "xor_params with b2 a scalar": ("xor_params", '''def xor_params():
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -2.0]])
    return W1, b1, W2, 0.0''', ("xor_params", "b2")),
}


@pytest.fixture(scope="module")
def grader():
    with sandbox_grader(A) as graded:
        yield graded


def grade(grader, tmp_path, learner):
    spec, server, namespace = grader
    source, release = read(REPO / "source" / A / NB), read(REPO / "release" / A / NB)
    path = tmp_path / NB
    nbformat.write(make_submission(release, source, learner), str(path))
    result = grade_submission(server, spec, learner.student_id, path, namespace)
    return {cell.grade_id: (cell.score, cell.points, cell.problems) for cell in result.cells}


def test_the_reference_keeps_every_point(grader, tmp_path):
    scores = grade(grader, tmp_path, SimulatedLearner("ref", "the reference"))
    assert scores and all(score == points for score, points, _ in scores.values()), scores


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_loses_exactly_its_own_points(mistake, grader, tmp_path):
    function, wrong, words = MISTAKES[mistake]
    scores = grade(grader, tmp_path, SimulatedLearner("wrong-" + function, mistake, {function: wrong}))
    own = {g for g in scores if g == f"test_{function}" or g.startswith(f"test_{function}_")}
    lost = {g for g, (score, points, _) in scores.items() if score < points}
    assert lost and lost <= own, f"{mistake}: lost {sorted(lost)}, own cells {sorted(own)}"
    messages = " ".join(str(p) for g in lost for p in scores[g][2])
    for word in words:
        assert word in messages, f"{mistake}: {word!r} not in {messages!r}"
