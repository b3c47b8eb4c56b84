"""Reference solutions of 01_calculus, and the package contract (REFERENCE, ASSIGNMENT_OF)."""
import ast
import inspect
import math

import numpy as np
import pytest
import torch

import solutions
from solutions import calculus
from solutions.calculus import (central_difference, chain_rule_derivative, difference_quotient,
                                matmul, numerical_gradient)
from reference_helpers import (call_unmodified, check_module_layout, curriculum_names,
                               elementwise_central, find_curriculum, parameters, tt)

pytestmark = pytest.mark.filterwarnings("error")


# ---------------------------------------------------------------- package-level contract

def test_reference_keys_are_exactly_the_curriculum_names():
    path = find_curriculum()
    graded = curriculum_names(path.read_text(encoding="utf-8"))
    assert len(graded) == 40
    assert set(solutions.REFERENCE) == set(graded)
    assert solutions.ASSIGNMENT_OF == {name: folder for name, (folder, _) in graded.items()}


def test_signatures_match_the_curriculum():
    path = find_curriculum()
    for name, (_, signature) in curriculum_names(path.read_text(encoding="utf-8")).items():
        obj = solutions.REFERENCE[name]
        if signature is None:
            assert inspect.isclass(obj), name
            continue
        got = [(p.name, p.default) for p in inspect.signature(obj).parameters.values()]
        assert got == parameters(signature), name


def test_reference_objects_live_in_their_assignment_module():
    modules = {"01_calculus": "calculus", "02_neurons": "neurons", "03_activations": "activations",
               "04_losses": "losses", "05_forward": "forward", "06_backprop": "backprop",
               "07_training": "training", "08_autograd": "engine"}
    assert set(solutions.ASSIGNMENT_OF.values()) == set(modules)
    for name, obj in solutions.REFERENCE.items():
        assert obj.__name__ == name
        assert obj.__module__ == "solutions." + modules[solutions.ASSIGNMENT_OF[name]], name


def test_module_layout():
    check_module_layout(calculus)


# ---------------------------------------------------------------- difference quotients

@pytest.mark.parametrize("x", [1.0, -2.5, 3.0])
def test_difference_quotient_is_the_forward_formula(x):
    # (f(x+h) - f(x)) / h for f = x**2 is exactly 2x + h (a central difference would give 2x)
    h = 1e-3
    result = difference_quotient(lambda t: t * t, x, h)
    assert isinstance(result, float)
    np.testing.assert_allclose(result, 2 * x + h, rtol=1e-9, atol=0)


@pytest.mark.parametrize("x", [0.3, 1.7, -2.2])
def test_difference_quotients_approach_the_torch_derivative(x):
    t = tt(x)
    (torch.sin(t) * torch.exp(t / 2)).backward()
    exact = t.grad.item()
    f = lambda s: math.sin(s) * math.exp(s / 2)  # noqa: E731
    np.testing.assert_allclose(difference_quotient(f, x, 1e-7), exact, rtol=0, atol=1e-6)
    np.testing.assert_allclose(central_difference(f, x), exact, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("x", [0.5, 2.0, -3.0])
def test_central_difference_formula_and_default_h(x):
    # (f(x+h) - f(x-h)) / 2h for f = x**3 is exactly 3x**2 + h**2; default h = 1e-5
    assert inspect.signature(central_difference).parameters["h"].default == 1e-5
    result = central_difference(lambda t: t ** 3, x)
    assert isinstance(result, float)
    np.testing.assert_allclose(result, 3 * x * x + 1e-10, rtol=0, atol=1e-8)
    np.testing.assert_allclose(central_difference(lambda t: t ** 3, x, 0.1), 3 * x * x + 0.01,
                               rtol=1e-12)


def test_worked_numbers_x_squared():
    for x, d in [(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)]:
        np.testing.assert_allclose(central_difference(lambda t: t ** 2, x), d, rtol=1e-6)


# ---------------------------------------------------------------- numerical_gradient

def f_np(x):
    return float(np.sum(np.sin(x) * x ** 2) + np.sum(x) ** 2)


def f_torch(x):
    return torch.sum(torch.sin(x) * x ** 2) + torch.sum(x) ** 2


@pytest.mark.parametrize("shape", [(), (4,), (3, 2), (2, 3, 2)])
def test_numerical_gradient_matches_analytic_and_torch(shape):
    x = np.random.default_rng(1).uniform(-2, 2, size=shape)
    grad = call_unmodified(numerical_gradient, f_np, x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    analytic = np.cos(x) * x ** 2 + 2 * x * np.sin(x) + 2 * np.sum(x)
    t = tt(x)
    f_torch(t).backward()
    np.testing.assert_allclose(grad, analytic, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-6, atol=1e-8)


def test_numerical_gradient_leaves_x_bit_for_bit_unchanged():
    x = np.array([[0.1, 1 / 3, -2 / 7], [1e-3, 123.456, np.pi]])
    before = x.tobytes()
    seen = []

    def f(a):
        seen.append(a.shape)
        return float(np.sum(a ** 3))

    numerical_gradient(f, x)
    assert x.tobytes() == before
    assert seen and all(s == x.shape for s in seen)


def test_numerical_gradient_uses_central_differences_with_h():
    # a cubic exposes the method: the central difference of x**3 is 3x**2 + h**2
    x = np.array([1.0, -2.0, 0.5])
    grad = numerical_gradient(lambda a: float(np.sum(a ** 3)), x, h=0.1)
    np.testing.assert_allclose(grad, 3 * x ** 2 + 0.01, rtol=1e-12)


def test_worked_numbers_two_variable_gradient():
    # L = w1**2 + 3 w2 + 5: dL/dw1 = 2 w1, dL/dw2 = 3
    w = np.array([1.5, -2.0])
    grad = numerical_gradient(lambda v: v[0] ** 2 + 3 * v[1] + 5, w)
    np.testing.assert_allclose(grad, [3.0, 3.0], rtol=1e-8)


# ---------------------------------------------------------------- chain_rule_derivative

def test_chain_rule_derivative_against_central_differences_and_torch():
    x = np.random.default_rng(2).uniform(-3, 3, size=(4, 5))
    result = call_unmodified(chain_rule_derivative, x)
    assert result.shape == x.shape and result.dtype == np.float64
    np.testing.assert_allclose(result, elementwise_central(lambda s: (3 * s + 2) ** 2, x),
                               rtol=1e-6, atol=1e-8)
    t = tt(x)
    ((3 * t + 2) ** 2).sum().backward()
    np.testing.assert_allclose(result, t.grad.numpy(), rtol=1e-12)


def test_chain_rule_derivative_worked_numbers_and_scalars():
    for x in [0.0, 1.0, -2.0]:
        result = chain_rule_derivative(x)
        assert np.ndim(result) == 0
        np.testing.assert_allclose(result, 6 * (3 * x + 2), rtol=1e-12)
    np.testing.assert_allclose(chain_rule_derivative(1.0), 30.0, rtol=1e-12)


# ---------------------------------------------------------------- matmul

@pytest.mark.parametrize("n, k, m", [(1, 1, 1), (2, 3, 4), (5, 1, 5), (1, 6, 1), (3, 0, 2)])
def test_matmul_equals_numpy(n, k, m):
    rng = np.random.default_rng(n * 100 + k * 10 + m)
    A, B = rng.normal(size=(n, k)), rng.normal(size=(k, m))
    C = call_unmodified(matmul, A, B)
    assert C.shape == (n, m) and C.dtype == np.float64
    np.testing.assert_allclose(C, A @ B, rtol=1e-12, atol=1e-12)


def test_matmul_worked_number_and_int_input():
    np.testing.assert_allclose(matmul(np.array([[5.0, 6.0]]), np.array([[1.0], [2.0]])), [[17.0]],
                               rtol=0)
    C = matmul(np.array([[1, 2], [3, 4]]), np.array([[5, 6], [7, 8]]))
    assert C.dtype == np.float64
    np.testing.assert_array_equal(C, [[19.0, 22.0], [43.0, 50.0]])


@pytest.mark.parametrize("a_shape, b_shape", [((2, 3), (2, 3)), ((1, 4), (3, 1))])
def test_matmul_raises_on_inner_size_mismatch(a_shape, b_shape):
    with pytest.raises(ValueError):
        matmul(np.ones(a_shape), np.ones(b_shape))


def test_matmul_source_uses_no_library_product():
    forbidden = {"dot", "matmul", "einsum", "tensordot", "inner", "vdot", "outer"}
    tree = ast.parse(inspect.getsource(matmul))
    for node in ast.walk(tree):
        assert not isinstance(node, ast.MatMult), "matmul uses @"
        if isinstance(node, ast.Name):
            assert node.id not in forbidden, node.id
        if isinstance(node, ast.Attribute):
            assert node.attr not in forbidden, node.attr
