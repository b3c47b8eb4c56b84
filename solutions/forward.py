import numpy as np

from .activations import relu, sigmoid, tanh
from .neurons import linear_forward


def init_params(layer_sizes, rng, scheme="he"):
    """Initial weights and biases of a fully connected network.
    全连接网络的初始权重和偏置。

    Layer l maps n_in = layer_sizes[l] to n_out = layer_sizes[l + 1]:
    第 l 层把 n_in = layer_sizes[l] 映射到 n_out = layer_sizes[l + 1]：
      "zeros":  W = 0
      "zeros"：W = 0
      "he":     W ~ Normal(0, std = sqrt(2 / n_in))
      "he"：W ~ Normal(0, std = sqrt(2 / n_in))
      "xavier": W ~ Normal(0, std = sqrt(2 / (n_in + n_out)))   (Glorot normal)
      "xavier"：W ~ Normal(0, std = sqrt(2 / (n_in + n_out)))（Glorot 正态）
    Biases are 0. Every random draw comes from rng.
    偏置为 0。每个随机数都来自 rng。

    layer_sizes: sequence of ints [n_0, n_1, ..., n_L].  rng: a random Generator (as default_rng gives).
    layer_sizes：整数序列 [n_0, n_1, ..., n_L]。rng：随机数生成器 Generator（default_rng 给出的那种）。
    scheme: "zeros", "he" or "xavier"; another name raises ValueError.
    scheme："zeros"、"he" 或 "xavier"；其他名字抛出 ValueError。
    Returns: list of L tuples (W, b), W (n_out, n_in) and b (n_out,) float64.
    返回：L 个 (W, b) 元组的列表，W 形状 (n_out, n_in)，b 形状 (n_out,)，均为 float64。
    """
    if scheme not in ("zeros", "he", "xavier"):
        raise ValueError(f"unknown scheme {scheme!r}; use 'zeros', 'he' or 'xavier'")
    params = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        if scheme == "zeros":
            W = np.zeros((n_out, n_in), dtype=np.float64)
        elif scheme == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        else:
            W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
        params.append((W, np.zeros(n_out, dtype=np.float64)))
    return params


def mlp_forward(X, params, activation="relu"):
    """Forward pass of a fully connected network; returns the logits.
    全连接网络的前向传播；返回 logits。

    A_0 = X;  Z_l = A_{l-1} @ W_l.T + b_l;  A_l = activation(Z_l) for every layer but the last
    A_0 = X；Z_l = A_{l-1} @ W_l.T + b_l；除最后一层外，A_l = activation(Z_l)
    The last layer has no activation: its Z (the logits) is returned.
    最后一层不加激活函数：返回它的 Z（即 logits）。

    X: (N, n_in); it is not modified.  params: list of (W, b), W (n_out, n_in), b (n_out,), first layer first.
    X：形状为 (N, n_in)；不会被修改。params：(W, b) 的列表，W 形状 (n_out, n_in)，b 形状 (n_out,)，第一层在前。
    activation: "relu", "sigmoid" or "tanh"; another name raises ValueError.
    activation："relu"、"sigmoid" 或 "tanh"；其他名字抛出 ValueError。
    Returns: the logits, (N, n_out) float64.
    返回：logits，形状为 (N, n_out) 的 float64 数组。
    """
    functions = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}
    if activation not in functions:
        raise ValueError(f"unknown activation {activation!r}; use 'relu', 'sigmoid' or 'tanh'")
    act = functions[activation]
    A = np.asarray(X, dtype=np.float64)
    for layer, (W, b) in enumerate(params):
        Z = linear_forward(A, W, b)
        A = act(Z) if layer < len(params) - 1 else Z
    return A
