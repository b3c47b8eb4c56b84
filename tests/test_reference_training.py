"""Reference solutions of 07_training, with the digits capstone."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from solutions import training
from solutions.backprop import two_layer_backprop
from solutions.forward import mlp_forward
from solutions.training import gradient_descent_1d, sgd_step, train_mlp
from reference_helpers import assert_printed, call_unmodified, check_module_layout

pytestmark = pytest.mark.filterwarnings("error")


def test_module_layout():
    check_module_layout(training)


# ---------------------------------------------------------------- sgd_step

def test_sgd_step_formula_and_no_modification():
    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(3, 2)), rng.normal(size=3)),
              (rng.normal(size=(1, 3)), rng.normal(size=1))]
    grads = [(rng.normal(size=(3, 2)), rng.normal(size=3)),
             (rng.normal(size=(1, 3)), rng.normal(size=1))]
    new = call_unmodified(sgd_step, params, grads, 0.3)
    assert len(new) == 2
    for (W, b), (dW, db), (nW, nb) in zip(params, grads, new):
        assert nW.dtype == nb.dtype == np.float64
        np.testing.assert_allclose(nW, W - 0.3 * dW, rtol=1e-15)
        np.testing.assert_allclose(nb, b - 0.3 * db, rtol=1e-15)


def test_sgd_step_worked_numbers():
    x, W1, b1 = np.array([0.5, 0.1]), np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([0.1, 0.2])
    W2, b2 = np.array([[0.5, 0.6]]), np.array([0.3])
    r = two_layer_backprop(x, 1.0, W1, b1, W2, b2)
    grads = [(r["dW1"], r["db1"]), (r["dW2"], r["db2"])]
    (_, _), (nW2, nb2) = sgd_step([(W1, b1), (W2, b2)], grads, 0.1)
    assert_printed(nW2, [["0.503117", "0.603427"]])
    assert_printed(nb2, ["0.305747"])


# ---------------------------------------------------------------- gradient_descent_1d

def test_gradient_descent_1d_iterates_and_converges():
    df = lambda x: 2 * (x - 3)  # noqa: E731  f(x) = (x - 3)**2
    xs = gradient_descent_1d(df, 0.0, 0.1, 100)
    assert isinstance(xs, np.ndarray) and xs.dtype == np.float64 and xs.shape == (101,)
    np.testing.assert_allclose(xs[:3], [0.0, 0.6, 1.08], rtol=1e-12)
    np.testing.assert_allclose(xs, 3 - 3 * 0.8 ** np.arange(101), rtol=1e-10, atol=1e-12)
    assert abs(xs[-1] - 3) < 1e-8
    assert gradient_descent_1d(df, 5.0, 0.1, 0).tolist() == [5.0]


# ---------------------------------------------------------------- train_mlp: contract

def test_train_mlp_batches_shuffles_and_averages(monkeypatch):
    calls, schemes = [], []
    real_backward, real_init = training.mlp_backward, training.init_params

    def recording_backward(X, labels, params, activation="relu"):
        loss, grads = real_backward(X, labels, params, activation)
        calls.append((X[:, 0].copy(), activation, loss))
        return loss, grads

    def recording_init(layer_sizes, rng, scheme="he"):
        schemes.append(scheme)
        return real_init(layer_sizes, rng, scheme)

    monkeypatch.setattr(training, "mlp_backward", recording_backward)
    monkeypatch.setattr(training, "init_params", recording_init)
    X = np.column_stack([np.arange(10.0), np.ones(10)])  # column 0 identifies the example
    labels = np.arange(10) % 2
    params, losses = train_mlp(X, labels, [2, 3, 2], 0.01, 3, 4, np.random.default_rng(0))
    assert schemes == ["he"]
    assert [len(c[0]) for c in calls] == [4, 4, 2] * 3  # the last, smaller batch included
    assert all(c[1] == "relu" for c in calls)
    orders = [np.concatenate([c[0] for c in calls[3 * e:3 * e + 3]]) for e in range(3)]
    for order in orders:
        assert sorted(order) == list(range(10))  # every example once per epoch
    assert any(not np.array_equal(orders[0], o) for o in orders[1:])  # reshuffled
    assert not all(np.array_equal(o, np.arange(10)) for o in orders)
    np.testing.assert_allclose(losses, [np.mean([c[2] for c in calls[3 * e:3 * e + 3]])
                                        for e in range(3)], rtol=1e-12)
    assert [(W.shape, b.shape) for W, b in params] == [((3, 2), (3,)), ((2, 3), (2,))]


def test_train_mlp_is_deterministic_given_the_rng():
    rng = np.random.default_rng(1)
    X, labels = rng.normal(size=(30, 4)), rng.integers(0, 3, size=30)
    run = lambda X_, labels_: train_mlp(X_, labels_, [4, 8, 3], 0.1, 4, 8,  # noqa: E731
                                        np.random.default_rng(5))
    a = call_unmodified(run, X, labels)  # X and labels unchanged (the rng is meant to advance)
    b = train_mlp(X, labels, [4, 8, 3], 0.1, 4, 8, np.random.default_rng(5))
    np.testing.assert_array_equal(a[1], b[1])
    for (Wa, ba), (Wb, bb) in zip(a[0], b[0]):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)
    c = train_mlp(X, labels, [4, 8, 3], 0.1, 4, 8, np.random.default_rng(6))
    assert not np.array_equal(a[1], c[1])


# ---------------------------------------------------------------- capstone: handwritten digits

def test_capstone_digits_at_least_95_percent_held_out():
    digits = load_digits()  # bundled with scikit-learn: 1,797 8x8 images, 10 classes
    X, y = digits.data.astype(np.float64), digits.target
    assert X.shape == (1797, 64)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    n_test = len(X) // 5
    test, train = order[:n_test], order[n_test:]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    std[std == 0] = 1.0  # constant pixels (always 0 in the training split)
    X = (X - mean) / std
    params, losses = train_mlp(X[train], y[train], [64, 64, 10], lr=0.1, epochs=30, batch_size=32,
                               rng=rng)  # about 0.2 s; 96.9% held out (95.3-98.3% over split seeds)
    losses = np.asarray(losses, dtype=np.float64)
    assert losses.shape == (30,) and np.all(np.isfinite(losses))
    assert losses[-1] < 0.2 * losses[0] and losses[-1] < losses[len(losses) // 2]
    accuracy = np.mean(np.argmax(mlp_forward(X[test], params), axis=1) == y[test])
    assert accuracy >= 0.95, accuracy
