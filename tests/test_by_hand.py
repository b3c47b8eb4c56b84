"""By-hand questions: right answers, the step a typical slip points to, nothing that stops Run All."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

import solutions
from autograder import check_by_hand
from autograder.by_hand import QUESTIONS, judge
from autograder.contract import nbgrader_meta
from autograder.messages import set_language
from conftest import ASSIGNMENTS, REPO
from notebook_tools import read

# Each question's value, computed here from the reference rather than copied from by_hand.py.
FROM_REFERENCE = {
    "relu_grad(-3)": lambda: solutions.relu_grad(-3.0),
    "leaky_relu(-2, alpha=0.1)": lambda: solutions.leaky_relu(-2.0, alpha=0.1),
    "leaky_relu_grad(-2, alpha=0.1)": lambda: solutions.leaky_relu_grad(-2.0, alpha=0.1),
    "sigmoid(0)": lambda: solutions.sigmoid(0.0),
    "sigmoid_grad(0)": lambda: solutions.sigmoid_grad(0.0),
    "tanh_grad(0)": lambda: solutions.tanh_grad(0.0),
    "gelu_grad(0)": lambda: solutions.gelu_grad(0.0),
    "softmax([0, ln 2])": lambda: solutions.softmax(np.array([0.0, math.log(2.0)])),
    "softmax_jacobian([0, ln 2])[0, 1]": lambda: solutions.softmax_jacobian(np.array([0.0, math.log(2.0)]))[0, 1],
    # 01_calculus (lesson01). The rules' examples by the complex step Im f(x + ih) / h, exact in float64;
    # the gradient of a quadratic by central differences with h = 0.5, exact too.
    "difference_quotient(x**2, 1, 0.1)": lambda: solutions.difference_quotient(lambda x: x**2, 1.0, 0.1),
    "central_difference(x**2, 1, 0.1)": lambda: solutions.central_difference(lambda x: x**2, 1.0, 0.1),
    "d/dx x**3 at 2": lambda: np.imag((2.0 + 1e-20j) ** 3) / 1e-20,
    "d/dx x e**x at 0": lambda: np.imag(1e-20j * np.exp(1e-20j)) / 1e-20,
    "grad L at (1, 2)": lambda: solutions.numerical_gradient(lambda w: w[0] ** 2 + 3 * w[1] + 5, np.array([1.0, 2.0]),
                                                             h=0.5),
    "chain_rule_derivative(1)": lambda: solutions.chain_rule_derivative(1.0),
    "[5 6] @ [1 2]^T": lambda: solutions.matmul(np.array([[5.0, 6.0]]), np.array([[1.0], [2.0]]))[0, 0],
    # 02_neurons
    "neuron z (w = [6, 2, 2], x = [1, 0, 0], b = 1)": lambda: solutions.neuron(
        np.array([1.0, 0.0, 0.0]), np.array([6.0, 2.0, 2.0]), 1.0, lambda z: z),
    "step(5, threshold=5)": lambda: solutions.step(5.0, threshold=5.0),
    "linear_forward worked layer, z[1]": lambda: solutions.linear_forward(
        np.array([[2.0, 3.0]]), np.array([[1.0, 0.5], [0.5, 2.0], [-1.0, -0.5]]), np.array([0.1, -0.2, 0.0]))[0, 1],
    "collapse (W1 = [[2]], b1 = [1], W2 = [[3]], b2 = [-1])": lambda: [
        float(v.item()) for v in solutions.collapse_linear(np.array([[2.0]]), np.array([1.0]), np.array([[3.0]]),
                                                           np.array([-1.0]))],
    "relu(x1 + x2 - 1) at the XOR points": lambda: solutions.relu(
        np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]) @ np.array([1.0, 1.0]) - 1.0),
    # 04_losses
    "mse([1, 2], [0, 4])": lambda: solutions.mse(np.array([1.0, 2.0]), np.array([0.0, 4.0])),
    "-log(0.7)": lambda: solutions.cross_entropy(np.array([[0.7, 0.2, 0.1]]), np.array([0])),
    "-log(0.4)": lambda: solutions.cross_entropy(np.array([[0.4, 0.3, 0.3]]), np.array([0])),
    "softmax_cross_entropy([0, ln 2], 1) dlogits":
        lambda: solutions.softmax_cross_entropy(np.array([[0.0, math.log(2.0)]]), np.array([1]))[1],
    "binary_cross_entropy(0.8, 1)": lambda: solutions.binary_cross_entropy(np.array([0.8]), np.array([1.0])),
    # 05_forward: the worked ReLU-then-sigmoid network, through the reference
    "z1[1] = 0.3*1.0 + (-0.5)*0.5 + (-0.2)": lambda: solutions.linear_forward(
        np.array([[1.0, 0.5]]), np.array([[0.2, 0.4], [0.3, -0.5]]), np.array([0.1, -0.2]))[0, 1],
    "a2 = sigmoid(0.7*a1[0] + 0.6*a1[1] + 0.05)": lambda: solutions.sigmoid(solutions.mlp_forward(
        np.array([[1.0, 0.5]]), [(np.array([[0.2, 0.4], [0.3, -0.5]]), np.array([0.1, -0.2])),
                                 (np.array([[0.7, 0.6]]), np.array([0.05]))]))[0, 0],
    # the reference's He draw divided by the standard normal draw of the same generator state: its std
    "sqrt(2 / n_in), n_in = 50": lambda: (solutions.init_params([50, 1], np.random.default_rng(0))[0][0]
                                          / np.random.default_rng(0).standard_normal((1, 50)))[0, 0],
    # 06_backprop: the worked 2-2-1 network through the reference's two_layer_backprop and sgd arithmetic;
    # the published table's slip (z1[1] = 0.35) found by comparing it with the reference's forward pass.
    "2-2-1: z1[1]": lambda: _bp_forward()["z1"][1],
    "2-2-1: delta2": lambda: _bp()["delta2"],
    "2-2-1: delta1": lambda: _bp()["delta1"],
    "2-2-1: dW2": lambda: _bp()["dW2"],
    "2-2-1: dW1[1, 0]": lambda: _bp()["dW1"][1, 0],
    "2-2-1: W2 after one step (lr 0.1)": lambda: _BP_W2 - 0.1 * _bp()["dW2"],
    "shape of dW (N = 4, n_in = 3, n_out = 2)": lambda: solutions.linear_backward(
        np.ones((4, 2)), np.ones((4, 3)), np.ones((2, 3)))[1].shape,
    "published 2-2-1: first wrong quantity": lambda: _first_wrong_published(),
    "published 2-2-1: [a1[1], z2, a2] recomputed": lambda: [_bp_forward()["a1"][1], _bp_forward()["z2"],
                                                            _bp_forward()["a2"]],
    "published 2-2-1: L recomputed": lambda: _bp()["loss"],
    "relative_error([100, 0.001], [100, 0.002])": lambda: solutions.relative_error(np.array([100.0, 0.001]),
                                                                                   np.array([100.0, 0.002])),
    # 07_training: the reference's gradient descent and sgd_step, and its batches
    "x1 = x0 - lr * f'(x0), f(x) = (x - 3)**2, x0 = 0, lr = 0.1":
        lambda: solutions.gradient_descent_1d(lambda x: 2 * (x - 3), 0.0, 0.1, 1)[1],
    "W2[0, 0] - 0.1 * dW2[0, 0]": lambda: _worked_step()[1][0][0, 0],
    "n_batches (N = 1438, batch_size = 32)": lambda: _batches(1438, 32),
    # 08_autograd: the learner's engine, run by the reference
    "d(a*b + c)/da (a = 2, b = -3, c = 10)": lambda: _grad(lambda a: a * solutions.Value(-3.0) + 10.0, 2.0),
    "d(a*a + a)/da (a = 3)": lambda: _grad(lambda a: a * a + a, 3.0),
}


_BP_ARGS = (np.array([0.5, 0.1]), 1.0, np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([0.1, 0.2]), np.array([[0.5, 0.6]]),
            np.array([0.3]))
_BP_W2 = _BP_ARGS[4]
# The published table of 06_backprop's "find the mistake", as the notebook prints it (5 significant digits).
PUBLISHED = {"z1[0]": 0.17, "z1[1]": 0.35, "a1[0]": 0.54240, "a1[1]": 0.58662, "z2": 0.92317, "a2": 0.71569,
             "L": 0.040417, "delta2": -0.057852}


def _bp() -> dict:
    return solutions.two_layer_backprop(*_BP_ARGS)


def _bp_forward() -> dict:
    """z1, a1, z2, a2 of the worked network, through the reference's linear_forward and sigmoid."""
    x, _, W1, b1, W2, b2 = _BP_ARGS
    z1 = solutions.linear_forward(x[None, :], W1, b1)[0]
    a1 = solutions.sigmoid(z1)
    z2 = solutions.linear_forward(a1[None, :], W2, b2)[0, 0]
    return {"z1": list(z1), "a1": list(a1), "z2": float(z2), "a2": float(solutions.sigmoid(z2))}


def _first_wrong_published() -> str:
    forward, grads = _bp_forward(), _bp()
    right = {"z1[0]": forward["z1"][0], "z1[1]": forward["z1"][1], "a1[0]": forward["a1"][0],
             "a1[1]": forward["a1"][1], "z2": forward["z2"], "a2": forward["a2"], "L": grads["loss"],
             "delta2": float(grads["delta2"][0])}
    return next(name for name in PUBLISHED if abs(PUBLISHED[name] - right[name]) > 5e-5 * max(1.0, abs(right[name])))
def _worked_step():  # 07_training: one sgd_step on the worked 2-2-1 network at lr = 0.1
    W1, b1, W2, b2 = np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([0.1, 0.2]), np.array([[0.5, 0.6]]), np.array([0.3])
    r = solutions.two_layer_backprop(np.array([0.5, 0.1]), 1.0, W1, b1, W2, b2)
    return solutions.sgd_step([(W1, b1), (W2, b2)], [(r["dW1"], r["db1"]), (r["dW2"], r["db2"])], 0.1)


def _batches(n, batch_size):  # 07_training: mlp_backward calls of one epoch of the reference train_mlp
    from unittest import mock
    from solutions import training
    with mock.patch.object(training, "mlp_backward", wraps=training.mlp_backward) as backward:
        solutions.train_mlp(np.zeros((n, 1)), np.zeros(n, dtype=int), [1, 2], 0.0, 1, batch_size,
                            np.random.default_rng(0))
    return backward.call_count


def _grad(build, x):
    a = solutions.Value(x)
    build(a).backward()
    return a.grad


# Words a Chinese by-hand sentence may contain: the names and notation it talks about.
NAMES = {"relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax", "alpha", "Phi", "phi", "ln", "logit", "s_i",
         "s_j", "ReLU",
         "dx", "dy", "du", "dL", "dw",  # 01_calculus: derivatives written dy/dx
         "step", "threshold", "x1", "x2", "W1", "W2", "b1", "b2",  # 02_neurons
         # 04_losses: function names and notation of its questions
         "mse", "log", "binary_cross_entropy", "dlogits", "label", "onehot",
         # 05_forward: notation of the worked network
         "z1", "a1", "z2", "a2", "n_in", "sqrt",
         "dL", "da",  # 08_autograd
         # 06_backprop: notation of the worked 2-2-1 network, the shape rule and the relative error
         "delta", "dz", "dW", "lr", "n_out", "a_i", "b_i", "relative_error", "shape", "first_wrong",
         "x0", "batch_size", "n_batches"}  # 07_training (dW2 splits into dW and 2)


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def test_every_question_is_checked_against_the_reference():
    assert set(FROM_REFERENCE) == set(QUESTIONS)


@pytest.mark.parametrize("question_id", sorted(QUESTIONS))
def test_the_value_is_the_reference_value(question_id):
    if isinstance(QUESTIONS[question_id].value, str):  # a question naming a quantity (06_backprop)
        assert QUESTIONS[question_id].value == FROM_REFERENCE[question_id]()
        assert judge(question_id, FROM_REFERENCE[question_id]())[0] is True
        return
    expected = np.asarray(FROM_REFERENCE[question_id](), dtype=float).reshape(-1)
    np.testing.assert_allclose(np.asarray(QUESTIONS[question_id].value, dtype=float).reshape(-1), expected,
                               rtol=0, atol=1e-12)
    assert judge(question_id, expected.tolist() if expected.size > 1 else float(expected[0]))[0] is True


@pytest.mark.parametrize("question_id", sorted(QUESTIONS))
def test_every_slip_is_wrong_and_names_a_real_step(question_id):
    question = QUESTIONS[question_id]
    assert len(question.steps) >= 2
    for slip, step in question.slips:
        assert 1 <= step <= len(question.steps)
        verdict, text = judge(question_id, slip if isinstance(slip, str) else list(np.atleast_1d(slip)))
        assert verdict is False
        assert f"Redo step {step}: {question.steps[step - 1].en}" in text.en
        assert f"请重做第 {step} 步：{question.steps[step - 1].zh}" in text.zh


def test_right_within_the_tolerance_of_a_hand_computation():
    assert judge("softmax([0, ln 2])", [0.333, 0.667])[0] is True
    assert judge("softmax([0, ln 2])", (1 / 3, 2 / 3))[0] is True
    assert judge("softmax([0, ln 2])", np.array([1 / 3, 2 / 3]))[0] is True
    assert judge("sigmoid_grad(0)", "0.25")[0] is True  # typed as text
    assert judge("sigmoid_grad(0)", 0.26)[0] is False
    verdict, text = judge("sigmoid_grad(0)", 1 / 4)
    assert verdict is True and text.en == "✓ sigmoid'(0) = 0.25: right." and text.zh == "✓ sigmoid'(0) = 0.25：正确。"


def test_a_wrong_answer_without_a_known_slip_lists_every_step():
    verdict, text = judge("sigmoid_grad(0)", 0.7)
    assert verdict is False
    assert text.en.startswith("✗ sigmoid'(0) is not 0.7. Go through the steps again: (1) compute s")
    assert "（1）计算 s = sigmoid(0)。（2）" in text.zh


def test_the_untouched_cell_says_what_to_do():
    verdict, text = judge("relu_grad(-3)", ...)
    assert verdict is None and "replace `...` with your answer" in text.en and "换成你的答案" in text.zh


@pytest.mark.parametrize("answer", ["abc", None, True, [], [float("nan")], object(), {"a": 1}])
def test_what_is_not_a_number_is_named_not_raised(answer):
    verdict, text = judge("relu_grad(-3)", answer)
    assert verdict is None and "type a number" in text.en and "请输入一个数" in text.zh


def test_the_wrong_count_of_numbers():
    verdict, text = judge("softmax([0, ln 2])", 0.5)
    assert verdict is False and text.en == "softmax([0, ln 2]) is 2 numbers; you typed 1."


def test_an_unknown_question_is_an_authors_error_naming_the_known_ones():
    with pytest.raises(KeyError, match="relu_grad\\(-3\\)"):
        judge("relu(-3)", 0.0)


def test_check_by_hand_prints_in_the_current_language_and_returns_nothing(capsys):
    assert check_by_hand("tanh_grad(0)", 0.25) is None
    set_language("zh")
    check_by_hand("tanh_grad(0)", 0.25)
    english_line, chinese_line = capsys.readouterr().out.strip().splitlines()
    assert english_line.startswith("✗ tanh'(0) is not 0.25. Redo step 2")
    assert chinese_line.startswith("✗ tanh'(0) 不等于 0.25。请重做第 2 步")


def test_chinese_sentences_hold_no_english_words_but_names():
    texts = [t for q in QUESTIONS.values() for t in q.steps]
    for question_id in QUESTIONS:
        texts += [judge(question_id, answer)[1] for answer in (..., "x", 1e9)]
    for text in texts:
        prose = re.sub(r"`[^`]*`", "", text.zh)
        words = {w for w in re.findall(r"[A-Za-z_]+", prose) if len(w) > 1} - NAMES  # one letter: notation
        assert not words, (text.zh, words)
        assert not re.search(r"[。，：；] ", text.zh), text.zh  # no stray space after Chinese punctuation


def test_notebook_by_hand_cells_name_known_questions_and_are_not_graded():
    used = set()
    for assignment in ASSIGNMENTS:
        from autograder.curriculum import ASSIGNMENTS as CURRICULUM
        nb = read(REPO / "source" / assignment / CURRICULUM[assignment].notebook_file)
        for cell in nb.cells:
            ids = re.findall(r'check_by_hand\("([^"]+)"', cell.source)
            if ids:
                assert not nbgrader_meta(cell), "a by-hand cell is ungraded: no nbgrader metadata"
                assert "answer = ..." in cell.source
            used |= set(ids)
    assert used and used <= set(QUESTIONS), used - set(QUESTIONS)
    assert used == set(QUESTIONS), f"questions no notebook asks: {set(QUESTIONS) - used}"
