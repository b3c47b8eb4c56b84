"""The numerical gradient checker, checked against PyTorch's automatic differentiation."""
import numpy as np
import pytest
import torch

from autograder import gradcheck


def torch_grad(f_torch, x):
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    f_torch(t).backward()
    return t.grad.numpy()


def test_numerical_gradient_matches_torch_and_leaves_input_alone():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    before = x.copy()
    numeric = gradcheck.numerical_gradient(lambda v: float(np.sum(np.sin(v) * v ** 2)), x)
    expected = torch_grad(lambda t: torch.sum(torch.sin(t) * t ** 2), x)
    np.testing.assert_allclose(numeric, expected, rtol=1e-8, atol=1e-10)
    assert x.tobytes() == before.tobytes()


def test_numerical_derivative_matches_torch_elementwise():
    z = np.linspace(-3, 3, 13)
    numeric = gradcheck.numerical_derivative(np.tanh, z)
    expected = torch_grad(lambda t: torch.tanh(t).sum(), z)
    np.testing.assert_allclose(numeric, expected, rtol=1e-8, atol=1e-10)


def test_numerical_jacobian_shape_and_values_match_torch():
    x = np.array([0.3, -1.2, 2.0])

    def f(v):
        return np.array([v[0] * v[1], np.exp(v[2]), v[0] ** 3 - v[2]])

    numeric = gradcheck.numerical_jacobian(f, x)
    expected = torch.autograd.functional.jacobian(
        lambda t: torch.stack([t[0] * t[1], torch.exp(t[2]), t[0] ** 3 - t[2]]),
        torch.tensor(x, dtype=torch.float64)).numpy()
    assert numeric.shape == (3, 3)
    np.testing.assert_allclose(numeric, expected, rtol=1e-7, atol=1e-9)


def test_projected_gradients_are_the_vector_jacobian_product():
    rng = np.random.default_rng(1)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    upstream = rng.normal(size=(5, 2))
    numeric = gradcheck.projected_gradients(lambda X, W, b: np.tanh(X @ W.T + b), {"X": X, "W": W, "b": b},
                                            upstream)
    tX, tW, tb = (torch.tensor(a, requires_grad=True) for a in (X, W, b))
    torch.sum(torch.tensor(upstream) * torch.tanh(tX @ tW.T + tb)).backward()
    for name, t in (("X", tX), ("W", tW), ("b", tb)):
        assert numeric[name].shape == t.shape
        assert gradcheck.relative_error(numeric[name], t.grad.numpy()) < 1e-8


def test_relative_error_is_scaled_by_the_arrays_not_entrywise():
    assert gradcheck.relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-12])) < 1e-11
    assert gradcheck.relative_error(np.array([2.0]), np.array([1.0])) == pytest.approx(0.5)
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0


@pytest.mark.parametrize("error, key, passed", [
    (1e-11, "verdict_exact", True), (1e-7, "verdict_ok", True),
    (1e-4, "verdict_suspicious", False), (0.3, "verdict_wrong", False), (float("nan"), "verdict_wrong", False)])
def test_verdict_bands(error, key, passed):
    v = gradcheck.verdict(error)
    assert (v.key, v.passed) == (key, passed)


def test_no_probe_lands_within_h_of_a_kink():
    h = 1e-5
    x = np.array([0.0, 5e-6, -3e-6, 0.5, -2.0, 1.0 + 1e-7])
    moved = gradcheck.away_from_kinks(x, kinks=[0.0, 1.0], margin=10 * h)
    for kink in (0.0, 1.0):
        assert np.all(np.abs(moved - kink) > h)
    assert moved[3] == 0.5 and moved[4] == -2.0  # far from kinks: untouched
    assert np.sign(moved[2]) == -1 and np.sign(moved[1]) == 1  # pushed away on its own side
