import numpy as np


def neuron(x, w, b, activation):
    """One neuron: a weighted sum of the inputs plus a bias, then an activation.

    neuron(x) = activation(w . x + b)

    x: (n,) array.  w: (n,) array.  b: float.  activation: function float -> float.
    Returns: whatever activation returns for the float z = w . x + b.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    z = np.sum(w * x) + b
    return activation(z)


def step(z, threshold=0.0):
    """Step (threshold) function, element-wise.

    step(z) = 1.0 if z > threshold else 0.0   (step(threshold) = 0.0)

    z: float or ndarray of any shape.  threshold: float.
    Returns: float64 0.0/1.0 (never booleans), same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    return (z > threshold).astype(np.float64)


def linear_forward(X, W, b):
    """Linear (fully connected) layer on a batch of examples stored as rows.

    Z = X @ W.T + b, i.e. z = W x + b for each example x.

    X: (N, n_in).  W: (n_out, n_in).  b: (n_out,).
    Returns: Z, (N, n_out) float64.
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return X @ W.T + b


def collapse_linear(W1, b1, W2, b2):
    """The single linear layer equal to layer 1 followed by layer 2 (no activation between).

    W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), so W = W2 @ W1 and b = W2 @ b1 + b2.

    W1: (n_hidden, n_in).  b1: (n_hidden,).  W2: (n_out, n_hidden).  b2: (n_out,).
    Returns: (W, b) with W (n_out, n_in) and b (n_out,), float64.
    """
    W1 = np.asarray(W1, dtype=np.float64)
    b1 = np.asarray(b1, dtype=np.float64)
    W2 = np.asarray(W2, dtype=np.float64)
    b2 = np.asarray(b2, dtype=np.float64)
    return W2 @ W1, W2 @ b1 + b2


def xor_params():
    """Weights of a 2-2-1 ReLU network that computes XOR.

    h = relu([x1 + x2, x1 + x2 - 1]),  y = h1 - 2 h2:
    (0,0) -> 0,  (0,1) -> 1,  (1,0) -> 1,  (1,1) -> 2 - 2 = 0.

    Returns: (W1, b1, W2, b2) with W1 (2, 2), b1 (2,), W2 (1, 2), b2 (1,), float64.
    """
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -2.0]])
    b2 = np.array([0.0])
    return W1, b1, W2, b2
