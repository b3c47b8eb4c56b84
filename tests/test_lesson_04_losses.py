"""04_losses under the real grader: the beginner mistakes issue 11 names each lose exactly their own points.

Every other answer of the submission is the reference's, so a cell of another function losing points
would mean one function's grade depends on another. Graded through the sandbox, as `nnmath grade` does.
"""
from __future__ import annotations

import pytest

from lesson_grading import lesson_tests

pytestmark = pytest.mark.slow
A = "04_losses"

# mistake: (function, wrong answer, the test cells that must lose points, words every lost cell's message holds)
MISTAKES = {
    "mse-sums-over-features": ("mse", """def mse(y_pred, y_true):
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(np.sum(diff ** 2, axis=-1)))  # a sum over each example's outputs""",
                               {"test_mse"}, "mse"),
    "cross-entropy-indexes-a-table": ("cross_entropy", """def cross_entropy(probs, labels):
    probs = np.asarray(probs, dtype=np.float64)
    return float(-np.mean(np.log(probs[:, labels])))  # an (N, N) table, not one entry per row""",
                                      {"test_cross_entropy"}, "cross_entropy"),
    "log-of-softmax": ("softmax_cross_entropy", """def softmax_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    N = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(N), labels]))  # log of a probability that may be 0.0
    dlogits = p.copy()
    dlogits[np.arange(N), labels] -= 1.0
    return float(loss), dlogits / N""",
                       {"test_softmax_cross_entropy_stability"}, "softmax_cross_entropy"),
    "dlogits-without-1/N": ("softmax_cross_entropy", """def softmax_cross_entropy(logits, labels):
    logits = np.asarray(logits, dtype=np.float64)
    N = logits.shape[0]
    d = logits - logits.max(axis=1, keepdims=True)
    e = np.where(d < -600.0, 0.0, np.exp(np.maximum(d, -600.0)))
    log_p = d - np.log(e.sum(axis=1, keepdims=True))
    dlogits = e / e.sum(axis=1, keepdims=True)
    dlogits[np.arange(N), labels] -= 1.0
    return float(-np.mean(log_p[np.arange(N), labels])), dlogits  # no / N""",
                            {"test_softmax_cross_entropy", "test_softmax_cross_entropy_stability"},
                            "softmax_cross_entropy"),
    "bce-for-hard-labels-only": ("binary_cross_entropy", """def binary_cross_entropy(p, y):
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean(np.where(y == 1, -np.log(p), -np.log1p(-p))))  # soft targets counted as 0""",
                                 {"test_binary_cross_entropy", "test_binary_cross_entropy_stability"},
                                 "binary_cross_entropy"),
}


grader, test_the_reference_earns_every_point, test_a_mistake_loses_exactly_its_own_points = lesson_tests(A, MISTAKES)
