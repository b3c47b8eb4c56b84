"""Reference solution of 08_autograd: class Value against torch autograd on float64 scalars."""
import math
import random

import numpy as np
import pytest
import torch

from solutions import engine
from solutions.engine import Value
from reference_helpers import check_module_layout, strict

pytestmark = pytest.mark.filterwarnings("error")


def scalar(x):
    return torch.tensor(float(x), dtype=torch.float64, requires_grad=True)


class Pair:
    """The same expression built twice: with Value (v) and with a torch scalar (t)."""

    def __init__(self, v, t):
        self.v, self.t = v, t

    @staticmethod
    def leaf(x):
        return Pair(Value(x), scalar(x))

    def apply(self, fn, *others):
        v = fn(self.v, *[o.v for o in others])
        t = fn(self.t, *[o.t for o in others])
        if t.grad_fn is not None:
            t.retain_grad()
        return Pair(v, t)


def positive(p):  # a node built from p whose value is at least 0.5
    return p.apply(lambda x: x * x + 0.5)


# operation name -> function (Pair, Pair) -> Pair; every operation of the contract
OPS = {
    "add": lambda a, b: a.apply(lambda x, y: x + y, b),
    "add number right": lambda a, b: a.apply(lambda x: x + 1.5),
    "add number left": lambda a, b: a.apply(lambda x: 2 + x),
    "sub": lambda a, b: a.apply(lambda x, y: x - y, b),
    "sub number right": lambda a, b: a.apply(lambda x: x - 0.7),
    "sub number left": lambda a, b: a.apply(lambda x: 1 - x),
    "mul": lambda a, b: a.apply(lambda x, y: x * y, b),
    "mul number right": lambda a, b: a.apply(lambda x: x * -1.3),
    "mul number left": lambda a, b: a.apply(lambda x: 2 * x),
    "div": lambda a, b: a.apply(lambda x, y: x / y, positive(b)),
    "div number right": lambda a, b: a.apply(lambda x: x / 4),
    "div number left": lambda a, b: positive(a).apply(lambda x: 1 / x),
    "pow 2": lambda a, b: a.apply(lambda x: x ** 2),
    "pow 3": lambda a, b: a.apply(lambda x: x ** 3),
    "pow negative": lambda a, b: positive(a).apply(lambda x: x ** -1.5),
    "pow fraction": lambda a, b: positive(a).apply(lambda x: x ** 0.5),
    "neg": lambda a, b: a.apply(lambda x: -x),
    "exp": lambda a, b: a.apply(lambda x: x.tanh().exp()),
    "log": lambda a, b: positive(a).apply(lambda x: x.log()),
    "tanh": lambda a, b: a.apply(lambda x: x.tanh()),
    "relu": lambda a, b: a.apply(lambda x: x.relu()),
    "sigmoid": lambda a, b: a.apply(lambda x: x.sigmoid()),
    "used twice": lambda a, b: a.apply(lambda x: x * x + x),
}


def test_module_layout():
    check_module_layout(engine)


@pytest.mark.parametrize("seed", range(25))
def test_random_expressions_match_torch(seed):
    rng = random.Random(seed)
    leaves = [Pair.leaf(rng.uniform(-2, 2)) for _ in range(4)]
    pool = list(leaves)
    names = list(OPS) + [rng.choice(list(OPS)) for _ in range(10)]
    rng.shuffle(names)
    for name in names:
        node = OPS[name](rng.choice(pool), rng.choice(pool))
        if abs(node.v.data) > 5:  # keep values moderate
            node = node.apply(lambda x: x.tanh() * 3)
        pool.append(node)
    out = pool[0].apply(lambda x: x * 0.5)
    for node in pool[1:]:  # every node (and so every leaf) reaches the output, most of them twice
        c = rng.uniform(-1, 1)
        out = out.apply(lambda x, y: x + y * c, node)
    out.v.backward()
    out.t.backward()
    assert out.v.grad == 1.0
    for node in pool + [out]:
        np.testing.assert_allclose(node.v.data, node.t.item(), rtol=1e-12, atol=1e-14)
    for node in pool:
        np.testing.assert_allclose(node.v.grad, node.t.grad.item(), rtol=1e-10, atol=1e-12)


UNARY = {"exp": lambda x: x.exp(), "log": lambda x: x.log(), "tanh": lambda x: x.tanh(),
         "relu": lambda x: x.relu(), "sigmoid": lambda x: x.sigmoid(), "neg": lambda x: -x,
         "square": lambda x: x ** 2, "cube": lambda x: x ** 3, "inverse": lambda x: x ** -1,
         "sqrt": lambda x: x ** 0.5, "pow -2.5": lambda x: x ** -2.5}


@pytest.mark.parametrize("name", UNARY)
@pytest.mark.parametrize("x", [-1.7, 0.3, 2.2])
def test_each_unary_operation_against_torch_and_central_differences(name, x):
    fn = UNARY[name]
    if name in ("log", "sqrt", "pow -2.5") and x <= 0:
        x = -x
    v, t = Value(x), scalar(x)
    out_v, out_t = fn(v), fn(t)
    out_v.backward()
    out_t.backward()
    np.testing.assert_allclose(out_v.data, out_t.item(), rtol=1e-13)
    np.testing.assert_allclose(v.grad, t.grad.item(), rtol=1e-12)
    h = 1e-6
    numeric = (fn(Value(x + h)).data - fn(Value(x - h)).data) / (2 * h)
    np.testing.assert_allclose(v.grad, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("expr, data, grad", [
    (lambda v: 2 * v, 5.0, 2.0), (lambda v: v * 2, 5.0, 2.0),
    (lambda v: v + 1, 3.5, 1.0), (lambda v: 1 + v, 3.5, 1.0),
    (lambda v: 1 - v, -1.5, -1.0), (lambda v: v - 1, 1.5, 1.0),
    (lambda v: 1 / v, 0.4, -0.16), (lambda v: v / 4, 0.625, 0.25),
], ids=["2*v", "v*2", "v+1", "1+v", "1-v", "v-1", "1/v", "v/4"])
def test_numbers_on_either_side(expr, data, grad):
    v = Value(2.5)
    out = expr(v)
    assert isinstance(out, Value)
    out.backward()
    assert out.data == pytest.approx(data, rel=1e-15) and v.grad == pytest.approx(grad, rel=1e-15)


def test_node_used_twice_accumulates():
    a = Value(3.0)
    b = a * a + a            # db/da = 2a + 1 = 7
    c = b * b                # dc/da = 2b * 7 = 168
    c.backward()
    assert (b.data, c.data) == (12.0, 144.0)
    assert a.grad == 168.0 and b.grad == 24.0
    s = a + a
    a.grad = 0.0
    s.backward()
    assert a.grad == 2.0


def test_construction_and_repr():
    for x in [3, 2.5, np.float64(-1.25), True]:
        v = Value(x)
        assert type(v.data) is float and v.data == float(x)
        assert type(v.grad) is float and v.grad == 0.0
    text = repr(Value(2.5))
    assert "Value" in text and "2.5" in text


def test_relu_gradient_is_zero_at_zero():
    for x in [0.0, -0.0]:
        v = Value(x)
        out = v.relu()
        out.backward()
        assert out.data == 0.0 and v.grad == 0.0
    v = Value(1e-12)
    v.relu().backward()
    assert v.grad == 1.0


def test_sigmoid_stable_at_1e4():
    with strict():
        for x, data in [(1e4, 1.0), (-1e4, 0.0)]:
            v = Value(x)
            out = v.sigmoid()
            out.backward()
            assert out.data == data and v.grad == 0.0
    for x in [-30.0, 30.0]:
        np.testing.assert_allclose(Value(x).sigmoid().data, 1 / (1 + math.exp(-x)), rtol=1e-13)


def test_deep_graph_backward():
    x = Value(0.5)
    y = x
    for _ in range(5000):  # deeper than Python's default recursion limit
        y = y + x
    y.backward()
    assert y.data == 0.5 * 5001 and x.grad == 5001.0
