"""08_autograd under the real grader: the beginner mistakes issue 13 names each cost the test cells whose
operation they break, and only those, with a message naming the operation.

`Value` is one answer cell with a test cell per group of operations; every mistake below is the
reference with one change. Graded through the sandbox, as `nnmath grade` does.
"""
from __future__ import annotations

import inspect
import re

import pytest

import solutions
from lesson_grading import grade as grade_lesson
from notebook_tools import sandbox_grader

pytestmark = pytest.mark.slow
A = "08_autograd"
REFERENCE = inspect.getsource(solutions.Value)
EVERY_CELL = {"test_Value_arithmetic", "test_Value_reflected", "test_Value_pow", "test_Value_functions",
              "test_Value_accumulates", "test_Value_backward_order", "test_Value_graphs"}


def without_method(name: str) -> str:
    """The reference without the method ``name`` (its def line up to the next method)."""
    source, count = re.subn(rf"    def {name}\(.*?(?=\n    def )", "", REFERENCE, count=1, flags=re.S)
    assert count == 1
    return source


def replaced(old: str, new: str) -> str:
    assert old in REFERENCE, old
    return REFERENCE.replace(old, new)


# mistake: (wrong Value, the test cells that must lose points, words one of which every lost cell's message holds)
MISTAKES = {
    "no-rsub": (without_method("__rsub__"), {"test_Value_reflected"}, ("__rsub__",)),
    "no-rtruediv": (without_method("__rtruediv__"), {"test_Value_reflected"}, ("__rtruediv__",)),
    "grad-assigned-not-added": (replaced(".grad +=", ".grad ="),
                                {"test_Value_accumulates", "test_Value_backward_order", "test_Value_graphs"}, ("+=",)),
    "no-topological-order": (replaced("        self.grad = 1.0\n        for node in reversed(topo):\n"
                                      "            node._backward()",
                                      "        self.grad = 1.0\n\n        def visit(node):  # every path, no order\n"
                                      "            node._backward()\n            for child in node._prev:\n"
                                      "                visit(child)\n        visit(self)"),
                             {"test_Value_backward_order", "test_Value_graphs"}, ("topological",)),
    "backward-not-seeded": (replaced("        self.grad = 1.0\n", ""), EVERY_CELL, ("grad to 1.0",)),
    "tanh-derivative-without-square": (replaced("(1.0 - out.data ** 2)", "(1.0 - out.data)"),
                                       {"test_Value_functions", "test_Value_graphs"}, ("tanh",)),
    # d/dk x**k = x**k ln x: the exponent's derivative instead of the base's. Division is x * y**-1,
    # so `/` breaks too.
    "pow-differentiates-the-exponent": (replaced("self.grad += k * self.data ** (k - 1.0) * out.grad",
                                                 "self.grad += out.data * math.log(self.data) * out.grad"),
                                        {"test_Value_pow", "test_Value_arithmetic", "test_Value_reflected",
                                         "test_Value_graphs"}, ("**", " / ")),
}


@pytest.fixture(scope="module")
def grader():
    with sandbox_grader(A) as graded:
        yield graded


def grade(grader, tmp_path, name, answers):
    return grade_lesson(grader, tmp_path, A, name, answers)


def test_the_reference_earns_every_point(grader, tmp_path):
    scores = grade(grader, tmp_path, "reference", {})
    assert set(scores) == EVERY_CELL
    assert all(score == points for score, points, _ in scores.values()), scores


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_loses_exactly_the_cells_of_the_operation_it_breaks(mistake, grader, tmp_path):
    wrong, cells, named = MISTAKES[mistake]
    scores = grade(grader, tmp_path, mistake, {"Value": wrong})
    lost = {g for g, (score, points, _) in scores.items() if score < points}
    assert lost == cells, f"{mistake}: lost {sorted(lost)}, expected exactly {sorted(cells)}"
    for grade_id in lost:
        score, _, problems = scores[grade_id]
        assert score == 0 and problems, (grade_id, problems)
        assert any(word in p for p in problems for word in named), (grade_id, problems)
