import numpy as np


def neuron(x, w, b, activation):
    """One neuron: a weighted sum of the inputs plus a bias, then an activation.
    一个神经元：输入的加权和加上偏置，再经过激活函数。

    neuron(x) = activation(w . x + b)

    x: (n,) array.  w: (n,) array.  b: float.  activation: function float -> float.
    x：形状为 (n,) 的数组。w：形状为 (n,) 的数组。b：浮点数。activation：把浮点数映射为浮点数的函数。
    Neither x nor w is modified; activation is applied once, to the number w . x + b.
    x 和 w 都不会被修改；activation 只使用一次，作用在数 w . x + b 上。
    Returns: whatever activation returns for that number.
    返回：activation 对这个数返回的结果。
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    z = np.sum(w * x) + b
    return activation(z)


def step(z, threshold=0.0):
    """Step (threshold) function, element-wise.
    阶跃（阈值）函数，逐元素计算。

    step(z) = 1.0 if z > threshold else 0.0
    step(threshold) = 0.0

    z: float or ndarray of any shape; it is not modified.  threshold: float.
    z：浮点数或任意形状的 ndarray；不会被修改。threshold：浮点数。
    Returns: float64 0.0/1.0 (never booleans), same shape as z.
    返回：float64 的 0.0/1.0（不是布尔值），形状与 z 相同。
    """
    z = np.asarray(z, dtype=np.float64)
    return (z > threshold).astype(np.float64)


def linear_forward(X, W, b):
    """Linear (fully connected) layer on a batch of examples stored as rows.
    线性（全连接）层，作用于按行存放的一批样本。

    Z = X @ W.T + b

    Row n of Z is z = W x + b for the example x in row n of X.
    Z 的第 n 行是 X 第 n 行的样本 x 对应的 z = W x + b。
    X: (N, n_in).  W: (n_out, n_in).  b: (n_out,).  None of them is modified.
    X：(N, n_in)。W：(n_out, n_in)。b：(n_out,)。它们都不会被修改。
    Returns: Z, (N, n_out) float64.
    返回：Z，形状为 (N, n_out) 的 float64 数组。
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return X @ W.T + b


def collapse_linear(W1, b1, W2, b2):
    """The single linear layer equal to layer 1 followed by layer 2 (no activation between).
    与“先第 1 层、再第 2 层”（中间没有激活函数）完全相同的单个线性层。

    W x + b = W2 (W1 x + b1) + b2

    The equation holds for every input x.
    这个等式对每个输入 x 都成立。

    W1: (n_hidden, n_in).  b1: (n_hidden,).  W2: (n_out, n_hidden).  b2: (n_out,).  None is modified.
    W1：(n_hidden, n_in)。b1：(n_hidden,)。W2：(n_out, n_hidden)。b2：(n_out,)。都不会被修改。
    Returns: (W, b) with W (n_out, n_in) and b (n_out,), float64.
    返回：(W, b)，其中 W 形状为 (n_out, n_in)，b 形状为 (n_out,)，均为 float64。
    """
    W1 = np.asarray(W1, dtype=np.float64)
    b1 = np.asarray(b1, dtype=np.float64)
    W2 = np.asarray(W2, dtype=np.float64)
    b2 = np.asarray(b2, dtype=np.float64)
    # W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2): W2 acts last, so it stands on the left.
    # W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2)：W2 最后作用，所以写在左边。
    return W2 @ W1, W2 @ b1 + b2


def xor_params():
    """Weights of a two-layer ReLU network that computes XOR.
    计算异或（XOR）的两层 ReLU 网络的权重。

    The network computes y = relu(x @ W1.T + b1) @ W2.T + b2.
    网络计算 y = relu(x @ W1.T + b1) @ W2.T + b2。

    y > 0.5 at (0, 1) and (1, 0); y < 0.5 at (0, 0) and (1, 1).
    在 (0, 1) 和 (1, 0) 处 y > 0.5；在 (0, 0) 和 (1, 1) 处 y < 0.5。
    Any hidden size H of at least 2 will do.
    任意不小于 2 的隐藏层大小 H 都可以。
    Returns: (W1, b1, W2, b2) with W1 (H, 2), b1 (H,), W2 (1, H), b2 (1,), float64.
    返回：(W1, b1, W2, b2)，其中 W1 (H, 2)、b1 (H,)、W2 (1, H)、b2 (1,)，均为 float64。
    """
    # h = relu([x1 + x2, x1 + x2 - 1]) and y = h1 - 2 h2: 0, 1, 1 and 2 - 2 = 0 at the four points.
    # h = relu([x1 + x2, x1 + x2 - 1])，y = h1 - 2 h2：四个点上依次为 0、1、1 和 2 - 2 = 0。
    W1 = np.array([[1.0, 1.0], [1.0, 1.0]])
    b1 = np.array([0.0, -1.0])
    W2 = np.array([[1.0, -2.0]])
    b2 = np.array([0.0])
    return W1, b1, W2, b2
