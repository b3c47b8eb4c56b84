"""Checks on how an answer is written: forbidden constructs, required loops, the learner's own work.

::

    expect_source(matmul, forbid=MATMUL_SHORTCUTS, loops=True, rule="rule_matmul")
    expect_source(numerical_gradient, own_work=True)

The source is the learner's answer cell in the grader (the whole cell, imports included: the
grader reads it on the trusted side, it never asks the sandbox) and ``inspect.getsource`` of the
function in the learner's kernel. It is parsed, never run. ``own_work`` refuses the course
package (``autograder``/``nnmath``, whose gradient checker an exercise may be asking the learner to
write) and the dynamic ways of reaching it by name (``__import__``, ``importlib``, ``getattr``,
``eval``, ``sys.modules``, dunder attributes); in the kernel it also refuses a global of the
function that is one of the package's objects.
"""
from __future__ import annotations

import ast
import inspect

from .checks import CheckFailure, _name, _passed
from .messages import say

__all__ = ["expect_source", "MATMUL_SHORTCUTS"]

MATMUL_SHORTCUTS = ("@", "dot", "matmul", "einsum", "tensordot", "inner", "vdot", "outer")
PACKAGES = ("autograder", "nnmath")
DYNAMIC = ("gradcheck", "importlib", "__import__", "exec", "eval", "compile", "globals", "locals", "vars",
           "getattr", "sys", "builtins", "__builtins__")


def _source(fn) -> str | None:
    source = getattr(fn, "source", None)
    if isinstance(source, str):
        return source
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return None


def _forbidden(tree, forbid) -> tuple[str, int] | None:
    for node in ast.walk(tree):
        if "@" in forbid and isinstance(node, (ast.BinOp, ast.AugAssign)) and isinstance(node.op, ast.MatMult):
            return "`@`", node.lineno
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        if name in forbid:
            return f"`{name}`", node.lineno
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in forbid:
            return f"`{node.value}`", node.lineno
    return None


def _package_use(tree) -> tuple[str, int] | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PACKAGES + ("importlib", "sys", "builtins"):
                    return alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in PACKAGES + ("importlib", "sys", "builtins"):
                return node.module, node.lineno
        elif isinstance(node, ast.Name) and (node.id in PACKAGES or node.id in DYNAMIC):
            return node.id, node.lineno
        elif isinstance(node, ast.Attribute) and (node.attr in PACKAGES + ("gradcheck", "modules") or
                                                  (node.attr.startswith("__") and node.attr != "__init__")):
            return node.attr, node.lineno
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
                word in node.value for word in PACKAGES + ("gradcheck",)):
            return repr(node.value)[:40], node.lineno
    return None


def _package_globals(fn) -> str | None:
    """In the kernel: a global the function uses that is one of the course package's objects."""
    code, scope = getattr(fn, "__code__", None), getattr(fn, "__globals__", None)
    if code is None or not isinstance(scope, dict):
        return None
    for name in code.co_names:
        value = scope.get(name)
        module = getattr(value, "__module__", None) if not inspect.ismodule(value) else value.__name__
        if isinstance(module, str) and module.split(".")[0] in PACKAGES and name not in ("np",):
            return name
    return None


def expect_source(fn, *, forbid=(), loops: bool = False, own_work: bool = False, rule: str | None = None) -> None:
    """The answer's source uses none of ``forbid`` (names, attributes, or ``"@"``), contains a loop
    if ``loops``, and does not use the course package if ``own_work``. rule: the message key that
    states the exercise's rule (default: ``rule_own_work`` or ``rule_matmul``)."""
    __tracebackhide__ = True
    name = _name(fn)
    rule_text = say(rule or ("rule_own_work" if own_work else "rule_matmul"))
    source = _source(fn)
    if source is None:
        raise CheckFailure(name, [say("source_unavailable", fn=name)])
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise CheckFailure(name, [say("raised", fn=name, call="", error=f"SyntaxError: {error.msg}")]) from None
    found = _forbidden(tree, forbid)
    if found:
        raise CheckFailure(name, [say("source_forbidden", fn=name, construct=found[0], line=found[1], rule=rule_text)])
    if loops and not any(isinstance(node, (ast.For, ast.While)) for node in ast.walk(tree)):
        raise CheckFailure(name, [say("source_no_loop", fn=name, rule=rule_text)])
    if own_work:
        used = _package_use(tree)
        if used is None and getattr(fn, "source", None) is None:
            found_global = _package_globals(fn)
            used = (found_global, 1) if found_global else None
        if used:
            raise CheckFailure(name, [say("source_package", fn=name, construct=used[0], line=used[1])])
    _passed(say("ok_source", fn=name, rule=rule_text))
