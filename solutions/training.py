import numpy as np

from .backprop import mlp_backward
from .forward import init_params


def sgd_step(params, grads, lr):
    """One step of gradient descent on every layer of a network.
    对网络的每一层做一步梯度下降。

    W_new = W - lr * dW,   b_new = b - lr * db   for every layer
    每一层：W_new = W - lr * dW，b_new = b - lr * db

    params: list of (W, b), first layer first; it is not modified.  grads: list of (dW, db), the same shapes.
    params：(W, b) 的列表，第一层在前；不会被修改。grads：(dW, db) 的列表，形状与 params 相同。
    lr: float, the learning rate.
    lr：浮点数，学习率。
    Returns: a new list of (W, b) float64 arrays, one per layer.
    返回：新的 (W, b) float64 数组列表，每层一个。
    """
    return [(np.asarray(W, dtype=np.float64) - lr * np.asarray(dW, dtype=np.float64),
             np.asarray(b, dtype=np.float64) - lr * np.asarray(db, dtype=np.float64))
            for (W, b), (dW, db) in zip(params, grads)]


def gradient_descent_1d(df, x0, lr, steps):
    """Gradient descent on a function of one variable: the start and every iterate.
    一元函数上的梯度下降：起点和每一次迭代的结果。

    x_0 = x0,   x_{t+1} = x_t - lr * df(x_t)   for t = 0, 1, ..., steps - 1
    x_0 = x0，x_{t+1} = x_t - lr * df(x_t)，t = 0, 1, ..., steps - 1

    df: function float -> float, the derivative f'.  x0: float, the start.
    df：函数 float -> float，即导数 f'。x0：浮点数，起点。
    lr: float, the learning rate.  steps: int >= 0, the number of updates.
    lr：浮点数，学习率。steps：整数 >= 0，更新的次数。
    Returns: float64 array [x_0, x_1, ..., x_steps] of length steps + 1.
    返回：float64 数组 [x_0, x_1, ..., x_steps]，长度为 steps + 1。
    """
    xs = np.empty(steps + 1, dtype=np.float64)
    xs[0] = x0
    for t in range(steps):
        xs[t + 1] = xs[t] - lr * df(float(xs[t]))
    return xs


def train_mlp(X, labels, layer_sizes, lr, epochs, batch_size, rng):
    """Train a classifier with ReLU hidden layers by mini-batch stochastic gradient descent.
    用小批量随机梯度下降训练一个隐藏层为 ReLU 的分类器。

    Start from init_params(layer_sizes, rng, "he").
    从 init_params(layer_sizes, rng, "he") 出发。
    Every epoch visits the N examples in a new random order drawn from rng,
    每一轮（epoch）用 rng 抽取一个新的随机顺序遍历全部 N 个样本，
    in consecutive mini-batches of batch_size examples; the last, smaller batch is trained on too.
    依次分成每批 batch_size 个样本的小批量；最后那个较小的批量也要用来训练。
    Each mini-batch: loss, grads = mlp_backward(X_batch, labels_batch, params, "relu"),
    每个小批量：loss, grads = mlp_backward(X_batch, labels_batch, params, "relu")，
    then params = sgd_step(params, grads, lr).
    然后 params = sgd_step(params, grads, lr)。

    X: (N, n_in) float64; labels: (N,) integer class indices; neither is modified.
    X：形状 (N, n_in) 的 float64 数组；labels：形状 (N,) 的整数类别下标；二者都不会被修改。
    layer_sizes: [n_in, hidden..., n_classes].  lr: float.  epochs, batch_size: ints >= 1.
    layer_sizes：[n_in, 隐藏层..., 类别数]。lr：浮点数。epochs、batch_size：整数 >= 1。
    rng: a random Generator (as default_rng gives), the only source of randomness.
    rng：随机数生成器 Generator（default_rng 给出的那种），唯一的随机数来源。
    Returns: (params, losses): the trained list of (W, b), and losses, (epochs,) float64,
    返回：(params, losses)：训练后的 (W, b) 列表，以及形状为 (epochs,) 的 float64 数组 losses，
    where losses[e] is the mean of the mini-batch losses of epoch e.
    其中 losses[e] 是第 e 轮各小批量损失的平均值。
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    params = init_params(layer_sizes, rng, "he")
    N = X.shape[0]
    losses = np.zeros(epochs, dtype=np.float64)
    for epoch in range(epochs):
        order = rng.permutation(N)  # a new order every epoch
        batch_losses = []
        for start in range(0, N, batch_size):  # the last, smaller batch included
            batch = order[start:start + batch_size]
            loss, grads = mlp_backward(X[batch], labels[batch], params, "relu")
            params = sgd_step(params, grads, lr)
            batch_losses.append(loss)
        losses[epoch] = np.mean(batch_losses)
    return params, losses
