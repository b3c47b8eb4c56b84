import numpy as np


def difference_quotient(f, x, h):
    """Forward difference quotient, the definition of the derivative before the limit.

    difference_quotient = (f(x + h) - f(x)) / h   ->   f'(x) as h -> 0

    f: function float -> float.  x: float.  h: float, nonzero.
    Returns: float.
    """
    return float((f(x + h) - f(x)) / h)


def central_difference(f, x, h=1e-5):
    """Central difference approximation of f'(x); its error shrinks like h**2.

    central_difference = (f(x + h) - f(x - h)) / (2 h)

    f: function float -> float.  x: float.  h: float, nonzero.
    Returns: float.
    """
    return float((f(x + h) - f(x - h)) / (2.0 * h))


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function of an array, one central difference per entry.

    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h), e_i the unit array at index i.

    f: function ndarray (shape of x) -> float.
    x: float or ndarray of any shape.  h: float, nonzero.
    Returns: float64 ndarray shaped like x.  x is not modified (f is evaluated on a float64
    copy, perturbed one entry at a time and restored exactly).
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = f(x)
        x[idx] = old - h
        f_minus = f(x)
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2.0 * h)
    return grad


def chain_rule_derivative(x):
    """Derivative of y = (3x + 2)**2 by the chain rule.

    y = u**2 with u = 3x + 2:  dy/dx = dy/du * du/dx = 2u * 3 = 6(3x + 2)

    x: float or ndarray of any shape.
    Returns: float64, same shape as x.
    """
    x = np.asarray(x, dtype=np.float64)
    u = 3.0 * x + 2.0
    dy_du = 2.0 * u
    du_dx = 3.0
    return dy_du * du_dx


def matmul(A, B):
    """Matrix product with explicit loops: C[i, j] = sum_k A[i, k] B[k, j].

    A: (n, k) array.  B: (k, m) array.
    Returns: (n, m) float64 ndarray.
    Raises ValueError if A or B is not 2-D or the inner sizes differ.
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2:
        raise ValueError(f"matmul needs 2-D arrays, got shapes {A.shape} and {B.shape}")
    n, k = A.shape
    k_b, m = B.shape
    if k != k_b:
        raise ValueError(f"inner sizes differ: A is {A.shape}, B is {B.shape}")
    C = np.zeros((n, m), dtype=np.float64)
    for i in range(n):
        for j in range(m):
            total = 0.0
            for p in range(k):
                total += A[i, p] * B[p, j]
            C[i, j] = total
    return C
