"""Reference solutions of the nnmath course: one object per graded name in CURRICULUM.md."""

from .activations import (gelu, gelu_grad, leaky_relu, leaky_relu_grad, relu, relu_grad, sigmoid,
                          sigmoid_grad, softmax, softmax_jacobian, tanh, tanh_grad)
from .backprop import grad_check, linear_backward, mlp_backward, relative_error, two_layer_backprop
from .calculus import (central_difference, chain_rule_derivative, difference_quotient, matmul,
                       numerical_gradient)
from .engine import Value
from .forward import init_params, mlp_forward
from .losses import (binary_cross_entropy, cross_entropy, half_sse, half_sse_grad, mse, mse_grad,
                     softmax_cross_entropy)
from .neurons import collapse_linear, linear_forward, neuron, step, xor_params
from .training import gradient_descent_1d, sgd_step, train_mlp

_GRADED = {
    "01_calculus": [difference_quotient, central_difference, numerical_gradient,
                    chain_rule_derivative, matmul],
    "02_neurons": [neuron, step, linear_forward, collapse_linear, xor_params],
    "03_activations": [relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad, leaky_relu,
                       leaky_relu_grad, gelu, gelu_grad, softmax, softmax_jacobian],
    "04_losses": [mse, mse_grad, half_sse, half_sse_grad, cross_entropy, softmax_cross_entropy,
                  binary_cross_entropy],
    "05_forward": [init_params, mlp_forward],
    "06_backprop": [linear_backward, two_layer_backprop, mlp_backward, relative_error, grad_check],
    "07_training": [sgd_step, gradient_descent_1d, train_mlp],
    "08_autograd": [Value],
}

# graded name -> reference object, e.g. REFERENCE["relu"] is relu, REFERENCE["Value"] is Value
REFERENCE: dict[str, object] = {obj.__name__: obj for objs in _GRADED.values() for obj in objs}

# graded name -> assignment folder, e.g. ASSIGNMENT_OF["relu"] == "03_activations"
ASSIGNMENT_OF: dict[str, str] = {obj.__name__: folder
                                 for folder, objs in _GRADED.items() for obj in objs}

__all__ = ["REFERENCE", "ASSIGNMENT_OF", *REFERENCE]
