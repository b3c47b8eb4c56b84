import numpy as np


def mse(y_pred, y_true):
    """Mean squared error, the mean over all elements.
    均方误差：对所有分量取平均。

    mse = mean((y_pred - y_true)**2) = sum((y_pred - y_true)**2) / n,  n = number of elements
    mse = mean((y_pred - y_true)**2) = sum((y_pred - y_true)**2) / n，n 为分量总数

    y_pred, y_true: floats or arrays of the same shape; they are not modified.
    y_pred、y_true：浮点数或形状相同的数组；不会被修改。
    Returns: a float.
    返回：一个浮点数（float）。
    """
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.mean(diff * diff))


def mse_grad(y_pred, y_true):
    """Gradient of mse with respect to y_pred.
    mse 对 y_pred 的梯度。

    d mse / d y_pred = 2 (y_pred - y_true) / n,  n = number of elements
    d mse / d y_pred = 2 (y_pred - y_true) / n，n 为分量总数

    y_pred, y_true: floats or arrays of the same shape; they are not modified.
    y_pred、y_true：浮点数或形状相同的数组；不会被修改。
    Returns: float64, shaped like y_pred.
    返回：float64，形状与 y_pred 相同。
    """
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return 2.0 * diff / diff.size


def half_sse(y_pred, y_true):
    """Half the sum of squared errors (a sum, not a mean).
    平方误差和的一半（是求和，不是平均）。

    half_sse = 0.5 * sum((y_pred - y_true)**2)

    y_pred, y_true: floats or arrays of the same shape; they are not modified.
    y_pred、y_true：浮点数或形状相同的数组；不会被修改。
    Returns: a float.
    返回：一个浮点数（float）。
    """
    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(0.5 * np.sum(diff * diff))


def half_sse_grad(y_pred, y_true):
    """Gradient of half_sse with respect to y_pred.
    half_sse 对 y_pred 的梯度。

    d half_sse / d y_pred = y_pred - y_true

    y_pred, y_true: floats or arrays of the same shape; they are not modified.
    y_pred、y_true：浮点数或形状相同的数组；不会被修改。
    Returns: float64, shaped like y_pred.
    返回：float64，形状与 y_pred 相同。
    """
    return np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)


def cross_entropy(probs, labels):
    """Cross-entropy of predicted class probabilities, the mean over the batch.
    预测类别概率的交叉熵：对这批样本取平均。

    L = -(1/N) sum_i log probs[i, labels[i]]

    probs: (N, C) probabilities, each row positive and summing to 1; it is not modified.
    probs：形状为 (N, C) 的概率，每一行为正且和为 1；不会被修改。
    labels: (N,) integer class indices in 0..C-1.
    labels：形状为 (N,) 的整数类别下标，取值在 0..C-1 之间。
    Returns: a float.
    返回：一个浮点数（float）。
    """
    probs = np.asarray(probs, dtype=np.float64)
    labels = np.asarray(labels)
    # Row i picks its own label's entry (probs[:, labels] would be an (N, N) table).
    # 第 i 行取出自己标签处的概率（probs[:, labels] 会得到一个 (N, N) 的表）。
    picked = probs[np.arange(probs.shape[0]), labels]
    return float(-np.mean(np.log(picked)))


def softmax_cross_entropy(logits, labels):
    """Softmax followed by cross-entropy, the mean over the batch, and its gradient.
    先 softmax 再交叉熵，对这批样本取平均，并给出它的梯度。

    L = -(1/N) sum_i log softmax(logits[i])[labels[i]]
    dlogits = dL/dlogits = (softmax(logits) - onehot(labels)) / N

    logits: (N, C); it is not modified.  labels: (N,) integer class indices in 0..C-1.
    logits：形状为 (N, C)；不会被修改。labels：形状为 (N,) 的整数类别下标，取值在 0..C-1 之间。
    Returns: (loss, dlogits), loss a float and dlogits (N, C) float64.
    返回：(loss, dlogits)，loss 是浮点数，dlogits 是 (N, C) 的 float64 数组。
    For logits up to 1e4 in size both are finite and exact, with no floating-point warning,
    logits 的绝对值直到 1e4 时，两者都有限且精确，没有任何浮点警告，
    even when the label's logit lies 1e4 below the largest.
    即使标签处的 logit 比最大的 logit 小 1e4 也是如此。
    """
    # log-softmax: log p = (z - m) - log(sum exp(z - m)), m the row's max; never log of an underflowed 0.
    # log-softmax：log p = (z - m) - log(sum exp(z - m))，m 是该行的最大值；绝不对下溢成的 0 取对数。
    # Exponents below -600 give terms under 3e-261, set to 0 without calling exp (no underflow warning).
    # 指数小于 -600 的项小于 3e-261，直接取 0，不调用 exp（不会有下溢警告）。
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
    """Binary cross-entropy, the mean over all elements.
    二元交叉熵：对所有分量取平均。

    L = mean(-(y log p + (1 - y) log(1 - p)))

    p: predicted probabilities of class 1, a float or an array; finite and correct for p in
    p：类别 1 的预测概率，浮点数或数组；对 [1e-12, 1 - 1e-12] 中的 p
    [1e-12, 1 - 1e-12], with no floating-point warning.
    结果有限且正确，没有任何浮点警告。
    y: targets in [0, 1] (hard labels 0 and 1, or soft ones), same shape as p.
    y：[0, 1] 中的目标值（0 和 1 这样的硬标签，或软标签），形状与 p 相同。
    Neither is modified.
    两者都不会被修改。
    Returns: a float.
    返回：一个浮点数（float）。
    """
    # log1p(-p) is log(1 - p), accurate also when p is tiny.
    # log1p(-p) 就是 log(1 - p)，p 很小时也精确。
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean(-(y * np.log(p) + (1.0 - y) * np.log1p(-p))))
