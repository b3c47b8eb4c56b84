import numpy as np  # noqa: F401 (every course module starts with it; Value needs only math)
import math


class Value:
    """A scalar that remembers how it was computed, for reverse-mode automatic differentiation.
    一个记得自己是如何算出来的标量，用于反向模式自动微分。

    data: float, the value.  grad: float, d(output)/d(this node) after backward(), initially 0.0.
    data：浮点数，节点的值。grad：浮点数，backward() 之后为 d(输出)/d(本节点)，初始为 0.0。
    Every operation returns a new Value; numbers (int or float) work on either side of + - * /.
    每个运算都返回一个新的 Value；+ - * / 的任意一边都可以是普通的数（int 或 float）。
    """

    def __init__(self, data, _children=(), _op=""):
        # _prev: the Values this one was made from; _op: the operation, for drawing the graph.
        # _prev：算出本节点所用的那些 Value；_op：运算的名字，画计算图时用。
        # _backward: adds this node's grad times each local derivative to its children's grads.
        # _backward：把本节点的 grad 乘以各个局部导数，累加到子节点的 grad 上。
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    @staticmethod
    def _wrap(other):
        # A number becomes a Value (a leaf); a Value stays itself.
        # 数变成一个 Value（叶子节点）；Value 保持不变。
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        """self + other.  d/d self = 1, d/d other = 1.
        self + other。对 self 的导数为 1，对 other 的导数为 1。
        """
        other = Value._wrap(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        """self * other.  d/d self = other, d/d other = self.
        self * other。对 self 的导数为 other，对 other 的导数为 self。
        """
        other = Value._wrap(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        """self ** k for a number k (int or float).  d/d self = k * self ** (k - 1).
        self ** k，k 是一个数（int 或 float）。对 self 的导数为 k * self ** (k - 1)。
        """
        if isinstance(k, Value):
            return NotImplemented
        k = float(k)
        out = Value(self.data ** k, (self,), f"**{k:g}")

        def _backward():
            self.grad += k * self.data ** (k - 1.0) * out.grad
        out._backward = _backward
        return out

    def __neg__(self):
        """-self.
        -self。
        """
        return self * -1.0

    def __sub__(self, other):
        """self - other.
        self - other。
        """
        return self + (-Value._wrap(other))

    def __truediv__(self, other):
        """self / other.
        self / other。
        """
        return self * Value._wrap(other) ** -1.0

    def __radd__(self, other):
        """other + self, for a number other.
        other + self，other 是一个数。
        """
        return self + other

    def __rsub__(self, other):
        """other - self, for a number other.
        other - self，other 是一个数。
        """
        return Value._wrap(other) - self

    def __rmul__(self, other):
        """other * self, for a number other.
        other * self，other 是一个数。
        """
        return self * other

    def __rtruediv__(self, other):
        """other / self, for a number other.
        other / self，other 是一个数。
        """
        return Value._wrap(other) / self

    def exp(self):
        """e ** self.
        e 的 self 次方。
        """
        # d out/dx = exp(x) = out
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        """The natural logarithm of self, for self > 0.
        self 的自然对数（self > 0）。
        """
        # d out/dx = 1 / x
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        """The hyperbolic tangent of self.
        self 的双曲正切。
        """
        # d out/dx = 1 - out**2
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1.0 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        """max(0, self); its derivative is 0 at self = 0.
        max(0, self)；在 self = 0 处导数取 0。
        """
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        """1 / (1 + e ** -self).
        1 / (1 + e 的 -self 次方)。
        """
        # exp(-|x|) <= 1 never overflows; d out/dx = out * (1 - out)
        e = math.exp(-abs(self.data))
        s = 1.0 / (1.0 + e) if self.data >= 0 else e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1.0 - out.data) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        """Sets .grad of every node this Value depends on to d(self)/d(node); self.grad becomes 1.0.
        把本 Value 所依赖的每个节点的 .grad 设为 d(self)/d(节点)；self.grad 变为 1.0。
        Each node's local step runs once, after every node that uses it (reverse topological order).
        每个节点的局部反向计算只执行一次，并且在所有使用它的节点之后执行（逆拓扑顺序）。
        """
        # Topological order, iteratively (deep graphs do not hit the recursion limit): every node after
        # its children; then from the output back to the leaves.
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
