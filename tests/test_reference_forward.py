"""Reference solutions of 05_forward (and the course's ReLU-then-sigmoid forward example)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solutions import forward
from solutions.activations import relu, sigmoid
from solutions.forward import init_params, mlp_forward
from solutions.neurons import linear_forward
from reference_helpers import assert_printed, call_unmodified, check_module_layout, tt

pytestmark = pytest.mark.filterwarnings("error")


def test_module_layout():
    check_module_layout(forward)


# ---------------------------------------------------------------- init_params

@pytest.mark.parametrize("scheme", ["zeros", "he", "xavier"])
def test_init_params_shapes_and_zero_biases(scheme):
    params = init_params([5, 4, 3, 2], np.random.default_rng(0), scheme)
    assert isinstance(params, list) and len(params) == 3
    for (W, b), (n_in, n_out) in zip(params, [(5, 4), (4, 3), (3, 2)]):
        assert W.shape == (n_out, n_in) and b.shape == (n_out,)
        assert W.dtype == b.dtype == np.float64
        assert np.all(b == 0.0)
        assert np.all(W == 0.0) == (scheme == "zeros")


@pytest.mark.parametrize("scheme, std", [("he", lambda i, o: np.sqrt(2 / i)),
                                         ("xavier", lambda i, o: np.sqrt(2 / (i + o)))])
def test_init_params_std_for_large_layers(scheme, std):
    sizes = [400, 300, 200]
    params = init_params(sizes, np.random.default_rng(1), scheme)
    for (W, _), n_in, n_out in zip(params, sizes[:-1], sizes[1:]):
        # the sample std of n normal draws is off by about std / sqrt(2n): allow 6 of those
        expected, n = std(n_in, n_out), W.size
        assert abs(W.std() - expected) < 6 * expected / np.sqrt(2 * n)
        assert abs(W.mean()) < 6 * expected / np.sqrt(n)


def test_init_params_default_is_he_and_randomness_comes_from_rng():
    np.random.seed(123)
    global_state = np.random.get_state()[1].copy()
    a = init_params([6, 5, 2], np.random.default_rng(7))
    b = init_params([6, 5, 2], np.random.default_rng(7), "he")
    np.testing.assert_array_equal(np.random.get_state()[1], global_state)  # global rng untouched
    for (Wa, ba), (Wb, bb) in zip(a, b):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)
    rng = np.random.default_rng(7)
    first, second = init_params([6, 5, 2], rng), init_params([6, 5, 2], rng)
    assert not np.array_equal(first[0][0], second[0][0])  # the rng's state advanced
    assert not np.array_equal(a[0][0], init_params([6, 5, 2], np.random.default_rng(8))[0][0])


def test_init_params_unknown_scheme():
    with pytest.raises(ValueError):
        init_params([3, 2], np.random.default_rng(0), "uniform")


# ---------------------------------------------------------------- mlp_forward

TORCH_ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def torch_mlp(X, params, activation):
    A = tt(X, False)
    for layer, (W, b) in enumerate(params):
        A = F.linear(A, tt(W, False), tt(b, False))
        if layer < len(params) - 1:
            A = TORCH_ACT[activation](A)
    return A.numpy()


def random_params(sizes, seed):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(sizes[:-1], sizes[1:])]


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [[3, 2], [4, 5, 3], [6, 8, 7, 4]])
def test_mlp_forward_matches_torch(activation, sizes):
    params = random_params(sizes, len(sizes))
    X = np.random.default_rng(9).normal(size=(10, sizes[0]))
    logits = call_unmodified(mlp_forward, X, params, activation)
    assert logits.shape == (10, sizes[-1]) and logits.dtype == np.float64
    np.testing.assert_allclose(logits, torch_mlp(X, params, activation), rtol=1e-12, atol=1e-12)


def test_mlp_forward_default_is_relu_and_last_layer_has_no_activation():
    params = random_params([4, 6, 3], 2)
    X = np.random.default_rng(3).normal(size=(20, 4))
    logits = mlp_forward(X, params)
    np.testing.assert_array_equal(logits, mlp_forward(X, params, "relu"))
    assert logits.min() < 0  # not passed through relu or sigmoid
    (W1, b1), (W2, b2) = params
    np.testing.assert_allclose(logits, np.maximum(X @ W1.T + b1, 0) @ W2.T + b2, rtol=1e-12)


def test_worked_relu_then_sigmoid_network():
    x = np.array([[1.0, 0.5]])
    W1, b1 = np.array([[0.2, 0.4], [0.3, -0.5]]), np.array([0.1, -0.2])
    W2, b2 = np.array([[0.7, 0.6]]), np.array([0.05])
    z1 = linear_forward(x, W1, b1)
    a1 = relu(z1)
    z2 = linear_forward(a1, W2, b2)
    a2 = sigmoid(z2)
    np.testing.assert_allclose(z1, [[0.5, -0.15]], rtol=1e-12)
    np.testing.assert_allclose(a1, [[0.5, 0.0]], rtol=1e-12)
    np.testing.assert_allclose(z2, [[0.4]], rtol=1e-12)
    assert_printed(a2[0, 0], "0.5987")
    np.testing.assert_allclose(mlp_forward(x, [(W1, b1), (W2, b2)]), z2, rtol=1e-12)
