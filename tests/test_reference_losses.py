"""Reference solutions of 04_losses."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solutions import losses
from solutions.activations import softmax
from solutions.losses import (binary_cross_entropy, cross_entropy, half_sse, half_sse_grad, mse,
                              mse_grad, softmax_cross_entropy)
from reference_helpers import (assert_printed, call_unmodified, central_grad, check_module_layout,
                               strict, tt)

pytestmark = pytest.mark.filterwarnings("error")

RNG = np.random.default_rng(10)
PAIRS = {"(7,)": (RNG.normal(size=7), RNG.normal(size=7)),
         "(4, 3)": (RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3)))}


def test_module_layout():
    check_module_layout(losses)


def classification_batch(seed, N=6, C=4, scale=2.0):
    rng = np.random.default_rng(seed)
    return rng.normal(scale=scale, size=(N, C)), rng.integers(0, C, size=N)


# ---------------------------------------------------------------- regression losses

@pytest.mark.parametrize("key", PAIRS)
def test_mse_and_grad_match_torch_and_central_differences(key):
    y_pred, y_true = PAIRS[key]
    loss = call_unmodified(mse, y_pred, y_true)
    grad = call_unmodified(mse_grad, y_pred, y_true)
    assert isinstance(loss, float) and grad.shape == y_pred.shape and grad.dtype == np.float64
    t = tt(y_pred)
    torch_loss = F.mse_loss(t, tt(y_true, False))
    torch_loss.backward()
    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-12)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad, central_grad(lambda p: mse(p, y_true), y_pred),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("key", PAIRS)
def test_half_sse_and_grad_match_torch_and_central_differences(key):
    y_pred, y_true = PAIRS[key]
    loss = call_unmodified(half_sse, y_pred, y_true)
    grad = call_unmodified(half_sse_grad, y_pred, y_true)
    assert isinstance(loss, float) and grad.shape == y_pred.shape and grad.dtype == np.float64
    t = tt(y_pred)
    torch_loss = 0.5 * F.mse_loss(t, tt(y_true, False), reduction="sum")
    torch_loss.backward()
    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-12)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad, central_grad(lambda p: half_sse(p, y_true), y_pred),
                               rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(grad, y_pred - y_true, rtol=1e-15)


def test_half_sse_is_a_sum_and_mse_a_mean():
    y_pred, y_true = np.array([1.0, 2.0, 3.0, 4.0]), np.zeros(4)
    assert mse(y_pred, y_true) == pytest.approx(7.5, abs=1e-12)
    assert half_sse(y_pred, y_true) == pytest.approx(15.0, abs=1e-12)


# ---------------------------------------------------------------- cross-entropy

def test_cross_entropy_worked_numbers():
    assert_printed(cross_entropy(np.array([[0.7, 0.2, 0.1]]), np.array([0])), "0.3567")
    assert_printed(cross_entropy(np.array([[0.4, 0.3, 0.3]]), np.array([0])), "0.9163")
    batch = cross_entropy(np.array([[0.7, 0.2, 0.1], [0.4, 0.3, 0.3]]), np.array([0, 0]))
    np.testing.assert_allclose(batch, -(np.log(0.7) + np.log(0.4)) / 2, rtol=1e-12)


def test_cross_entropy_matches_torch_nll_loss():
    logits, labels = classification_batch(11)
    probs = softmax(logits)
    loss = call_unmodified(cross_entropy, probs, labels)
    assert isinstance(loss, float)
    expected = F.nll_loss(torch.log(tt(probs, False)), torch.tensor(labels)).item()
    np.testing.assert_allclose(loss, expected, rtol=1e-12)


@pytest.mark.parametrize("seed", [12, 13, 14])
def test_softmax_cross_entropy_matches_torch_and_central_differences(seed):
    logits, labels = classification_batch(seed)
    loss, dlogits = call_unmodified(softmax_cross_entropy, logits, labels)
    assert isinstance(loss, float)
    assert dlogits.shape == logits.shape and dlogits.dtype == np.float64
    t = tt(logits)
    torch_loss = F.cross_entropy(t, torch.tensor(labels))
    torch_loss.backward()
    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-12)
    np.testing.assert_allclose(dlogits, t.grad.numpy(), rtol=1e-10, atol=1e-15)
    numeric = central_grad(lambda z: softmax_cross_entropy(z, labels)[0], logits)
    np.testing.assert_allclose(dlogits, numeric, rtol=1e-6, atol=1e-9)
    onehot = np.eye(logits.shape[1])[labels]
    np.testing.assert_allclose(dlogits, (softmax(logits) - onehot) / len(labels), rtol=1e-12,
                               atol=1e-16)


def test_binary_cross_entropy_matches_torch():
    rng = np.random.default_rng(15)
    p = rng.uniform(0.01, 0.99, size=(5, 2))
    y = rng.integers(0, 2, size=(5, 2)).astype(float)
    loss = call_unmodified(binary_cross_entropy, p, y)
    assert isinstance(loss, float)
    expected = F.binary_cross_entropy(tt(p, False), tt(y, False)).item()
    np.testing.assert_allclose(loss, expected, rtol=1e-12)


# ---------------------------------------------------------------- stability

@pytest.mark.parametrize("logits, labels", [
    ([[0.0, 1e4, -5.0]], [0]),                       # label's logit 1e4 below the max
    ([[1e4, -1e4, 3.0], [2.0, 1.0, 0.5]], [1, 0]),   # 2e4 below the max
    ([[1e4, 1e4 - 1.0, -1e4]], [1]),
    ([[-1e4, -1e4]], [0]),
])
def test_softmax_cross_entropy_exact_for_huge_logit_gaps(logits, labels):
    logits, labels = np.array(logits), np.array(labels)
    with strict():
        loss, dlogits = softmax_cross_entropy(logits, labels)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    t = tt(logits)
    torch_loss = F.cross_entropy(t, torch.tensor(labels))
    torch_loss.backward()
    np.testing.assert_allclose(loss, torch_loss.item(), rtol=1e-14)
    np.testing.assert_allclose(dlogits, t.grad.numpy(), rtol=1e-12, atol=1e-250)


def test_softmax_cross_entropy_worked_gap():
    # loss = 1e4 exactly (+ log(1 + e^-1e4 + e^-1e4-5), which is 0 in float64)
    with strict():
        loss, dlogits = softmax_cross_entropy(np.array([[0.0, 1e4, -5.0]]), np.array([0]))
    assert loss == 1e4
    np.testing.assert_array_equal(dlogits, [[-1.0, 1.0, 0.0]])


@pytest.mark.parametrize("p, y", [(1e-12, 1.0), (1e-12, 0.0), (1 - 1e-12, 1.0), (1 - 1e-12, 0.0)])
def test_binary_cross_entropy_finite_at_extreme_p(p, y):
    with strict():
        loss = binary_cross_entropy(np.array([p]), np.array([y]))
    assert np.isfinite(loss)
    np.testing.assert_allclose(loss, -(y * np.log(p) + (1 - y) * np.log1p(-p)), rtol=1e-12)
    np.testing.assert_allclose(loss, F.binary_cross_entropy(tt([p], False), tt([y], False)).item(),
                               rtol=1e-12)
    if (p < 0.5) == (y == 1.0):  # a confident wrong answer costs about -log(1e-12) = 27.63
        np.testing.assert_allclose(loss, 27.631, rtol=1e-4)
