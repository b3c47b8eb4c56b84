import numpy as np  # noqa: F401 (every course module starts with it; Value needs only math)
import math


class Value:
    """A scalar that remembers how it was computed, for reverse-mode automatic differentiation.

    Every operation returns a new Value holding the result, its operands (children), and a
    function _backward that adds out.grad * (d out / d operand) to each operand's grad
    (the chain rule, one local derivative at a time). backward() runs those functions from
    the output back to the inputs in reverse topological order; grads accumulate with +=, so
    a node used in several places receives the sum over all paths.

    data: float, the value.  grad: float, d(output)/d(this node) after backward(), initially 0.0.
    Numbers (int or float) are accepted on either side of + - * /.
    """

    def __init__(self, data, _children=(), _op=""):
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        # out = self + other:  d out/d self = 1,  d out/d other = 1
        other = Value._wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        # out = self * other:  d out/d self = other,  d out/d other = self
        other = Value._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        # out = self ** k (k a number):  d out/d self = k * self ** (k - 1)
        if isinstance(k, Value):
            return NotImplemented
        k = float(k)
        out = Value(self.data ** k, (self,), f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1.0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Value._wrap(other))

    def __truediv__(self, other):
        return self * Value._wrap(other) ** -1.0

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return Value._wrap(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return Value._wrap(other) / self

    def exp(self):
        # out = exp(x):  d out/dx = exp(x) = out
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        # out = log(x), x > 0:  d out/dx = 1 / x
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        # out = tanh(x):  d out/dx = 1 - out**2
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        # out = max(0, x):  d out/dx = 1 if x > 0 else 0  (0 at the kink x = 0)
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        # out = 1 / (1 + exp(-x)), computed with exp(-|x|) <= 1 so it never overflows:
        # d out/dx = out * (1 - out)
        e = math.exp(-abs(self.data))
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Fill .grad of every node this Value depends on with d(self)/d(node).

        Orders the graph topologically (every node after its children, iteratively, so deep
        graphs do not hit Python's recursion limit), seeds self.grad = 1.0, then calls each
        node's _backward from the output back to the leaves.
        """
        topo, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if child not in visited)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()
