"""05_forward under the real grader: the beginner mistakes issue 11 names each lose exactly their own points.

Every other answer of the submission is the reference's, so a cell of another function losing points
would mean one function's grade depends on another. Graded through the sandbox, as `nnmath grade` does;
the functions the setup cell brings from 02 and 03 are the course's reference there.
"""
from __future__ import annotations

import pytest

from lesson_grading import lesson_tests

pytestmark = pytest.mark.slow
A = "05_forward"

# mistake: (function, wrong answer, the test cells that must lose points, words every lost cell's message holds)
MISTAKES = {
    "init-params-ignores-rng": ("init_params", """def init_params(layer_sizes, rng, scheme="he"):
    if scheme not in ("zeros", "he", "xavier"):
        raise ValueError(scheme)
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        std = {"zeros": 0.0, "he": np.sqrt(2.0 / n_in), "xavier": np.sqrt(2.0 / (n_in + n_out))}[scheme]
        params.append((np.random.normal(0.0, std, size=(n_out, n_in)), np.zeros(n_out)))  # not from rng
    return params""", {"test_init_params_rng"}, "init_params"),
    "init-params-glorot-uniform": ("init_params", """def init_params(layer_sizes, rng, scheme="he"):
    if scheme not in ("zeros", "he", "xavier"):
        raise ValueError(scheme)
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if scheme == "zeros":
            W = np.zeros((n_out, n_in))
        elif scheme == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        else:
            limit = np.sqrt(6.0 / (n_in + n_out))  # Glorot uniform: the same std, not a normal draw
            W = rng.uniform(-limit, limit, size=(n_out, n_in))
        params.append((W, np.zeros(n_out)))
    return params""", {"test_init_params"}, "init_params"),
    "mlp-forward-activates-the-logits": ("mlp_forward", """def mlp_forward(X, params, activation="relu"):
    act = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}[activation]
    A = np.asarray(X, dtype=np.float64)
    for W, b in params:
        A = act(linear_forward(A, W, b))  # also after the last layer
    return A""", {"test_mlp_forward"}, "mlp_forward"),
}


grader, test_the_reference_earns_every_point, test_a_mistake_loses_exactly_its_own_points = lesson_tests(A, MISTAKES)
