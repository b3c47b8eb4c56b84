import numpy as np
import math

# numpy has no erf: apply math.erf element-wise (exact in float64).
erf = np.vectorize(math.erf, otypes=[float])


def relu(z):
    """Rectified linear unit, element-wise.

    relu(z) = max(0, z)

    z: float or ndarray of any shape.
    Returns: float64, same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)


def relu_grad(z):
    """Derivative of relu, element-wise.

    relu'(z) = 1.0 if z > 0 else 0.0   (kink: relu'(0) = 0.0)

    z: float or ndarray of any shape.
    Returns: float64 0.0/1.0 (never booleans), same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    return (z > 0).astype(np.float64)


def sigmoid(z):
    """Logistic sigmoid, element-wise, stable for any z.

    sigmoid(z) = 1 / (1 + exp(-z)) = exp(z) / (1 + exp(z))

    Computed with e = exp(-|z|), which lies in (0, 1] and cannot overflow:
    sigmoid(z) = 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0.
    For |z| > 600, e (below 3e-261) is set to 0 without calling exp, so exp never
    underflows either: no floating-point warning, even under np.errstate(all="raise").

    z: float or ndarray of any shape.
    Returns: float64 in [0, 1], same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    a = np.abs(z)
    e = np.where(a > 600.0, 0.0, np.exp(-np.minimum(a, 600.0)))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of sigmoid, element-wise.

    sigmoid'(z) = s (1 - s) with s = sigmoid(z)

    z: float or ndarray of any shape.
    Returns: float64, same shape as z.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, element-wise (np.tanh, stable for any z).

    tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z)) = 2 sigmoid(2z) - 1

    z: float or ndarray of any shape.
    Returns: float64 in [-1, 1], same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.tanh(z)


def tanh_grad(z):
    """Derivative of tanh, element-wise.

    tanh'(z) = 1 - tanh(z)**2

    z: float or ndarray of any shape.
    Returns: float64, same shape as z.
    """
    t = tanh(z)
    return 1.0 - t * t


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU, element-wise.

    leaky_relu(z) = z if z > 0 else alpha * z

    z: float or ndarray of any shape.  alpha: float, the slope for z <= 0.
    Returns: float64, same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    """Derivative of leaky_relu, element-wise.

    leaky_relu'(z) = 1.0 if z > 0 else alpha   (kink: leaky_relu'(0) = alpha)

    z: float or ndarray of any shape.  alpha: float.
    Returns: float64, same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, np.float64(alpha))


def gelu(z):
    """Gaussian error linear unit, exact form, element-wise.

    gelu(z) = z * Phi(z),  Phi(z) = 0.5 * (1 + erf(z / sqrt(2)))  (standard normal CDF)

    z: float or ndarray of any shape.
    Returns: float64, same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    Phi = 0.5 * (1.0 + erf(z / math.sqrt(2.0)))
    return z * Phi


def gelu_grad(z):
    """Derivative of the exact gelu, element-wise.

    gelu'(z) = Phi(z) + z * phi(z),  phi(z) = exp(-z**2 / 2) / sqrt(2 pi)  (standard normal PDF)

    z: float or ndarray of any shape.
    Returns: float64, same shape as z.
    """
    z = np.asarray(z, dtype=np.float64)
    Phi = 0.5 * (1.0 + erf(z / math.sqrt(2.0)))
    phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return Phi + z * phi


def softmax(z):
    """Softmax along the last axis, stable for large logits.

    softmax(z)_i = exp(z_i) / sum_j exp(z_j) = exp(z_i - m) / sum_j exp(z_j - m),  m = max_j z_j

    After subtracting the max every exponent is <= 0, so exp cannot overflow; exponents below
    -600 give terms under 3e-261 that are set to 0 without calling exp (no underflow warning).

    z: float or ndarray of any shape; each slice along the last axis is one vector of logits.
    Returns: float64, same shape as z; each slice along the last axis is positive and sums to 1.
    """
    z = np.asarray(z, dtype=np.float64)
    d = z - np.max(z, axis=-1, keepdims=True)
    e = np.where(d < -600.0, 0.0, np.exp(np.maximum(d, -600.0)))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_jacobian(z):
    """Jacobian of softmax for one vector of logits.

    J[i, j] = d s_i / d z_j = s_i (delta_ij - s_j),  i.e.  J = diag(s) - s s^T,  s = softmax(z)

    z: (n,) array.
    Returns: (n, n) float64, symmetric; every row and column sums to 0.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(f"softmax_jacobian needs a 1-D z, got shape {z.shape}")
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)
