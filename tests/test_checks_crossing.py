"""Issue 9's declarations on their own, in-process (as in a learner's kernel): each catches its mistake."""
from __future__ import annotations

import contextlib
import inspect
import io
import linecache

import numpy as np
import pytest

import solutions
from autograder import (Accuracy, CheckFailure, Dtype, Falls, MATMUL_SHORTCUTS, Normal, Program, Rng, Shapes, Std,
                        Zeros, course_function, expect_calls, expect_graphs, expect_program, expect_properties,
                        expect_reproducible, expect_restored, expect_source, formula)


def define(source: str, name: str):
    """``name`` as defined by ``source`` in a cell (registered with linecache, as IPython does)."""
    filename = f"<cell {name} {abs(hash(source))}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    scope = {"np": np}
    exec(compile(source, filename, "exec"), scope)
    return scope[name]


def failure(check, *args, **kwargs) -> str:
    with pytest.raises(CheckFailure) as raised, contextlib.redirect_stdout(io.StringIO()):
        check(*args, **kwargs)
    return " | ".join(p.en for p in raised.value.problems)


def passes(check, *args, **kwargs) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        check(*args, **kwargs)
    return printed.getvalue()


def value_with_wrong_tanh():
    """The reference ``Value`` with tanh's derivative ``1 - t`` instead of ``1 - t ** 2``."""
    source = inspect.getsource(solutions.engine)
    return define(source.replace("(1.0 - out.data ** 2)", "(1.0 - out.data)"), "Value")


LOOPS = "def matmul(A, B):\n    C = np.zeros((A.shape[0], B.shape[1]))\n    for i in range(A.shape[0]):\n" \
        "        for j in range(B.shape[1]):\n            C[i, j] = {inner}\n    return C\n"


@pytest.mark.parametrize("inner, construct", [
    ("A[i, :] @ B[:, j]", "`@`"), ("np.dot(A[i], B[:, j])", "`dot`"), ("A[i].dot(B[:, j])", "`dot`"),
    ("np.einsum('k,k->', A[i], B[:, j])", "`einsum`"), ("np.inner(A[i], B[:, j])", "`inner`"),
    ("getattr(np, 'vdot')(A[i], B[:, j])", "`vdot`"), ("np.tensordot(A[i], B[:, j], 1)", "`tensordot`"),
])
def test_forbidden_constructs_are_named_with_their_line(inner, construct):
    matmul = define(LOOPS.format(inner=inner), "matmul")
    message = failure(expect_source, matmul, forbid=MATMUL_SHORTCUTS, loops=True)
    assert f"uses {construct} (line 5)" in message


def test_loops_are_required_and_a_sum_of_products_is_fine():
    assert "has no loop" in failure(expect_source, define("def matmul(A, B):\n    return sum([A, B])\n", "matmul"),
                                    forbid=MATMUL_SHORTCUTS, loops=True)
    fine = define(LOOPS.format(inner="np.sum(A[i, :] * B[:, j])"), "matmul")
    assert "keeps to this exercise's rules" in passes(expect_source, fine, forbid=MATMUL_SHORTCUTS, loops=True)
    assert "keeps" in passes(expect_source, solutions.matmul, forbid=MATMUL_SHORTCUTS, loops=True)


@pytest.mark.parametrize("body", [
    "    import importlib\n    return importlib.import_module('autograder.gradcheck').numerical_gradient(f, x)\n",
    "    import sys\n    return sys.modules['autograder.gradcheck'].numerical_gradient(f, x)\n",
    "    return __builtins__['__import__']('autograder').gradcheck.numerical_gradient(f, x)\n",
    "    return eval('numerical' + '_gradient')(f, x)\n",
    "    return f.__globals__['gradcheck'].numerical_gradient(f, x)\n",
])
def test_reaching_the_package_by_name_counts_as_using_it(body):
    fn = define("def numerical_gradient(f, x, h=1e-5):\n" + body, "numerical_gradient")
    assert "course package's own" in failure(expect_source, fn, own_work=True)


def test_a_global_bound_to_the_package_is_caught_in_the_kernel():
    from autograder.gradcheck import numerical_gradient as checker

    fn = define("def numerical_gradient(f, x, h=1e-5):\n    return helper(f, x, h)\n", "numerical_gradient")
    fn.__globals__["helper"] = checker
    assert "course package's own `helper`" in failure(expect_source, fn, own_work=True)
    assert "keeps" in passes(expect_source, solutions.numerical_gradient, own_work=True)


def test_the_grader_reads_the_whole_answer_cell():
    class Remote:  # what a RemoteFunction offers: the learner's cell, read on the trusted side
        __name__ = "numerical_gradient"
        source = "from autograder.gradcheck import numerical_gradient as ng\n\ndef numerical_gradient(f, x):\n" \
                 "    return ng(f, x)\n"
    assert "`autograder.gradcheck` (line 1)" in failure(expect_source, Remote(), own_work=True)


def test_properties_name_what_is_wrong():
    def transposed(layer_sizes, rng, scheme="he"):
        return [(rng.normal(0, np.sqrt(2 / a), size=(a, b)), np.zeros(b)) for a, b in zip(layer_sizes, layer_sizes[1:])]

    def xavier_for_he(layer_sizes, rng, scheme="he"):
        return solutions.init_params(layer_sizes, rng, "xavier")

    def float32(layer_sizes, rng, scheme="he"):
        return [(W.astype(np.float32), b) for W, b in solutions.init_params(layer_sizes, rng, scheme)]

    def ones_bias(layer_sizes, rng, scheme="he"):
        return [(W, b + 1) for W, b in solutions.init_params(layer_sizes, rng, scheme)]

    props = [Shapes([((32, 64), (32,))]), Dtype(), Std(np.sqrt(2 / 64), at=(0, 0)), Zeros(at=(0, 1))]
    for fn, words in ((transposed, "has shapes [((64, 32), (32,))]; expected [((32, 64), (32,))]"), (float32, "dtype float32"),
                      (xavier_for_he, "standard deviation of result[0][0]"), (ones_bias, "result[0][1] should be all zeros")):
        fn.__name__ = "init_params"
        assert words in failure(expect_properties, fn, [64, 32], Rng(), "he", properties=props), fn
    assert "shapes right; float64" in passes(expect_properties, solutions.init_params, [64, 32], Rng(), "he",
                                             properties=props)


def test_training_properties():
    X = np.repeat(np.array([[2.0, 0.0], [-2.0, 0.0]]), 20, axis=0)
    labels = np.repeat([0, 1], 20)

    def flat(X, labels, *rest):
        return [(np.zeros((2, 2)), np.zeros(2))], np.ones(5)

    def good(X, labels, *rest):
        return [(np.array([[1.0, 0.0], [-1.0, 0.0]]), np.zeros(2))], np.array([1.0, 0.5, 0.1])

    predict = lambda out, X: X @ out[0][0][0].T + out[0][0][1]  # noqa: E731 (a test's one-line forward pass)
    props = [Falls(at=(1,)), Accuracy(0.95, X, labels, predict=predict)]
    message = failure(expect_properties, flat, X, labels, properties=props)
    assert "does not fall" in message and "accuracy on held-out data is 50.0% (20 of 40 right)" in message
    assert "the loss falls; held-out accuracy" in passes(expect_properties, good, X, labels, properties=props)


def test_generators_reproducibility_both_ways():
    def global_random(n, rng):
        return np.random.normal(size=n)

    def own_generator(n, rng):
        return np.random.default_rng(0).normal(size=n)

    assert "from `rng`" in failure(expect_reproducible, global_random, 4, Rng())
    assert "the same result for generators in different states" in failure(expect_reproducible, own_generator, 4, Rng())
    assert "draws from `rng`" in passes(expect_reproducible, lambda n, rng: rng.normal(size=n), 4, Rng())


def test_calls_and_restoration():
    lazy = define("def numerical_gradient(f, x, h=1e-5):\n    return 2 * x\n", "numerical_gradient")
    assert "never called f(x) = sum(x**2)" in failure(expect_calls, lazy, formula("sum(x**2)"), Normal((3,)), of=0)
    twice = define("def numerical_gradient(f, x, h=1e-5):\n    f(x); f(x)\n    return 2 * x\n", "numerical_gradient")
    assert "called f(x) = sum(x**2) 2 times; 6 calls" in failure(
        expect_calls, twice, formula("sum(x**2)"), Normal((3,)), of=0, calls=lambda f, x: 2 * x.size)
    clobbers = define("def numerical_gradient(f, x, h=1e-5):\n    x[0] = 0.0\n    return x.copy()\n",
                      "numerical_gradient")
    assert "1 of its 4 entries" in failure(expect_restored, clobbers, formula("sum(x)"), Normal((4,)))
    assert "exactly as it was" in passes(expect_restored, solutions.numerical_gradient, formula("sum(x)"), Normal((4,)))


def test_object_programs_name_the_step():
    source = inspect.getsource(solutions.engine)
    no_log = define(source.replace("    def log(self):", "    def _log(self):"), "Value")
    p = Program()
    a = p.new(2.0)
    out = a.log()
    out.backward()
    p.read(a, "grad")
    assert "`a.log()` raised AttributeError" in failure(expect_program, no_log, p) and "`log` defined" in \
        failure(expect_program, no_log, p)
    returns_float = define(source.replace("        out = Value(math.exp(self.data), (self,), \"exp\")",
                                          "        return math.exp(self.data)"), "Value")
    p = Program()
    p.new(1.0).exp().backward()
    assert "`a.exp()` gave a float, not a Value object" in failure(expect_program, returns_float, p)
    assert "diamonds" in passes(expect_graphs, solutions.Value, "diamond", trials=2)


def test_a_backward_that_does_not_seed_1_is_told_so():
    source = inspect.getsource(solutions.engine)
    unseeded = define(source.replace("        self.grad = 1.0\n", ""), "Value")
    p = Program()
    a = p.new(2.0)
    out = a * 3.0
    out.backward()
    p.read(a, "grad")
    message = failure(expect_program, unseeded, p, returns=[3.0])
    assert "`a.grad` is 0 after `(a * 3).backward()`, expected 3" in message and "grad to 1.0" in message
    assert "grad to 1.0" not in failure(expect_program, solutions.Value, p, returns=[4.0])


def test_drawn_programs_compare_value_and_every_gradient(monkeypatch):
    import autograder.checks_objects as objects
    from autograder import expect_programs

    monkeypatch.setattr(objects, "reference", lambda name: solutions.Value)
    assert "on 3 drawn inputs" in passes(expect_programs, solutions.Value, lambda a, b: 1 - a / b,
                                         leaves=((-1, 1), (1, 2)))
    no_square = value_with_wrong_tanh()
    assert "`a.tanh()` alone" in failure(expect_programs, no_square, lambda a: (a * 2.0).tanh())


def test_a_wrong_graph_names_the_operation_that_is_wrong_on_its_own(monkeypatch):
    import autograder.checks_objects as objects

    source = inspect.getsource(solutions.engine)
    no_square = value_with_wrong_tanh()
    monkeypatch.setattr(objects, "reference", lambda name: solutions.Value)
    message = failure(expect_graphs, no_square, "chain", trials=2, size=20)
    assert "`a.tanh()` alone already gives a wrong value or gradient" in message
    assert "alone" not in failure(expect_graphs, define(source.replace("        self.grad = 1.0\n        for node in "
                                                                        "reversed(topo):", "        self.grad = 1.0\n"
                                                                        "        for node in topo:"), "Value"), "diamond")


def test_a_long_random_chain_keeps_every_step_visible_in_the_gradients():
    """Left alone, a chain's gradient shrinks with every sigmoid: after 80 steps it was below any
    tolerance, and a wrong tanh derivative passed every time."""
    from autograder.programs import perform, random_program

    no_square = value_with_wrong_tanh()
    for seed in range(100):
        program = random_program(np.random.default_rng(seed), "chain", 80)
        right = perform(solutions.Value, program.steps)["reads"]
        assert min(abs(g) for g in right[:2]) > 1e-3 and abs(right[2]) < 10, (seed, right)
        assert not np.allclose(perform(no_square, program.steps)["reads"], right, rtol=1e-6, atol=1e-8), seed


def test_a_course_function_is_a_plain_callable_that_counts():
    f = course_function("poly", coeffs=[1.0, 0.0, 3.0])
    assert np.allclose(f(np.array([0.0, 1.0, 2.0])), [1.0, 4.0, 13.0]) and f.calls == 1
    assert course_function("step", threshold=5.0)(7.0) == 1.0
    assert abs(course_function("sigmoid")(-1e4)) < 1e-300
    assert f.__name__ == "poly" and formula("sum(x)").__name__ == "f(x) = sum(x)"
