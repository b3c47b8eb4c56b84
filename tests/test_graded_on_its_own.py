"""Issue 7: a function's points depend on that function alone, under the real grader.

For every (forward, derivative) pair of 03, a learner whose forward function is wrong in a way
beginners make it wrong, and whose derivative is right, keeps every point of the derivative's test
cells and loses points only on the forward's. Graded through the sandbox, as `nnmath grade` does.
"""
from __future__ import annotations


import nbformat
import pytest

from autograder.grading import grade_submission
from autograder.remote import learner_exception
from autograder.simulate import SimulatedLearner, make_submission
from conftest import REPO
from notebook_tools import read, sandbox_grader

pytestmark = pytest.mark.slow
A, NB = "03_activations", "activations.ipynb"

WRONG_FORWARDS = {
    # derivative: (forward, a wrong forward a beginner writes)
    "relu_grad": ("relu", """def relu(z):
    z = np.asarray(z, dtype=np.float64)
    z[z < 0] = 0.0  # modifies the caller's array
    return z"""),
    "leaky_relu_grad": ("leaky_relu", """def leaky_relu(z, alpha=0.01):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, 0.01 * z)  # ignores alpha"""),
    "sigmoid_grad": ("sigmoid", """def sigmoid(z):
    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=np.float64)))  # sign slip"""),
    "tanh_grad": ("tanh", """def tanh(z):
    return 2.0 * np.tanh(np.asarray(z, dtype=np.float64))"""),
    "gelu_grad": ("gelu", """def gelu(z):
    z = np.asarray(z, dtype=np.float64)
    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3)))  # the tanh approximation"""),
    "softmax_jacobian": ("softmax", """def softmax(z):
    return np.exp(np.asarray(z, dtype=np.float64))  # not normalised"""),
}


@pytest.fixture(scope="module")
def grader():
    with sandbox_grader(A) as graded:
        yield graded


@pytest.mark.parametrize("derivative", sorted(WRONG_FORWARDS))
def test_a_wrong_forward_costs_only_its_own_points(derivative, grader, tmp_path):
    spec, server, namespace = grader
    forward, wrong = WRONG_FORWARDS[derivative]
    source, release = read(REPO / "source" / A / NB), read(REPO / "release" / A / NB)
    learner = SimulatedLearner(f"wrong-{forward}", "", {forward: wrong})
    path = tmp_path / NB
    nbformat.write(make_submission(release, source, learner), str(path))
    grade = grade_submission(server, spec, learner.student_id, path, namespace)
    scores = {cell.grade_id: (cell.score, cell.points, cell.problems) for cell in grade.cells}
    own = [g for g in scores if g == f"test_{derivative}" or g.startswith(f"test_{derivative}_")]
    assert own
    for grade_id in own:
        score, points, problems = scores[grade_id]
        assert score == points, f"{grade_id} lost points for the learner's {forward}: {[str(p) for p in problems]}"
    forward_cells = [g for g in scores if g == f"test_{forward}" or g.startswith(f"test_{forward}_")]
    assert any(scores[g][0] < scores[g][1] for g in forward_cells), f"the wrong {forward} must lose points"
    lost = {g for g, (score, points, _) in scores.items() if score < points}
    assert lost <= set(forward_cells), f"only {forward}'s cells may lose points, lost: {sorted(lost)}"


def test_a_learners_exception_keeps_its_built_in_type_across_the_sandbox():
    error = learner_exception({"type": "ShapeError", "message": "no", "bases": ["ValueError", "Exception"]})
    assert isinstance(error, ValueError) and type(error).__name__ == "ShapeError"
    fake = learner_exception({"type": "ValueError", "message": "no", "bases": ["Exception"]})
    assert not isinstance(fake, ValueError), "a class merely named ValueError is not one"
    assert isinstance(learner_exception({"type": "NotImplementedError", "message": "",
                                         "bases": ["NotImplementedError"]}), NotImplementedError)
