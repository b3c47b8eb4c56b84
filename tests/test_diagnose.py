"""Each recognisable mistake, made by a small buggy function, is named in the message, in both languages."""
import numpy as np
import pytest

from autograder.diagnose import compare
from autograder.messages import set_language

RNG = np.random.default_rng(7)
Z = RNG.normal(size=(4, 3))


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


CASES = [
    # (description, got, expected, English words, Chinese words)
    ("transposed shape", Z.T, Z, "transposed", "转置"),
    ("transposed square", np.arange(9.0).reshape(3, 3).T, np.arange(9.0).reshape(3, 3), "transpose", "转置"),
    ("sign flipped", -sigmoid(Z) * (1 - sigmoid(Z)), sigmoid(Z) * (1 - sigmoid(Z)), "sign", "符号"),
    ("constant factor", 2 * (3 * Z + 2), 6 * (3 * Z + 2), "constant factor of about 0.3333", "常数因子"),
    ("constant offset", Z + 0.5, Z, "constant 0.5", "常数"),
    ("wrong axis", softmax(Z, axis=0), softmax(Z, axis=1), "wrong axis", "错误的轴"),
    ("wrong rows", np.where(np.arange(4)[:, None] == 2, 0.0, Z), Z, "axis 0 at positions [2]", "位置 [2]"),
    ("NaN", np.where(Z > 0.5, np.nan, Z), Z, "NaN", "NaN"),
    ("booleans", Z > 0, (Z > 0).astype(float), "dtype `bool`", "dtype"),
    ("float32", Z.astype(np.float32), Z, "dtype `float32`", "float64"),
    ("float16", Z.astype(np.float16), Z, "dtype `float16`", "有效数字"),
    ("objects", Z.astype(object), Z, "Python objects", "Python 对象"),
    ("list", Z.tolist(), Z, "list", "np.array"),
    ("None", None, Z, "forget `return`", "return"),
    ("extra axis", Z.reshape(4, 3, 1), Z, "extra or missing axis", "长度为 1 的轴"),
    ("broadcast", np.ones((3, 3)), np.ones(3), "broadcast", "广播"),
    ("summed away", Z.sum(axis=1), Z.sum(axis=0), "shape (4,)", "(4,)"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_pattern_is_named_in_both_languages(case):
    _, got, expected, english, chinese = case
    problems = compare(got, expected, "f(z)", derivative=True)
    assert problems, "a wrong answer must be reported"
    assert english in " ".join(p.en for p in problems)
    assert chinese in " ".join(p.zh for p in problems)


def test_chain_rule_hint_only_for_derivatives():
    got, expected = 2 * (3 * Z + 2), 6 * (3 * Z + 2)
    assert "chain-rule" in compare(got, expected, "d", derivative=True)[0].en
    assert "chain-rule" not in compare(got, expected, "f", derivative=False)[0].en


def test_returned_input_is_recognised():
    assert "returns its argument" in compare(Z, np.tanh(Z), "tanh(z)", inputs=(Z,))[0].en


def test_generic_difference_says_which_entries_and_how_much_without_expected_values():
    expected = np.array([[0.123456789, 0.5], [0.25, 0.75]])
    got = expected.copy()
    got[1, 0] += 0.3
    [message] = compare(got, expected, "f(z)")
    assert "1 of 4 entries" in message.en and "[1, 0]" in message.en and "0.3" in message.en
    for value in (0.123456789, 0.25, 0.75):
        assert f"{value:.3g}" not in message.en, "a hidden expected value must not be printed"


def test_reveal_shows_expected_for_visible_tests_only():
    got, expected = np.array([1.0, 2.0]), np.array([1.0, 3.0])
    assert "Expected" in compare(got, expected, "f", reveal=True)[0].en
    assert "Expected" not in compare(got, expected, "f")[0].en


def test_correct_answers_pass_within_tolerance_and_types_are_checked():
    assert compare(Z * (1 + 1e-9), Z, "f") == []
    assert compare(np.float64(0.5), 0.5, "f") == []
    assert compare(np.array(0.5), 0.5, "f") == []  # 0-d array is allowed for a float input
    assert compare(np.array(0.5), 0.5, "loss", strict_float=True)  # but not where a float is required
    assert compare(True, 1.0, "f")


def test_structures_are_compared_item_by_item_with_names():
    got = (np.ones((2, 3)), np.ones((3, 2)))
    problems = compare(got, (np.ones((2, 3)), np.ones((2, 3))), "linear_backward", names=("dX", "dW"))
    assert len(problems) == 1 and problems[0].en.startswith("dW has shape (3, 2)")
    assert "keys" in compare({"a": 1.0}, {"a": 1.0, "b": 2.0}, "out")[0].en


def test_messages_render_in_the_current_language():
    [message] = compare(-Z, Z, "f(z)")
    try:
        set_language("zh")
        assert str(message) == message.zh
    finally:
        set_language("en")
    assert str(message) == message.en
