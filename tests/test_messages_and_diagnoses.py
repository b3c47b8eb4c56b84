"""Issue 7: messages name the mistake a beginner made, in one language at a time, and every contract
clause (float64, the exception's type, Python floats, kinks) is held."""
from __future__ import annotations

import re

import numpy as np
import pytest

from autograder import checks
from autograder.checks import (CheckFailure, expect, expect_derivative, expect_elementwise, expect_matches_reference,
                               expect_raises)
from autograder.diagnose import compare
from autograder.inputs import Uniform, set_seed
from autograder.messages import CATALOG, Text
from solutions import REFERENCE as R

# Technical names a Chinese sentence of the course may keep in Latin letters (the way the course's
# Chinese sources and d2l write them); anything else in Latin letters outside `code` is English.
NAMES = {"Python", "numpy", "ndarray", "dtype", "notebook", "float", "float64", "dict", "tuple", "list", "NaN",
         "matplotlib", "IPython", "CPU"}
CODE_SPAN = re.compile(r"`[^`]*`")
PUNCTUATION_THEN_SPACE = re.compile(r"[。，：；！？）] ")


def english_words(zh: str, code: tuple[str, ...] = ()) -> set[str]:
    """Latin-letter words of ``zh`` outside code spans, allowed names and the given code strings."""
    for fragment in code:
        zh = zh.replace(fragment, " ")
    zh = CODE_SPAN.sub(" ", zh)
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9_]+", zh) if w not in NAMES}


def test_every_chinese_template_is_chinese_apart_from_code_and_names():
    for key, (_, zh) in CATALOG.items():
        template = re.sub(r"\{[^}]*\}", " ", zh)
        assert not english_words(template), (key, english_words(template))
        assert not PUNCTUATION_THEN_SPACE.search(zh) and not zh.startswith(" "), (key, zh)


def wrong_answers():
    """(got, expected, options) for the mistakes beginners make, each to be explained in Chinese."""
    z = np.random.default_rng(3).normal(size=(4, 3))
    return [
        (True, 1.0, {}), (np.float32(0.5), 0.5, {}), (z.astype(np.float32), z, {}), (z > 0, z, {}),
        (z.tolist(), z, {}), (z.astype(object), z, {}), (None, z, {}), (3, 1.5, {}), ({"a": 1.0}, (z,), {}),
        ((z,), {"a": z}, {}), (z.T, z, {}), (-z, z, {}), (2 * z, z, {"derivative": True}), (z + 1, z, {}),
        (np.where(z > 0, np.nan, z), z, {}), (z.reshape(4, 3, 1), z, {}), (np.ones((3, 3)), np.ones(3), {}),
        (z[:, 0], z, {}), (np.array([0.0, 1.0, 1.0]), np.array([0.0, 0.0, 1.0]),
                           {"inputs": (np.array([-1.0, 0.0, 2.0]),), "kinks": (0.0,), "reveal": True}),
        (1.0, 0.0, {"inputs": (0.0,), "kinks": (0.0,), "reveal": True}), (0.7, 0.2, {"reveal": True}),
        (np.array([0.0, 0.5]), np.array([0.0, 1.0]), {"itself": ("relu", np.array([0.0, 0.5]))}),
    ]


@pytest.mark.parametrize("case", range(len(wrong_answers())))
def test_each_diagnosis_is_fully_chinese_in_the_chinese_release(case):
    got, expected, options = wrong_answers()[case]
    problems = compare(got, expected, "f(z)", **options)
    assert problems
    for problem in problems:
        assert not english_words(problem.zh, code=("f(z)", "relu")), problem.zh
        assert not PUNCTUATION_THEN_SPACE.search(problem.zh), problem.zh


def failure(check, *args, **kwargs) -> CheckFailure:
    with pytest.raises(CheckFailure) as caught:
        check(*args, **kwargs)
    return caught.value


def test_float32_and_float16_fail_where_the_contract_says_float64(capsys):
    def relu32(z):
        return np.maximum(np.asarray(z, dtype=np.float32), 0)

    assert "float32" in failure(expect, relu32, np.array([1.0, -1.0]), returns=np.array([1.0, 0.0])).problems[0].en
    assert "float16" in failure(expect, lambda z: np.float16(z), 2.0, returns=2.0).problems[0].en
    expect(lambda z: np.float64(z), 2.0, returns=2.0)  # np.float64 and 0-d float64 arrays are floats
    expect(lambda z: np.asarray(z, dtype=np.float64), 2.0, returns=2.0)


def test_an_integer_or_boolean_where_a_float_is_expected_fails():
    assert failure(expect, lambda z: 1, 2.0, returns=1.0).problems[0].key == "wrong_type"
    assert failure(expect, lambda z: z > 0, 2.0, returns=1.0).problems[0].key == "wrong_type"


def test_expect_raises_checks_the_type_of_the_exception_not_its_message(capsys):
    def raises_type_error_mentioning_value_error(a, b):
        raise TypeError("I am not a ValueError: shapes differ")

    def raises_value_error_subclass(a, b):
        class ShapeError(ValueError):
            pass
        raise ShapeError("inner sizes differ")

    def returns(a, b):
        return a

    problem = failure(expect_raises, raises_type_error_mentioning_value_error, ValueError, 1.0, 2.0).problems[0]
    assert problem.key == "wrong_exception" and "TypeError" in problem.en
    expect_raises(raises_value_error_subclass, ValueError, 1.0, 2.0)  # a subclass is that error
    assert failure(expect_raises, returns, ValueError, 1.0, 2.0).problems[0].key == "did_not_raise"

    def stub(a, b):
        raise NotImplementedError()
    assert failure(expect_raises, stub, ValueError, 1.0, 2.0).problems[0].key == "not_implemented"


def test_relu_grad_that_returns_relu_is_not_called_a_chain_rule_factor(capsys):
    relu_grad = _named(R["relu"], "relu_grad")  # the mistake: the function itself for its derivative
    problem = failure(expect, relu_grad, np.array([-2.0, 0.0, 0.5, 3.0]),
                      returns=np.array([0.0, 0.0, 1.0, 1.0]), kinks=[0.0]).problems[0]
    assert "factor" not in problem.en and "chain" not in problem.en
    problem = failure(expect, relu_grad, np.array([-2.0, 0.0, 0.5]), returns=np.array([0.0, 0.0, 1.0])).problems[0]
    assert "factor" not in problem.en, "one positive probe of 0.5 is no evidence of a constant factor"
    derivative = failure(expect_derivative, relu_grad, of=_named(R["relu"], "relu"),
                         at=Uniform((4, 5)), kinks=[0.0]).problems[0]
    assert derivative.key == "pattern_returned_function" and "relu itself" in derivative.en


def _named(fn, name):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    wrapper.__name__ = name
    return wrapper


def test_a_hidden_derivative_returning_the_function_is_recognised():
    set_seed(1)
    try:
        problem = failure(expect_matches_reference, _named(R["relu"], "relu_grad"), "relu_grad",
                          Uniform((5, 4), -3, 3)).problems[0]
    finally:
        set_seed(None)
    assert problem.key == "pattern_returned_function"


def test_greater_or_equal_at_the_kink_is_explained_as_the_kink_convention():
    def relu_grad_ge(z):
        return (np.asarray(z, dtype=np.float64) >= 0).astype(np.float64)
    relu_grad_ge.__name__ = "relu_grad"
    for args in ((np.array([-2.0, 0.0, 0.5, 3.0]),), (0.0,)):
        problem = failure(expect, relu_grad_ge, *args, returns=R["relu_grad"](*args), kinks=[0.0]).problems[0]
        assert "kink" in problem.en and "折点" in problem.zh and ">=" in problem.en
        assert "1e+08" not in problem.en and "relative" not in problem.en  # no relative error against 0


def test_hidden_messages_give_no_relative_error_that_would_reveal_the_expected_size():
    [problem] = compare(np.array([1.0, 2.7]), np.array([1.0, 2.0]), "f(<array (2,)>)")
    assert "relative" not in problem.en and "2.0" not in problem.en and "0.7" in problem.en


def test_an_object_array_is_called_an_array_of_objects():
    problem = compare(np.array([1.0, 2.0], dtype=object), np.array([1.0, 2.0]), "f(z)")[0]
    assert problem.key == "object_array"


def test_a_python_float_only_or_array_only_function_fails_the_element_wise_contract(capsys):
    import math

    def relu_float_only(z):
        return max(0.0, z)  # raises on an array
    relu_float_only.__name__ = "relu"

    def sigmoid_math(z):
        return 1 / (1 + math.exp(-z))  # raises on arrays of more than one entry
    sigmoid_math.__name__ = "sigmoid"

    def leaky_arrays_only(z, alpha=0.01):
        return np.array([v if v > 0 else alpha * v for v in z])  # a float (or a 0-d array) is not iterable
    leaky_arrays_only.__name__ = "leaky_relu"

    def tanh_list(z):
        return np.tanh(z).tolist() if np.ndim(z) else float(np.tanh(z))
    tanh_list.__name__ = "tanh"

    set_seed(5)
    try:
        for fn, name in ((relu_float_only, "relu"), (sigmoid_math, "sigmoid"), (leaky_arrays_only, "leaky_relu"),
                         (tanh_list, "tanh")):
            failure(expect_elementwise, fn, name, kinks=[0.0] if "relu" in name else [])
        expect_elementwise(R["relu"], "relu", kinks=[0.0])
        expect_elementwise(R["leaky_relu"], "leaky_relu", kinks=[0.0], alpha=Uniform((), 0.05, 0.5))
    finally:
        set_seed(None)


def test_hidden_inputs_are_never_shown_not_even_a_python_float():
    def wrong(z):
        return np.float64(z) + 1.0
    wrong.__name__ = "relu"
    set_seed(9)
    try:
        text = failure(expect_matches_reference, wrong, "relu", Uniform((), 1, 2)).render("en")
    finally:
        set_seed(None)
    assert "<float>" in text and not re.search(r"relu\(1\.\d", text)


def test_a_wrong_forward_is_named_as_the_fault_in_the_learners_kernel(capsys):
    def leaky_relu(z, alpha=0.01):  # ignores alpha
        z = np.asarray(z, dtype=np.float64)
        return np.where(z > 0, z, 0.01 * z)
    leaky_relu_grad = R["leaky_relu_grad"]

    failure(expect, leaky_relu, np.array([-2.0, 0.0, 3.0]), alpha=0.2, returns=np.array([-0.4, 0.0, 3.0]))
    problem = failure(expect_derivative, leaky_relu_grad, of=leaky_relu, at=Uniform((4, 4)), kinks=[0.0],
                      alpha=0.1).problems[0]
    assert "fix leaky_relu first" in problem.en and "请先修正 leaky_relu" in problem.zh

    def relu(z):  # modifies its argument
        z = np.asarray(z, dtype=np.float64)
        z[z < 0] = 0.0
        return z
    problem = failure(expect_derivative, R["relu_grad"], of=relu, at=Uniform((3, 3)), kinks=[0.0]).problems[0]
    assert problem.key == "forward_broke" and "Fix relu first" in problem.en


def test_with_reference_forwards_a_right_derivative_passes_whatever_the_learners_forward(capsys):
    def leaky_relu(z, alpha=0.01):
        return np.zeros_like(np.asarray(z, dtype=np.float64))
    with checks.forwards_from_reference():
        expect_derivative(R["leaky_relu_grad"], of=leaky_relu, at=Uniform((4, 4)), kinks=[0.0], alpha=0.1)
    with pytest.raises(CheckFailure):
        expect_derivative(R["leaky_relu_grad"], of=leaky_relu, at=Uniform((4, 4)), kinks=[0.0], alpha=0.1)


def test_text_addition_keeps_both_languages_separate():
    joined = Text("a.", "甲。") + Text(" b.", "乙。")
    assert joined.en == "a. b." and joined.zh == "甲。乙。"


def test_a_function_calling_a_failed_function_says_so_in_the_learners_kernel(capsys):
    namespace = {"np": np}
    exec("def softmax(z):\n    return np.exp(z)\n"
         "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.diag(s) - np.outer(s, s)\n", namespace)
    failure(expect, namespace["softmax"], np.array([0.0, 0.0]), returns=np.array([0.5, 0.5]))
    problem = failure(expect, namespace["softmax_jacobian"], np.array([0.0, 0.0]),
                      returns=np.array([[0.25, -0.25], [-0.25, 0.25]])).problems[0]
    assert "calls your softmax" in problem.en and "请先修正 softmax" in problem.zh
