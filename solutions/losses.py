import numpy as np


def mse(y_pred, y_true):
    """Mean squared error over all elements.

    mse = mean((y_pred - y_true)**2)

    y_pred, y_true: arrays of the same shape.
    Returns: float.
    """
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(diff * diff))


def mse_grad(y_pred, y_true):
    """Gradient of mse with respect to y_pred.

    d mse / d y_pred = 2 (y_pred - y_true) / n,  n = number of elements

    y_pred, y_true: arrays of the same shape.
    Returns: float64 array shaped like y_pred.
    """
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return 2.0 * diff / diff.size


def half_sse(y_pred, y_true):
    """Half the sum of squared errors (a sum, not a mean).

    half_sse = 0.5 * sum((y_pred - y_true)**2)

    y_pred, y_true: arrays of the same shape.
    Returns: float.
    """
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(0.5 * np.sum(diff * diff))


def half_sse_grad(y_pred, y_true):
    """Gradient of half_sse with respect to y_pred (the 0.5 cancels the 2).

    d half_sse / d y_pred = y_pred - y_true

    y_pred, y_true: arrays of the same shape.
    Returns: float64 array shaped like y_pred.
    """
    return np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)


def cross_entropy(probs, labels):
    """Cross-entropy of predicted class probabilities, mean over the batch.

    L = -(1/N) sum_i log probs[i, labels[i]]

    probs: (N, C) probabilities, each row sums to 1.  labels: (N,) integer class indices.
    Returns: float.
    """
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels)
    picked = probs[np.arange(probs.shape[0]), labels]
    return float(-np.mean(np.log(picked)))


def softmax_cross_entropy(logits, labels):
    """Softmax followed by cross-entropy, mean over the batch, and its gradient.

    log_softmax(z)_c = (z_c - m) - log(sum_j exp(z_j - m)),  m = max_j z_j   (log-sum-exp)
    L = -(1/N) sum_i log_softmax(logits[i])[labels[i]]
    dL/dlogits = (softmax(logits) - onehot(labels)) / N

    The log-probabilities are computed directly (never log of a softmax that underflowed to 0),
    so L is exact even when the label's logit is 1e4 below the largest. Exponents below -600 give
    terms under 3e-261 that are set to 0 without calling exp (no overflow or underflow warning).

    logits: (N, C).  labels: (N,) integer class indices.
    Returns: (loss, dlogits) with loss a float and dlogits (N, C) float64.
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels)
    N = logits.shape[0]
    rows = np.arange(N)
    d = logits - np.max(logits, axis=1, keepdims=True)
    e = np.where(d < -600.0, 0.0, np.exp(np.maximum(d, -600.0)))
    sum_e = np.sum(e, axis=1, keepdims=True)
    log_probs = d - np.log(sum_e)
    loss = -np.mean(log_probs[rows, labels])
    dlogits = e / sum_e
    dlogits[rows, labels] -= 1.0
    dlogits /= N
    return float(loss), dlogits


def binary_cross_entropy(p, y):
    """Binary cross-entropy, mean over all elements.

    L = mean(-(y log p + (1 - y) log(1 - p)))

    log(1 - p) is computed as log1p(-p), accurate also when p is tiny.
    p: predicted probabilities in (0, 1), any shape (finite for p in [1e-12, 1 - 1e-12]).
    y: targets in {0, 1} (or [0, 1]), same shape as p.
    Returns: float.
    """
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log1p(-p))))
