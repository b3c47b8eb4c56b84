"""01_calculus graded by the real grader (sandbox, source test cells, hidden tests): each typical mistake
of issue 10's "Done when" loses exactly its own test cells' points, with a message that names it."""
from __future__ import annotations


import nbformat
import pytest

from autograder.grading import grade_submission
from autograder import simulate
from autograder.simulate import SimulatedLearner, make_submission
from conftest import REPO
from crossing_fixture import ULP
from notebook_tools import read, sandbox_grader

pytestmark = pytest.mark.slow
A, NB = "01_calculus", "calculus.ipynb"

FORWARD_AS_CENTRAL = '''def central_difference(f, x, h=1e-5):
    return float((f(x + h) - f(x)) / h)  # a forward difference under the central name
'''

# Perturbs the caller's x in place and undoes it arithmetically: x + h - 2h + h can be one ulp off.
MUTATES_X = ULP

MATMUL_AT = '''def matmul(A, B):
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner sizes differ")
    return A @ B
'''

MATMUL_NO_VALUE_ERROR = '''def matmul(A, B):
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    C = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            for p in range(A.shape[1]):
                C[i, j] += A[i, p] * B[p, j]
    return C
'''

FORGOT_INNER_FACTOR = '''def chain_rule_derivative(x):
    x = np.asarray(x, dtype=np.float64)
    return 2.0 * (3.0 * x + 2.0)  # dy/du only: the inner derivative 3 is missing
'''

DIVIDES_BY_2H = '''def difference_quotient(f, x, h):
    return float((f(x + h) - f(x)) / (2 * h))
'''

# learner id: (answers, the test cells that must lose points, words one of their messages must hold)
MISTAKES = {
    "forward-as-central": ({"central_difference": FORWARD_AS_CENTRAL}, {"test_central_difference"},
                           ("central_difference",)),
    "mutates-x": ({"numerical_gradient": MUTATES_X}, {"test_numerical_gradient"},
                  ("modified its argument `x`",)),
    "matmul-at": ({"matmul": MATMUL_AT}, {"test_matmul"}, ("@",)),
    "matmul-no-valueerror": ({"matmul": MATMUL_NO_VALUE_ERROR}, {"test_matmul_shapes"}, ("ValueError",)),
    "forgot-inner-factor": ({"chain_rule_derivative": FORGOT_INNER_FACTOR}, {"test_chain_rule_derivative"},
                            ("chain_rule_derivative",)),
    "divides-by-2h": ({"difference_quotient": DIVIDES_BY_2H}, {"test_difference_quotient"},
                      ("difference_quotient",)),
}


@pytest.fixture(scope="module")
def grader():
    with sandbox_grader(A) as graded:
        yield graded


def _grade(grader, learner, tmp_path):
    spec, server, namespace = grader
    source, release = read(REPO / "source" / A / NB), read(REPO / "release" / A / NB)
    path = tmp_path / NB
    nbformat.write(make_submission(release, source, learner), str(path))
    grade = grade_submission(server, spec, learner.student_id, path, namespace)
    return {cell.grade_id: (cell.score, cell.points, [str(p) for p in cell.problems]) for cell in grade.cells}


def test_the_reference_gets_full_marks_and_the_stubs_none(grader, tmp_path):
    points = simulate.test_points(read(REPO / "source" / A / NB))
    full = _grade(grader, SimulatedLearner("reference", ""), tmp_path)
    assert {g: s for g, (s, _, _) in full.items()} == points
    stubs = _grade(grader, SimulatedLearner("stubs", "", stub_only=True), tmp_path)
    assert set(stubs) == set(points) and all(score == 0 for score, _, _ in stubs.values())


@pytest.mark.parametrize("student", sorted(MISTAKES))
def test_each_mistake_loses_exactly_its_own_points_with_a_message_that_names_it(student, grader, tmp_path):
    answers, losing, words = MISTAKES[student]
    scores = _grade(grader, SimulatedLearner(student, "", answers), tmp_path)
    lost = {g for g, (score, points, _) in scores.items() if score < points}
    assert lost == losing, f"{student} lost {sorted(lost)}, expected exactly {sorted(losing)}"
    for grade_id in losing:
        score, _, problems = scores[grade_id]
        assert score == 0
        text = " ".join(problems)
        assert all(word in text for word in words), f"{grade_id}: {words} not named in {problems}"
