"""Course functions: functions a test passes as an argument, described by data.

A :class:`CourseFunction` is a normal callable in the learner's kernel, and its
:attr:`~CourseFunction.description` (plain data: a catalogue name with its parameters, or a formula
as text) is all that crosses to the sandbox, where :func:`from_description` rebuilds the same
function. Either way it records how it was used: how many calls, and the first
:data:`MAX_POINTS` points it was called at, so a check can ask afterwards.

Two ways to describe one::

    course_function("quadratic", A=A, b=b)     # 0.5 x^T A x + b^T x, a float
    course_function("poly", coeffs=[1, 0, 3])  # 1 + 3 x**2, element-wise
    formula("sum(sin(x)**2) + 3*x[1]")         # numpy on x, from an allow-list of operations

Formulas are parsed with :mod:`ast` and evaluated by walking an allow-list of nodes (numbers, ``x``,
``pi``, ``e``, arithmetic, constant indices of ``x``, the functions in :data:`FORMULA_FUNCTIONS`):
nothing is ``eval``-ed, no name outside the list resolves, numbers are floats (no huge integer
powers), and text, size and nesting are bounded, on both sides of the sandbox.
"""
from __future__ import annotations

import ast

import numpy as np

MAX_POINTS = 64            # points recorded per function (every call is counted)
MAX_POINT_SIZE = 4096      # entries a recorded point may have; bigger calls are counted, not kept
MAX_FORMULA = 300          # characters
MAX_NODES = 120            # syntax-tree nodes of a formula
MAX_DEPTH = 24             # nesting of a formula
MAX_CONSTANT = 1e6         # |number| written in a formula
MAX_PARAM_SIZE = 10_000    # entries of a catalogue parameter array


class DescriptionError(ValueError):
    """A function description that is not in the catalogue, or a formula outside the allow-list."""


def _sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.where(z >= 0, 1.0 / (1.0 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1.0 + np.exp(-np.abs(z))))


def _poly(coeffs):
    def f(x):
        x = np.asarray(x, dtype=np.float64)
        total = np.zeros_like(x)
        for c in coeffs[::-1]:  # Horner: c0 + x (c1 + x (c2 + ...))
            total = total * x + c
        return total
    return f


def _quadratic(A, b):
    def f(x):
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        return float(0.5 * x @ A @ x + b @ x)
    return f


def _step(threshold):
    return lambda z: np.where(np.asarray(z, dtype=np.float64) > threshold, 1.0, 0.0)


# name -> (parameters it takes, builder(**params) -> callable, what it computes)
CATALOGUE = {
    "poly": (("coeffs",), lambda coeffs: _poly(_floats(coeffs, "coeffs", 1, 32)),
             "c0 + c1 x + c2 x**2 + ..., element-wise"),
    "quadratic": (("A", "b"), lambda A, b: _quadratic(*_square(A, b)), "0.5 x^T A x + b^T x, a float"),
    "sin": ((), lambda: np.sin, "sin x, element-wise"),
    "cos": ((), lambda: np.cos, "cos x, element-wise"),
    "exp": ((), lambda: np.exp, "exp x, element-wise"),
    "square": ((), lambda: np.square, "x**2, element-wise"),
    "identity": ((), lambda: (lambda z: np.array(z, dtype=np.float64)), "z, element-wise"),
    "relu": ((), lambda: (lambda z: np.maximum(np.asarray(z, dtype=np.float64), 0.0)), "max(0, z)"),
    "sigmoid": ((), lambda: _sigmoid, "1 / (1 + exp(-z))"),
    "tanh": ((), lambda: np.tanh, "tanh z"),
    "step": (("threshold",), lambda threshold: _step(_number(threshold, "threshold")),
             "1.0 where z > threshold, else 0.0"),
}

FORMULA_FUNCTIONS = {name: getattr(np, name) for name in (
    "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sum", "mean", "max", "min", "prod")}
FORMULA_CONSTANTS = {"pi": np.pi, "e": np.e}
_OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide,
              ast.Pow: np.power}


def _number(value, name: str) -> float:
    if type(value) not in (int, float, np.float64) or not np.isfinite(value):
        raise DescriptionError(f"parameter {name} must be a finite number")
    return float(value)


def _floats(value, name: str, ndim: int, size: int) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DescriptionError(f"parameter {name} must be numbers") from None
    if array.ndim != ndim or array.size > size or not np.all(np.isfinite(array)):
        raise DescriptionError(f"parameter {name} must be a finite {ndim}-D array of at most {size} numbers")
    return array


def _square(A, b):
    A, b = _floats(A, "A", 2, MAX_PARAM_SIZE), _floats(b, "b", 1, 100)
    if A.shape != (b.size, b.size):
        raise DescriptionError("quadratic needs A of shape (n, n) and b of shape (n,)")
    return A, b


def parse_formula(text: str) -> ast.Expression:
    """The syntax tree of ``text`` if it keeps to the allow-list; :class:`DescriptionError` otherwise."""
    if type(text) is not str or not text.strip() or len(text) > MAX_FORMULA:
        raise DescriptionError(f"a formula is a non-empty text of at most {MAX_FORMULA} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise DescriptionError(f"the formula is not valid Python ({error.msg})") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise DescriptionError(f"the formula has more than {MAX_NODES} parts")
    _allowed(tree.body, 0)
    return tree


def _allowed(node, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise DescriptionError("the formula is nested too deeply")
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float) or not abs(node.value) <= MAX_CONSTANT:
            raise DescriptionError(f"numbers in a formula are at most {MAX_CONSTANT:g} in size")
    elif isinstance(node, ast.Name):
        if node.id != "x" and node.id not in FORMULA_CONSTANTS:
            raise DescriptionError(f"unknown name {node.id!r} in the formula (use x, pi, e)")
    elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        _allowed(node.left, depth + 1)
        _allowed(node.right, depth + 1)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _allowed(node.operand, depth + 1)
    elif isinstance(node, ast.Subscript):
        if not (isinstance(node.value, ast.Name) and node.value.id == "x"):
            raise DescriptionError("only x can be indexed in a formula")
        indices = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if not all(isinstance(i, ast.Constant) and type(i.value) is int for i in indices) or len(indices) > 4:
            raise DescriptionError("x is indexed with whole numbers only, e.g. x[0] or x[1, 2]")
    elif isinstance(node, ast.Call):
        name = _function_name(node.func)
        if name not in FORMULA_FUNCTIONS or node.keywords or len(node.args) != 1:
            raise DescriptionError(f"a formula may call only {', '.join(FORMULA_FUNCTIONS)}, with one argument")
        _allowed(node.args[0], depth + 1)
    else:
        raise DescriptionError(f"{type(node).__name__} is not allowed in a formula")


def _function_name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "np":
        return func.attr
    return None


def _evaluate(node, x):
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        return x if node.id == "x" else np.float64(FORMULA_CONSTANTS[node.id])
    if isinstance(node, ast.BinOp):
        return _OPERATORS[type(node.op)](_evaluate(node.left, x), _evaluate(node.right, x))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, x)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.Subscript):
        indices = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return x[tuple(i.value for i in indices)]
    return FORMULA_FUNCTIONS[_function_name(node.func)](_evaluate(node.args[0], x))


class CourseFunction:
    """A function described by data that records its calls; see the module's docstring.

    calls: how many times it was called. points: copies of the first :data:`MAX_POINTS` arguments
    (float64 arrays, or floats for scalar calls). A copy (``copy.deepcopy``) is the same object,
    so the record of a call made through a check's private copy of the arguments is kept here.
    """

    def __init__(self, description: dict):
        self.description = description
        self.__name__ = description.get("name") or f"f(x) = {description['formula']}"
        self._fn = _build(description)
        self.calls = 0
        self.points: list = []

    def __call__(self, x):
        self.calls += 1
        if len(self.points) < MAX_POINTS and np.size(x) <= MAX_POINT_SIZE:
            self.points.append(float(x) if np.ndim(x) == 0 else np.array(x, dtype=np.float64))
        return self._fn(np.asarray(x, dtype=np.float64) if np.ndim(x) else np.float64(x))

    def reset(self) -> "CourseFunction":
        """Forget the calls recorded so far (returns itself)."""
        self.calls, self.points = 0, []
        return self

    def record(self) -> dict:
        return {"calls": self.calls, "points": list(self.points)}

    def __deepcopy__(self, memo):
        return self

    def __repr__(self) -> str:
        return f"<course function {self.__name__}>"


def _build(description: dict):
    if "formula" in description:
        tree = parse_formula(description["formula"])
        return lambda x: _evaluate(tree.body, x)
    name, params = description.get("name"), description.get("params", {})
    if name not in CATALOGUE:
        raise DescriptionError(f"no course function called {name!r} (known: {', '.join(CATALOGUE)})")
    wanted, builder, _ = CATALOGUE[name]
    if not isinstance(params, dict) or set(params) != set(wanted):
        raise DescriptionError(f"{name} takes the parameters {', '.join(wanted) or 'none'}")
    return builder(**params)


def course_function(name: str, **params) -> CourseFunction:
    """The catalogue function ``name`` with ``params`` (see :data:`CATALOGUE`)."""
    plain = {k: np.array(v, dtype=np.float64) if isinstance(v, (list, tuple, np.ndarray)) else v
             for k, v in params.items()}
    return CourseFunction({"name": name, "params": plain})


def formula(text: str) -> CourseFunction:
    """The function of ``x`` that ``text`` computes with numpy (see the allow-list above)."""
    return CourseFunction({"formula": text})


def from_description(description) -> CourseFunction:
    """Rebuild a course function from its (untrusted, plain-data) description."""
    if not isinstance(description, dict) or not (set(description) in ({"formula"}, {"name", "params"})):
        raise DescriptionError("a function description is {'formula': text} or {'name': ..., 'params': {...}}")
    return CourseFunction(description)
