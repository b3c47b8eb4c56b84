"""The inputs a graded function's contract allows, as data: what ``nnmath audit`` tries mutants on.

A mutant is *equivalent* when it agrees with the reference on every input the contract allows;
the audit cannot try them all, so it tries many drawn from the function's :class:`Domain`: every
shape the contract names (for an element-wise function a Python float, a 0-d array and 1-D to 3-D
arrays), the kinks, the extremes where the contract asks for stability, and the keyword
parameters both given and left at their defaults. The domains of the graded functions are in
:data:`DOMAINS` (CURRICULUM.md in code, like :mod:`autograder.curriculum`); an author adding an
exercise adds its domain here.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

SPECIAL_EXTREMES = (-1e4, -745.0, -710.0, -50.0, 50.0, 710.0, 745.0, 1e4)


@dataclass(frozen=True)
class Elementwise:
    """A float or an ndarray of any shape, entries uniform in ``[low, high)``.

    kinks: values placed on some entries, with their closest neighbours (``-0.0`` and ``±1e-300``
    for 0), so ``>=`` for ``>`` shows; extreme: the contract asks for stability, so some inputs
    reach ``|z| = 1e4``.
    """

    low: float = -5.0
    high: float = 5.0
    kinks: tuple = ()
    extreme: bool = False

    def draw(self, rng: np.random.Generator, case: int):
        kind = case % 5  # Python float, 0-d, 1-D, 2-D, 3-D in turn
        shape = [(), (), (int(rng.integers(1, 7)),), tuple(rng.integers(1, 5, size=2)),
                 tuple(rng.integers(1, 4, size=3))][kind]
        low, high = (-1e4, 1e4) if self.extreme and case % 4 == 3 else (self.low, self.high)
        x = rng.uniform(low, high, size=shape)
        specials = [value for kink in self.kinks for value in _near(kink)]
        if self.extreme and case % 4 == 3:
            specials += list(SPECIAL_EXTREMES)
        if specials and case % 3 != 0:
            if x.ndim == 0:
                x = np.array(specials[int(rng.integers(len(specials)))])
            else:
                where = rng.random(size=shape) < 0.4
                x = np.where(where, rng.choice(specials, size=shape), x)
        if case % 5 == 0:
            return float(x)
        return np.array(x, dtype=np.float64)


def _near(kink: float) -> tuple:
    if kink == 0.0:
        return (0.0, -0.0, 1e-300, -1e-300)
    return (kink, kink + 1e-12 * abs(kink), kink - 1e-12 * abs(kink))


@dataclass(frozen=True)
class Vector:
    """A 1-D array of ``1..max_size`` entries, normal with standard deviation ``std``."""

    std: float = 2.0
    max_size: int = 6

    def draw(self, rng: np.random.Generator, case: int):
        return rng.normal(0.0, self.std, size=int(rng.integers(1, self.max_size + 1)))


@dataclass(frozen=True)
class Real:
    """A Python float uniform in ``[low, high)`` (a parameter such as ``alpha``)."""

    low: float = 0.0
    high: float = 1.0

    def draw(self, rng: np.random.Generator, case: int):
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True)
class Domain:
    """A function's inputs: one kind per positional argument, and optional keyword arguments.

    Keyword arguments are passed in every other case and left to their defaults in the rest.
    """

    args: tuple
    options: dict = field(default_factory=dict)

    def cases(self, name: str, count: int) -> list[tuple[tuple, dict]]:
        """``count`` (args, kwargs) pairs, the same every time for the same ``name``."""
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(f"audit:{name}".encode()).digest()[:8], "little"))
        cases = []
        for case in range(count):
            args = tuple(kind.draw(rng, case) for kind in self.args)
            kwargs = {key: kind.draw(rng, case) for key, kind in self.options.items()} if case % 2 else {}
            cases.append((args, kwargs))
        return cases


@dataclass(frozen=True)
class Shaped:
    """An ndarray of one fixed ``shape``, normal with standard deviation ``std`` (arguments whose
    shapes must fit together, such as a layer's ``X``, ``W`` and ``b``)."""

    shape: tuple
    std: float = 2.0

    def draw(self, rng: np.random.Generator, case: int):
        return rng.normal(0.0, self.std, size=self.shape)


@dataclass(frozen=True)
class Activation:
    """A plain numpy function of one number, taken in turn from ``np.tanh``, ``np.sin`` and ``np.exp``."""

    def draw(self, rng: np.random.Generator, case: int):
        return (np.tanh, np.sin, np.exp)[case % 3]


# --- 04_losses: inputs drawn together (predictions and targets of one shape, a batch and its labels) ---
@dataclass(frozen=True)
class SameShape:
    """Two arrays of one shape (a Python float pair, 0-d, 1-D to 3-D in turn), normal entries."""

    std: float = 2.0

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        kind = case % 5
        shape = [(), (), (int(rng.integers(1, 7)),), tuple(rng.integers(1, 5, size=2)),
                 tuple(rng.integers(1, 4, size=3))][kind]
        a, b = rng.normal(0.0, self.std, size=shape), rng.normal(0.0, self.std, size=shape)
        return (float(a), float(b)) if kind == 0 else (np.array(a), np.array(b))


@dataclass(frozen=True)
class ClassBatch:
    """An ``(N, C)`` batch and ``(N,)`` integer labels; ``probs``: rows of probabilities, else logits,
    every fourth case of size up to 1e4 (``extreme``)."""

    probs: bool = False
    extreme: bool = False

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        n, c = int(rng.integers(1, 7)), int(rng.integers(2, 6))
        scale = 1e4 if self.extreme and case % 4 == 3 else 3.0
        z = rng.uniform(-scale, scale, size=(n, c))
        labels = rng.integers(0, c, size=n)
        if not self.probs:
            return (z, labels)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True), labels)


@dataclass(frozen=True)
class BinaryTargets:
    """Probabilities ``p`` and targets ``y`` of one shape: hard (0/1) targets in every other case, soft
    ones in the rest; every fourth case puts ``p`` at 1e-12 or 1 - 1e-12 on some entries."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        kind = case % 5
        shape = [(), (), (int(rng.integers(1, 7)),), tuple(rng.integers(1, 5, size=2)),
                 tuple(rng.integers(1, 4, size=3))][kind]
        p = rng.uniform(0.01, 0.99, size=shape)
        if case % 4 == 3:
            p = np.where(rng.random(size=shape) < 0.5, rng.choice([1e-12, 1 - 1e-12], size=shape), p)
        y = rng.integers(0, 2, size=shape).astype(np.float64) if case % 2 else rng.uniform(0.0, 1.0, size=shape)
        return (float(p), float(y)) if kind == 0 else (np.array(p), np.array(y))


@dataclass(frozen=True)
class JointDomain:
    """A function whose positional arguments are drawn together by ``joint`` (shapes that must agree)."""

    joint: object

    @property
    def args(self) -> tuple:
        """The one kind that draws every positional argument together."""
        return (self.joint,)

    def cases(self, name: str, count: int) -> list[tuple[tuple, dict]]:
        """``count`` (args, {}) pairs, the same every time for the same ``name``."""
        rng = np.random.default_rng(int.from_bytes(hashlib.sha256(f"audit:{name}".encode()).digest()[:8], "little"))
        return [(self.joint.draw(rng, case), {}) for case in range(count)]


# --- 05_forward: layer sizes, a generator to draw from, and a network's parameters ------------------
@dataclass(frozen=True)
class LayerSizes:
    """``[n_0, ..., n_L]``: 1 to 3 layers of 1 to 6 units (a list in every other case, else a tuple)."""

    def draw(self, rng: np.random.Generator, case: int):
        sizes = [int(n) for n in rng.integers(1, 7, size=int(rng.integers(2, 5)))]
        return sizes if case % 2 else tuple(sizes)


@dataclass(frozen=True)
class Generator:
    """A fresh ``numpy.random.Generator`` in a state of its own (each call gets a copy of it)."""

    def draw(self, rng: np.random.Generator, case: int):
        return np.random.default_rng(int(rng.integers(2**63)))


@dataclass(frozen=True)
class Choice:
    """One of ``values``, in turn."""

    values: tuple

    def draw(self, rng: np.random.Generator, case: int):
        return self.values[(case // 2) % len(self.values)]


@dataclass(frozen=True)
class Network:
    """``(X, params)`` of a network of 1 to 4 layers, ``X (N, n_0)``, normal weights and biases; in two
    cases of three also the activation, ``"sigmoid"`` or ``"tanh"`` (else the default ``"relu"``)."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        sizes = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(2, 6)))]
        X = rng.normal(0.0, 2.0, size=(int(rng.integers(1, 6)), sizes[0]))
        params = [(rng.normal(0.0, 1.0, size=(n_out, n_in)), rng.normal(0.0, 1.0, size=n_out))
                  for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        return (X, params) if case % 3 == 0 else (X, params, ("sigmoid", "tanh")[case % 3 - 1])


# --- 06_backprop: a layer's backward inputs, the 2-2-1 network, classifiers, gradients to compare ---
@dataclass(frozen=True)
class LayerBackward:
    """``(dZ, X, W)`` of one linear layer: ``dZ (N, n_out)``, ``X (N, n_in)``, ``W (n_out, n_in)``, sizes 1 to 4
    (so square layers, where a transposed ``dW`` has the right shape, come up too; every third case is one)."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        n, n_in, n_out = (int(v) for v in rng.integers(1, 5, size=3))
        if case % 3 == 0:
            n_in = n_out = n
        return (rng.normal(0.0, 2.0, size=(n, n_out)), rng.normal(0.0, 2.0, size=(n, n_in)),
                rng.normal(0.0, 2.0, size=(n_out, n_in)))


@dataclass(frozen=True)
class TwoTwoOne:
    """``(x, y, W1, b1, W2, b2)`` of the 2-2-1 sigmoid network: normal weights, a target in [-1, 2]."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        return (rng.normal(0.0, 1.5, size=2), float(rng.uniform(-1.0, 2.0)), rng.normal(0.0, 1.5, size=(2, 2)),
                rng.normal(0.0, 1.5, size=2), rng.normal(0.0, 1.5, size=(1, 2)), rng.normal(0.0, 1.5, size=1))


@dataclass(frozen=True)
class Classifier:
    """``(X, labels, params)`` of a classifier of 1 to 4 layers, in two cases of three with the activation
    ``"sigmoid"`` or ``"tanh"`` (else the default ``"relu"``)."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        sizes = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(2, 6)))]
        sizes[-1] = max(sizes[-1], 2)
        n = int(rng.integers(1, 6))
        X = rng.normal(0.0, 2.0, size=(n, sizes[0]))
        labels = rng.integers(0, sizes[-1], size=n)
        params = [(rng.normal(0.0, 1.0, size=(n_out, n_in)), rng.normal(0.0, 1.0, size=n_out))
                  for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        return (X, labels, params) if case % 3 == 0 else (X, labels, params, ("sigmoid", "tanh")[case % 3 - 1])


@dataclass(frozen=True)
class GradientPair:
    """``(f, x, analytic_grad)``: a course function summing over an array, a normal ``x`` and a gradient
    guess of its shape that is, in turn, random, the true gradient with one entry off, or the true one."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        from .functions import formula
        shape = [(int(rng.integers(1, 6)),), tuple(int(v) for v in rng.integers(1, 4, size=2))][case % 2]
        x = rng.normal(0.0, 1.0, size=shape)
        f = formula("sum(x**3 + x)")
        guess = 3 * x ** 2 + 1
        if case % 3 == 0:
            guess = rng.normal(0.0, 3.0, size=shape)
        elif case % 3 == 1:
            guess.flat[int(rng.integers(guess.size))] *= float(rng.uniform(1.5, 3.0))
        return (f, x, guess)


ELEMENTWISE_KINKED = Domain((Elementwise(kinks=(0.0,)),))
LEAKY = Domain((Elementwise(kinks=(0.0,)),), {"alpha": Real(0.0, 1.0)})

# --- 01_calculus (lesson01): functions passed as arguments, and matrices of matching inner size ---

@dataclass(frozen=True)
class Function:
    """A course function (:func:`autograder.functions.formula`) picked in turn from ``formulas``:
    scalar ones for the difference quotients, ones summing over an array for gradients."""

    formulas: tuple

    def draw(self, rng: np.random.Generator, case: int):
        from .functions import formula
        return formula(self.formulas[case % len(self.formulas)])


@dataclass(frozen=True)
class Matrix:
    """A normal 2-D array; ``side`` "left" is (n, k), "right" is (k, m), with k taken from the case
    number so the two arguments of one case always multiply."""

    side: str

    def draw(self, rng: np.random.Generator, case: int):
        inner = 1 + (case // 3) % 4
        outer = 1 + case % 3 if self.side == "left" else 1 + (case // 12) % 3
        shape = (outer, inner) if self.side == "left" else (inner, outer)
        return rng.normal(0.0, 2.0, size=shape)


SCALAR_FUNCTIONS = Function(("sin(x) * x", "x**3 - 2*x", "exp(x) / 3", "cos(3*x) + x**2"))
ARRAY_FUNCTIONS = Function(("sum(sin(x) * x)", "sum(x**3) + prod(cos(x))", "sum(exp(x) / 3) + max(x)"))


# --- 08_autograd: computations on objects of a class -----------------------------------------------

@dataclass(frozen=True)
class Computations:
    """The steps of a computation on objects of a class (08's ``Value``, see
    :mod:`autograder.programs`), the one argument of a case: every operation with Values and with
    numbers on either side, leaves used many times (the relu kink at 0 every fifth case), or, every
    fourth case, a random chain, reused-node or diamond graph; then ``backward()``, every term's
    value and every leaf's gradient read."""

    def draw(self, rng: np.random.Generator, case: int):
        from .programs import Program, random_program

        if case % 4 == 3:
            return random_program(rng, ("chain", "reuse", "diamond")[(case // 4) % 3], 6).steps
        p = Program()
        a = p.new(0.0 if case % 5 == 0 else float(rng.uniform(-2.0, 2.0)))
        b = p.new(float(rng.uniform(0.3, 2.0)))
        terms = [a + b, a - b, a * b, a / b, 2.5 + a, 1.5 - a, 3 * a, 2 / b, a - 0.5, a / 3, -a, a + 1.25,
                 b ** 1.5, a ** 2, b ** -1, a ** 3, (a * 0.5).exp(), b.log(), a.tanh(), a.relu(), a.sigmoid()]
        out = terms[0]
        for term in terms[1:]:
            out = out + term * float(rng.uniform(0.5, 1.5))
        out.backward()
        for node in [a, b, out] + terms:
            p.read(node, "data")
        p.read(a, "grad")
        p.read(b, "grad")
        return p.steps


# --- 07_training: an update of a network, a path on a curve, a short training run ----------------------

@dataclass(frozen=True)
class ParamsAndGrads:
    """``(params, grads, lr)`` of one network of 1 to 3 layers: normal weights, biases and gradients."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        sizes = [int(n) for n in rng.integers(1, 6, size=int(rng.integers(2, 5)))]
        def layers():
            return [(rng.normal(0.0, 1.0, size=(n_out, n_in)), rng.normal(0.0, 1.0, size=n_out))
                    for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        return (layers(), layers(), float(rng.uniform(0.01, 1.0)))


@dataclass(frozen=True)
class TrainingRun:
    """``(X, labels, layer_sizes, lr, epochs, batch_size, rng)`` of a short run: 3 to 12 examples,
    1 or 2 hidden layers, 1 to 3 epochs, batch sizes that divide N, do not, and exceed it."""

    def draw(self, rng: np.random.Generator, case: int) -> tuple:
        n, n_in, classes = int(rng.integers(3, 13)), int(rng.integers(1, 4)), int(rng.integers(2, 4))
        hidden = [int(h) for h in rng.integers(1, 6, size=1 + case % 2)]
        X = rng.normal(0.0, 1.5, size=(n, n_in))
        labels = rng.integers(0, classes, size=n)
        batch_size = (n, max(1, n // 3), n + 2, 1 + int(rng.integers(n)))[case % 4]
        return (X, labels, [n_in, *hidden, classes], float(rng.uniform(0.05, 0.5)), 1 + case % 3, batch_size,
                np.random.default_rng(int(rng.integers(2**63))))


DOMAINS: dict[str, Domain] = {
    # 03_activations
    "relu": ELEMENTWISE_KINKED,
    "relu_grad": ELEMENTWISE_KINKED,
    "sigmoid": Domain((Elementwise(-8.0, 8.0, extreme=True),)),
    "sigmoid_grad": Domain((Elementwise(-8.0, 8.0),)),
    "tanh": Domain((Elementwise(-6.0, 6.0, extreme=True),)),
    "tanh_grad": Domain((Elementwise(-5.0, 5.0),)),
    "leaky_relu": LEAKY,
    "leaky_relu_grad": LEAKY,
    "gelu": Domain((Elementwise(),)),
    "gelu_grad": Domain((Elementwise(),)),
    "softmax": Domain((Elementwise(-10.0, 10.0, extreme=True),)),
    "softmax_jacobian": Domain((Vector(),)),
    # 01_calculus (lesson01)
    "difference_quotient": Domain((SCALAR_FUNCTIONS, Real(-2.0, 2.0), Real(0.01, 0.5))),
    "central_difference": Domain((SCALAR_FUNCTIONS, Real(-2.0, 2.0)), {"h": Real(0.01, 0.5)}),
    "numerical_gradient": Domain((ARRAY_FUNCTIONS, Elementwise(-2.0, 2.0)), {"h": Real(0.01, 0.5)}),
    "chain_rule_derivative": Domain((Elementwise(-3.0, 3.0),)),
    "matmul": Domain((Matrix("left"), Matrix("right"))),
    # 02_neurons (lesson02)
    "neuron": Domain((Shaped((5,)), Shaped((5,)), Real(-2.0, 2.0), Activation())),
    "step": Domain((Elementwise(kinks=(0.0, 1.5)),), {"threshold": Real(1.5, 1.5)}),
    "linear_forward": Domain((Shaped((4, 3)), Shaped((2, 3)), Shaped((2,)))),
    "collapse_linear": Domain((Shaped((4, 3)), Shaped((4,)), Shaped((2, 4)), Shaped((2,)))),
    "xor_params": Domain(()),
    # 04_losses
    "mse": JointDomain(SameShape()),
    "mse_grad": JointDomain(SameShape()),
    "half_sse": JointDomain(SameShape()),
    "half_sse_grad": JointDomain(SameShape()),
    "cross_entropy": JointDomain(ClassBatch(probs=True)),
    "softmax_cross_entropy": JointDomain(ClassBatch(extreme=True)),
    "binary_cross_entropy": JointDomain(BinaryTargets()),
    # 05_forward
    "init_params": Domain((LayerSizes(), Generator()), {"scheme": Choice(("zeros", "he", "xavier"))}),
    "mlp_forward": JointDomain(Network()),
    # 06_backprop
    "linear_backward": JointDomain(LayerBackward()),
    "two_layer_backprop": JointDomain(TwoTwoOne()),
    "mlp_backward": JointDomain(Classifier()),
    "relative_error": JointDomain(SameShape()),
    "grad_check": JointDomain(GradientPair()),
    # 07_training
    "sgd_step": JointDomain(ParamsAndGrads()),
    "gradient_descent_1d": Domain((SCALAR_FUNCTIONS, Real(-2.0, 2.0), Real(0.01, 0.3), Choice((0, 1, 3, 7)))),
    "train_mlp": JointDomain(TrainingRun()),
    # 08_autograd: a class, called with programs (autograder.audit.difference runs them)
    "Value": Domain((Computations(),)),
}


def domain_of(name: str) -> Domain | JointDomain | None:
    return DOMAINS.get(name)
