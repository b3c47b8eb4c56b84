import numpy as np

from .activations import relu, sigmoid, tanh
from .neurons import linear_forward


def init_params(layer_sizes, rng, scheme="he"):
    """Initial weights and biases of a fully connected network.

    Layer l maps n_in = layer_sizes[l] to n_out = layer_sizes[l + 1]:
      "zeros":  W = 0
      "he":     W ~ Normal(0, std = sqrt(2 / n_in))            (for ReLU layers)
      "xavier": W ~ Normal(0, std = sqrt(2 / (n_in + n_out)))   (Glorot normal)
    Biases are 0. Every random draw comes from rng.

    layer_sizes: sequence of ints [n_0, n_1, ..., n_L].
    rng: numpy.random.Generator.  scheme: "zeros", "he" or "xavier".
    Returns: list of L tuples (W, b), W (n_out, n_in) and b (n_out,) float64.
    Raises ValueError for an unknown scheme.
    """
    if scheme not in ("zeros", "he", "xavier"):
        raise ValueError(f"unknown scheme {scheme!r}; use 'zeros', 'he' or 'xavier'")
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if scheme == "zeros":
            W = np.zeros((n_out, n_in), dtype=np.float64)
        elif scheme == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        else:
            W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
        params.append((W, np.zeros(n_out, dtype=np.float64)))
    return params


def mlp_forward(X, params, activation="relu"):
    """Forward pass of a fully connected network; returns the logits.

    A_0 = X;  Z_l = A_{l-1} @ W_l.T + b_l;  A_l = activation(Z_l) for every layer but the last.
    The last layer has no activation: its Z is returned (the logits).

    X: (N, n_in).  params: list of (W, b), W (n_out, n_in), b (n_out,), first layer first.
    activation: "relu", "sigmoid" or "tanh".
    Returns: logits, (N, n_out) float64.
    Raises ValueError for an unknown activation.
    """
    functions = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}
    if activation not in functions:
        raise ValueError(f"unknown activation {activation!r}; use 'relu', 'sigmoid' or 'tanh'")
    act = functions[activation]
    A = np.asarray(X, dtype=np.float64)
    for layer, (W, b) in enumerate(params):
        Z = linear_forward(A, W, b)
        A = act(Z) if layer < len(params) - 1 else Z
    return A
