"""Reference solutions of 02_neurons."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solutions import neurons
from solutions.activations import sigmoid
from solutions.neurons import collapse_linear, linear_forward, neuron, step, xor_params
from reference_helpers import call_unmodified, check_module_layout, tt

pytestmark = pytest.mark.filterwarnings("error")


def test_module_layout():
    check_module_layout(neurons)


# ---------------------------------------------------------------- neuron

def test_neuron_worked_decision():
    # w = [6, 2, 2], x = [1, 0, 0], b = 1: z = 7, and a step at 5 says "go"
    w, x = np.array([6.0, 2.0, 2.0]), np.array([1.0, 0.0, 0.0])
    assert call_unmodified(neuron, x, w, 1.0, lambda z: z) == pytest.approx(7.0, abs=1e-12)
    assert neuron(x, w, 1.0, lambda z: step(z, 5.0)) == 1.0
    assert neuron(x, w, -2.0, lambda z: step(z, 5.0)) == 0.0  # z = 4


def test_neuron_matches_torch():
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=5), rng.normal(size=5), 0.3
    expected = torch.sigmoid(tt(w, False) @ tt(x, False) + b).item()
    np.testing.assert_allclose(neuron(x, w, b, sigmoid), expected, rtol=1e-12)


def test_sigmoid_of_scaled_input_approaches_the_step():
    # sigmoid(k (z - 5)) -> step(z, 5) as k grows; k = 100 is already close
    z = np.array([3.0, 4.9, 5.1, 7.0])
    gaps = [np.max(np.abs(sigmoid(k * (z - 5)) - step(z, 5.0))) for k in (1, 10, 100)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-4


# ---------------------------------------------------------------- step

def test_step_values_kink_and_type():
    z = np.array([-1.0, 0.0, 1e-12, 2.0, 5.0, 5.5])
    result = call_unmodified(step, z)
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, [0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    np.testing.assert_array_equal(step(z, 5.0), [0.0, 0.0, 0.0, 0.0, 0.0, 1.0])  # step(5, 5) = 0
    for value, threshold, expected in [(0.0, 0.0, 0.0), (5.0, 5.0, 0.0), (0.5, 0.0, 1.0)]:
        r = step(value, threshold)
        assert np.ndim(r) == 0 and np.asarray(r).dtype == np.float64 and r == expected


@pytest.mark.parametrize("shape", [(0,), (3,), (2, 3, 4)])
def test_step_keeps_shape(shape):
    z = np.random.default_rng(3).normal(size=shape)
    result = step(z)
    assert result.shape == shape and result.dtype == np.float64
    np.testing.assert_array_equal(result, (z > 0).astype(float))


# ---------------------------------------------------------------- linear_forward

def test_linear_forward_worked_layer():
    x = np.array([[2.0, 3.0]])
    W = np.array([[1.0, 0.5], [0.5, 2.0], [-1.0, -0.5]])
    b = np.array([0.1, -0.2, 0.0])
    Z = call_unmodified(linear_forward, x, W, b)
    assert Z.shape == (1, 3) and Z.dtype == np.float64
    np.testing.assert_allclose(Z, [[3.6, 6.8, -3.5]], rtol=1e-12)


@pytest.mark.parametrize("N, n_in, n_out", [(1, 1, 1), (7, 4, 3), (5, 3, 6)])
def test_linear_forward_matches_torch(N, n_in, n_out):
    rng = np.random.default_rng(N)
    X, W, b = rng.normal(size=(N, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
    Z = linear_forward(X, W, b)
    assert Z.shape == (N, n_out)
    np.testing.assert_allclose(Z, F.linear(tt(X, False), tt(W, False), tt(b, False)).numpy(),
                               rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- collapse_linear

def test_collapse_linear_equals_two_stacked_layers():
    rng = np.random.default_rng(4)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    W, b = call_unmodified(collapse_linear, W1, b1, W2, b2)
    assert W.shape == (2, 3) and b.shape == (2,) and W.dtype == b.dtype == np.float64
    X = rng.normal(size=(10, 3))
    np.testing.assert_allclose(X @ W.T + b, (X @ W1.T + b1) @ W2.T + b2, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- xor_params

def test_xor_params_is_a_valid_xor_network():
    W1, b1, W2, b2 = xor_params()
    H = W1.shape[0]
    assert H >= 2 and W1.shape == (H, 2) and b1.shape == (H,) and W2.shape == (1, H)
    assert b2.shape == (1,)
    assert all(a.dtype == np.float64 for a in (W1, b1, W2, b2))
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    out = (np.maximum(X @ W1.T + b1, 0.0) @ W2.T + b2)[:, 0]
    assert out[1] > 0.5 and out[2] > 0.5 and out[0] < 0.5 and out[3] < 0.5
