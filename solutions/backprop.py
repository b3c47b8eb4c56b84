import numpy as np

from .activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad
from .calculus import numerical_gradient
from .losses import softmax_cross_entropy
from .neurons import linear_forward


def linear_backward(dZ, X, W):
    """Backward pass of the linear layer Z = X @ W.T + b.
    线性层 Z = X @ W.T + b 的反向传播。

    Given dZ = dL/dZ, returns dX = dL/dX, dW = dL/dW and db = dL/db, each shaped like what it differentiates.
    已知 dZ = dL/dZ，返回 dX = dL/dX、dW = dL/dW 和 db = dL/db，每个的形状都与被求导的量相同。

    dZ: (N, n_out).  X: (N, n_in), the layer's input.  W: (n_out, n_in).  None of them is modified.
    dZ：(N, n_out)。X：(N, n_in)，这一层的输入。W：(n_out, n_in)。都不会被修改。
    Returns: (dX, dW, db) with dX (N, n_in), dW (n_out, n_in), db (n_out,), float64.
    返回：(dX, dW, db)，dX 形状 (N, n_in)，dW 形状 (n_out, n_in)，db 形状 (n_out,)，均为 float64。
    """
    dZ = np.asarray(dZ, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    return dZ @ W, dZ.T @ X, np.sum(dZ, axis=0)


def two_layer_backprop(x, y, W1, b1, W2, b2):
    """Forward and backward pass of the 2-2-1 sigmoid network for one example.
    2-2-1 sigmoid 网络对一个样本的前向与反向传播。

    Forward: z1 = W1 x + b1, a1 = sigmoid(z1), z2 = W2 a1 + b2, a2 = sigmoid(z2), L = 0.5 (a2 - y)**2
    前向：z1 = W1 x + b1，a1 = sigmoid(z1)，z2 = W2 a1 + b2，a2 = sigmoid(z2)，L = 0.5 (a2 - y)**2
    Backward: delta2 = dL/dz2, delta1 = dL/dz1, and the gradients of L with respect to W2, b2, W1, b1.
    反向：delta2 = dL/dz2，delta1 = dL/dz1，以及 L 对 W2、b2、W1、b1 的梯度。

    x: (2,).  y: float.  W1: (2, 2).  b1: (2,).  W2: (1, 2).  b2: (1,).  None of them is modified.
    x：(2,)。y：浮点数。W1：(2, 2)。b1：(2,)。W2：(1, 2)。b2：(1,)。都不会被修改。
    Returns: dict of "loss" (float), "delta2" (1,), "delta1" (2,), "dW2" (1, 2), "db2" (1,), "dW1" (2, 2), "db1" (2,).
    返回：字典，含 "loss"（浮点数）、"delta2" (1,)、"delta1" (2,)、"dW2" (1, 2)、"db2" (1,)、"dW1" (2, 2)、"db1" (2,)。
    Its arrays are float64.
    其中的数组均为 float64。
    """
    x = np.asarray(x, dtype=np.float64)
    z1 = np.asarray(W1, dtype=np.float64) @ x + b1
    a1 = sigmoid(z1)
    z2 = np.asarray(W2, dtype=np.float64) @ a1 + b2
    a2 = sigmoid(z2)
    loss = 0.5 * float(np.sum((a2 - y) ** 2))
    # sigmoid'(z) = a (1 - a): the forward pass already has a.
    # sigmoid'(z) = a (1 - a)：前向传播已经算出了 a。
    delta2 = (a2 - y) * a2 * (1.0 - a2)
    delta1 = (np.asarray(W2, dtype=np.float64).T @ delta2) * a1 * (1.0 - a1)
    return {"loss": loss, "delta2": delta2, "delta1": delta1, "dW2": np.outer(delta2, a1), "db2": delta2.copy(),
            "dW1": np.outer(delta1, x), "db1": delta1.copy()}


def mlp_backward(X, labels, params, activation="relu"):
    """Loss and gradients of a fully connected classifier (backpropagation).
    全连接分类器的损失和梯度（反向传播）。

    The network is mlp_forward's (the activation after every layer but the last).
    网络与 mlp_forward 相同（除最后一层外每层之后都有激活函数）。
    The loss is softmax_cross_entropy(logits, labels), the mean over the batch.
    损失是 softmax_cross_entropy(logits, labels)，即整批的平均。

    X: (N, n_in).  labels: (N,) integer class indices.  Neither is modified.
    X：(N, n_in)。labels：(N,)，整数类别下标。都不会被修改。
    params: list of (W, b), W (n_out, n_in), b (n_out,), first layer first; not modified.
    params：(W, b) 的列表，W 形状 (n_out, n_in)，b 形状 (n_out,)，第一层在前；不会被修改。
    activation: "relu", "sigmoid" or "tanh" (hidden layers); another name raises ValueError.
    activation："relu"、"sigmoid" 或 "tanh"（隐藏层）；其他名字抛出 ValueError。
    Returns: (loss, grads): loss a float, grads a list of (dW, db) shaped like params, float64.
    返回：(loss, grads)：loss 为浮点数，grads 是与 params 结构相同的 (dW, db) 列表，均为 float64。
    """
    functions = {"relu": (relu, relu_grad), "sigmoid": (sigmoid, sigmoid_grad), "tanh": (tanh, tanh_grad)}
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
    return float(loss), grads


def relative_error(a, b):
    """Largest element-wise relative error between two arrays.
    两个数组之间逐元素相对误差的最大值。

    relative_error = max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)   (a maximum over entries, not a norm)
    relative_error = max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)（对各分量取最大值，不是范数）

    a, b: floats or arrays of the same shape; not modified.
    a、b：浮点数或形状相同的数组；不会被修改。
    Returns: float.
    返回：浮点数。
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def grad_check(f, x, analytic_grad, h=1e-5):
    """Compare an analytic gradient with the central-difference gradient of f at x.
    把解析梯度与 f 在 x 处的中心差分梯度相比较。

    grad_check = max_i |g_i - n_i| / max(1e-8, |g_i| + |n_i|), g = analytic_grad, n = the numerical gradient
    grad_check = max_i |g_i - n_i| / max(1e-8, |g_i| + |n_i|)，g = analytic_grad，n = 数值梯度
    (central differences with step h; the largest element-wise relative error, not a norm).
    （步长为 h 的中心差分；逐元素相对误差的最大值，不是范数。）

    f: function, ndarray shaped like x -> float.  x: ndarray of any shape; unchanged when it returns.
    f：函数，把与 x 形状相同的 ndarray 映射为浮点数。x：任意形状的 ndarray；返回时不变。
    analytic_grad: array shaped like x.  h: float, nonzero.
    analytic_grad：与 x 形状相同的数组。h：非零浮点数。
    Returns: float.
    返回：浮点数。
    """
    return relative_error(analytic_grad, numerical_gradient(f, x, h))
