import numpy as np

from .activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad
from .calculus import numerical_gradient
from .losses import softmax_cross_entropy
from .neurons import linear_forward


def linear_backward(dZ, X, W):
    """Backward pass of the linear layer Z = X @ W.T + b.

    Given dZ = dL/dZ:  dX = dZ @ W,  dW = dZ.T @ X,  db = sum of dZ over the batch (rows).

    dZ: (N, n_out).  X: (N, n_in), the layer's input.  W: (n_out, n_in).
    Returns: (dX, dW, db) with dX (N, n_in), dW (n_out, n_in), db (n_out,), float64.
    """
    dZ = np.asarray(dZ, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return dZ @ W, dZ.T @ X, np.sum(dZ, axis=0)


def two_layer_backprop(x, y, W1, b1, W2, b2):
    """Forward and backward pass of the 2-2-1 sigmoid network for one example.

    Forward:  z1 = W1 x + b1,  a1 = sigmoid(z1),  z2 = W2 a1 + b2,  a2 = sigmoid(z2),
              L = 0.5 (a2 - y)**2
    Backward (delta = dL/dz of a layer, sigmoid'(z) = a (1 - a)):
              delta2 = (a2 - y) a2 (1 - a2),        dW2 = delta2 a1^T,  db2 = delta2
              delta1 = (W2^T delta2) * a1 (1 - a1),  dW1 = delta1 x^T,   db1 = delta1

    x: (2,).  y: float.  W1: (2, 2).  b1: (2,).  W2: (1, 2).  b2: (1,).
    Returns: dict with "loss" (float), "delta2" (1,), "delta1" (2,), "dW2" (1, 2), "db2" (1,),
    "dW1" (2, 2), "db1" (2,), arrays float64.
    """
    x = np.asarray(x, dtype=np.float64)
    W1 = np.asarray(W1, dtype=np.float64)
    b1 = np.asarray(b1, dtype=np.float64)
    W2 = np.asarray(W2, dtype=np.float64)
    b2 = np.asarray(b2, dtype=np.float64)
    z1 = W1 @ x + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    a2 = sigmoid(z2)
    loss = 0.5 * np.sum((a2 - y) ** 2)
    delta2 = (a2 - y) * a2 * (1.0 - a2)
    delta1 = (W2.T @ delta2) * a1 * (1.0 - a1)
    return {
        "loss": float(loss),
        "delta2": delta2,
        "delta1": delta1,
        "dW2": np.outer(delta2, a1),
        "db2": delta2.copy(),
        "dW1": np.outer(delta1, x),
        "db1": delta1.copy(),
    }


def mlp_backward(X, labels, params, activation="relu"):
    """Loss and gradients of a fully connected classifier (backpropagation).

    Forward as mlp_forward, keeping each layer's input A_{l-1} and pre-activation Z_l;
    L = softmax_cross_entropy(Z_last, labels) (mean over the batch), which also gives dL/dZ_last.
    Backward, last layer first:  dA_{l-1}, dW_l, db_l = linear_backward(dZ_l, A_{l-1}, W_l),
    dZ_{l-1} = dA_{l-1} * activation'(Z_{l-1}).

    X: (N, n_in).  labels: (N,) integer class indices.
    params: list of (W, b), W (n_out, n_in), b (n_out,), first layer first.
    activation: "relu", "sigmoid" or "tanh" (hidden layers).
    Returns: (loss, grads), loss a float, grads a list of (dW, db) shaped like params.
    Raises ValueError for an unknown activation.
    """
    functions = {"relu": (relu, relu_grad), "sigmoid": (sigmoid, sigmoid_grad),
                 "tanh": (tanh, tanh_grad)}
    if activation not in functions:
        raise ValueError(f"unknown activation {activation!r}; use 'relu', 'sigmoid' or 'tanh'")
    act, act_grad = functions[activation]
    inputs, pre_activations = [], []
    A = np.asarray(X, dtype=np.float64)
    for layer, (W, b) in enumerate(params):
        inputs.append(A)
        Z = linear_forward(A, W, b)
        pre_activations.append(Z)
        A = act(Z) if layer < len(params) - 1 else Z
    loss, dZ = softmax_cross_entropy(A, labels)
    grads = [None] * len(params)
    for layer in reversed(range(len(params))):
        dA, dW, db = linear_backward(dZ, inputs[layer], params[layer][0])
        grads[layer] = (dW, db)
        if layer > 0:
            dZ = dA * act_grad(pre_activations[layer - 1])
    return loss, grads


def relative_error(a, b):
    """Largest element-wise relative error between two arrays.

    relative_error = max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)

    a, b: floats or arrays of the same shape.
    Returns: float.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def grad_check(f, x, analytic_grad, h=1e-5):
    """Compare an analytic gradient with the central-difference gradient of f at x.

    grad_check = relative_error(analytic_grad, numerical_gradient(f, x, h))

    f: function ndarray (shape of x) -> float.  x: ndarray of any shape.
    analytic_grad: array shaped like x.  h: float, nonzero.
    Returns: float, the largest element-wise relative error (not a norm).
    """
    return relative_error(analytic_grad, numerical_gradient(f, x, h))
