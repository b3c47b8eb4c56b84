"""The declarations test cells make: they pass the reference and explain each buggy function."""
import numpy as np
import pytest

import solutions
from autograder import (CheckFailure, Normal, Uniform, expect, expect_backward, expect_derivative, expect_jacobian,
                        expect_matches_reference, expect_raises, expect_stable, set_language)
from autograder.inputs import set_seed

ref = solutions.REFERENCE


def named(name, fn):
    fn.__name__ = name
    return fn


def failure(check, *args, **kwargs) -> CheckFailure:
    with pytest.raises(CheckFailure) as info:
        check(*args, **kwargs)
    return info.value


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def test_reference_passes_and_each_check_prints_one_success_line(capsys):
    expect(ref["relu"], np.array([-1.0, 2.0]), returns=np.array([0.0, 2.0]))
    expect_derivative(ref["sigmoid_grad"], of=ref["sigmoid"], at=Uniform((3, 4)))
    expect_derivative(ref["relu_grad"], of=ref["relu"], at=Uniform((50,)), kinks=[0.0])
    expect_jacobian(ref["softmax_jacobian"], of=ref["softmax"], at=Normal((5,)))
    expect_matches_reference(ref["gelu"], "gelu", Uniform((4, 4)))
    expect_stable(ref["softmax"], "softmax", Uniform((3, 5), -1e4, 1e4))
    expect_backward(named("linear_backward", ref["linear_backward"]), ref["linear_forward"],
                    {"X": Normal((4, 3)), "W": Normal((2, 3)), "b": Normal((2,))},
                    backward_args=("upstream", "X", "W"), returns=("X", "W", "b"))
    expect_raises(ref["matmul"], ValueError, np.ones((2, 3)), np.ones((2, 3)))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 8 and all(line.startswith("✓") for line in lines)


def test_a_stub_says_not_implemented_in_the_learners_language():
    def relu(z):
        raise NotImplementedError()
    assert "not implemented yet" in str(failure(expect, relu, 1.0, returns=1.0))
    set_language("zh")
    assert "还没有实现" in str(failure(expect, relu, 1.0, returns=1.0))


def test_an_undefined_function_and_a_crash_are_reported_plainly():
    assert "not defined" in str(failure(expect, None, 1.0, returns=1.0))
    crash = named("relu", lambda z: 1 / 0)
    assert "ZeroDivisionError" in str(failure(expect, crash, 1.0, returns=1.0))


def test_a_function_that_modifies_its_input_fails_even_with_the_right_answer():
    def relu(z):
        z[z < 0] = 0.0
        return z
    assert "in place" in str(failure(expect, relu, np.array([-1.0, 2.0]), returns=np.array([0.0, 2.0])))
    assert "in place" in str(failure(expect_matches_reference, relu, "relu", Uniform((3, 3))))


def test_derivative_missing_a_chain_rule_factor():
    half_done = named("sigmoid_grad", lambda z: 2 * ref["sigmoid_grad"](z))
    message = str(failure(expect_derivative, half_done, of=ref["sigmoid"], at=Uniform((3, 3))))
    assert "numerical derivative of sigmoid" in message and "chain-rule" in message


def test_derivative_is_not_confused_by_kinks():
    # relu_grad is right away from 0; a probe straddling the kink would measure 0.5 there.
    z = np.array([0.0, 1e-7, -1e-7, 1.0, -1.0])
    expect_derivative(ref["relu_grad"], of=ref["relu"], at=z, kinks=[0.0])


def test_sign_error_in_softmax_jacobian():
    flipped = named("softmax_jacobian", lambda z: -ref["softmax_jacobian"](z))
    assert "sign" in str(failure(expect_jacobian, flipped, of=ref["softmax"], at=Normal((4,))))


def test_backward_with_a_transposed_weight_gradient():
    def linear_backward(dZ, X, W):
        dX, dW, db = ref["linear_backward"](dZ, X, W)
        return dX, dW.T, db
    message = str(failure(expect_backward, linear_backward, ref["linear_forward"],
                          {"X": Normal((4, 3)), "W": Normal((2, 3)), "b": Normal((2,))},
                          backward_args=("upstream", "X", "W"), returns=("X", "W", "b")))
    assert "dW has shape (3, 2)" in message and "transposed" in message


def test_backward_with_a_bias_gradient_summed_over_the_wrong_axis():
    def linear_backward(dZ, X, W):
        dX, dW, _ = ref["linear_backward"](dZ, X, W)
        return dX, dW, dZ.sum(axis=1)
    message = str(failure(expect_backward, linear_backward, ref["linear_forward"],
                          {"X": Normal((4, 3)), "W": Normal((2, 3)), "b": Normal((2,))},
                          backward_args=("upstream", "X", "W"), returns=("X", "W", "b")))
    assert "db has shape (4,)" in message


def test_backward_value_error_is_named_per_output():
    def linear_backward(dZ, X, W):
        dX, dW, db = ref["linear_backward"](dZ, X, W)
        return dX, 0.5 * dW, db
    message = str(failure(expect_backward, linear_backward, ref["linear_forward"],
                          {"X": Normal((4, 3)), "W": Normal((2, 3)), "b": Normal((2,))},
                          backward_args=("upstream", "X", "W"), returns=("X", "W", "b")))
    assert "dW disagrees" in message and "dX" not in message and "db" not in message


def test_hidden_checks_describe_inputs_by_shape_and_never_print_expected_values():
    set_seed(1234)
    off = named("gelu", lambda z: ref["gelu"](z) + 1e-3 * np.sin(z))
    message = str(failure(expect_matches_reference, off, "gelu", Uniform((3, 4))))
    assert "<array (3, 4)>" in message
    set_seed(1234)
    from autograder.inputs import draw, generator
    z = draw(Uniform((3, 4)), generator("reference:gelu:0"))
    for value in ref["gelu"](z).ravel():
        assert f"{value:.3g}" not in message and f"{value:.6f}" not in message
    set_seed(None)


def test_tanh_approximation_of_gelu_fails_the_tolerance():
    approx = named("gelu", lambda z: 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z ** 3))))
    failure(expect_matches_reference, approx, "gelu", Uniform((8, 8), -5, 5))


def test_stability_checks_fail_on_overflow_warnings_but_ordinary_checks_do_not():
    naive = named("sigmoid", lambda z: 1 / (1 + np.exp(-np.asarray(z, dtype=float))))
    assert "warning" in str(failure(expect_stable, naive, "sigmoid", np.array([-1e4, 0.0, 1e4])))
    assert "warning" in str(failure(expect, naive, np.array([-1e4]), returns=np.array([0.0]), quiet=True))
    expect(naive, np.array([-1e4]), returns=np.array([0.0]))  # a warning alone costs nothing here


def test_same_seed_same_hidden_inputs_and_different_seed_different_inputs():
    from autograder.inputs import draw, generator
    set_seed(5)
    a = draw(Uniform((4,)), generator("x"))
    set_seed(5)
    b = draw(Uniform((4,)), generator("x"))
    set_seed(6)
    c = draw(Uniform((4,)), generator("x"))
    set_seed(None)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_uniform_keeps_away_from_avoided_points():
    from autograder.inputs import draw, generator
    x = draw(Uniform((10000,), -0.05, 0.05, avoid=(0.0,), margin=1e-2), generator("avoid"))
    assert np.all(np.abs(x) >= 1e-2)


def test_check_failure_is_an_assertion_error_so_nbgrader_scores_the_cell_zero():
    assert issubclass(CheckFailure, AssertionError)
