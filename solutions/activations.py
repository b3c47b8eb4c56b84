import numpy as np
import math

# numpy has no erf: apply math.erf element-wise (exact in float64).
erf = np.vectorize(math.erf, otypes=[float])


def relu(z):
    """Rectified linear unit, element-wise.
    修正线性单元（ReLU），逐元素计算。

    relu(z) = max(0, z)

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    return np.maximum(z, 0.0)


def relu_grad(z):
    """Derivative of relu, element-wise.
    relu 的导数，逐元素计算。

    relu'(z) = 1.0 if z > 0 else 0.0
    relu'(0) = 0.0

    At the kink z = 0 the course takes the slope of the left piece.
    在折点 z = 0 处，本课程取左边那一段的斜率。

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64 0.0/1.0 (never booleans), same shape as z.
    返回：float64 的 0.0/1.0（不是布尔值），形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    return (z > 0).astype(np.float64)


def sigmoid(z):
    """Logistic sigmoid, element-wise.
    逻辑函数 sigmoid，逐元素计算。

    sigmoid(z) = 1 / (1 + exp(-z))

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64 in [0, 1], same shape as z.
    返回：[0, 1] 内的 float64，形状与 z 相同。
    For |z| up to 1e4 the result is finite and correct, with no floating-point warning.
    |z| 直到 1e4 时，结果有限且正确，没有任何浮点警告。
    """
    # e = exp(-|z|) lies in (0, 1] and cannot overflow: sigmoid is 1 / (1 + e) for z >= 0, e / (1 + e) for z < 0.
    # e = exp(-|z|) 位于 (0, 1]，不会溢出：z >= 0 时 sigmoid 为 1 / (1 + e)，z < 0 时为 e / (1 + e)。
    # For |z| > 600, e (below 3e-261) is set to 0 without calling exp: no underflow warning either.
    # |z| > 600 时 e（小于 3e-261）直接取 0，不调用 exp：也就不会有下溢警告。
    z = np.asarray(z, dtype=np.float64)
    a = np.abs(z)
    e = np.where(a > 600.0, 0.0, np.exp(-np.minimum(a, 600.0)))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of sigmoid, element-wise.
    sigmoid 的导数，逐元素计算。

    sigmoid'(z) = sigmoid(z) (1 - sigmoid(z))

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, element-wise.
    双曲正切，逐元素计算。

    tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64 in [-1, 1], same shape as z.
    返回：[-1, 1] 内的 float64，形状与 z 相同。
    For |z| up to 1e4 the result is finite and correct, with no floating-point warning.
    |z| 直到 1e4 时，结果有限且正确，没有任何浮点警告。
    """
    # numpy's tanh never forms exp(|z|), so it is stable for every z.
    # numpy 的 tanh 从不计算 exp(|z|)，所以对任何 z 都数值稳定。
    z = np.asarray(z, dtype=np.float64)
    return np.tanh(z)


def tanh_grad(z):
    """Derivative of tanh, element-wise.
    tanh 的导数，逐元素计算。

    tanh'(z) = 1 - tanh(z)**2

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    t = tanh(z)
    return 1.0 - t * t


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU, element-wise.
    Leaky ReLU，逐元素计算。

    leaky_relu(z) = z if z > 0 else alpha * z

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    alpha: float, the slope for z <= 0.
    alpha：浮点数，z <= 0 一侧的斜率。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z, alpha=0.01):
    """Derivative of leaky_relu, element-wise.
    leaky_relu 的导数，逐元素计算。

    leaky_relu'(z) = 1.0 if z > 0 else alpha
    leaky_relu'(0) = alpha

    At the kink z = 0 the course takes the slope of the left piece.
    在折点 z = 0 处，本课程取左边那一段的斜率。

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    alpha: float, the slope for z <= 0.
    alpha：浮点数，z <= 0 一侧的斜率。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, 1.0, np.float64(alpha))


def gelu(z):
    """Gaussian error linear unit, exact form, element-wise.
    高斯误差线性单元（GELU），精确形式，逐元素计算。

    gelu(z) = z * Phi(z),  Phi(z) = 0.5 * (1 + erf(z / sqrt(2)))

    Phi is the standard normal CDF.
    Phi 是标准正态分布的累积分布函数。
    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    Phi = 0.5 * (1.0 + erf(z / math.sqrt(2.0)))
    return z * Phi


def gelu_grad(z):
    """Derivative of the exact gelu, element-wise.
    精确 gelu 的导数，逐元素计算。

    gelu'(z) = Phi(z) + z * phi(z),  phi(z) = exp(-z**2 / 2) / sqrt(2 pi)

    Phi is the standard normal CDF and phi its density.
    Phi 是标准正态分布的累积分布函数，phi 是它的概率密度。
    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Returns: float64, same shape as z.
    返回：float64，形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    Phi = 0.5 * (1.0 + erf(z / math.sqrt(2.0)))
    phi = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return Phi + z * phi


def softmax(z):
    """Softmax along the last axis.
    沿最后一个轴计算的 softmax。

    softmax(z)_i = exp(z_i) / sum_j exp(z_j)

    z: float or ndarray of any shape; it is not modified.
    z：浮点数或任意形状的 ndarray；不会被修改。
    Each slice along the last axis is one vector of logits.
    沿最后一个轴的每个切片是一个 logits 向量。
    Returns: float64, same shape as z; each slice along the last axis is positive and sums to 1.
    返回：float64，形状与 z 相同；沿最后一个轴的每个切片都为正，且和为 1。
    For logits up to 1e4 in size the result is finite and correct, with no floating-point warning.
    logits 的绝对值直到 1e4 时，结果有限且正确，没有任何浮点警告。
    """
    # After subtracting the max every exponent is <= 0, so exp cannot overflow.
    # 减去最大值之后每个指数都 <= 0，所以 exp 不会溢出。
    # Exponents below -600 give terms under 3e-261, set to 0 without calling exp (no underflow warning).
    # 指数小于 -600 的项小于 3e-261，直接取 0，不调用 exp（不会有下溢警告）。
    z = np.asarray(z, dtype=np.float64)
    d = z - np.max(z, axis=-1, keepdims=True)
    e = np.where(d < -600.0, 0.0, np.exp(np.maximum(d, -600.0)))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_jacobian(z):
    """Jacobian of softmax for one vector of logits.
    一个 logits 向量处 softmax 的雅可比矩阵。

    J[i, j] = d s_i / d z_j = s_i (delta_ij - s_j),  s = softmax(z)
    J = diag(s) - s s^T

    z: (n,) array; it is not modified. Any other number of axes raises ValueError.
    z：形状为 (n,) 的数组；不会被修改。维数不是 1 时抛出 ValueError。
    Returns: (n, n) float64, symmetric; every row and every column sums to 0.
    返回：(n, n) 的 float64 矩阵，对称；每一行、每一列的和都为 0。
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(f"softmax_jacobian needs a 1-D z, got shape {z.shape}")
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)
