"""Attacks on issue 9's crossings (functions, references, generators, objects, long calls).

Each attacker submits the fixture assignment (:mod:`crossing_fixture`) with the reference
everywhere except where its technique lives. It must score 0 on the cells its technique touches,
keep every other mark, and leave the grader running; ``evidence`` is what the grader must say,
showing that the technique really ran. Lies the sandbox tells about itself (forged records,
generator states, program results, huge replies) are the learner's own process speaking: the
trusted side must check them and never build anything from them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import crossing_fixture as fixture
from autograder import crossing, functions, programs, wire
from autograder.grade_run import grade_class
from autograder.sandbox import Limits
from autograder.simulate import SimulatedLearner, make_submission, write_submission
from autograder.simulate import test_points as points_of
from conftest import REPO
from notebook_tools import read

NG_CELLS = frozenset({"test_numerical_gradient"})
VALUE_CELLS = frozenset({"test_Value_numbers", "test_Value_accumulate", "test_Value_order"})


@dataclass(frozen=True)
class Attack:
    student: str
    answers: dict
    fails: frozenset
    evidence: str = ""


ATTACKS = (
    # A learner "function" lying about itself: the record of how it used f is forged (negative,
    # gigantic, malformed, a flood of points). The values are right; the forged record is refused,
    # so the checks that ask how f was used see no use at all.
    # (The forging sits in step's cell, whose source no check reads.)
    Attack("forger", {"step": fixture._reference_source("step") + '''

import autograder.crossing as _c
_c.records = lambda args, kwargs: {"0": {"calls": {"t": "int", "v": str(10**15)},
                                         "points": [{"t": "float", "v": "0x1p+0"}] * 100000},
                                   "1": "nonsense", "x": {"calls": None}}
'''}, NG_CELLS | {"test_neuron"}, "never called"),  # neuron's record of its activation is forged too
    # It hands back the function it was given (rebuilt in the sandbox) as its answer: nothing is
    # rebuilt on the trusted side, the answer is just "a function object".
    Attack("returner", {"neuron": '''def neuron(x, w, b, activation):
    return activation
'''}, frozenset({"test_neuron"}), "function"),
    # A Value whose .data is a float subclass with a lying __eq__, and whose grad is an object.
    Attack("liar", {"Value": fixture._replace(
        "Value", "        self.data = float(data)", "        self.data = _Liar(data)") + '''


class _Liar(float):
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.0
'''}, VALUE_CELLS, "not a number"),
    # A generator the learner tampers with: reset to a fixed state before drawing (results repeat
    # for every rng), and its state sent back forged (unknown bit generator, absurd numbers).
    Attack("tamperer", {"init_params": fixture._replace("init_params", "    params = []\n",
                                                        "    rng.bit_generator.state = np.random.PCG64(0).state\n"
                                                        "    params = []\n") + '''

import autograder.crossing as _c
_encode = _c.encode
def _forged(value):
    if isinstance(value, np.random.Generator):
        return {"t": "rng", "v": {"t": "dict", "v": {"bit_generator": {"t": "py", "v": "Evil"},
                                                     "state": {"t": "int", "v": "9" * 399}}}}
    return _encode(value)
_c.encode = _forged
'''}, frozenset({"test_init_params_rng"}), "same result for generators in different states"),
    # Replies that would make the grader allocate without bound: a program result with millions
    # of numbers, and a record with a gigantic array.
    Attack("flooder", {"Value": fixture._reference_source("Value") + '''

import autograder.programs as _p
_p.perform = lambda cls, steps: {"reads": [1.0] * 20_000}
'''}, VALUE_CELLS, "malformed program result"),
    # A class whose methods never return: every program on it times out; the rest is graded.
    Attack("sleeper", {"Value": fixture._replace(
        "Value", "        topo, visited = [], set()\n", "        while True:\n            pass\n        topo, visited = [], set()\n")},
        frozenset({"test_Value_numbers", "test_Value_accumulate", "test_Value_order"}), "did not finish"),
    # The answer reaches the package's checker by name, dodging a plain import.
    Attack("dodger", {"numerical_gradient": '''def numerical_gradient(f, x, h=1e-5):
    module = __import__("autograder.grad" + "check", fromlist=["x"])
    return getattr(module, "numerical_" + "gradient")(f, x, h)
'''}, NG_CELLS, "course package's own"),
    # Imports what a learner's install lacks, inside the function (the cell itself runs).
    Attack("importer", {"matmul": '''def matmul(A, B):
    import sklearn
    for _ in range(1):
        pass
    return A
'''}, frozenset({"test_matmul"}), "not part of the course's install"),
)


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        fixture.register(patch)
        course = fixture.new_course(tmp_path_factory.mktemp("crossing-attacks") / "course", REPO)
        source, release = read(course / "source" / fixture.A / fixture.NB), read(course / "release" / fixture.A / fixture.NB)
        for attack in ATTACKS + (Attack("honest", {}, frozenset()),):
            learner = SimulatedLearner(attack.student, attack.student, attack.answers, attack.fails)
            write_submission(course, fixture.A, fixture.NB, make_submission(release, source, learner), attack.student)
        summary = grade_class(course, fixture.A, jobs=2, limits=Limits(cell_seconds=5, call_seconds=2))
    return {g.student: g for g in summary.grades}, points_of(source)


@pytest.mark.slow
@pytest.mark.parametrize("attack", ATTACKS + (Attack("honest", {}, frozenset()),), ids=lambda a: a.student)
def test_attacks_on_the_crossings_score_zero_where_they_lie_and_keep_the_rest(attacked, attack):
    grades, points = attacked
    grade = grades[attack.student]
    assert grade.status == "graded"
    failed = {c.grade_id for c in grade.cells if c.score == 0}
    messages = {c.grade_id: " | ".join(p.en for p in c.problems) for c in grade.cells if c.problems}
    assert failed == set(attack.fails), messages
    if attack.evidence:
        assert any(attack.evidence in messages[cell] for cell in attack.fails), messages


# --- the descriptions themselves are bounded, on both sides ----------------------------------------------

@pytest.mark.parametrize("text", ["__import__('os').system('id')", "x.__class__", "ones(10**9)", "x" * 400,
                                  "+".join(["x"] * 200), "sum(" * 30 + "x" + ")" * 30, "lambda: 1", "[x] * 10**9",
                                  "x[::1]", "x[x]", "1e300 ** 2 * x if x else x", "np.linalg.inv(x)"])
def test_formulas_outside_the_allow_list_are_refused(text):
    with pytest.raises(functions.DescriptionError):
        functions.formula(text)


def test_formulas_compute_in_floats_and_quickly():
    f = functions.formula("2 ** 2 ** 2 ** 100 * x[0] + sum(x)")  # no giant integers: floats overflow to inf
    with np.errstate(over="ignore"):
        assert np.isinf(f(np.ones(2)))
    assert functions.formula("x[0]**2 + 3*x[1] + 5")(np.array([1.0, 2.0])) == 12.0


@pytest.mark.parametrize("description", [
    {"name": "quadratic", "params": {"A": np.zeros((5000, 5000)), "b": np.zeros(5000)}},
    {"name": "poly", "params": {"coeffs": np.zeros(10**6)}},
    {"name": "os.system", "params": {}},
    {"name": "step", "params": {"threshold": float("nan")}},
    {"name": "step", "params": {}},
    {"formula": "x", "name": "sin"},
    "sin",
])
def test_function_descriptions_are_checked_before_anything_is_built(description):
    with pytest.raises(functions.DescriptionError):
        functions.from_description(description)


def test_programs_are_bounded_and_well_formed():
    for steps in ([["new", 1.0]] * (programs.MAX_STEPS + 1), [["op", "+", 0, 1]], [["new", 1.0], ["call", 0, "__class__"]],
                  [["new", 1.0], ["read", 0, "_backward"]], [["new", "1"]], "steps", [["new", 1.0], ["op", "+", 0, ["num", "x"]]]):
        with pytest.raises(programs.ProgramError):
            programs.validate(steps)
    with pytest.raises(programs.ProgramError):
        programs.random_program(np.random.default_rng(0), "chain", size=10**6)


def test_nothing_that_comes_back_is_rebuilt_on_the_trusted_side():
    assert isinstance(wire.decode({"t": "fn", "d": wire.encode({"formula": "x"})}), wire.Opaque)
    assert isinstance(wire.decode({"t": "ref", "name": "relu"}), wire.Opaque)
    state = np.random.default_rng(3).bit_generator.state
    back = wire.decode(wire.encode(np.random.default_rng(3)))
    assert isinstance(back, crossing.RngState) and back.state == state  # data, not a generator
    for forged in ({"bit_generator": "Evil"}, {"bit_generator": "PCG64", "state": {"state": -1, "inc": "x"}}, [1]):
        assert wire.decode({"t": "rng", "v": wire.encode(forged)}) is None


def test_inside_the_sandbox_descriptions_rebuild_equal_functions_and_generators(monkeypatch):
    monkeypatch.setattr(crossing, "_inside", {"double": lambda z: 2 * z})
    f = wire.decode(wire.encode(functions.course_function("quadratic", A=np.eye(2), b=np.ones(2))))
    assert f(np.array([1.0, 2.0])) == 0.5 * 5 + 3 and f.calls == 1
    assert wire.decode({"t": "ref", "name": "double"})(4) == 8
    with pytest.raises(wire.WireError):
        wire.decode({"t": "ref", "name": "undefined"})
    rng = np.random.default_rng(11)
    copy = wire.decode(wire.encode(rng))
    assert copy is not rng and np.array_equal(copy.normal(size=5), rng.normal(size=5))
    with pytest.raises(wire.WireError):
        wire.decode({"t": "rng", "v": wire.encode({"bit_generator": "Evil"})})


def test_records_are_capped():
    f = functions.formula("sum(x)")
    for _ in range(1000):
        f(np.ones(3))
    f(np.ones(10**5))
    assert f.calls == 1001 and len(f.points) == functions.MAX_POINTS
    record = crossing.records((f,), {})
    assert len(record["0"]["points"]) == functions.MAX_POINTS
