"""Numbers the learner works out on paper before writing code, checked the moment they are typed.

A by-hand cell of a lesson reads::

    answer = ...
    check_by_hand("relu_grad(-3)", answer)

:func:`check_by_hand` prints one line in the release's language: what to do while the answer is
still ``...``, "right", or which step of the computation to redo. It never raises on what the
learner typed and is not graded, so a by-hand cell left alone does not stop Run All.

Each :class:`Question` states the value, a tolerance fit for a hand computation (a learner may
write 0.333 for 1/3), the steps of the computation, and the wrong answers a beginner typically
gets, each tied to the step that produces it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .messages import Text, say


@dataclass(frozen=True)
class Question:
    """One number (or a short list of numbers) to compute by hand.

    expression: what is asked, in notation both languages share (e.g. ``"relu'(-3)"``).
    value: the answer, a float or a tuple of floats; or a name (a str, e.g. ``"z1[1]"``) when the question
    asks which quantity (06_backprop's "find the mistake"): compared without spaces or quotes, case-blind.
    steps: the computation, one :class:`Text` per step, in order; a step says what to do, not its result.
    slips: ``(wrong value, step number)`` pairs, steps counted from 1: a typical wrong answer and
    the step where it goes wrong.
    atol: how far from ``value`` (each entry, absolute) an answer may be and still count as right.
    """

    expression: str
    value: float | tuple[float, ...] | str
    steps: tuple[Text, ...]
    slips: tuple[tuple[float | tuple[float, ...] | str, int], ...] = ()
    atol: float = 2e-3


def _t(en: str, zh: str) -> Text:
    return Text(en, zh, "by_hand_step")


LN2 = math.log(2.0)


# --- 06_backprop: the 2-2-1 network's numbers (CURRICULUM.md), as numbers: a computation here would ship
# part of two_layer_backprop's answer in the learners' package. tests/test_by_hand.py checks every
# question's value against the reference. ----------------------------------------------------------
_BP = {
    'z1': (0.17, 0.39),
    'a1': (0.542397940774351, 0.5962826992967879),
    'z2': 0.9289685899652482,
    'a2': 0.7168659879156097,
    'L': 0.04008243439950183,
    'delta2': -0.05746746786772299,
    'dL/da1': (-0.028733733933861496, -0.0344804807206338),
    'delta1': (-0.007131782143378306, -0.008300473773525954),
    'delta1 swapped': (-0.008558138572053968, -0.006917061477938295),
    'dW2': (-0.031170236232969134, -0.03426685686191729),
    'delta2 z1': (-0.009769469537512909, -0.02241231246841197),
    'delta2 x': (-0.028733733933861496, -0.0057467467867723),
    'dW1': ((-0.003565891071689153, -0.0007131782143378307), (-0.004150236886762977, -0.0008300473773525954)),
    'W2 new': (0.5031170236232969, 0.6034266856861917),
    'W2 new +': (0.4968829763767031, 0.5965733143138082),
    'W2 new no lr': (0.5311702362329691, 0.6342668568619173),
}
# The same network with the published slip z1[1] = 0.35 (for 0.39) carried through.
_PUBLISHED = {
    'z1': (0.17, 0.35),
    'a1': (0.542397940774351, 0.5866175789173301),
    'z2': 0.9231695177375736,
    'a2': 0.7156874763749265,
    'L': 0.040416805545028994,
    'delta2': -0.057851603127315875,
}

# question id -> question. The ids are what a notebook's by-hand cell names.
QUESTIONS: dict[str, Question] = {
    # --- 03_activations ---------------------------------------------------------------------
    "relu_grad(-3)": Question(
        "relu'(-3)", 0.0,
        (_t("decide which piece of ReLU z = -3 lies on (z > 0 or z <= 0) and write that piece's formula.",
            "判断 z = -3 落在 ReLU 的哪一段（z > 0 还是 z <= 0），写出那一段的公式。"),
         _t("differentiate that piece with respect to z (the slope of that piece, not its value).",
            "把那一段对 z 求导（要的是那一段的斜率，不是函数值）。")),
        slips=((1.0, 1), (-3.0, 2))),
    "leaky_relu(-2, alpha=0.1)": Question(
        "leaky_relu(-2, alpha=0.1)", -0.2,
        (_t("decide which piece z = -2 lies on: z itself for z > 0, alpha z for z <= 0.",
            "判断 z = -2 落在哪一段：z > 0 时取 z 本身，z <= 0 时取 alpha z。"),
         _t("multiply alpha = 0.1 by z = -2 (mind the sign, and use this alpha, not the default 0.01).",
            "用 alpha = 0.1 乘以 z = -2（注意符号，并且用这里的 alpha，不是默认的 0.01）。")),
        slips=((-2.0, 1), (0.0, 1), (0.2, 2), (-0.02, 2))),
    "leaky_relu_grad(-2, alpha=0.1)": Question(
        "leaky_relu'(-2, alpha=0.1)", 0.1,
        (_t("decide which piece z = -2 lies on and write that piece's formula.",
            "判断 z = -2 落在哪一段，写出那一段的公式。"),
         _t("differentiate that piece: the slope of alpha z is the number multiplying z.",
            "对那一段求导：alpha z 的斜率就是乘在 z 前面的那个数。")),
        slips=((1.0, 1), (0.0, 1), (-0.2, 2), (0.01, 2))),
    "sigmoid(0)": Question(
        "sigmoid(0)", 0.5,
        (_t("compute e^(-z) at z = 0 (any number to the power 0 is 1).",
            "计算 z = 0 时的 e^(-z)（任何数的 0 次方都是 1）。"),
         _t("put it into 1 / (1 + e^(-z)).", "把它代入 1 / (1 + e^(-z))。")),
        slips=((1.0, 1), (0.0, 1), (2.0, 2))),
    "sigmoid_grad(0)": Question(
        "sigmoid'(0)", 0.25,
        (_t("compute s = sigmoid(0).", "计算 s = sigmoid(0)。"),
         _t("multiply s by (1 - s): sigmoid'(z) = s (1 - s), the derivative, not the function itself.",
            "用 s 乘以 (1 - s)：sigmoid'(z) = s (1 - s)，要的是导数，不是函数值本身。")),
        slips=((0.5, 2), (0.0, 2), (1.0, 1))),
    "tanh_grad(0)": Question(
        "tanh'(0)", 1.0,
        (_t("compute t = tanh(0) = (e^0 - e^0) / (e^0 + e^0).", "计算 t = tanh(0) = (e^0 - e^0) / (e^0 + e^0)。"),
         _t("put t into 1 - t^2 (the derivative of tanh, not the one of sigmoid).",
            "把 t 代入 1 - t^2（这是 tanh 的导数，不是 sigmoid 的导数）。")),
        slips=((0.0, 2), (0.25, 2), (0.5, 1))),
    "gelu_grad(0)": Question(
        "gelu'(0)", 0.5,
        (_t("find Phi(0): the bell curve is symmetric about 0, so what share of it lies left of 0?",
            "求 Phi(0)：钟形曲线关于 0 对称，它有多大比例位于 0 的左边？"),
         _t("put it into gelu'(z) = Phi(z) + z phi(z) at z = 0 (the second term has the factor z).",
            "代入 gelu'(z) = Phi(z) + z phi(z)，取 z = 0（第二项带有因子 z）。")),
        slips=((0.0, 1), (1.0, 1), (0.5 + 1 / math.sqrt(2 * math.pi), 2))),
    "softmax([0, ln 2])": Question(
        "softmax([0, ln 2])", (1 / 3, 2 / 3),
        (_t("exponentiate each logit: e^0 and e^(ln 2) (e^(ln a) = a).",
            "对每个 logit 求指数：e^0 和 e^(ln 2)（e^(ln a) = a）。"),
         _t("divide each of the two results by their sum.", "把两个结果分别除以它们的和。")),
        slips=(((0.5, 0.5), 1), ((0.0, LN2), 1), ((1.0, 2.0), 2), ((0.0, 1.0), 1))),
    "softmax_jacobian([0, ln 2])[0, 1]": Question(
        "J[0, 1] (z = [0, ln 2])", -2 / 9,
        (_t("take s = softmax([0, ln 2]) from the question above.", "从上一题取 s = softmax([0, ln 2])。"),
         _t("row 0, column 1 is off the diagonal (i != j): J[i, j] = -s_i s_j.",
            "第 0 行第 1 列不在对角线上（i != j）：J[i, j] = -s_i s_j。")),
        slips=((2 / 9, 2), (-1 / 9, 2), (-4 / 9, 2), (1 / 9, 2), (-0.25, 1))),
    # --- 01_calculus (lesson01) --------------------------------------------------------------
    "difference_quotient(x**2, 1, 0.1)": Question(
        "((1 + 0.1)**2 - 1**2) / 0.1", 2.1,
        (_t("compute f(1 + 0.1) = 1.1**2 and f(1) = 1**2.", "计算 f(1 + 0.1) = 1.1**2 和 f(1) = 1**2。"),
         _t("subtract: f(1.1) - f(1), the rise of the secant.", "相减：f(1.1) - f(1)，即割线升高的量。"),
         _t("divide the rise by the run h = 0.1.", "用升高的量除以水平距离 h = 0.1。")),
        slips=((2.0, 3), (0.21, 3), (12.1, 2), (1.21, 2))),
    "central_difference(x**2, 1, 0.1)": Question(
        "((1 + 0.1)**2 - (1 - 0.1)**2) / (2 * 0.1)", 2.0,
        (_t("compute f(1.1) = 1.1**2 and f(0.9) = 0.9**2.", "计算 f(1.1) = 1.1**2 和 f(0.9) = 0.9**2。"),
         _t("subtract: f(1.1) - f(0.9).", "相减：f(1.1) - f(0.9)。"),
         _t("divide by the run from 0.9 to 1.1, which is 2h = 0.2, not h.", "除以从 0.9 到 1.1 的水平距离 2h = 0.2，而不是 h。")),
        slips=((4.0, 3), (0.4, 3), (2.1, 1), (20.0, 3))),
    "d/dx x**3 at 2": Question(
        "(x**3)' (x = 2)", 12.0,
        (_t("power rule: d/dx x**n = n x**(n - 1), so d/dx x**3 = 3 x**2.",
            "幂法则：d/dx x**n = n x**(n - 1)，所以 d/dx x**3 = 3 x**2。"),
         _t("put x = 2 into 3 x**2.", "把 x = 2 代入 3 x**2。")),
        slips=((8.0, 1), (6.0, 1), (24.0, 1), (36.0, 2))),
    "d/dx x e**x at 0": Question(
        "(x e**x)' (x = 0)", 1.0,
        (_t("product rule: (u v)' = u' v + u v' with u = x, v = e**x (u' = 1, v' = e**x).",
            "乘积法则：(u v)' = u' v + u v'，其中 u = x，v = e**x（u' = 1，v' = e**x）。"),
         _t("put x = 0: e**0 = 1.", "代入 x = 0：e**0 = 1。")),
        slips=((0.0, 1), (2.0, 2))),
    "grad L at (1, 2)": Question(
        "[dL/dw1, dL/dw2] ((w1, w2) = (1, 2))", (2.0, 3.0),
        (_t("dL/dw1: treat w2 as a constant; the terms 3 w2 and 5 do not change with w1, and d/dw1 w1**2 = 2 w1.",
            "dL/dw1：把 w2 当作常数；3 w2 和 5 不随 w1 变化，而 d/dw1 w1**2 = 2 w1。"),
         _t("dL/dw2: treat w1 as a constant; only 3 w2 changes with w2.",
            "dL/dw2：把 w1 当作常数；只有 3 w2 随 w2 变化。"),
         _t("put w1 = 1 into 2 w1 (dL/dw2 does not depend on w).", "把 w1 = 1 代入 2 w1（dL/dw2 与 w 无关）。")),
        slips=(((1.0, 3.0), 1), ((2.0, 6.0), 2), ((2.0, 0.0), 2), ((2.0, 2.0), 2), ((1.0, 2.0), 3))),
    "chain_rule_derivative(1)": Question(
        "((3x + 2)**2)' (x = 1)", 30.0,
        (_t("inner function u = 3x + 2: compute u at x = 1 and du/dx.",
            "内层函数 u = 3x + 2：计算 x = 1 处的 u 和 du/dx。"),
         _t("outer function y = u**2: dy/du = 2u.", "外层函数 y = u**2：dy/du = 2u。"),
         _t("multiply: dy/dx = dy/du * du/dx (the inner factor 3 included).",
            "相乘：dy/dx = dy/du * du/dx（别忘了内层的因子 3）。")),
        slips=((10.0, 3), (25.0, 2), (5.0, 2), (6.0, 1), (3.0, 2))),
    "[5 6] @ [1 2]^T": Question(
        "[5 6] @ [1 2]^T", 17.0,
        (_t("pair the row's entries with the column's, first with first and second with second: 5 * 1 and 6 * 2.",
            "把行的元素与列的元素一一配对，第一个对第一个、第二个对第二个：5 * 1 和 6 * 2。"),
         _t("add the products.", "把这些乘积相加。")),
        slips=((16.0, 1), (14.0, 1), (60.0, 2))),
    # --- 02_neurons (lesson02) ---------------------------------------------------------------
    "neuron z (w = [6, 2, 2], x = [1, 0, 0], b = 1)": Question(
        "z = w · x + b (w = [6, 2, 2], x = [1, 0, 0], b = 1)", 7.0,
        (_t("multiply each weight by its input: 6 · 1, 2 · 0, 2 · 0.", "把每个权重乘以对应的输入：6 · 1、2 · 0、2 · 0。"),
         _t("add the three products.", "把三个乘积相加。"),
         _t("add the bias b = 1.", "再加上偏置 b = 1。")),
        slips=((6.0, 3), (10.0, 1), (11.0, 1), (2.0, 1))),
    "step(5, threshold=5)": Question(
        "step(5, threshold=5)", 0.0,
        (_t("compare z = 5 with the threshold 5: is 5 > 5 (strictly greater)?",
            "把 z = 5 与阈值 5 比较：5 > 5（严格大于）成立吗？"),
         _t("the step gives 1.0 only where the comparison holds, else 0.0.", "只有比较成立时阶跃函数才给出 1.0，否则为 0.0。")),
        slips=((1.0, 1), (5.0, 2), (0.5, 1))),
    "linear_forward worked layer, z[1]": Question(
        "z[1] (x = [2, 3], W[1] = [0.5, 2], b[1] = -0.2)", 6.8,
        (_t("take row 1 of W, [0.5, 2] (rows count from 0): each output has its own row of weights.",
            "取 W 的第 1 行 [0.5, 2]（行号从 0 开始）：每个输出都有自己的一行权重。"),
         _t("multiply it entry by entry with x = [2, 3] and add: 0.5 · 2 + 2 · 3.",
            "把它与 x = [2, 3] 逐项相乘再相加：0.5 · 2 + 2 · 3。"),
         _t("add that output's bias b[1] = -0.2.", "加上这个输出的偏置 b[1] = -0.2。")),
        slips=((7.0, 3), (3.6, 1), (-3.5, 1), (7.2, 3), (4.3, 2))),
    "collapse (W1 = [[2]], b1 = [1], W2 = [[3]], b2 = [-1])": Question(
        "(W, b) (W1 = [[2]], b1 = [1], W2 = [[3]], b2 = [-1])", (6.0, 2.0),
        (_t("write layer 2 applied to layer 1: y = 3 (2 x + 1) - 1.", "写出第 2 层作用在第 1 层之后的结果：y = 3 (2 x + 1) - 1。"),
         _t("multiply out: the number in front of x is W, the number left over is b (the bias b1 is multiplied by 3 too).",
            "展开：x 前面的数是 W，剩下的常数是 b（偏置 b1 也要乘以 3）。")),
        slips=(((6.0, 0.0), 2), ((6.0, 1.0), 2), ((5.0, 0.0), 2), ((6.0, -1.0), 2), ((2.0, 6.0), 2))),
    "relu(x1 + x2 - 1) at the XOR points": Question(
        "relu(x1 + x2 - 1): (0, 0), (0, 1), (1, 0), (1, 1)", (0.0, 0.0, 0.0, 1.0),
        (_t("compute x1 + x2 - 1 at each of the four points, in the order given.",
            "按给定的顺序，在四个点上分别计算 x1 + x2 - 1。"),
         _t("apply relu: keep positive numbers, replace negative ones (and 0) by 0.",
            "作用 relu：正数保留，负数（以及 0）换成 0。")),
        slips=(((-1.0, 0.0, 0.0, 1.0), 2), ((0.0, 1.0, 1.0, 2.0), 1), ((1.0, 1.0, 1.0, 1.0), 1))),
    # --- 04_losses ------------------------------------------------------------------------------
    "mse([1, 2], [0, 4])": Question(
        "mse([1, 2], [0, 4])", 2.5,
        (_t("subtract target from prediction in each entry: 1 - 0 and 2 - 4.",
            "逐个分量用预测值减去目标值：1 - 0 和 2 - 4。"),
         _t("square each difference.", "把每个差平方。"),
         _t("take the mean: add them and divide by the number of entries, 2.",
            "取平均：相加后除以分量个数 2。")),
        slips=((-0.5, 2), (5.0, 3), (1.5, 2), (2.0, 1))),
    "-log(0.7)": Question(
        "-log(0.7)", -math.log(0.7),
        (_t("the model gives the true class 0 the probability 0.7: take the natural logarithm ln 0.7.",
            "模型给真实类别 0 的概率是 0.7：求自然对数 ln 0.7。"),
         _t("change the sign: the loss is -ln 0.7, a positive number.", "变号：损失是 -ln 0.7，是一个正数。")),
        slips=((math.log(0.7), 2), (-math.log10(0.7), 1), (0.3, 1), (-math.log(0.2), 1))),
    "-log(0.4)": Question(
        "-log(0.4)", -math.log(0.4),
        (_t("the true class 0 now has probability 0.4: take ln 0.4.", "真实类别 0 的概率现在是 0.4：求 ln 0.4。"),
         _t("change the sign.", "变号。")),
        slips=((math.log(0.4), 2), (-math.log10(0.4), 1), (0.6, 1), (-math.log(0.3), 1))),
    "softmax_cross_entropy([0, ln 2], 1) dlogits": Question(
        "dlogits (z = [0, ln 2], label 1, N = 1)", (1 / 3, -1 / 3),
        (_t("compute p = softmax([0, ln 2]) (you did this in 03).", "计算 p = softmax([0, ln 2])（03 中做过）。"),
         _t("write the one-hot vector of label 1: a 1 at index 1, 0 elsewhere.",
            "写出标签 1 的 `onehot` 向量：下标 1 处为 1，其余为 0。"),
         _t("subtract: p - onehot, then divide by N = 1.", "相减：`p - onehot`，再除以 N = 1。")),
        slips=(((-1 / 3, 1 / 3), 3), ((1 / 3, 2 / 3), 2), ((-2 / 3, -1 / 3), 2), ((-1 / 3, 2 / 3), 2))),
    "binary_cross_entropy(0.8, 1)": Question(
        "binary_cross_entropy(0.8, 1)", -math.log(0.8),
        (_t("y = 1, so only the term y log p remains: (1 - y) = 0 removes the other.",
            "y = 1，只剩 `y log p` 这一项：(1 - y) = 0 消去了另一项。"),
         _t("compute -ln 0.8.", "计算 -ln 0.8。")),
        slips=((-math.log(0.2), 1), (math.log(0.8), 2), (0.2, 1))),
    # 05_forward: the ReLU-then-sigmoid network of the course, and He's standard deviation
    "z1[1] = 0.3*1.0 + (-0.5)*0.5 + (-0.2)": Question(
        "z1[1] = 0.3*1.0 + (-0.5)*0.5 + (-0.2)", -0.15,
        (_t("multiply: 0.3 * 1.0.", "相乘：`0.3 * 1.0`。"),
         _t("multiply: (-0.5) * 0.5, a negative number.", "相乘：`(-0.5) * 0.5`，结果是负数。"),
         _t("add the two products and the bias -0.2.", "把两个乘积与偏置 `-0.2` 相加。")),
        slips=((0.05, 3), (0.35, 2), (0.25, 3), (-0.65, 2))),
    "a2 = sigmoid(0.7*a1[0] + 0.6*a1[1] + 0.05)": Question(
        "a2 = sigmoid(0.7*a1[0] + 0.6*a1[1] + 0.05)", 1 / (1 + math.exp(-0.4)),
        (_t("a1 = relu(z1) = relu([0.5, -0.15]): the negative entry becomes 0.",
            "`a1 = relu(z1) = relu([0.5, -0.15])`：负的分量变成 0。"),
         _t("z2 = 0.7 * a1[0] + 0.6 * a1[1] + 0.05.", "`z2 = 0.7 * a1[0] + 0.6 * a1[1] + 0.05`。"),
         _t("a2 = 1 / (1 + e^(-z2)).", "`a2 = 1 / (1 + e^(-z2))`。")),
        slips=((0.4, 3), (1 / (1 + math.exp(-0.31)), 1), (1 / (1 + math.exp(-0.35)), 2), (1 / (1 + math.exp(0.4)), 3)),
        atol=5e-4),
    "sqrt(2 / n_in), n_in = 50": Question(
        "sqrt(2 / n_in), n_in = 50", 0.2,
        (_t("the variance: 2 / 50.", "方差：`2 / 50`。"),
         _t("the standard deviation is its square root.", "标准差是它的平方根。")),
        slips=((0.04, 2), (math.sqrt(1 / 50), 1))),
    # --- 06_backprop: the 2-2-1 sigmoid network of the course, one quantity at a time ------------
    "2-2-1: z1[1]": Question(
        "z1[1] = 0.3*0.5 + 0.4*0.1 + 0.2", 0.39,
        (_t("multiply row 1 of W1, [0.3, 0.4], entry by entry with x = [0.5, 0.1] and add: 0.3*0.5 + 0.4*0.1.",
            "把 W1 的第 1 行 [0.3, 0.4] 与 x = [0.5, 0.1] 逐项相乘再相加：0.3*0.5 + 0.4*0.1。"),
         _t("add the bias b1[1] = 0.2.", "加上偏置 b1[1] = 0.2。")),
        slips=((0.35, 1), (0.19, 2), (0.43, 1)), atol=5e-4),
    "2-2-1: delta2": Question(
        "delta2 = dL/dz2", _BP["delta2"],
        (_t("dL/da2: the derivative of 0.5 (a2 - y)**2 with respect to a2 is a2 - y (with its sign).",
            "dL/da2：0.5 (a2 - y)**2 对 a2 的导数是 a2 - y（注意符号）。"),
         _t("da2/dz2 = sigmoid'(z2) = a2 (1 - a2).", "da2/dz2 = sigmoid'(z2) = a2 (1 - a2)。"),
         _t("multiply the two (chain rule).", "把两者相乘（链式法则）。")),
        slips=((_BP["a2"] - 1.0, 2), (-_BP["delta2"], 1), (0.5 * _BP["delta2"], 1)), atol=5e-5),
    "2-2-1: delta1": Question(
        "delta1 = dL/dz1", _BP["delta1"],
        (_t("dL/da1 = W2^T delta2: hidden unit j receives W2[0, j] times delta2 (0.5 for unit 0, 0.6 for unit 1).",
            "dL/da1 = W2^T delta2：隐藏单元 j 得到 W2[0, j] 乘以 delta2（单元 0 乘 0.5，单元 1 乘 0.6）。"),
         _t("multiply each entry by sigmoid'(z1[j]) = a1[j] (1 - a1[j]), the f' factor of that unit.",
            "把每个分量乘以该单元的 f' 因子 sigmoid'(z1[j]) = a1[j] (1 - a1[j])。")),
        slips=((_BP["dL/da1"], 2), (_BP["delta1 swapped"], 1)), atol=5e-6),
    "2-2-1: dW2": Question(
        "dW2 = delta2 a1^T", _BP["dW2"],
        (_t("take delta2, the error signal of the output unit.", "取输出单元的误差信号 delta2。"),
         _t("multiply it by the input each weight multiplies, a1[j] (the activation, not z1[j]).",
            "把它乘以每个权重所乘的输入 a1[j]（激活值，不是 z1[j]）。")),
        slips=((_BP["delta2 z1"], 2), (_BP["delta2 x"], 2)), atol=5e-5),
    "2-2-1: dW1[1, 0]": Question(
        "dW1[1, 0] = delta1[1] x[0]", _BP["dW1"][1][0],
        (_t("row 1 of W1 belongs to hidden unit 1: take delta1[1].", "W1 的第 1 行属于隐藏单元 1：取 delta1[1]。"),
         _t("column 0 belongs to input 0: multiply by x[0] = 0.5.", "第 0 列属于输入 0：乘以 x[0] = 0.5。")),
        slips=((_BP["dW1"][0][1], 1), (_BP["dW1"][1][1], 2), (_BP["dW1"][0][0], 1)), atol=5e-6),
    "2-2-1: W2 after one step (lr 0.1)": Question(
        "W2 - 0.1 dW2", _BP["W2 new"],
        (_t("take dW2 from above.", "取上面算出的 dW2。"),
         _t("step downhill: W2 - lr * dW2 with lr = 0.1 (minus the gradient, times the learning rate).",
            "沿下坡走一步：W2 - lr * dW2，lr = 0.1（减去梯度，再乘以学习率）。")),
        slips=((_BP["W2 new +"], 2), (_BP["W2 new no lr"], 2)), atol=2e-5),
    "shape of dW (N = 4, n_in = 3, n_out = 2)": Question(
        "dW.shape (N = 4, n_in = 3, n_out = 2)", (2.0, 3.0),
        (_t("a gradient has the shape of what it differentiates: dW is shaped like W.",
            "梯度的形状与被求导的量相同：dW 的形状与 W 相同。"),
         _t("W has one row per output and one column per input: (n_out, n_in).",
            "W 每个输出一行、每个输入一列：(n_out, n_in)。")),
        slips=(((3.0, 2.0), 2), ((4.0, 3.0), 1), ((4.0, 2.0), 1)), atol=0.0),
    # the "find the mistake" exercise: a published version of the example prints z1[1] = 0.35
    "published 2-2-1: first wrong quantity": Question(
        "first_wrong", "z1[1]",
        (_t("recompute the table's lines in order, from z1[0] on, and compare each with what is printed.",
            "从 z1[0] 开始按顺序重新计算表中的每一行，并与印出的数比较。"),
         _t("the first line that differs holds the slip; the lines after it only inherit it (they follow correctly "
            "from the wrong number).",
            "第一处不同的那一行就是出错的地方；它之后的各行只是继承了这个错误（它们是从错误的数正确推出来的）。")),
        slips=(("z1[0]", 1), ("a1[0]", 1), ("a1[1]", 2), ("z2", 2), ("a2", 2), ("L", 2), ("delta2", 2),
               ("delta1", 2), ("dW2", 2), ("dW1", 2))),
    "published 2-2-1: [a1[1], z2, a2] recomputed": Question(
        "[a1[1], z2, a2] (z1[1] = 0.39)", (_BP["a1"][1], _BP["z2"], _BP["a2"]),
        (_t("a1[1] = sigmoid(z1[1]) with the right z1[1] = 0.39.", "用正确的 z1[1] = 0.39 计算 a1[1] = sigmoid(z1[1])。"),
         _t("z2 = 0.5 a1[0] + 0.6 a1[1] + 0.3, then a2 = sigmoid(z2).", "z2 = 0.5 a1[0] + 0.6 a1[1] + 0.3，再算 a2 = sigmoid(z2)。")),
        slips=(((_PUBLISHED["a1"][1], _PUBLISHED["z2"], _PUBLISHED["a2"]), 1),), atol=1e-4),
    "published 2-2-1: L recomputed": Question(
        "L = 0.5 (a2 - y)**2 (z1[1] = 0.39)", _BP["L"],
        (_t("take a2 recomputed from z1[1] = 0.39 (the question above).", "取由 z1[1] = 0.39 重新算出的 a2（上一题）。"),
         _t("L = 0.5 (a2 - 1)**2.", "L = 0.5 (a2 - 1)**2。")),
        slips=((_PUBLISHED["L"], 1), (2 * _BP["L"], 2)), atol=2e-5),
    "relative_error([100, 0.001], [100, 0.002])": Question(
        "relative_error([100, 0.001], [100, 0.002])", 1 / 3,
        (_t("entry by entry, |a_i - b_i| / (|a_i| + |b_i|): 0 / 200 for the first, 0.001 / 0.003 for the second.",
            "逐个分量计算 |a_i - b_i| / (|a_i| + |b_i|)：第一个是 0 / 200，第二个是 0.001 / 0.003。"),
         _t("take the largest of them (not their mean, and not a norm of the whole arrays).",
            "取其中最大的一个（不是平均值，也不是整个数组的范数）。")),
        slips=((0.0, 2), (1 / 6, 2), (0.5, 1), (0.001 / 200.003, 2)), atol=2e-3),
    # --- 07_training: one step on the parabola, one step of the worked network, batches per epoch --
    "x1 = x0 - lr * f'(x0), f(x) = (x - 3)**2, x0 = 0, lr = 0.1": Question(
        "x1 = x0 - lr * f'(x0), f(x) = (x - 3)**2, x0 = 0, lr = 0.1", 0.6,
        (_t("the derivative: f'(x) = 2(x - 3), so f'(0) = 2(0 - 3).", "求导：`f'(x) = 2(x - 3)`，所以 `f'(0) = 2(0 - 3)`。"),
         _t("the step: x1 = x0 - lr * f'(x0) = 0 - 0.1 * f'(0); mind the two minus signs.",
            "走一步：`x1 = x0 - lr * f'(x0) = 0 - 0.1 * f'(0)`；注意两个负号。")),
        slips=((-0.6, 2), (6.0, 2), (0.3, 1), (-6.0, 2))),
    "W2[0, 0] - 0.1 * dW2[0, 0]": Question(
        "W2[0, 0] - 0.1 * dW2[0, 0] (W2[0, 0] = 0.5, dW2[0, 0] = -0.031170)", 0.5031170236232969,  # dW2 unrounded
        (_t("multiply: lr * dW2[0, 0] = 0.1 * (-0.031170), a negative number.",
            "相乘：`lr * dW2[0, 0] = 0.1 * (-0.031170)`，结果是负数。"),
         _t("subtract it from W2[0, 0] = 0.5: subtracting a negative number makes the weight larger.",
            "用 `W2[0, 0] = 0.5` 减去它：减去一个负数，权重变大。")),
        slips=((0.496883, 2), (0.46883, 1), (0.53117, 1), (-0.031170, 2)),
        atol=2e-6),
    "n_batches (N = 1438, batch_size = 32)": Question(
        "n_batches (N = 1438, batch_size = 32)", 45.0,
        (_t("full batches: how many times 32 fits into 1438 (the whole part of 1438 / 32).",
            "完整的批量：1438 里能装下多少个 32（1438 / 32 的整数部分）。"),
         _t("the examples left over form one more, smaller batch: count it too.",
            "剩下的样本组成最后一个较小的批量：它也要算上。")),
        slips=((44.0, 2), (44.9375, 1), (44.94, 1)),
        atol=1e-9),
    # --- 08_autograd ----------------------------------------------------------------------------
    "d(a*b + c)/da (a = 2, b = -3, c = 10)": Question(
        "d(a*b + c)/da (a = 2, b = -3, c = 10)", -3.0,
        (_t("the last step is + : its local derivative is 1 on either side, so dL/d(a*b) = 1.",
            "最后一步是 + ：它对两边的局部导数都是 1，所以 dL/d(a*b) = 1。"),
         _t("the step before is a*b: its local derivative with respect to a is b.",
            "前一步是 a*b：它对 a 的局部导数是 b。"),
         _t("multiply along the path (chain rule): 1 times b.", "沿路径相乘（链式法则）：1 乘以 b。")),
        slips=((2.0, 2), (1.0, 2), (-2.0, 2))),
    "d(a*a + a)/da (a = 3)": Question(
        "d(a*a + a)/da (a = 3)", 7.0,
        (_t("a is used three times: twice in a*a and once in the + .", "a 一共被用了三次：a*a 中两次，+ 中一次。"),
         _t("the path through a*a gives a + a: each factor's local derivative is the other factor.",
            "经过 a*a 的路径给出 a + a：每个因子的局部导数是另一个因子。"),
         _t("the path through + alone gives 1; add all paths.", "只经过 + 的路径给出 1；把所有路径相加。")),
        slips=((1.0, 3), (3.0, 2), (6.0, 3), (4.0, 2))),
}


def _as_numbers(answer) -> np.ndarray | None:
    """The answer as a 1-D float array, or None if it is not one or more real numbers."""
    if isinstance(answer, bool) or answer is None or answer is Ellipsis:
        return None
    if isinstance(answer, str):
        try:
            answer = float(answer.strip())
        except ValueError:
            return None
    try:
        numbers = np.asarray(answer, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    return numbers if numbers.size and np.all(np.isfinite(numbers)) else None


def _close(numbers: np.ndarray, value, atol: float) -> bool:
    target = np.asarray(value, dtype=np.float64).reshape(-1)
    return numbers.shape == target.shape and bool(np.all(np.abs(numbers - target) <= atol))


def _show(numbers: np.ndarray) -> str:
    shown = [f"{x:.6g}" for x in numbers]
    return shown[0] if len(shown) == 1 else "[" + ", ".join(shown) + "]"


def judge(question_id: str, answer) -> tuple[bool | None, Text]:
    """(verdict, message) for ``answer`` to the question ``question_id``.

    verdict: True (right), False (wrong) or None (nothing to judge yet: ``...`` or not a number).
    Raises KeyError, naming the known ids, if the question does not exist (a lesson author's slip).
    """
    if question_id not in QUESTIONS:
        raise KeyError(f"no by-hand question {question_id!r} (known: {', '.join(QUESTIONS)})")
    question = QUESTIONS[question_id]
    expression = question.expression
    if answer is Ellipsis:
        return None, say("by_hand_todo", expression=expression)
    if isinstance(question.value, str):
        return _judge_name(question, answer)
    numbers = _as_numbers(answer)
    if numbers is None:
        return None, say("by_hand_not_a_number", expression=expression, got=repr(answer)[:40])
    expected_count = np.asarray(question.value).size
    if numbers.size != expected_count:
        return False, say("by_hand_wrong_count", expression=expression, expected=expected_count, got=numbers.size)
    if _close(numbers, question.value, question.atol):
        return True, say("by_hand_right", expression=expression, answer=_show(numbers))
    wrong = say("by_hand_wrong", expression=expression, answer=_show(numbers))
    for slip, step in question.slips:
        if _close(numbers, slip, question.atol):
            return False, wrong + say("by_hand_redo", number=step, step=question.steps[step - 1])
    steps = Text(" ".join(f"({n}) {s.en}" for n, s in enumerate(question.steps, 1)),
                 "".join(f"（{n}）{s.zh}" for n, s in enumerate(question.steps, 1)))
    return False, wrong + say("by_hand_steps", steps=steps)


def _name_key(text: str) -> str:
    return "".join(ch for ch in text.lower() if not ch.isspace() and ch not in "'\"`")


def _judge_name(question: Question, answer) -> tuple[bool | None, Text]:
    """A question whose answer is the name of a quantity (06_backprop: the first wrong line of a table)."""
    expression = question.expression
    if not isinstance(answer, str) or not answer.strip():
        return None, say("by_hand_not_a_name", expression=expression, example="a2",
                         got=repr(answer)[:40])
    if _name_key(answer) == _name_key(question.value):
        return True, say("by_hand_right", expression=expression, answer=answer.strip())
    wrong = say("by_hand_wrong", expression=expression, answer=answer.strip()[:40])
    for slip, step in question.slips:
        if _name_key(answer) == _name_key(slip):
            return False, wrong + say("by_hand_redo", number=step, step=question.steps[step - 1])
    steps = Text(" ".join(f"({n}) {s.en}" for n, s in enumerate(question.steps, 1)),
                 "".join(f"（{n}）{s.zh}" for n, s in enumerate(question.steps, 1)))
    return False, wrong + say("by_hand_steps", steps=steps)


def check_by_hand(question_id: str, answer) -> None:
    """Print, in the current language, whether ``answer`` to ``question_id`` is right (see :func:`judge`)."""
    print(judge(question_id, answer)[1])
