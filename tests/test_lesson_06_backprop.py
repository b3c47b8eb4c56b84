"""06_backprop under the real grader: the beginner mistakes issue 12 names each lose exactly their own points.

Every other answer of the submission is the reference's, so a cell of another function losing points
would mean one function's grade depends on another (``mlp_backward`` calls the learner's
``linear_backward`` and ``grad_check`` may call their ``relative_error``: the grader regrades those with
the reference in place of a failed one). Graded through the sandbox, as `nnmath grade` does; the
functions the setup cell brings from 01 to 05 are the course's reference there.
"""
from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import solutions
from lesson_grading import lesson_tests
from notebook_tools import REPO, read

A = "06_backprop"


def replaced(name: str, old: str, new: str) -> str:
    """The reference ``name`` with ``old`` replaced by ``new`` (which must be there)."""
    source = inspect.getsource(getattr(solutions, name))
    assert old in source, old
    return source.replace(old, new)


TWO_LAYER = {"test_two_layer_backprop", "test_two_layer_backprop_target"}
LINEAR = {"test_linear_backward", "test_linear_backward_batch"}

# mistake: (function, wrong answer, the test cells that must lose points, words every lost cell's message holds)
MISTAKES = {
    "delta1-without-f-prime": ("two_layer_backprop", replaced(
        "two_layer_backprop", "delta1 = (np.asarray(W2, dtype=np.float64).T @ delta2) * a1 * (1.0 - a1)",
        "delta1 = np.asarray(W2, dtype=np.float64).T @ delta2  # no sigmoid'(z1) factor"), TWO_LAYER, "delta1"),
    "dW-transposed": ("linear_backward", replaced("linear_backward", "dZ.T @ X", "X.T @ dZ"), LINEAR, "dW"),
    "db-first-row-only": ("linear_backward", replaced("linear_backward", "np.sum(dZ, axis=0)", "dZ[0]"), LINEAR,
                          "db"),
    "db-mean-over-the-batch": ("linear_backward", replaced("linear_backward", "np.sum(dZ, axis=0)",
                                                           "np.mean(dZ, axis=0)"), LINEAR, "db"),
    "grad-check-with-a-norm": ("grad_check", replaced(
        "grad_check", "return relative_error(analytic_grad, numerical_gradient(f, x, h))",
        "g, n = np.asarray(analytic_grad, dtype=np.float64), numerical_gradient(f, x, h)\n"
        "    return float(np.linalg.norm(g - n) / max(1e-8, np.linalg.norm(g) + np.linalg.norm(n)))"),
        {"test_grad_check"}, "grad_check"),
    "relative-error-with-a-norm": ("relative_error", replaced(
        "relative_error", "return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))",
        "return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))"),
        {"test_relative_error"}, "relative_error"),
}


grader, test_the_reference_earns_every_point, test_a_mistake_loses_exactly_its_own_points = lesson_tests(A, MISTAKES)
for _test in (test_the_reference_earns_every_point, test_a_mistake_loses_exactly_its_own_points):
    pytest.mark.slow(_test)


# --- every number the notebook shows learners, against the reference ---------------------------------

def _markdown(language: str) -> str:
    nb = read(REPO / "source" / A / "backprop.ipynb")
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("lang") == language)


def _numbers(text: str) -> list[float]:
    return [float(t.replace("−", "-")) for t in re.findall(r"[−-]?\d+\.\d+", text)]


WORKED = (np.array([0.5, 0.1]), 1.0, np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([0.1, 0.2]), np.array([[0.5, 0.6]]),
          np.array([0.3]))


def _network(z1_second: float | None = None) -> dict:
    """Every quantity of the worked network through the reference (z1[1] replaced: the published slip)."""
    x, y, W1, b1, W2, b2 = WORKED
    z1 = solutions.linear_forward(x[None, :], W1, b1)[0]
    if z1_second is not None:
        z1 = np.array([z1[0], z1_second])
    a1 = solutions.sigmoid(z1)
    # the rest of the network from a1 on: the reference's two_layer_backprop with a first layer that gives z1
    grads = solutions.two_layer_backprop(np.array([1.0, 0.0]), y, np.array([[0.0, 0.0], [0.0, 0.0]]), z1, W2, b2)
    z2 = float(solutions.linear_forward(a1[None, :], W2, b2)[0, 0])
    return {"z1": z1, "a1": a1, "z2": z2, "a2": float(solutions.sigmoid(z2)), "L": grads["loss"],
            "delta2": grads["delta2"], "delta1": grads["delta1"], "dW2": grads["dW2"],
            "dW1": np.outer(grads["delta1"], x), "W2 new": W2 - 0.1 * grads["dW2"], "b2 new": b2 - 0.1 * grads["db2"]}


def _close(shown: float, value: float) -> bool:
    """``shown`` is ``value`` rounded to 5 significant digits (or more)."""
    return abs(shown - value) <= 0.5001 * 10.0 ** (np.floor(np.log10(abs(value))) - 4)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_worked_table_shows_the_references_numbers(language):
    n = _network()
    text = _markdown(language)
    table = text[text.index("| $z^{(1)}$ | $[0.17, 0.39]$"):]
    table = table[:table.index("\n\n")]
    expected = [*n["z1"], *n["delta2"], *n["a1"], *n["delta1"], n["z2"], *n["dW2"].ravel(), n["a2"], *n["dW1"].ravel(),
                n["L"], 0.1, *n["W2 new"].ravel(), *n["b2 new"]]  # 0.1: the learning rate
    shown = _numbers(table)
    assert len(shown) == len(expected) and all(_close(s, e) for s, e in zip(shown, expected)), (shown, expected)
    assert np.allclose(solutions.two_layer_backprop(*WORKED)["dW1"], n["dW1"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_published_table_carries_z1_035_through_every_line(language):
    n, p = _network(), _network(0.35)
    text = _markdown(language)
    table = text[text.index("| z1[0] |"):]
    table = table[:table.index("\n\n")]
    shown = _numbers(table)
    printed = [*p["z1"], *p["a1"], p["z2"], p["a2"], p["L"], *p["delta2"], *p["delta1"], *p["dW2"].ravel(),
               *p["dW1"].ravel()]
    assert len(shown) == len(printed) and all(_close(s, e) for s, e in zip(shown, printed)), (shown, printed)
    right = [*n["z1"], *n["a1"], n["z2"], n["a2"], n["L"], *n["delta2"], *n["delta1"], *n["dW2"].ravel(),
             *n["dW1"].ravel()]
    wrong = [i for i, (s, r) in enumerate(zip(shown, right)) if not _close(s, r)]
    assert wrong == [1] + list(range(3, len(right))), wrong  # z1[1] first, then all but z1[0] and a1[0]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_step_by_step_numbers_are_the_references(language):
    n = _network()
    text = _markdown(language)
    steps = text[text.index("$z^{(1)}_0 = 0.1"):text.index("\n\n", text.index("$L = \\tfrac12 (0.71687"))]
    for value in (n["z1"][0], n["a1"][0], n["a1"][1], n["z2"], n["a2"], n["L"]):
        assert any(_close(s, value) for s in _numbers(steps)), value
    back = text[text.index("a_2 - y = -0.28313"):text.index("0.305747") + 8]
    x, y, W1, b1, W2, b2 = WORKED
    for value in (n["a2"] - y, n["a2"] * (1 - n["a2"]), *(W2.T @ n["delta2"]), *(n["a1"] * (1 - n["a1"])),
                  n["b2 new"][0]):
        assert any(_close(s, value) for s in _numbers(back)), value
