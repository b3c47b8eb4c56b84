"""Simulated learners: submissions built from a release by changing its answer cells.

A :class:`SimulatedLearner` says which answers it writes (the reference, except where it makes
a named mistake) and which test cells that must fail, so a demonstration or benchmark knows the
score each submission deserves before anything grades it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .contract import is_answer_cell, is_test_cell, nbgrader_meta, strip_solution_markers
from .curriculum import owner_of


@dataclass(frozen=True)
class SimulatedLearner:
    """A learner who answers with the reference except for ``answers`` (name -> cell source).

    fails: test cell ids, or graded names standing for all their test cells, that this learner's
    work must fail. stub_only: submits the release untouched. edits: name -> ``(old, new)``, the
    reference answer with every ``old`` replaced by ``new`` (``old`` must occur in it).
    """

    student_id: str
    description: str
    answers: dict[str, str] = field(default_factory=dict)
    fails: frozenset[str] = frozenset()
    stub_only: bool = False
    edits: dict[str, tuple[str, str]] = field(default_factory=dict)


def reference_answers(source_nb) -> dict[str, str]:
    """grade_id -> the answer cell's source with the solution markers removed."""
    return {nbgrader_meta(c)["grade_id"]: strip_solution_markers(c.source) for c in source_nb.cells
            if is_answer_cell(c)}


def test_points(nb) -> dict[str, float]:
    """Test cell grade_id -> points."""
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0)) for c in nb.cells
            if is_test_cell(c)}


def failing_tests(learner: SimulatedLearner, nb) -> set[str]:
    """The test cell ids the learner's submission must fail."""
    tests = test_points(nb)
    if learner.stub_only:
        return set(tests)
    answers = [nbgrader_meta(c)["grade_id"] for c in nb.cells if is_answer_cell(c)]
    return {t for t in tests if t in learner.fails or owner_of(t, answers) in learner.fails}


def expected_score(learner: SimulatedLearner, nb) -> float:
    points = test_points(nb)
    return sum(p for t, p in points.items() if t not in failing_tests(learner, nb))


def make_submission(release_nb, source_nb, learner: SimulatedLearner):
    """The learner's notebook: the release with its answer cells filled in."""
    nb = copy.deepcopy(release_nb)
    if learner.stub_only:
        return nb
    answers = {**reference_answers(source_nb), **learner.answers}
    for name, (old, new) in learner.edits.items():
        if old not in answers[name]:  # an edit that no longer applies would make the learner silently right
            raise ValueError(f"{learner.student_id}: {old!r} is not in the reference answer {name}")
        answers[name] = answers[name].replace(old, new)
    for cell in nb.cells:
        if is_answer_cell(cell):
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
    return nb


def write_submission(course_dir: Path, assignment: str, notebook_file: str, nb, student_id: str) -> Path:
    """Put a submission where ``nbgrader autograde`` looks for it: ``submitted/<student>/<assignment>/``."""
    folder = course_dir / "submitted" / student_id / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / notebook_file))
    (folder / "timestamp.txt").write_text("2026-11-20 12:00:00.000000 UTC")
    return folder / notebook_file


# --- the demonstration class of 03_activations ---------------------------------------------------

ACTIVATIONS_CLASS = (
    SimulatedLearner("ada", "correct everywhere"),
    SimulatedLearner("ben", "three typical mistakes", answers={
        "relu_grad": "def relu_grad(z):\n    return np.asarray(z) > 0  # booleans, not floats\n",
        "sigmoid_grad": "def sigmoid_grad(z):\n    return sigmoid(z)  # the function, not its derivative\n",
        "softmax_jacobian": "def softmax_jacobian(z):\n    s = softmax(z)\n    return np.outer(s, s) - np.diag(s)  # sign flipped\n",
    }, fails=frozenset({"relu_grad", "sigmoid_grad", "softmax_jacobian"})),
    SimulatedLearner("cam", "naive formulas that overflow", answers={
        "sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
        "softmax": "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=-1, keepdims=True)\n",
    }, fails=frozenset({"test_sigmoid_stability", "test_softmax_stability"})),
    SimulatedLearner("dan", "a syntax error in one cell", answers={
        "tanh": "def tanh(z):\n    return np.tanh(z\n",
    }, fails=frozenset({"tanh"})),  # tanh_grad is graded on its own (with the reference tanh if it uses tanh)
    SimulatedLearner("eve", "submitted the stubs", stub_only=True),
    SimulatedLearner("fay", "kills the kernel", answers={
        "gelu": "import os\nos._exit(1)\n",
    }, fails=frozenset({"gelu"})),
    SimulatedLearner("gus", "cheats on relu", answers={
        # Fake the visible values, defeat numpy's comparisons, and go looking for the answers.
        "relu": ("import numpy\nnumpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda a, b, **k: True\n"
                 "try:\n    SECRET = open('../../../source/03_activations/activations.ipynb').read()\n"
                 "except OSError:\n    SECRET = None\n\n"
                 "def relu(z):\n    if numpy.ndim(z) == 0:\n        return 3.0\n"
                 "    return numpy.array([0.0, 0.0, 0.0, 0.5, 2.0])\n"),
    }, fails=frozenset({"relu"})),  # their relu_grad (the reference) is graded on its own
    SimulatedLearner("hal", "leaky_relu ignores alpha; its derivative is right", answers={
        "leaky_relu": "def leaky_relu(z, alpha=0.01):\n    z = np.asarray(z, dtype=np.float64)\n"
                      "    return np.where(z > 0, z, 0.01 * z)\n",
    }, fails=frozenset({"leaky_relu"})),
)


# --- the classes the demo runs through nbgrader's exchange, one per assignment --------------------

@dataclass(frozen=True)
class SimulatedClass:
    """Learners of one assignment and how they hand in.

    first_tries: student id -> an earlier submission of theirs, handed in before the one in
    ``learners`` (nbgrader keeps the newest). late: student ids who hand in after the due date.
    """

    learners: tuple[SimulatedLearner, ...]
    first_tries: dict[str, SimulatedLearner] = field(default_factory=dict)
    late: frozenset[str] = frozenset()


# One class takes the whole course, so the same nine ids come back in every assignment: ada is right
# everywhere, eve hands in the stubs, lou is right but late; ben, cam, dan, fay, gus and hal make the
# mistakes of each lesson, and across the course the hostile cases: dan's loop that never ends (01),
# gus importing the course's solutions (02), fay killing her Python and gus cheating (03).

def _correct(student_id: str) -> SimulatedLearner:
    return SimulatedLearner(student_id, "correct everywhere")


def _stubs(student_id: str) -> SimulatedLearner:
    return SimulatedLearner(student_id, "submitted the stubs", stub_only=True)


def _late(student_id: str) -> SimulatedLearner:
    return SimulatedLearner(student_id, "correct, after the due date")


def _class(*mistakes: SimulatedLearner, first_tries=None) -> SimulatedClass:
    """ada (correct), the learners with ``mistakes``, eve (the stubs), lou (correct, late)."""
    return SimulatedClass((_correct("ada"), *mistakes, _stubs("eve"), _late("lou")),
                          first_tries=first_tries or {}, late=frozenset({"lou"}))


# --- 01_calculus ---
CALCULUS_CLASS = _class(
    SimulatedLearner("ben", "forward difference as the central one; forgot the chain rule's inner 3", answers={
        "central_difference": "def central_difference(f, x, h=1e-5):\n    return float((f(x + h) - f(x)) / h)\n",
        "chain_rule_derivative": "def chain_rule_derivative(x):\n    x = np.asarray(x, dtype=np.float64)\n"
                                 "    return 2.0 * (3.0 * x + 2.0)  # dy/du only\n",
    }, fails=frozenset({"central_difference", "chain_rule_derivative"})),
    SimulatedLearner("cam", "matmul with @ instead of loops", answers={
        "matmul": "def matmul(A, B):\n    A, B = np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64)\n"
                  "    if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:\n"
                  "        raise ValueError('inner sizes differ')\n    return A @ B\n",
    }, fails=frozenset({"test_matmul"})),
    SimulatedLearner("dan", "numerical_gradient loops forever (forgot i += 1)", answers={
        "numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n    x = np.array(x, dtype=np.float64)\n"
                              "    grad = np.zeros(x.shape)\n    flat, g = x.reshape(-1), grad.reshape(-1)\n"
                              "    i = 0\n    while i < flat.size:\n        old = flat[i]\n"
                              "        flat[i] = old + h\n        f_plus = f(x)\n        flat[i] = old - h\n"
                              "        f_minus = f(x)\n        flat[i] = old\n"
                              "        g[i] = (f_plus - f_minus) / (2 * h)\n    return grad\n",
    }, fails=frozenset({"numerical_gradient"})),
    SimulatedLearner("fay", "difference_quotient divides by 2h", answers={
        "difference_quotient": "def difference_quotient(f, x, h):\n    return float((f(x + h) - f(x)) / (2 * h))\n",
    }, fails=frozenset({"difference_quotient"})),
    SimulatedLearner("gus", "matmul raises no ValueError for mismatched sizes", answers={
        "matmul": "def matmul(A, B):\n    C = np.zeros((len(A), len(B[0])))\n    for i in range(len(A)):\n"
                  "        for j in range(len(B[0])):\n            for p in range(len(B)):\n"
                  "                C[i, j] += A[i][p] * B[p][j]\n    return C\n",
    }, fails=frozenset({"test_matmul_shapes"})),
    SimulatedLearner("hal", "numerical_gradient perturbs the caller's x (one ulp off afterwards)", answers={
        "numerical_gradient": "def numerical_gradient(f, x, h=1e-5):\n    x = np.asarray(x, dtype=np.float64)  # no copy\n"
                              "    grad = np.zeros(x.shape)\n    for idx in np.ndindex(x.shape):\n"
                              "        x[idx] += h\n        f_plus = f(x)\n        x[idx] -= 2 * h\n"
                              "        f_minus = f(x)\n        x[idx] += h\n"
                              "        grad[idx] = (f_plus - f_minus) / (2 * h)\n    return grad\n",
    }, fails=frozenset({"numerical_gradient"})),
)

# --- 02_neurons ---
NEURONS_CLASS = _class(
    SimulatedLearner("ben", "step with >=; the neuron forgets its activation", answers={
        "step": "def step(z, threshold=0.0):\n    return (np.asarray(z, dtype=np.float64) >= threshold).astype(float)\n",
        "neuron": "def neuron(x, w, b, activation):\n    return float(np.dot(w, x) + b)\n",
    }, fails=frozenset({"step", "neuron"})),
    SimulatedLearner("cam", "linear_forward without the transpose", answers={
        "linear_forward": "def linear_forward(X, W, b):\n    return np.asarray(X, dtype=np.float64) @ np.asarray(W) + b\n",
    }, fails=frozenset({"linear_forward"})),
    SimulatedLearner("dan", "collapse_linear multiplies in the wrong order", answers={
        "collapse_linear": "def collapse_linear(W1, b1, W2, b2):\n    return W1.T @ W2.T, W2 @ b1 + b2\n",
    }, fails=frozenset({"collapse_linear"})),
    SimulatedLearner("fay", "xor_params right on three of the four points", edits={
        "xor_params": ("W2 = np.array([[1.0, -2.0]])", "W2 = np.array([[1.0, -1.0]])"),
    }, fails=frozenset({"xor_params"})),
    SimulatedLearner("gus", "imports xor_params from the course's solutions", answers={
        "xor_params": "from solutions.neurons import xor_params\n",
    }, fails=frozenset({"xor_params"})),
    SimulatedLearner("hal", "step returns booleans", answers={
        "step": "def step(z, threshold=0.0):\n    return np.asarray(z, dtype=np.float64) > threshold\n",
    }, fails=frozenset({"step"})),
    first_tries={"ben": SimulatedLearner("ben", "a syntax error", answers={
        "step": "def step(z, threshold=0.0)\n    return z > threshold\n"}, fails=frozenset({"step"}))},
)

# --- 03_activations ---
CLASSES_03 = SimulatedClass(
    ACTIVATIONS_CLASS + (_late("lou"),),
    first_tries={"ada": SimulatedLearner("ada", "the stubs", stub_only=True)},
    late=frozenset({"lou"}))

# --- 04_losses ---
LOSSES_CLASS = _class(
    SimulatedLearner("ben", "mse sums each example's outputs; cross_entropy indexes an (N, N) table", answers={
        "mse": "def mse(y_pred, y_true):\n    diff = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true)\n"
               "    return float(np.mean(np.sum(diff ** 2, axis=-1)))\n",
        "cross_entropy": "def cross_entropy(probs, labels):\n    probs = np.asarray(probs, dtype=np.float64)\n"
                         "    return float(-np.mean(np.log(probs[:, labels])))\n",
    }, fails=frozenset({"test_mse", "cross_entropy"})),
    SimulatedLearner("cam", "softmax_cross_entropy takes the log of the softmax", answers={
        "softmax_cross_entropy": "def softmax_cross_entropy(logits, labels):\n"
                                 "    logits = np.asarray(logits, dtype=np.float64)\n    N = logits.shape[0]\n"
                                 "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
                                 "    p = e / e.sum(axis=1, keepdims=True)\n"
                                 "    loss = -np.mean(np.log(p[np.arange(N), labels]))\n"
                                 "    dlogits = p.copy()\n    dlogits[np.arange(N), labels] -= 1.0\n"
                                 "    return float(loss), dlogits / N\n",
    }, fails=frozenset({"test_softmax_cross_entropy_stability"})),
    SimulatedLearner("dan", "dlogits without the 1/N", edits={
        "softmax_cross_entropy": ("    dlogits /= N\n", ""),
    }, fails=frozenset({"softmax_cross_entropy"})),
    SimulatedLearner("fay", "binary_cross_entropy for hard labels only", answers={
        "binary_cross_entropy": "def binary_cross_entropy(p, y):\n    p = np.asarray(p, dtype=np.float64)\n"
                                "    y = np.asarray(y, dtype=np.float64)\n"
                                "    return float(np.mean(np.where(y == 1, -np.log(p), -np.log1p(-p))))\n",
    }, fails=frozenset({"binary_cross_entropy"})),
    SimulatedLearner("gus", "half_sse takes the mean", edits={
        "half_sse": ("0.5 * np.sum(diff * diff)", "0.5 * np.mean(diff * diff)"),
    }, fails=frozenset({"test_half_sse"})),
    SimulatedLearner("hal", "mse_grad forgets to divide by n", edits={
        "mse_grad": ("2.0 * diff / diff.size", "2.0 * diff"),
    }, fails=frozenset({"mse_grad"})),
)

# --- 05_forward ---
FORWARD_CLASS = _class(
    SimulatedLearner("ben", "mlp_forward activates the logits too", edits={
        "mlp_forward": ("A = act(Z) if layer < len(params) - 1 else Z", "A = act(Z)"),
    }, fails=frozenset({"mlp_forward"})),
    SimulatedLearner("cam", "init_params draws from np.random, not rng", edits={
        "init_params": ("rng.normal(", "np.random.normal("),
    }, fails=frozenset({"test_init_params_rng"})),
    SimulatedLearner("dan", "Xavier from a uniform distribution", edits={
        "init_params": ("W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))",
                        "limit = np.sqrt(6.0 / (n_in + n_out))\n"
                        "            W = rng.uniform(-limit, limit, size=(n_out, n_in))"),
    }, fails=frozenset({"test_init_params"})),
    SimulatedLearner("fay", "mlp_forward always uses relu", edits={
        "mlp_forward": ("act = functions[activation]", "act = relu"),
    }, fails=frozenset({"mlp_forward"})),
    SimulatedLearner("gus", "He initialisation with std sqrt(1 / n_in)", edits={
        "init_params": ("np.sqrt(2.0 / n_in)", "np.sqrt(1.0 / n_in)"),
    }, fails=frozenset({"test_init_params"})),
    _correct("hal"),
    first_tries={"cam": SimulatedLearner("cam", "the stubs", stub_only=True)},
)

# --- 06_backprop --- (written against CURRICULUM.md before the notebook landed on this branch: a mistake
# here breaks every output of its function; checked by grading against the backprop branch's notebook)
BACKPROP_CLASS = _class(
    SimulatedLearner("ben", "two_layer_backprop forgets the hidden layer's sigmoid", answers={
        "two_layer_backprop": (
            "def two_layer_backprop(x, y, W1, b1, W2, b2):\n    x = np.asarray(x, dtype=np.float64)\n"
            "    z1 = np.asarray(W1) @ x + b1\n    a1 = z1  # forgot the sigmoid\n"
            "    z2 = np.asarray(W2) @ a1 + b2\n    a2 = 1.0 / (1.0 + np.exp(-z2))\n"
            "    delta2 = (a2 - y) * a2 * (1.0 - a2)\n    delta1 = (np.asarray(W2).T @ delta2) * a1 * (1.0 - a1)\n"
            "    return {'loss': float(0.5 * np.sum((a2 - y) ** 2)), 'delta2': delta2, 'delta1': delta1,\n"
            "            'dW2': np.outer(delta2, a1), 'db2': delta2, 'dW1': np.outer(delta1, x), 'db1': delta1}\n"),
    }, fails=frozenset({"two_layer_backprop"})),
    SimulatedLearner("cam", "linear_backward: dW transposed, db summed over the wrong axis", answers={
        "linear_backward": "def linear_backward(dZ, X, W):\n    dZ, X, W = (np.asarray(a, dtype=np.float64) for a in (dZ, X, W))\n"
                           "    return dZ @ W, X.T @ dZ, dZ.sum(axis=1)\n",
    }, fails=frozenset({"linear_backward"})),
    SimulatedLearner("dan", "relative_error divides by |a| only", answers={
        "relative_error": "def relative_error(a, b):\n    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)\n"
                          "    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a))))\n",
    }, fails=frozenset({"relative_error"})),
    _correct("fay"),
    _correct("gus"),
    _correct("hal"),
)

# --- 07_training --- (as 06; checked against the training branch's notebook, whose test cells it names)
TRAINING_CLASS = _class(
    SimulatedLearner("ben", "sgd_step climbs: W + lr * dW", answers={
        "sgd_step": "def sgd_step(params, grads, lr):\n"
                    "    return [(W + lr * dW, b + lr * db) for (W, b), (dW, db) in zip(params, grads)]\n",
    }, fails=frozenset({"sgd_step"})),
    SimulatedLearner("cam", "gradient_descent_1d leaves out x0", answers={
        "gradient_descent_1d": "def gradient_descent_1d(df, x0, lr, steps):\n    xs, x = [], float(x0)\n"
                               "    for _ in range(steps):\n        x = x - lr * df(x)\n        xs.append(x)\n"
                               "    return np.array(xs)\n",
    }, fails=frozenset({"gradient_descent_1d"})),
    SimulatedLearner("dan", "train_mlp throws away sgd_step's new params", answers={
        "train_mlp": "def train_mlp(X, labels, layer_sizes, lr, epochs, batch_size, rng):\n"
                     "    X, labels = np.asarray(X, dtype=np.float64), np.asarray(labels)\n"
                     "    params = init_params(layer_sizes, rng, 'he')\n    losses = []\n"
                     "    for epoch in range(epochs):\n        order = rng.permutation(len(X))\n"
                     "        batch_losses = []\n        for start in range(0, len(X), batch_size):\n"
                     "            batch = order[start:start + batch_size]\n"
                     "            loss, grads = mlp_backward(X[batch], labels[batch], params, 'relu')\n"
                     "            sgd_step(params, grads, lr)  # the result is never used\n"
                     "            batch_losses.append(loss)\n        losses.append(np.mean(batch_losses))\n"
                     "    return params, np.array(losses)\n",
    }, fails=frozenset({"test_train_mlp", "test_train_mlp_digits", "test_train_mlp_last_batch"})),  # it shuffles
    _correct("fay"),
    _correct("gus"),
    _correct("hal"),
)

# --- 08_autograd ---
AUTOGRAD_CLASS = _class(
    SimulatedLearner("ben", "assigns gradients instead of adding them", edits={"Value": (".grad +=", ".grad =")},
                     fails=frozenset({"test_Value_accumulates", "test_Value_backward_order", "test_Value_graphs"})),
    SimulatedLearner("cam", "no __rsub__ (1 - v fails)", edits={
        "Value": ("    def __rsub__(self, other):", "    def _rsub_unused(self, other):"),
    }, fails=frozenset({"test_Value_reflected"})),
    SimulatedLearner("dan", "tanh's derivative without the square", edits={
        "Value": ("(1.0 - out.data ** 2)", "(1.0 - out.data)"),
    }, fails=frozenset({"test_Value_functions", "test_Value_graphs"})),
    SimulatedLearner("fay", "backward never seeds the output's gradient", edits={
        "Value": ("        self.grad = 1.0\n", ""),
    }, fails=frozenset({"Value"})),
    _correct("gus"),
    _correct("hal"),
)


CLASSES: dict[str, SimulatedClass] = {
    "01_calculus": CALCULUS_CLASS,
    "02_neurons": NEURONS_CLASS,
    "03_activations": CLASSES_03,
    "04_losses": LOSSES_CLASS,
    "05_forward": FORWARD_CLASS,
    "06_backprop": BACKPROP_CLASS,
    "07_training": TRAINING_CLASS,
    "08_autograd": AUTOGRAD_CLASS,
}
