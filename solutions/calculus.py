import numpy as np


def difference_quotient(f, x, h):
    """Forward difference quotient: the slope of the secant from x to x + h.
    前向差商：从 x 到 x + h 的割线的斜率。

    difference_quotient = (f(x + h) - f(x)) / h   ->   f'(x) as h -> 0

    f: function float -> float.  x: float.  h: float, nonzero.
    f：把浮点数映射为浮点数的函数。x：浮点数。h：非零浮点数。
    Returns: float.
    返回：浮点数。
    """
    return float((f(x + h) - f(x)) / h)


def central_difference(f, x, h=1e-5):
    """Central difference: the slope of the secant from x - h to x + h.
    中心差分：从 x - h 到 x + h 的割线的斜率。

    central_difference = (f(x + h) - f(x - h)) / (2 h)

    f: function float -> float.  x: float.  h: float, nonzero.
    f：把浮点数映射为浮点数的函数。x：浮点数。h：非零浮点数。
    Returns: float.
    返回：浮点数。
    """
    return float((f(x + h) - f(x - h)) / (2.0 * h))


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function of an array, one central difference per entry.
    数组的标量函数的梯度，每个分量用一次中心差分。

    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h), e_i the unit array at index i.
    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h)，e_i 是下标 i 处为 1、其余为 0 的数组。

    f: function ndarray (shape of x) -> float.  x: float or ndarray of any shape.  h: float, nonzero.
    f：把与 x 形状相同的 ndarray 映射为浮点数的函数。x：浮点数或任意形状的 ndarray。h：非零浮点数。
    Returns: float64 ndarray shaped like x.  x is bit-for-bit unchanged when it returns.
    返回：与 x 形状相同的 float64 ndarray。函数返回时 x 的每一位都与调用前相同。
    """
    # Work on a float64 copy and assign each saved entry back: old + h - h may not be old.
    # 在 float64 副本上操作，并把保存的旧值赋值回去：old + h - h 不一定等于 old。
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
    """Derivative of y = (3x + 2)**2 with respect to x, element-wise.
    y = (3x + 2)**2 对 x 的导数，逐元素计算。

    dy/dx at every entry of x, worked by the chain rule (y = u**2 with u = 3x + 2).
    x 每个元素处的 dy/dx，用链式法则推导（y = u**2，u = 3x + 2）。

    x: float or ndarray of any shape; it is not modified.
    x：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64, same shape as x.
    返回：float64，形状与 x 相同。
    """
    x = np.asarray(x, dtype=np.float64)
    u = 3.0 * x + 2.0
    dy_du = 2.0 * u
    du_dx = 3.0
    return dy_du * du_dx


def matmul(A, B):
    """Matrix product with explicit loops: C[i, j] = sum_k A[i, k] B[k, j].
    用显式循环计算矩阵乘积：C[i, j] = sum_k A[i, k] B[k, j]。

    A: (n, k) array.  B: (k, m) array.  Neither is modified.
    A：形状为 (n, k) 的数组。B：形状为 (k, m) 的数组。两者都不会被修改。
    Returns: (n, m) float64 ndarray.
    返回：形状为 (n, m) 的 float64 ndarray。
    Raises ValueError if A or B is not 2-D or the inner sizes differ.
    A 或 B 不是二维数组，或内侧维数不相等时，抛出 ValueError。
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
