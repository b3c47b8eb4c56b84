import numpy as np

from .backprop import mlp_backward
from .forward import init_params


def sgd_step(params, grads, lr):
    """One step of gradient descent on every layer.

    W <- W - lr * dW,  b <- b - lr * db

    params: list of (W, b).  grads: list of (dW, db), same structure.  lr: float, learning rate.
    Returns: new list of (W, b) float64 arrays (params is not modified).
    """
    return [(np.asarray(W, dtype=np.float64) - lr * np.asarray(dW, dtype=np.float64),
             np.asarray(b, dtype=np.float64) - lr * np.asarray(db, dtype=np.float64))
            for (W, b), (dW, db) in zip(params, grads)]


def gradient_descent_1d(df, x0, lr, steps):
    """Gradient descent on a function of one variable.

    x_{t+1} = x_t - lr * f'(x_t)

    df: function float -> float, the derivative f'.  x0: float, the start.
    lr: float, learning rate.  steps: int, number of updates.
    Returns: float64 array [x_0, x_1, ..., x_steps] of length steps + 1.
    """
    xs = np.empty(steps + 1, dtype=np.float64)
    xs[0] = x0
    for t in range(steps):
        xs[t + 1] = xs[t] - lr * df(float(xs[t]))
    return xs


def train_mlp(X, labels, layer_sizes, lr, epochs, batch_size, rng):
    """Train a ReLU classifier with mini-batch stochastic gradient descent.

    params = init_params(layer_sizes, rng, "he"). Each epoch: shuffle the examples with
    rng.permutation, split them into consecutive batches of batch_size (the last, smaller batch
    included), and for each batch (loss, grads) = mlp_backward(batch, params, "relu") and
    params = sgd_step(params, grads, lr). losses[e] = mean of epoch e's mini-batch losses.

    X: (N, n_in).  labels: (N,) integer class indices.
    layer_sizes: [n_in, hidden..., n_classes].  lr: float.  epochs: int.  batch_size: int.
    rng: numpy.random.Generator, the only source of randomness.
    Returns: (params, losses), params a list of (W, b), losses (epochs,) float64.
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    params = init_params(layer_sizes, rng, "he")
    N = X.shape[0]
    losses = np.zeros(epochs, dtype=np.float64)
    for epoch in range(epochs):
        order = rng.permutation(N)
        batch_losses = []
        for start in range(0, N, batch_size):
            batch = order[start:start + batch_size]
            loss, grads = mlp_backward(X[batch], labels[batch], params, "relu")
            params = sgd_step(params, grads, lr)
            batch_losses.append(loss)
        losses[epoch] = np.mean(batch_losses)
    return params, losses
