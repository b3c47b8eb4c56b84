"""A small fixture assignment (not a lesson) that uses every mechanism of issue 9, and its class.

``99_crossing`` grades eight names: ``numerical_gradient`` (a course function as argument, its
calls recorded, ``x`` restored bit for bit, no use of the package's own checker), ``step`` and
``neuron`` (a course function, and the learner's own ``step`` passed by reference), ``init_params``
(properties; every draw from ``rng``), ``Value`` (programs on the learner's class, random graphs),
``matmul`` (forbidden constructs), and ``train_mlp`` (a longer deadline; the loss falls; held-out
accuracy). Answers are the reference (``solutions/``), character for character; helpers the
answers use (``mlp_backward`` and what it needs) sit in a locked setup cell.

:data:`CROSSING_CLASS` holds the reference learner and one learner per typical mistake, each with
the test cells it must fail and words its message must contain (:data:`EVIDENCE`).
"""
from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import nbformat

import solutions
from autograder.build_release import build_release
from autograder.curriculum import ASSIGNMENTS, Assignment
from autograder.simulate import SimulatedLearner

A, NOTEBOOK = "99_crossing", "crossing"
NB = f"{NOTEBOOK}.ipynb"
GRADED = ("numerical_gradient", "step", "neuron", "init_params", "Value", "matmul", "train_mlp")
ASSIGNMENT = Assignment(A, NOTEBOOK, GRADED)
HELPERS = ("relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softmax", "linear_forward", "mlp_forward",
           "softmax_cross_entropy", "linear_backward", "mlp_backward", "sgd_step")

SETUP = """\
import math
import numpy as np

from autograder import *
from autograder.inputs import generator

set_language("en")


def blobs(rng, n, classes=3):
    # Well separated Gaussian blobs in the plane: (X (n, 2), labels (n,)).
    # 平面上彼此分开的高斯团：(X (n, 2), labels (n,))。
    labels = rng.integers(0, classes, size=n)
    angles = 2 * np.pi * labels / classes
    centres = 4.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return centres + 0.6 * rng.normal(size=(n, 2)), labels
"""

TESTS = {
    "numerical_gradient": [
        ("test_numerical_gradient", """\
expect_source(numerical_gradient, own_work=True)  # the package's own checker earns nothing here
expect_restored(numerical_gradient, formula("sum(x**3) + x[0] * x[1]"), Normal((6,)), arg=1)
expect(numerical_gradient, formula("x[0]**2 + 3*x[1] + 5"), np.array([1.0, 2.0]), returns=np.array([2.0, 3.0]),
       rtol=1e-6)
### BEGIN HIDDEN TESTS
A = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 3.0]])
expect_matches_reference(numerical_gradient, "numerical_gradient",
                         course_function("quadratic", A=A, b=np.array([1.0, -2.0, 0.5])), Normal((3,)))
expect_calls(numerical_gradient, formula("sum(sin(x))"), Normal((3, 2)), of=0, calls=lambda f, x: 2 * x.size)
### END HIDDEN TESTS
"""),
    ],
    "step": [("test_step", """\
expect(step, np.array([-1.0, 0.0, 2.0]), returns=np.array([0.0, 0.0, 1.0]))
### BEGIN HIDDEN TESTS
expect_matches_reference(step, "step", Uniform((5, 2), avoid=(0.0,)))
### END HIDDEN TESTS
""")],
    "neuron": [("test_neuron", """\
expect_calls(neuron, Normal((3,)), Normal((3,)), Uniform(), course_function("tanh"), of=3)
expect(neuron, np.array([1.0, 0.0, 0.0]), np.array([6.0, 2.0, 2.0]), 1.0, course_function("step", threshold=5.0),
       returns=1.0)
### BEGIN HIDDEN TESTS
expect_matches_reference(neuron, "neuron", Normal((4,)), Normal((4,)), Uniform(), course_function("sigmoid"))
expect_matches_reference(neuron, "neuron", Normal((4,)), Normal((4,)), Uniform(), step)  # the learner's own step
### END HIDDEN TESTS
""")],
    "init_params": [
        ("test_init_params", """\
expect_properties(init_params, [64, 32, 10], Rng(), "he",
                  properties=[Shapes([((32, 64), (32,)), ((10, 32), (10,))]), Dtype(),
                              Std(np.sqrt(2 / 64), at=(0, 0)), Std(np.sqrt(2 / 32), at=(1, 0), rel=0.3),
                              Zeros(at=(0, 1)), Zeros(at=(1, 1))])
"""),
        ("test_init_params_rng", """\
expect_reproducible(init_params, [5, 4, 3], Rng(), "xavier")
"""),
    ],
    "Value": [
        ("test_Value_numbers", """\
# Numbers on either side of every operator; each program uses its leaf once.
p = Program()
a = p.new(2.0)
out = 2 / (1 - 3 * a) + 1
out.backward()
p.read(out, "data"); p.read(a, "grad")
expect_program(Value, p, returns=[0.6, 0.24])
### BEGIN HIDDEN TESTS
for x in (0.7, -1.3):
    p = Program()
    a = p.new(x)
    out = 1 / (3 - (2 * a + 1).tanh()) - 2
    out.backward()
    p.read(out, "data"); p.read(a, "grad")
    expect_program(Value, p)
    for build in (lambda a: (5 - (-a).sigmoid().exp()).relu().log() * 2, lambda a: (4 - a) ** 2 / 3):
        p = Program()
        a = p.new(x)
        out = build(a)
        out.backward()
        p.read(out, "data"); p.read(a, "grad")
        expect_program(Value, p)
expect_graphs(Value, "chain", trials=1, size=4)
### END HIDDEN TESTS
"""),
        ("test_Value_accumulate", """\
p = Program()
a = p.new(3.0)
out = a * a + a
out.backward()
p.read(a, "grad")
expect_program(Value, p, returns=[7.0])
### BEGIN HIDDEN TESTS
expect_graphs(Value, "reuse", trials=3, size=6)
### END HIDDEN TESTS
"""),
        ("test_Value_order", """\
### BEGIN HIDDEN TESTS
expect_graphs(Value, "chain", trials=2, size=80)
expect_graphs(Value, "diamond", trials=3, size=5)
### END HIDDEN TESTS
"""),
    ],
    "matmul": [("test_matmul", """\
expect_source(matmul, forbid=MATMUL_SHORTCUTS, loops=True, rule="rule_matmul")
expect(matmul, np.array([[5.0, 6.0]]), np.array([[1.0], [2.0]]), returns=np.array([[17.0]]))
expect_raises(matmul, ValueError, np.ones((2, 3)), np.ones((2, 3)))
### BEGIN HIDDEN TESTS
expect_matches_reference(matmul, "matmul", Normal((3, 4)), Normal((4, 2)))
### END HIDDEN TESTS
""")],
    "train_mlp": [("test_train_mlp", """\
X, labels = blobs(generator("train_mlp:data"), 500)
expect_properties(within(train_mlp, seconds=8), X[:400], labels[:400], [2, 16, 3], 0.3, 20, 32, Rng(),
                  properties=[Falls(at=(1,), ratio=0.5),
                              Accuracy(0.95, X[400:], labels[400:], predict=lambda out, X: mlp_forward(X, out[0]))])
""")],
}


def _reference_source(name: str) -> str:
    return inspect.getsource(solutions.REFERENCE[name]).rstrip()


def _code(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"schema_version": 3, "task": False, **nbgrader}
    return cell


def notebook() -> nbformat.NotebookNode:
    """The source notebook of ``99_crossing``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    intro_en = nbformat.v4.new_markdown_cell("# Fixture: functions, generators, objects and long calls")
    intro_en.metadata["lang"] = "en"
    intro_zh = nbformat.v4.new_markdown_cell("# 测试用例：函数、生成器、对象和长时间调用")
    intro_zh.metadata["lang"] = "zh"
    helpers = "import numpy as np\n\n\n" + "\n\n\n".join(_reference_source(n) for n in HELPERS)
    nb.cells = [intro_en, intro_zh,
                _code(SETUP, grade=False, solution=False, locked=True, grade_id="setup"),
                _code(helpers, grade=False, solution=False, locked=True, grade_id="helpers")]
    for name in GRADED:
        answer = f"### BEGIN SOLUTION\n{_reference_source(name)}\n### END SOLUTION"
        nb.cells.append(_code(answer, grade=False, solution=True, locked=False, grade_id=name))
        for grade_id, source in TESTS[name]:
            nb.cells.append(_code(source.rstrip(), grade=True, solution=False, locked=True, grade_id=grade_id,
                                  points=1))
    return nb


def register(monkeypatch=None) -> None:
    """Make ``99_crossing`` a known assignment (for this process and the workers it forks)."""
    if monkeypatch is not None:
        monkeypatch.setitem(ASSIGNMENTS, A, ASSIGNMENT)
    else:
        ASSIGNMENTS[A] = ASSIGNMENT


def new_course(path: Path, repo: Path) -> Path:
    """A course directory holding the fixture's source and release (``register`` first)."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "nbgrader_config.py", path / "nbgrader_config.py")
    (path / "source" / A).mkdir(parents=True)
    nbformat.write(notebook(), str(path / "source" / A / NB))
    build_release(path, [A])
    return path


# --- the class: the reference and one learner per typical mistake ---------------------------------

def _replace(name: str, old: str, new: str) -> str:
    source = _reference_source(name)
    assert old in source, (name, old)
    return source.replace(old, new)


ULP = '''def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=np.float64)  # no copy: perturbs the caller's x
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = f(x)
        x[idx] -= 2 * h
        f_minus = f(x)
        x[idx] += h  # x + h - 2h + h is not always x: off by one ulp
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
'''

PACKAGE = '''from autograder.gradcheck import numerical_gradient as _checker


def numerical_gradient(f, x, h=1e-5):
    return _checker(f, x, h)
'''

IGNORES_ACTIVATION = '''def neuron(x, w, b, activation):
    return float(np.dot(w, x) + b)  # forgot the activation
'''

GLOBAL_RANDOM = _replace("init_params", "rng.normal(0.0,", "np.random.normal(0.0,")

NO_RSUB = _replace("Value", '    def __rsub__(self, other):\n        """other - self, for a number other.\n'
                   '        other - self，other 是一个数。\n        """\n        return Value._wrap(other) - self\n\n', "")
ASSIGNS_GRAD = _replace("Value", ".grad +=", ".grad =")
NO_TOPOLOGICAL_ORDER = _replace("Value", "        self.grad = 1.0\n        for node in reversed(topo):\n            node._backward()",
                                "        self.grad = 1.0\n\n        def visit(node):  # every path, parents first: no order\n"
                                "            node._backward()\n            for child in node._prev:\n"
                                "                visit(child)\n        visit(self)")

MATMUL_AT = '''def matmul(A, B):
    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)
    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
        raise ValueError("inner sizes differ")
    return A @ B
'''

IMPORTS_TORCH = "import torch\n\n\n" + _reference_source("matmul")

SLOW_TRAIN = _replace("train_mlp", "    for epoch in range(epochs):\n",
                      "    import time\n    for epoch in range(epochs):\n        time.sleep(1.0)  # far too slow\n")
SLOWISH_TRAIN = _replace("train_mlp", "    for epoch in range(epochs):\n",
                         "    import time\n    time.sleep(3.0)  # slower than a plain call may be, within its deadline\n"
                         "    for epoch in range(epochs):\n")

CROSSING_CLASS = (
    SimulatedLearner("ref", "the reference everywhere"),
    SimulatedLearner("ulp", "numerical_gradient leaves x changed by one ulp", {"numerical_gradient": ULP},
                     frozenset({"test_numerical_gradient"})),
    SimulatedLearner("pkg", "numerical_gradient calls the package's own checker", {"numerical_gradient": PACKAGE},
                     frozenset({"test_numerical_gradient"})),
    SimulatedLearner("act", "neuron ignores its activation", {"neuron": IGNORES_ACTIVATION},
                     frozenset({"test_neuron"})),
    SimulatedLearner("glob", "init_params draws from np.random", {"init_params": GLOBAL_RANDOM},
                     frozenset({"test_init_params_rng"})),
    SimulatedLearner("rsub", "Value without __rsub__", {"Value": NO_RSUB}, frozenset({"test_Value_numbers"})),
    # A diamond's shared node is a node used twice: a wrong order shows only there, so assigning
    # gradients fails the ordering cell too (its message names accumulation, which is the fault).
    SimulatedLearner("assign", "Value assigns grad instead of accumulating", {"Value": ASSIGNS_GRAD},
                     frozenset({"test_Value_accumulate", "test_Value_order"})),
    SimulatedLearner("topo", "Value.backward without a topological order", {"Value": NO_TOPOLOGICAL_ORDER},
                     frozenset({"test_Value_order"})),
    SimulatedLearner("at", "matmul with @", {"matmul": MATMUL_AT}, frozenset({"test_matmul"})),
    SimulatedLearner("torch", "matmul's cell imports torch", {"matmul": IMPORTS_TORCH}, frozenset({"test_matmul"})),
    SimulatedLearner("slow", "train_mlp exceeds its time", {"train_mlp": SLOW_TRAIN}, frozenset({"test_train_mlp"})),
    SimulatedLearner("patient", "train_mlp slower than a plain call, within its deadline",
                     {"train_mlp": SLOWISH_TRAIN}),
)

# learner -> words the message of each failing cell must contain (so the mistake is named)
EVIDENCE = {
    "ulp": "put back exactly the value you saved",
    "pkg": "course package's own",
    "act": "never called tanh",
    "glob": "np.random",
    "rsub": "`__rsub__` missing",
    "assign": "add up (+=)",
    "topo": "reverse topological order",
    "at": "uses `@`",
    "torch": "`torch`, which is not part of the course's install",
    "slow": "did not finish within 8 s",
}
