"""Computations on objects of a learner's class, described as data (08's ``Value``).

A test builds a :class:`Program` with ordinary Python::

    p = Program()
    a, b = p.new(2.0), p.new(-3.0)
    out = (1 - a * b).tanh()
    out.backward()
    p.read(a, "grad"); p.read(out, "data")

which records plain steps (``["new", 2.0]``, ``["op", "*", 0, 1]``, ``["op", "-", ["num", 1.0], 2]``,
``["call", 3, "tanh"]``, ``["call", 4, "backward"]``, ``["read", 0, "grad"]``). :func:`perform` carries
the steps out with a class — the learner's, in their kernel or in the sandbox, or the reference on
the trusted side — using the real operators, so ``1 - a`` calls the learner's ``__rsub__``. It
returns only numbers (the values read), or the failing step and its exception. :func:`random_program`
draws expression graphs (deep chains, reused nodes, diamonds) from a seeded generator.
"""
from __future__ import annotations

import operator

import numpy as np

MAX_STEPS = 5000
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}
REFLECTED = {"+": "__radd__", "-": "__rsub__", "*": "__rmul__", "/": "__rtruediv__"}
METHODS = ("exp", "log", "tanh", "relu", "sigmoid", "backward")
ATTRIBUTES = ("data", "grad")
NUMBER_TYPES = (float, int, np.float64, np.float32, np.int64)


class ProgramError(ValueError):
    """Steps that are not a well-formed program."""


class Node:
    """One object of the program being written (a stand-in: it only records steps)."""

    def __init__(self, program: "Program", index: int, label: str):
        self._program, self._index, self.label = program, index, label

    def _op(self, symbol, left, right):
        return self._program._add(["op", symbol, _operand(left), _operand(right)],
                                  f"{_label(left)} {symbol} {_label(right)}")

    def __add__(self, other): return self._op("+", self, other)
    def __radd__(self, other): return self._op("+", other, self)
    def __sub__(self, other): return self._op("-", self, other)
    def __rsub__(self, other): return self._op("-", other, self)
    def __mul__(self, other): return self._op("*", self, other)
    def __rmul__(self, other): return self._op("*", other, self)
    def __truediv__(self, other): return self._op("/", self, other)
    def __rtruediv__(self, other): return self._op("/", other, self)

    def __pow__(self, k):
        if not isinstance(k, (int, float)):
            raise ProgramError("** takes a number exponent")
        return self._op("**", self, k)

    def __neg__(self):
        return self._program._add(["neg", self._index], f"-{_label(self)}")

    def _call(self, method):
        if method == "backward":
            self._program.steps.append(["call", self._index, method])
            self._program.labels.append(f"{_label(self)}.backward()")
            return None
        return self._program._add(["call", self._index, method], f"{_label(self)}.{method}()")

    def exp(self): return self._call("exp")
    def log(self): return self._call("log")
    def tanh(self): return self._call("tanh")
    def relu(self): return self._call("relu")
    def sigmoid(self): return self._call("sigmoid")
    def backward(self): return self._call("backward")


def _operand(x):
    if isinstance(x, Node):
        return x._index
    if type(x) in (int, float):
        return ["num", float(x)]
    raise ProgramError("operands are nodes or numbers")


def _label(x) -> str:
    """How an operand reads inside a longer expression: short ones in full, long ones by step number."""
    if isinstance(x, Node):
        if len(x.label) > 24:
            return f"v{x._index}"
        return f"({x.label})" if " " in x.label else x.label
    return f"{x:g}"


class Program:
    """A list of steps on objects of one class, written with :class:`Node` stand-ins."""

    def __init__(self):
        self.steps: list = []
        self.labels: list[str] = []   # how each step reads in a message
        self._leaves = 0

    def _add(self, step, label) -> Node:
        self.steps.append(step)
        self.labels.append(label)
        return Node(self, len(self.steps) - 1, label)

    def new(self, value: float, name: str | None = None) -> Node:
        name = name or (chr(ord("a") + self._leaves) if self._leaves < 26 else f"x{self._leaves}")
        self._leaves += 1
        return self._add(["new", float(value)], name)

    def read(self, node: Node, attribute: str) -> None:
        if attribute not in ATTRIBUTES:
            raise ProgramError(f"read one of {ATTRIBUTES}")
        self.steps.append(["read", node._index, attribute])
        self.labels.append(f"{_label(node)}.{attribute}")

    def reads(self) -> list[int]:
        return [i for i, step in enumerate(self.steps) if step[0] == "read"]


def validate(steps) -> None:
    """:class:`ProgramError` unless ``steps`` is a bounded, well-formed program (untrusted input)."""
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        raise ProgramError(f"a program is a list of at most {MAX_STEPS} steps")
    objects = set()

    def node(i, at):
        if type(i) is not int or i not in objects or i >= at:
            raise ProgramError(f"step {at} uses an object no earlier step made")

    for at, step in enumerate(steps):
        if not isinstance(step, list) or not step:
            raise ProgramError(f"step {at} is malformed")
        kind = step[0]
        if kind == "new" and len(step) == 2 and type(step[1]) is float:
            objects.add(at)
        elif kind == "op" and len(step) == 4 and step[1] in OPERATORS:
            for operand in step[2:]:
                if isinstance(operand, list):
                    if len(operand) != 2 or operand[0] != "num" or type(operand[1]) is not float:
                        raise ProgramError(f"step {at} has a malformed number")
                else:
                    node(operand, at)
            objects.add(at)
        elif kind == "neg" and len(step) == 2:
            node(step[1], at)
            objects.add(at)
        elif kind == "call" and len(step) == 3 and step[2] in METHODS:
            node(step[1], at)
            if step[2] != "backward":
                objects.add(at)
        elif kind == "read" and len(step) == 3 and step[2] in ATTRIBUTES:
            node(step[1], at)
        else:
            raise ProgramError(f"step {at} is malformed")


def perform(cls, steps) -> dict:
    """Carry out ``steps`` with ``cls``: ``{"reads": [float, ...]}`` or, at the first step that fails,
    also ``"failed": step index`` and ``"error": {"type", "message"}``.

    A step fails if it raises, if it makes something that is not a ``cls`` object, or if it reads
    an attribute that is not a plain number.
    """
    validate(steps)
    objects, reads = {}, []

    def operand(x):
        return x[1] if isinstance(x, list) else objects[x]

    for at, step in enumerate(steps):
        kind = step[0]
        try:
            if kind == "new":
                result = cls(step[1])
            elif kind == "op":
                result = OPERATORS[step[1]](operand(step[2]), operand(step[3]))
            elif kind == "neg":
                result = -objects[step[1]]
            elif kind == "call":
                result = getattr(objects[step[1]], step[2])()
                if step[2] == "backward":
                    continue
            else:
                value = getattr(objects[step[1]], step[2])
                if type(value) not in NUMBER_TYPES:
                    return {"reads": reads, "failed": at, "error": {
                        "type": "NotANumber", "message": _type_name(value)}}
                reads.append(float(value))
                continue
            if type(result) is not cls:
                return {"reads": reads, "failed": at, "error": {"type": "NotAnObject", "message": _type_name(result)}}
            objects[at] = result
        except BaseException as error:  # the learner's exception (SystemExit included) is the answer
            try:
                message = str(error)[:300]
            except Exception:
                message = "(unprintable)"
            return {"reads": reads, "failed": at, "error": {"type": type(error).__name__[:60], "message": message}}
    return {"reads": reads}


def _type_name(value) -> str:
    try:
        return type(value).__name__[:60]
    except Exception:
        return "object"


# --- random expression graphs ---------------------------------------------------------------------

def random_program(rng: np.random.Generator, kind: str, size: int = 12) -> Program:
    """A random computation on a few leaves, then ``backward()`` and every leaf's ``grad`` read.

    kind: ``"chain"`` (each node uses the previous one once: a deep chain, no node reused),
    ``"reuse"`` (leaves used several times, each operation on two different nodes or a node with
    itself), ``"diamond"`` (intermediate nodes used by two later ones: every path must be summed).
    Values stay moderate (``tanh``/``sigmoid`` keep products bounded, a chain is rescaled so its
    gradient neither vanishes nor explodes); numbers are on the right.
    """
    if kind not in ("chain", "reuse", "diamond") or not 1 <= size <= 1000:
        raise ProgramError("kind is chain, reuse or diamond; size 1..1000")
    p = Program()
    if kind == "chain":
        return _random_chain(p, rng, size)
    leaves = [p.new(float(rng.uniform(-1.5, 1.5))) for _ in range(3)]
    if kind == "reuse":
        nodes = list(leaves)
        for _ in range(size):
            i, j = rng.integers(len(leaves)), rng.integers(len(leaves))
            term = leaves[i] * leaves[j] if rng.integers(2) else leaves[i] + leaves[j]
            nodes.append(term.tanh())
        node = nodes[len(leaves)]
        for other in nodes[len(leaves) + 1:]:
            node = node + other
    else:
        node = leaves[0] * leaves[1] + leaves[2]
        for _ in range(size):
            shared = node.tanh()
            node = shared * shared.sigmoid() + shared * float(rng.uniform(0.5, 1.5))
    return _finish(p, leaves, node)


def _finish(p: Program, leaves: list, node: Node) -> Program:
    """``backward()`` from ``node``, then every leaf's ``grad`` and ``node``'s ``data`` read."""
    node.backward()
    for leaf in leaves:
        p.read(leaf, "grad")
    p.read(node, "data")
    return p


# A chain's gradient is the product of its steps' slopes: left alone, sigmoids (slope at most 1/4)
# and squares near 0 shrink it below any tolerance within about 20 steps, and a wrong derivative
# then compares equal. The chain is therefore followed in floats while it is drawn, and whenever
# the slope leaves [SLOPE_LOW, inf) or the value leaves [-VALUE_HIGH, VALUE_HIGH] it is
# rescaled (`* c`) and recentred (`+ k`): every step stays visible in the leaves' gradients.
SLOPE_LOW, VALUE_HIGH = 0.05, 2.5


def _random_chain(p: Program, rng: np.random.Generator, size: int) -> Program:
    """Two leaves (``|x|`` in [0.3, 1.5]), their product, then ``size`` random steps (``tanh``,
    ``* c``, ``+ k``, ``sigmoid``, ``(x ** 2).tanh()``), with rescaling steps as described above."""
    leaves = [p.new(float(rng.uniform(0.3, 1.5) * rng.choice((-1.0, 1.0)))) for _ in range(2)]
    node = leaves[0] * leaves[1]
    value, slope = p.steps[0][1] * p.steps[1][1], 1.0   # node's value; d node / d (a * b)
    for _ in range(size):
        choice = rng.integers(5)
        if choice == 0:
            t = np.tanh(value)
            node, value, slope = node.tanh(), t, slope * (1 - t ** 2)
        elif choice == 1:
            c = float(rng.uniform(0.5, 1.5))
            node, value, slope = node * c, value * c, slope * c
        elif choice == 2:
            k = float(rng.uniform(-1, 1))
            node, value = node + k, value + k
        elif choice == 3:
            s = 1 / (1 + np.exp(-value))
            node, value, slope = node.sigmoid(), s, slope * s * (1 - s)
        else:
            t = np.tanh(value ** 2)
            node, value, slope = (node ** 2).tanh(), t, slope * 2 * value * (1 - t ** 2)
        if abs(slope) < SLOPE_LOW or abs(value) > VALUE_HIGH:
            c = float(rng.uniform(1.0, 2.0) / max(abs(slope), 1e-6))
            k = float(rng.uniform(-1.0, 1.0) - value * c)
            node, value, slope = node * c + k, value * c + k, slope * c
    return _finish(p, leaves, node)
