"""Wrong answers made from a right one: the mutation operators of ``nnmath audit``.

Each operator is one family of mistakes (a swapped operator, a dropped term, ``>=`` for ``>``, a
function that only handles Python floats, ...) written as a small AST transformation; like
nbgrader's preprocessors they are independent classes composed in a list, :data:`OPERATORS`.
:func:`mutants_of` applies every operator at every place it fits in one function of an answer
cell and returns each distinct result as a :class:`Mutant`: the answer cell a learner making that
mistake would submit, a stable id and a small diff against the reference.

An operator's :meth:`Operator.variants` looks at one node of the function's tree and returns the
nodes that may replace it (with a short description); the driver does the copying, so operators
never modify the tree they are given.
"""
from __future__ import annotations

import ast
import copy
import difflib
import hashlib
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class Mutant:
    """One wrong answer: ``source`` is the whole answer cell with ``function`` changed.

    id: ``<function>:<family>:<6 hex digits>``, the digits hashed from the changed lines only, so
    the id survives edits elsewhere in the cell (docstring, other statements).
    """

    id: str
    function: str
    family: str
    description: str
    source: str
    diff: str


class Operator:
    """One family of mistakes. Subclasses set ``family`` and implement :meth:`variants`."""

    family = ""

    def variants(self, node: ast.AST, function: ast.FunctionDef) -> Iterable[tuple[ast.AST, str]]:
        """(replacement, description) pairs for ``node``; nothing if the family does not apply."""
        return ()


# --- small helpers operators share ----------------------------------------------------------------

def _expr(code: str) -> ast.expr:
    return ast.parse(code, mode="eval").body


def _stmts(code: str) -> list[ast.stmt]:
    return ast.parse(code).body


def _dotted(node: ast.AST) -> str:
    """``np.exp`` for ``Attribute(Name('np'), 'exp')``, ``erf`` for ``Name('erf')``, else ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _show(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _body_start(function: ast.FunctionDef) -> int:
    """Index of the first statement after the docstring."""
    body = function.body
    has_doc = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
        isinstance(body[0].value.value, str)
    return 1 if has_doc else 0


def _parameters(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def _with_body(function: ast.FunctionDef, body: list[ast.stmt]) -> ast.FunctionDef:
    new = copy.deepcopy(function)
    new.body = body
    return new


def _is_conversion_of(node: ast.AST, name: str) -> bool:
    """``np.asarray(name, ...)`` or ``np.array(name, ...)``."""
    return isinstance(node, ast.Call) and _dotted(node.func) in ("np.asarray", "np.array", "numpy.asarray",
                                                                 "numpy.array") \
        and bool(node.args) and isinstance(node.args[0], ast.Name) and node.args[0].id == name


def _first_conversion(function: ast.FunctionDef, name: str) -> int | None:
    """Index in the body of ``name = np.asarray(name, ...)``, if the function starts its work so."""
    for index, statement in enumerate(function.body):
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == name and \
                _is_conversion_of(statement.value, name):
            return index
    return None


# --- the families -------------------------------------------------------------------------------------

class SwapOperator(Operator):
    """``+`` for ``-``, ``*`` for ``/``, ``*`` for ``**`` and back."""

    family = "swap_operator"
    SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult}
    SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

    def variants(self, node, function):
        if isinstance(node, ast.BinOp) and type(node.op) in self.SWAPS:
            new_op = self.SWAPS[type(node.op)]
            yield (ast.BinOp(node.left, new_op(), node.right),
                   f"`{self.SYMBOLS[type(node.op)]}` replaced by `{self.SYMBOLS[new_op]}`")


class DropTerm(Operator):
    """A term or factor left out: ``a + b`` -> ``a``, ``a * b`` -> ``b``, ``a / b`` -> ``a``."""

    family = "drop_term"

    def variants(self, node, function):
        if not isinstance(node, ast.BinOp):
            return
        if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            yield node.left, f"`{_show(node.right)}` left out of `{_show(node)}`"
        if isinstance(node.op, (ast.Add, ast.Mult)):
            yield node.right, f"`{_show(node.left)}` left out of `{_show(node)}`"
        if isinstance(node.op, ast.Sub):
            yield ast.UnaryOp(ast.USub(), node.right), f"`{_show(node.left)}` left out of `{_show(node)}`"


class DoubleTerm(Operator):
    """A term counted twice: ``a + b`` -> ``a + 2 * b``; a product doubled."""

    family = "double_term"

    def variants(self, node, function):
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            yield (ast.BinOp(node.left, node.op, ast.BinOp(ast.Constant(2.0), ast.Mult(), node.right)),
                   f"`{_show(node.right)}` counted twice")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            yield ast.BinOp(ast.Constant(2.0), ast.Mult(), node), f"`{_show(node)}` doubled"


class FlipSign(Operator):
    """A sign lost or added: ``-x`` -> ``x``, a constant negated, the result negated."""

    family = "flip_sign"

    def variants(self, node, function):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield node.operand, f"the minus of `{_show(node)}` dropped"
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and \
                not isinstance(node.value, bool) and node.value != 0:
            yield ast.Constant(-node.value), f"`{node.value!r}` negated"
        elif isinstance(node, ast.Return) and node.value is not None:
            yield ast.Return(ast.UnaryOp(ast.USub(), node.value)), "the result negated"


class CompareOperator(Operator):
    """``>=`` for ``>`` (the kink on the wrong side), and the comparison turned round."""

    family = "compare_op"
    SWAPS = {ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt, ast.LtE), ast.Lt: (ast.LtE, ast.Gt),
             ast.LtE: (ast.Lt, ast.GtE)}
    SYMBOLS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}

    def variants(self, node, function):
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in self.SWAPS:
            for new_op in self.SWAPS[type(node.ops[0])]:
                yield (ast.Compare(node.left, [new_op()], node.comparators),
                       f"`{self.SYMBOLS[type(node.ops[0])]}` replaced by `{self.SYMBOLS[new_op]}`")


class Transpose(Operator):
    """The result transposed, a ``.T`` forgotten, or an outer product's factors swapped."""

    family = "transpose"

    def variants(self, node, function):
        if isinstance(node, ast.Return) and node.value is not None:
            yield ast.Return(ast.Attribute(node.value, "T", ast.Load())), "the result transposed"
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            yield node.value, f"`.T` of `{_show(node.value)}` forgotten"
        elif isinstance(node, ast.Call) and _dotted(node.func) in ("np.outer", "np.dot", "np.matmul") and \
                len(node.args) == 2 and ast.dump(node.args[0]) != ast.dump(node.args[1]):
            yield ast.Call(node.func, node.args[::-1], node.keywords), f"the factors of `{_show(node)}` swapped"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            yield ast.BinOp(node.right, ast.MatMult(), node.left), f"the factors of `{_show(node)}` swapped"


class OtherAxis(Operator):
    """A sum, max or normalisation along another axis, over everything, or without ``keepdims``."""

    family = "other_axis"
    REDUCTIONS = ("sum", "max", "min", "mean", "amax", "amin", "prod")

    def variants(self, node, function):
        if not isinstance(node, ast.Call):
            return
        name = _dotted(node.func).rsplit(".", 1)[-1]
        if name not in self.REDUCTIONS:
            return
        keywords = {k.arg: k for k in node.keywords}
        others = [k for k in node.keywords if k.arg not in ("axis", "keepdims")]
        keepdims = [keywords["keepdims"]] if "keepdims" in keywords else []
        axis = keywords.get("axis")
        current = ast.unparse(axis.value) if axis else None
        for choice in ("0", "1", "None"):
            if choice != current and not (current is None and choice == "None"):
                new_axis = [] if choice == "None" else [ast.keyword("axis", _expr(choice))]
                yield (ast.Call(node.func, node.args, others + new_axis + keepdims),
                       f"`{name}` along axis {choice} instead of {current if current else 'all axes'}")
        if keepdims:
            yield (ast.Call(node.func, node.args, [k for k in node.keywords if k.arg != "keepdims"]),
                   f"`keepdims` of `{name}` forgotten")


class InPlace(Operator):
    """The argument overwritten with the result (``z[...] = ...``): right values, caller's data lost."""

    family = "in_place"

    def variants(self, node, function):
        if node is not function:
            return
        start = _body_start(function)
        for name in _parameters(function):
            keep = _stmts(f"_given = {name}")
            rest = []
            for statement in function.body[start:]:
                done = _InPlaceReturns().visit(copy.deepcopy(statement))
                rest += done if isinstance(done, list) else [done]
            body = function.body[:start] + keep + rest
            yield _with_body(function, body), f"`{name}` overwritten in place with the result"


class _InPlaceReturns(ast.NodeTransformer):
    def visit_Return(self, node):
        if node.value is None:
            return node
        return _stmts(f"_out = {ast.unparse(node.value)}\n"
                      "if isinstance(_given, np.ndarray) and np.shape(_out) == _given.shape:\n"
                      "    _given[...] = _out\n"
                      "return _out")

    def visit_FunctionDef(self, node):  # a nested function's returns are its own
        return node


class ReturnType(Operator):
    """The right numbers of the wrong type: booleans, float32, a cast dropped."""

    family = "return_type"

    def variants(self, node, function):
        if isinstance(node, ast.Return) and node.value is not None:
            yield (ast.Return(_expr(f"np.asarray({ast.unparse(node.value)}, dtype=np.float32)")),
                   "returns float32")
            yield ast.Return(_expr(f"np.asarray({ast.unparse(node.value)}) != 0")), "returns booleans"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "astype":
            yield node.func.value, f"`.astype(...)` of `{_show(node.func.value)}` dropped"
        elif isinstance(node, ast.keyword) and node.arg == "dtype" and _dotted(node.value) in (
                "np.float64", "float"):
            yield ast.keyword("dtype", _expr("np.float32")), "converts to float32"


def _converting_first_argument(function: ast.FunctionDef, conversion: str) -> ast.FunctionDef | None:
    """The function with its first argument converted by ``conversion`` (``{name}`` in it) instead
    of ``np.asarray``, or first thing after the docstring if it has no such line; None if no argument."""
    if not _parameters(function):
        return None
    name = _parameters(function)[0]
    statement = _stmts(f"{name} = {conversion.format(name=name)}")[0]
    index = _first_conversion(function, name)
    body = list(function.body)
    if index is not None:
        body[index] = statement
    else:
        body.insert(_body_start(function), statement)
    return _with_body(function, body)


class ScalarOnly(Operator):
    """Handles only single numbers: the argument forced through ``float()``, as scalar code is.

    ``np.float64(float(z))`` keeps numpy's scalar methods (``.astype``), so the mutant is right on
    Python floats and 0-d arrays and raises on arrays of more than one entry.
    """

    family = "scalar_only"

    def variants(self, node, function):
        changed = _converting_first_argument(function, "np.float64(float({name}))") if node is function else None
        if changed is not None:
            name = _parameters(function)[0]
            yield changed, f"`{name}` handled only as a single number (`float({name})`)"


class MathForNumpy(Operator):
    """A ``math`` function (or builtin) where numpy's element-wise one is needed."""

    family = "math_for_numpy"
    SCALAR = {"np.exp": "math.exp", "np.log": "math.log", "np.sqrt": "math.sqrt", "np.tanh": "math.tanh",
              "np.abs": "abs", "np.maximum": "max", "np.minimum": "min", "np.sum": "sum", "np.max": "max",
              "np.min": "min", "np.where": None}

    def variants(self, node, function):
        if not isinstance(node, ast.Call):
            return
        name = _dotted(node.func)
        if name == "np.where" and len(node.args) == 3:
            condition, yes, no = node.args
            yield ast.IfExp(condition, yes, no), "`np.where` written as `... if ... else ...`"
        elif self.SCALAR.get(name):
            yield (ast.Call(_expr(self.SCALAR[name]), node.args, node.keywords),
                   f"`{name}` replaced by `{self.SCALAR[name]}`")


class ArrayOnly(Operator):
    """Handles only arrays: ``z.astype(...)`` where ``z`` may be a Python float."""

    family = "array_only"

    def variants(self, node, function):
        changed = _converting_first_argument(function, "{name}.astype(np.float64)") if node is function else None
        if changed is not None:
            name = _parameters(function)[0]
            yield changed, f"`{name}` handled only as an ndarray (`{name}.astype(np.float64)`)"


class LoopBound(Operator):
    """A loop that starts or stops one step off: ``range(n)`` -> ``range(n - 1)``, ``range(1, n)``."""

    family = "loop_bound"

    def variants(self, node, function):
        if not (isinstance(node, ast.Call) and _dotted(node.func) == "range" and 1 <= len(node.args) <= 3):
            return
        args = list(node.args)
        start, stop = (args[0], args[1]) if len(args) >= 2 else (ast.Constant(0), args[0])
        rest = args[2:]
        for new_start, new_stop, what in (
                (start, ast.BinOp(stop, ast.Sub(), ast.Constant(1)), "stops one early"),
                (start, ast.BinOp(stop, ast.Add(), ast.Constant(1)), "runs one too far"),
                (ast.BinOp(start, ast.Add(), ast.Constant(1)), stop, "starts one late")):
            yield ast.Call(node.func, [new_start, new_stop, *rest], []), f"`{_show(node)}` {what}"


class Approximation(Operator):
    """A well-known approximation where the contract fixes the exact form.

    ``erf(u)`` by the tanh formula behind tanh-GELU, ``erf(u) ~ tanh(sqrt(2/pi) (v + 0.044715 v^3))``
    with ``v = u sqrt(2)``; and ``exp(x)`` by its first terms ``1 + x + x^2/2``.
    """

    family = "approximation"

    def variants(self, node, function):
        if not (isinstance(node, ast.Call) and len(node.args) == 1):
            return
        name, (argument,) = _dotted(node.func), node.args
        u = ast.unparse(argument)
        if name.rsplit(".", 1)[-1] == "erf":
            yield (_expr(f"np.tanh(math.sqrt(2.0 / math.pi) * (({u}) * math.sqrt(2.0) + 0.044715 * "
                         f"(({u}) * math.sqrt(2.0)) ** 3))"),
                   "the tanh approximation of erf (tanh-GELU) instead of the exact form")
        elif name in ("np.exp", "math.exp"):
            yield _expr(f"1.0 + ({u}) + ({u}) ** 2 / 2.0"), f"`{name}` by its Taylor terms 1 + x + x²/2"


class RoundedConstant(Operator):
    """A constant written with three significant digits: ``math.pi`` as 3.14, ``sqrt(2)`` as 1.41."""

    family = "rounded_constant"
    KNOWN = {"math.pi": 3.14, "np.pi": 3.14, "math.e": 2.72, "np.e": 2.72}

    def variants(self, node, function):
        import math

        if isinstance(node, (ast.Attribute, ast.Name)) and _dotted(node) in self.KNOWN:
            yield ast.Constant(self.KNOWN[_dotted(node)]), f"`{_dotted(node)}` written as {self.KNOWN[_dotted(node)]}"
        elif isinstance(node, ast.Call) and _dotted(node.func) in ("math.sqrt", "np.sqrt") and \
                len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and \
                isinstance(node.args[0].value, (int, float)) and node.args[0].value > 0:
            value = float(f"{math.sqrt(node.args[0].value):.3g}")
            yield ast.Constant(value), f"`{_show(node)}` written as {value}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, float) and node.value != 0:
            value = float(f"{node.value:.3g}")
            if value != node.value:
                yield ast.Constant(value), f"`{node.value!r}` written as {value}"


class HardCodedDefault(Operator):
    """A parameter's default value written into the body, so the argument is ignored."""

    family = "hard_coded_default"

    def variants(self, node, function):
        if node is not function:
            return
        arguments = function.args.posonlyargs + function.args.args
        defaults = dict(zip([a.arg for a in arguments[len(arguments) - len(function.args.defaults):]],
                            function.args.defaults))
        defaults.update({a.arg: d for a, d in zip(function.args.kwonlyargs, function.args.kw_defaults)
                         if d is not None})
        for name, default in defaults.items():
            if not isinstance(default, ast.Constant):
                continue
            body = [_Substitute(name, default).visit(copy.deepcopy(s)) for s in function.body]
            new = _with_body(function, body)
            if ast.dump(new) != ast.dump(function):
                yield new, f"`{name}` ignored: its default {default.value!r} written in its place"


class _Substitute(ast.NodeTransformer):
    def __init__(self, name: str, value: ast.Constant):
        self.name, self.value = name, value

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return ast.copy_location(ast.Constant(self.value.value), node)
        return node


class WrongFunction(Operator):
    """The neighbouring function: ``maximum`` for ``minimum``, ``mean`` for ``sum``, ``min`` for ``max``."""

    family = "wrong_function"
    SWAPS = {"maximum": "minimum", "minimum": "maximum", "max": "min", "min": "max", "sum": "mean",
             "mean": "sum", "exp": "log", "log": "exp", "tanh": "sinh", "diag": "diagflat"}

    def variants(self, node, function):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in (
                "np", "numpy") and node.attr in self.SWAPS:
            yield (ast.Attribute(node.value, self.SWAPS[node.attr], ast.Load()),
                   f"`{_dotted(node)}` replaced by `{node.value.id}.{self.SWAPS[node.attr]}`")


class SwapBranches(Operator):
    """The two cases of a ``where`` (or conditional expression) exchanged."""

    family = "swap_branches"

    def variants(self, node, function):
        if isinstance(node, ast.Call) and _dotted(node.func) == "np.where" and len(node.args) == 3:
            condition, yes, no = node.args
            yield ast.Call(node.func, [condition, no, yes], []), "the two branches of `np.where` exchanged"
        elif isinstance(node, ast.IfExp):
            yield ast.IfExp(node.test, node.orelse, node.body), "the two branches of `... if ... else ...` exchanged"


class DropCall(Operator):
    """A call left out, keeping its first argument: ``np.asarray(z, ...)`` -> ``z``, ``np.exp(x)`` -> ``x``."""

    family = "drop_call"

    def variants(self, node, function):
        if isinstance(node, ast.Call) and node.args and not isinstance(node.args[0], ast.Starred) and \
                _dotted(node.func) not in ("range", "len", "isinstance") and _dotted(node.func):
            yield node.args[0], f"`{_dotted(node.func)}(...)` left out around `{_show(node.args[0])}`"


OPERATORS: Sequence[Operator] = (
    SwapOperator(), DropTerm(), DoubleTerm(), FlipSign(), CompareOperator(), Transpose(), OtherAxis(),
    InPlace(), ReturnType(), ScalarOnly(), MathForNumpy(), ArrayOnly(), LoopBound(), Approximation(),
    RoundedConstant(), HardCodedDefault(), WrongFunction(), SwapBranches(), DropCall(),
)
FAMILIES = tuple(operator.family for operator in OPERATORS)


# --- the driver -------------------------------------------------------------------------------------

def find_function(module: ast.Module, name: str) -> ast.FunctionDef | ast.ClassDef:
    """The function, or class (08's ``Value``: its methods are mutated), called ``name``."""
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return node
    raise KeyError(f"the cell defines no function called {name!r}")


def _replace(root: ast.AST, index: int, replacement: ast.AST) -> ast.AST:
    """A copy of ``root`` with its ``index``-th node (in :func:`ast.walk` order) replaced."""
    if index == 0:
        return copy.deepcopy(replacement)
    tree = copy.deepcopy(root)
    target = list(ast.walk(tree))[index]
    replacement = copy.deepcopy(replacement)
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, replacement)
                return tree
            if isinstance(value, list) and any(item is target for item in value):
                position = next(i for i, item in enumerate(value) if item is target)
                if isinstance(replacement, list):
                    value[position:position + 1] = replacement
                else:
                    value[position] = replacement
                return tree
    raise AssertionError("node not found in its own tree")


def _without_docstring(function: ast.FunctionDef) -> str:
    bare = copy.deepcopy(function)
    bare.body = bare.body[_body_start(bare):] or [ast.Pass()]
    return ast.unparse(bare)


def small_diff(before: str, after: str) -> str:
    """A unified diff of two versions of a function, one line of context."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), "reference", "mutant", n=1, lineterm="")
    return "\n".join(lines)


def mutants_of(cell_source: str, name: str, operators: Sequence[Operator] = OPERATORS) -> list[Mutant]:
    """Every distinct mutant of function ``name`` in an answer cell, in operator then tree order.

    Mutants whose code is the reference's, or another mutant's, are left out. Raises ``KeyError``
    if the cell defines no such function and ``SyntaxError`` if it is not Python.
    """
    module = ast.parse(cell_source)
    function = find_function(module, name)
    reference_code = _without_docstring(function)
    reference_text = ast.unparse(function)
    seen, taken_ids, mutants = {reference_code}, set(), []
    # A class is mutated one method at a time (each operator sees the method as its function).
    units = [(i, m) for i, m in enumerate(function.body) if isinstance(m, ast.FunctionDef)] \
        if isinstance(function, ast.ClassDef) else [(None, function)]
    for operator in operators:
        for position, unit in units:
            for index, node in enumerate(list(ast.walk(unit))):
                for replacement, description in operator.variants(node, unit):
                    _add_mutant(function, position, _replace(unit, index, replacement), operator, description,
                                module, reference_text, seen, taken_ids, mutants)
    return mutants


def _add_mutant(function, position, changed_unit, operator, description, module, reference_text, seen,
                taken_ids, mutants) -> None:
    if position is None:
        changed = changed_unit
    else:
        changed = copy.deepcopy(function)
        changed.body[position] = changed_unit
    ast.fix_missing_locations(changed)
    try:
        code = _without_docstring(changed)
        compile(ast.unparse(changed), "<mutant>", "exec")
    except (SyntaxError, ValueError, TypeError):
        return  # an operator produced something that is not Python: not a learner's answer
    if code in seen:
        return
    seen.add(code)
    diff = small_diff(reference_text, ast.unparse(changed))
    mutants.append(_mutant(module, function, changed, operator.family, description, diff, taken_ids))


def _mutant(module, function, changed, family, description, diff, taken_ids) -> Mutant:
    changed_lines = "\n".join(line[1:].strip() for line in diff.splitlines()
                              if line[:1] in "+-" and not line.startswith(("+++", "---")))
    digest = hashlib.sha256(f"{family}\n{changed_lines}".encode()).hexdigest()
    mutant_id, salt = f"{function.name}:{family}:{digest[:6]}", 0
    while mutant_id in taken_ids:  # the same change at two places: number the later ones
        salt += 1
        mutant_id = f"{function.name}:{family}:{digest[:6]}-{salt}"
    taken_ids.add(mutant_id)
    new_module = copy.deepcopy(module)
    new_module.body = [changed if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == function.name else n
                       for n in new_module.body]
    return Mutant(mutant_id, function.name, family, description, ast.unparse(new_module) + "\n", diff)
