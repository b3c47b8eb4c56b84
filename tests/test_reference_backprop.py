"""Reference solutions of 06_backprop."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solutions import backprop
from solutions.activations import sigmoid
from solutions.backprop import (grad_check, linear_backward, mlp_backward, relative_error,
                                two_layer_backprop)
from solutions.forward import mlp_forward
from solutions.losses import softmax_cross_entropy
from solutions.neurons import linear_forward
from reference_helpers import assert_printed, call_unmodified, central_grad, check_module_layout, tt

pytestmark = pytest.mark.filterwarnings("error")


def test_module_layout():
    check_module_layout(backprop)


# ---------------------------------------------------------------- linear_backward

@pytest.mark.parametrize("N, n_in, n_out", [(1, 1, 1), (6, 4, 3), (5, 2, 7)])
def test_linear_backward_matches_torch_and_central_differences(N, n_in, n_out):
    rng = np.random.default_rng(N + n_in + n_out)
    X, W, b = rng.normal(size=(N, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
    G = rng.normal(size=(N, n_out))  # upstream dL/dZ for L = sum(G * Z)
    dX, dW, db = call_unmodified(linear_backward, G, X, W)
    assert (dX.shape, dW.shape, db.shape) == (X.shape, W.shape, b.shape)
    assert dX.dtype == dW.dtype == db.dtype == np.float64
    tX, tW, tb = tt(X), tt(W), tt(b)
    (F.linear(tX, tW, tb) * tt(G, False)).sum().backward()
    for ours, theirs in [(dX, tX), (dW, tW), (db, tb)]:
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)
    L = lambda X_, W_, b_: float(np.sum(G * (X_ @ W_.T + b_)))  # noqa: E731
    np.testing.assert_allclose(dX, central_grad(lambda v: L(v, W, b), X), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dW, central_grad(lambda v: L(X, v, b), W), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(db, central_grad(lambda v: L(X, W, v), b), rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- two_layer_backprop

X21 = np.array([0.5, 0.1])
W1 = np.array([[0.1, 0.2], [0.3, 0.4]])
B1 = np.array([0.1, 0.2])
W2 = np.array([[0.5, 0.6]])
B2 = np.array([0.3])
SHAPES = {"delta2": (1,), "delta1": (2,), "dW2": (1, 2), "db2": (1,), "dW1": (2, 2), "db1": (2,)}


def test_two_layer_backprop_worked_numbers():
    # the forward numbers, with the graded forward functions
    z1 = linear_forward(X21[None], W1, B1)[0]
    a1 = sigmoid(z1)
    z2 = linear_forward(a1[None], W2, B2)[0]
    a2 = sigmoid(z2)
    np.testing.assert_allclose(z1, [0.17, 0.39], rtol=1e-12)  # not the tutorial's 0.35
    assert_printed(a1, ["0.54240", "0.59628"])
    assert_printed(z2, ["0.92897"])
    assert_printed(a2, ["0.71687"])
    r = call_unmodified(two_layer_backprop, X21, 1.0, W1, B1, W2, B2)
    assert_printed(r["loss"], "0.040082")
    assert_printed(r["delta2"], ["-0.057467"])
    assert_printed(r["delta1"], ["-0.0071318", "-0.0083005"])
    assert_printed(r["dW2"], [["-0.031170", "-0.034267"]])
    assert_printed(r["dW1"], [["-0.0035659", "-0.00071318"], ["-0.0041502", "-0.00083005"]])
    np.testing.assert_allclose(r["db2"], r["delta2"], rtol=0)
    np.testing.assert_allclose(r["db1"], r["delta1"], rtol=0)


def test_two_layer_backprop_types_and_shapes():
    r = two_layer_backprop(X21, 1, W1, B1, W2, B2)
    assert set(r) == {"loss", *SHAPES}
    assert isinstance(r["loss"], float)
    for key, shape in SHAPES.items():
        assert isinstance(r[key], np.ndarray) and r[key].shape == shape
        assert r[key].dtype == np.float64


def two_layer_loss(x, y, W1_, b1_, W2_, b2_):
    """The test's own forward pass of the 2-2-1 sigmoid network."""
    a1 = 1 / (1 + np.exp(-(W1_ @ x + b1_)))
    a2 = 1 / (1 + np.exp(-(W2_ @ a1 + b2_)))
    return float(0.5 * (a2[0] - y) ** 2)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_layer_backprop_matches_torch_and_central_differences(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=2), float(rng.uniform())
    args = [rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(1, 2)),
            rng.normal(size=1)]
    r = two_layer_backprop(x, y, *args)
    tx, t = tt(x), [tt(a) for a in args]
    z1 = t[0] @ tx + t[1]
    z1.retain_grad()
    z2 = t[2] @ torch.sigmoid(z1) + t[3]
    z2.retain_grad()
    loss = 0.5 * (torch.sigmoid(z2)[0] - y) ** 2
    loss.backward()
    np.testing.assert_allclose(r["loss"], loss.item(), rtol=1e-12)
    torch_grads = {"delta2": z2, "delta1": z1, "dW1": t[0], "db1": t[1], "dW2": t[2], "db2": t[3]}
    for key, tensor in torch_grads.items():
        np.testing.assert_allclose(r[key], tensor.grad.numpy(), rtol=1e-10, atol=1e-15, err_msg=key)
    for key, i in [("dW1", 0), ("db1", 1), ("dW2", 2), ("db2", 3)]:
        def f(v, i=i):
            changed = list(args)
            changed[i] = v
            return two_layer_loss(x, y, *changed)
        np.testing.assert_allclose(r[key], central_grad(f, args[i]), rtol=1e-6, atol=1e-9,
                                   err_msg=key)


# ---------------------------------------------------------------- mlp_backward

TORCH_ACT = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def network(sizes, seed, N=8):
    rng = np.random.default_rng(seed)
    params = [(rng.normal(size=(o, i)) / np.sqrt(i), rng.normal(size=o) * 0.1)
              for i, o in zip(sizes[:-1], sizes[1:])]
    return rng.normal(size=(N, sizes[0])), rng.integers(0, sizes[-1], size=N), params


def hidden_preactivations(X, params):
    Z, A = [], X
    for W, b in params[:-1]:
        Z.append(A @ W.T + b)
        A = np.maximum(Z[-1], 0)
    return np.concatenate([z.ravel() for z in Z]) if Z else np.array([1.0])


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [[3, 4], [4, 5, 3], [5, 6, 4, 3]])
def test_mlp_backward_matches_torch_and_central_differences(activation, sizes):
    X, labels, params = network(sizes, seed=len(sizes))
    if activation == "relu":  # central differences need inputs away from relu's kink
        assert np.min(np.abs(hidden_preactivations(X, params))) > 1e-3
    loss, grads = call_unmodified(mlp_backward, X, labels, params, activation)
    assert isinstance(loss, float) and isinstance(grads, list) and len(grads) == len(params)
    np.testing.assert_allclose(loss, softmax_cross_entropy(mlp_forward(X, params, activation),
                                                           labels)[0], rtol=1e-12)
    tparams = [(tt(W), tt(b)) for W, b in params]
    A = tt(X, False)
    for layer, (W, b) in enumerate(tparams):
        A = F.linear(A, W, b)
        if layer < len(tparams) - 1:
            A = TORCH_ACT[activation](A)
    torch_loss = F.cross_entropy(A, torch.tensor(labels))
    torch_loss.backward()
    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-12)
    for layer, ((dW, db), (W, b), (tW, tb)) in enumerate(zip(grads, params, tparams)):
        assert dW.shape == W.shape and db.shape == b.shape and dW.dtype == db.dtype == np.float64
        np.testing.assert_allclose(dW, tW.grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(db, tb.grad.numpy(), rtol=1e-10, atol=1e-14)

        def f(v, layer=layer, which=0):
            changed = [list(p) for p in params]
            changed[layer][which] = v
            return softmax_cross_entropy(mlp_forward(X, changed, activation), labels)[0]
        np.testing.assert_allclose(dW, central_grad(f, W), rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(db, central_grad(lambda v: f(v, which=1), b), rtol=1e-6,
                                   atol=1e-9)


def test_mlp_backward_default_activation_is_relu():
    X, labels, params = network([4, 5, 3], seed=3)
    loss, grads = mlp_backward(X, labels, params)
    loss_relu, grads_relu = mlp_backward(X, labels, params, "relu")
    assert loss == loss_relu
    for (dW, db), (dW2, db2) in zip(grads, grads_relu):
        np.testing.assert_array_equal(dW, dW2)
        np.testing.assert_array_equal(db, db2)


# ---------------------------------------------------------------- relative_error, grad_check

def test_relative_error_is_an_element_wise_maximum():
    a, b = np.array([1.0, 100.0]), np.array([1.1, 100.1])
    result = call_unmodified(relative_error, a, b)
    assert isinstance(result, float)
    np.testing.assert_allclose(result, 0.1 / 2.1, rtol=1e-12)  # a norm would give about 7e-4
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    np.testing.assert_allclose(relative_error(np.array([0.0]), np.array([1e-10])), 1e-2, rtol=1e-12)
    np.testing.assert_allclose(relative_error(2.0, -2.0), 1.0, rtol=1e-12)


def test_grad_check_small_for_a_right_gradient_and_exact_for_a_wrong_one():
    x = np.random.default_rng(4).uniform(0.5, 2.0, size=(3, 4))
    f = lambda v: float(np.sum(v ** 3))  # noqa: E731
    right = 3 * x ** 2
    result = call_unmodified(grad_check, f, x, right)
    assert isinstance(result, float) and result < 1e-8
    wrong = right.copy()
    wrong[1, 2] *= 1.5  # element-wise: 0.5 / 2.5 = 0.2 at that entry, whatever the others
    np.testing.assert_allclose(grad_check(f, x, wrong), 0.2, rtol=1e-6)
    t = tt(x)
    (t ** 3).sum().backward()
    assert grad_check(f, x, t.grad.numpy()) < 1e-8
    # h is used: a huge step makes the central difference of x**3 off by h**2
    assert grad_check(f, x, right, h=0.5) > 1e-2
