"""The assignments and graded names fixed by CURRICULUM.md, as data the tools can check against."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assignment:
    """An assignment folder, its one notebook, and the graded functions (or classes) it holds."""

    folder: str
    notebook: str
    graded: tuple[str, ...]

    @property
    def notebook_file(self) -> str:
        return f"{self.notebook}.ipynb"


ASSIGNMENTS: dict[str, Assignment] = {a.folder: a for a in (
    Assignment("01_calculus", "calculus", (
        "difference_quotient", "central_difference", "numerical_gradient", "chain_rule_derivative", "matmul")),
    Assignment("02_neurons", "neurons", ("neuron", "step", "linear_forward", "collapse_linear", "xor_params")),
    Assignment("03_activations", "activations", (
        "relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "leaky_relu", "leaky_relu_grad",
        "gelu", "gelu_grad", "softmax", "softmax_jacobian")),
    Assignment("04_losses", "losses", (
        "mse", "mse_grad", "half_sse", "half_sse_grad", "cross_entropy", "softmax_cross_entropy",
        "binary_cross_entropy")),
    Assignment("05_forward", "forward", ("init_params", "mlp_forward")),
    Assignment("06_backprop", "backprop", (
        "linear_backward", "two_layer_backprop", "mlp_backward", "relative_error", "grad_check")),
    Assignment("07_training", "training", ("sgd_step", "gradient_descent_1d", "train_mlp")),
    Assignment("08_autograd", "autograd", ("Value",)),
)}

LANGUAGES = ("en", "zh")


def graded_names() -> list[str]:
    """Every graded name of every assignment, in course order."""
    return [name for a in ASSIGNMENTS.values() for name in a.graded]


def owner_of(test_id: str, answer_ids) -> str | None:
    """The answer a test cell belongs to: ``test_<name>`` or ``test_<name>_<suffix>``, longest name first."""
    for name in sorted(answer_ids, key=len, reverse=True):
        if test_id == f"test_{name}" or test_id.startswith(f"test_{name}_"):
            return name
    return None
