"""Reference solutions of 03_activations."""
import ast
import builtins
import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from solutions import activations
from solutions.activations import (gelu, gelu_grad, leaky_relu, leaky_relu_grad, relu, relu_grad,
                                   sigmoid, sigmoid_grad, softmax, softmax_jacobian, tanh,
                                   tanh_grad)
from reference_helpers import (call_unmodified, central_grad, check_module_layout,
                               elementwise_central, strict, tt)

pytestmark = pytest.mark.filterwarnings("error")

GRADED = ["relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "leaky_relu",
          "leaky_relu_grad", "gelu", "gelu_grad", "softmax", "softmax_jacobian"]

# name: (function, derivative, the same function in torch)
ELEMENTWISE = {
    "relu": (relu, relu_grad, torch.relu),
    "sigmoid": (sigmoid, sigmoid_grad, torch.sigmoid),
    "tanh": (tanh, tanh_grad, torch.tanh),
    "leaky_relu": (leaky_relu, leaky_relu_grad, F.leaky_relu),
    "leaky_relu_0.2": (lambda z: leaky_relu(z, alpha=0.2), lambda z: leaky_relu_grad(z, alpha=0.2),
                       lambda t: F.leaky_relu(t, negative_slope=0.2)),
    "gelu": (gelu, gelu_grad, lambda t: F.gelu(t, approximate="none")),
}
ALL_ELEMENTWISE = [relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad, leaky_relu,
                   leaky_relu_grad, gelu, gelu_grad]


def smooth_inputs(seed, shape=(3, 4, 5)):
    """Moderate inputs kept more than 1e-2 away from the kink at 0."""
    z = np.random.default_rng(seed).uniform(-4, 4, size=shape)
    return np.where(np.abs(z) < 1e-2, z + np.sign(z + 1e-300) * 0.05, z)


def test_module_layout():
    check_module_layout(activations, extra_assign=["erf"])


# ---------------------------------------------------------------- values and derivatives

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_forward_matches_torch(name):
    fn, _, torch_fn = ELEMENTWISE[name]
    z = np.concatenate([smooth_inputs(1).ravel(), [0.0, -0.0, 1e-8, -1e-8, 20.0, -20.0]])
    np.testing.assert_allclose(call_unmodified(fn, z), torch_fn(tt(z, False)).numpy(),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name):
    fn, grad_fn, _ = ELEMENTWISE[name]
    z = smooth_inputs(2)
    np.testing.assert_allclose(call_unmodified(grad_fn, z), elementwise_central(fn, z),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_torch_autograd(name):
    fn, grad_fn, torch_fn = ELEMENTWISE[name]
    z = np.concatenate([smooth_inputs(3).ravel(), [0.0, 20.0, -20.0]])  # torch's kinks agree
    t = tt(z)
    torch_fn(t).sum().backward()
    np.testing.assert_allclose(grad_fn(z), t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_gelu_is_the_exact_form_not_the_tanh_approximation():
    Phi_1 = 0.5 * (1 + math.erf(1 / math.sqrt(2)))          # 0.8413447460685429
    np.testing.assert_allclose(gelu(1.0), Phi_1, rtol=1e-13)  # tanh form: 0.84119...
    phi_1 = math.exp(-0.5) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(gelu_grad(1.0), Phi_1 + phi_1, rtol=1e-13)


# ---------------------------------------------------------------- kinks, shapes, types

def test_kinks():
    assert relu_grad(0.0) == 0.0 and relu_grad(-0.0) == 0.0 and relu_grad(1e-300) == 1.0
    assert leaky_relu_grad(0.0) == 0.01 and leaky_relu_grad(0.0, alpha=0.2) == 0.2
    assert leaky_relu_grad(-3.0, 0.2) == 0.2 and leaky_relu_grad(3.0, 0.2) == 1.0
    assert relu(0.0) == 0.0 and leaky_relu(-2.0, 0.2) == pytest.approx(-0.4, abs=1e-15)
    result = relu_grad(np.array([-1.0, 0.0, 2.0]))
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result, [0.0, 0.0, 1.0])


@pytest.mark.parametrize("fn", ALL_ELEMENTWISE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", [0.7, -3, np.float64(2.5), np.array(-0.4), np.zeros(0),
                               np.linspace(-3, 3, 7), np.arange(-12, 12).reshape(2, 3, 4),
                               np.array([[-2, 0, 5]])],
                         ids=["float", "int", "np.float64", "0-d", "empty", "1-d", "3-d",
                              "int 2-d"])
def test_elementwise_shape_and_float64(fn, z):
    result = call_unmodified(fn, z)
    assert np.shape(result) == np.shape(z)
    assert np.asarray(result).dtype == np.float64
    if isinstance(z, (float, int)):  # a float in: float, np.float64 or a 0-d array out
        assert np.ndim(result) == 0


# ---------------------------------------------------------------- softmax and its Jacobian

@pytest.mark.parametrize("shape", [(5,), (3, 5), (2, 3, 4)])
def test_softmax_matches_torch_along_last_axis(shape):
    z = np.random.default_rng(5).normal(scale=3, size=shape)
    s = call_unmodified(softmax, z)
    assert s.shape == shape and s.dtype == np.float64
    np.testing.assert_allclose(s, torch.softmax(tt(z, False), dim=-1).numpy(), rtol=1e-12,
                               atol=1e-16)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(softmax(z + 100.0), s, rtol=1e-12)


def test_softmax_jacobian_matches_torch_and_central_differences():
    z = np.random.default_rng(6).normal(size=5)
    J = call_unmodified(softmax_jacobian, z)
    assert J.shape == (5, 5) and J.dtype == np.float64
    torch_J = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=0), tt(z, False))
    np.testing.assert_allclose(J, torch_J.numpy(), rtol=1e-12, atol=1e-15)
    numeric = np.stack([central_grad(lambda v: softmax(v)[i], z) for i in range(5)])
    np.testing.assert_allclose(J, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(J, J.T, rtol=0, atol=1e-16)


# ---------------------------------------------------------------- stability

BIG = np.array([-1e4, -1000.0, -745.0, -700.0, -30.0, -1.0, 0.0, 1.0, 30.0, 700.0, 1000.0, 1e4])


@pytest.mark.parametrize("fn, torch_fn", [(sigmoid, torch.sigmoid), (tanh, torch.tanh)])
def test_sigmoid_tanh_stable_up_to_1e4(fn, torch_fn):
    with strict():
        result = fn(BIG)
        scalars = [fn(1e4), fn(-1e4)]
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(result, torch_fn(tt(BIG, False)).numpy(), rtol=1e-12, atol=1e-250)
    np.testing.assert_allclose(scalars, torch_fn(tt([1e4, -1e4], False)).numpy(), rtol=0, atol=0)


@pytest.mark.parametrize("fn, torch_fn", [(sigmoid_grad, torch.sigmoid), (tanh_grad, torch.tanh)])
def test_sigmoid_tanh_grads_stable_up_to_1e4(fn, torch_fn):
    with strict():
        result = fn(BIG)
    t = tt(BIG)
    torch_fn(t).sum().backward()
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(result, t.grad.numpy(), rtol=1e-12, atol=1e-250)


@pytest.mark.parametrize("z", [[1e4, 0.0, -1e4], [1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4],
                               [[1e4, -1e4, 3.0], [2.0, 1.0, 0.5]]])
def test_softmax_stable_up_to_1e4(z):
    z = np.array(z)
    with strict():
        s = softmax(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s, torch.softmax(tt(z, False), dim=-1).numpy(), rtol=1e-12,
                               atol=1e-250)


# ---------------------------------------------------------------- verbatim paste into a notebook

def test_each_function_runs_from_its_own_source_in_a_fresh_namespace():
    # the notebook's setup cell provides np, math and erf; each graded cell is pasted verbatim
    namespace = {"np": np, "math": math, "erf": np.vectorize(math.erf, otypes=[float])}
    for name in GRADED:
        exec(inspect.getsource(getattr(activations, name)), namespace)
    z = np.concatenate([smooth_inputs(7).ravel(), [0.0, 1e4, -1e4]])
    for name in GRADED:
        arg = z[:6] if name == "softmax_jacobian" else z
        np.testing.assert_array_equal(namespace[name](arg), getattr(activations, name)(arg))


@pytest.mark.parametrize("name", GRADED)
def test_function_bodies_use_only_np_math_erf_and_graded_names(name):
    tree = ast.parse(inspect.getsource(getattr(activations, name)))
    function = tree.body[0]
    local = {a.arg for a in function.args.args}
    local |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Store)}
    loaded = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Load)}
    free = loaded - local - set(dir(builtins))
    assert free <= {"np", "math", "erf"} | set(GRADED), free
