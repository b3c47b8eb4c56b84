"""`nnmath audit`: the mutation operators, the equivalence test, and the audit of a weak and a strong test cell."""
from __future__ import annotations

import copy
import json
import math
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from autograder import audit
from autograder.audit_inputs import DOMAINS, Domain, Elementwise, Real, Vector
from autograder.contract import is_answer_cell, nbgrader_meta
from autograder.mutants import FAMILIES, mutants_of
from conftest import REPO
from notebook_tools import read

A, NB = "03_activations", "activations.ipynb"


def run(source: str, name: str, *args, **kwargs):
    scope = {"np": np, "math": math, "erf": np.vectorize(math.erf, otypes=[float])}
    exec(source, scope)
    return scope[name](*args, **kwargs)


def only(mutants, family, contains=None):
    found = [m for m in mutants if m.family == family and (contains is None or contains in m.source)]
    assert found, (family, contains, [m.source for m in mutants if m.family == family])
    return found[0]


# --- the operators: one example per family, each executed or read ---------------------------------------

ADD = "def f(a, b):\n    return a + b\n"
STEP = "def f(z):\n    z = np.asarray(z, dtype=np.float64)\n    return (z > 0).astype(np.float64)\n"
SOFTMAX = ("def f(z):\n    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
           "    return e / np.sum(e, axis=-1, keepdims=True)\n")
OUTER = "def f(s, t):\n    return np.outer(s, t)\n"
LOOP = "def f(x):\n    total = 0.0\n    for i in range(len(x)):\n        total += x[i]\n    return total\n"
LEAKY = "def f(z, alpha=0.01):\n    z = np.asarray(z, dtype=np.float64)\n    return np.where(z > 0, z, alpha * z)\n"
GELU = "def f(z):\n    return z * 0.5 * (1.0 + erf(z / math.sqrt(2.0)))\n"
PHI = "def f(z):\n    return np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)\n"

EXAMPLES = {  # family -> (function source, a piece of the mutant's code that family must produce)
    "swap_operator": (ADD, "return a - b"),
    "drop_term": (ADD, "return a\n"),
    "double_term": (ADD, "return a + 2.0 * b"),
    "flip_sign": (ADD, "return -(a + b)"),
    "compare_op": (STEP, "(z >= 0)"),
    "transpose": (OUTER, "np.outer(t, s)"),
    "other_axis": (SOFTMAX, "np.sum(e, axis=0, keepdims=True)"),
    "in_place": (STEP, "_given[...] = _out"),
    "return_type": (STEP, "dtype=np.float32"),
    "scalar_only": (STEP, "z = np.float64(float(z))"),
    "math_for_numpy": (SOFTMAX, "math.exp("),
    "array_only": (STEP, "z = z.astype(np.float64)"),
    "loop_bound": (LOOP, "range(0, len(x) - 1)"),
    "approximation": (GELU, "0.044715"),
    "rounded_constant": (PHI, "3.14"),
    "hard_coded_default": (LEAKY, "0.01 * z"),
    "wrong_function": (SOFTMAX, "np.min(z"),
    "swap_branches": (LEAKY, "np.where(z > 0, alpha * z, z)"),
    "drop_call": (STEP, "    z = z\n"),
}


def test_every_family_has_an_example():
    assert set(EXAMPLES) == set(FAMILIES)


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_makes_its_mistake(family):
    source, expected = EXAMPLES[family]
    mutant = only(mutants_of(source, "f"), family, expected)
    assert mutant.id.startswith(f"f:{family}:") and mutant.diff.startswith("--- reference")
    assert any(line.startswith("+") and not line.startswith("+++") for line in mutant.diff.splitlines())
    compile(mutant.source, "<mutant>", "exec")


def test_mutants_behave_as_their_family_says():
    mutants = mutants_of(STEP, "f")
    x = np.array([-1.0, 0.0, 2.0])
    given = x.copy()
    run(only(mutants, "in_place").source, "f", given)
    assert not np.array_equal(given, x)  # the caller's array now holds the result
    assert run(only(mutants, "return_type", "dtype=np.float32").source, "f", x).dtype == np.float32
    assert run(only(mutants, "return_type", "!= 0").source, "f", x).dtype == np.bool_
    scalar_only = only(mutants, "scalar_only").source
    assert run(scalar_only, "f", 2.0) == 1.0
    with pytest.raises(TypeError):
        run(scalar_only, "f", np.ones((2, 2)))
    array_only = only(mutants, "array_only").source
    assert np.array_equal(run(array_only, "f", x), [0.0, 0.0, 1.0])
    with pytest.raises(AttributeError):
        run(array_only, "f", 2.0)
    assert np.array_equal(run(only(mutants, "compare_op", ">=").source, "f", x), [0.0, 1.0, 1.0])
    tanh_gelu = run(only(mutants_of(GELU, "f"), "approximation").source, "f", np.array([1.0, -2.0]))
    exact = run(GELU, "f", np.array([1.0, -2.0]))
    assert np.allclose(tanh_gelu, exact, atol=1e-3) and not np.allclose(tanh_gelu, exact, rtol=1e-6, atol=1e-8)
    assert run(only(mutants_of(LOOP, "f"), "loop_bound", "len(x) - 1").source, "f", np.ones(4)) == 3.0
    assert run(only(mutants_of(LEAKY, "f"), "hard_coded_default").source, "f", -1.0, alpha=0.5) == -0.01


def test_mutants_are_distinct_never_the_reference_and_keep_their_ids_when_the_docstring_changes():
    source = SOFTMAX.replace("def f(z):\n", 'def f(z):\n    """Softmax."""\n')
    mutants = mutants_of(source, "f")
    codes = [m.source for m in mutants]
    assert len(set(codes)) == len(codes) and len({m.id for m in mutants}) == len(mutants)
    assert all("Softmax." in code for code in codes)  # the docstring is kept
    reworded = mutants_of(source.replace("Softmax.", "Softmax along the last axis."), "f")
    assert [m.id for m in reworded] == [m.id for m in mutants]


def test_a_cell_without_the_function_is_refused():
    with pytest.raises(KeyError):
        mutants_of(ADD, "g")


def elementwise_functions():
    return [name for name, domain in DOMAINS.items() if domain.args and isinstance(domain.args[0], Elementwise)]


def test_every_elementwise_function_of_03_gets_float_only_and_array_only_mutants():
    answers = audit.answer_cells(read(REPO / "source" / A / NB))
    names = [name for name in elementwise_functions() if name in answers]  # 02's step has its own notebook
    assert {"relu", "sigmoid_grad", "gelu_grad", "leaky_relu_grad"} <= set(names)
    for name in names:
        mutants = mutants_of(answers[name], name)
        scalar_only, array_only = only(mutants, "scalar_only"), only(mutants, "array_only")
        assert "z = np.float64(float(z))" in scalar_only.source, name
        assert "z = z.astype(np.float64)" in array_only.source, name


# --- the equivalence test --------------------------------------------------------------------------------

def test_domains_cover_every_contract_shape_kinks_and_extremes():
    cases = DOMAINS["relu"].cases("relu", 60)
    kinds = {type(args[0]).__name__ if isinstance(args[0], float) else np.ndim(args[0]) for args, _ in cases}
    assert kinds == {"float", 0, 1, 2, 3}
    values = np.concatenate([np.ravel(args[0]) for args, _ in cases])
    assert np.any((values == 0) & np.signbit(values)) and np.any(values == 1e-300)
    extreme = np.concatenate([np.ravel(a[0]) for a, _ in Domain((Elementwise(extreme=True),)).cases("x", 20)])
    assert np.max(np.abs(extreme)) >= 1e4 - 1
    leaky = DOMAINS["leaky_relu"].cases("leaky_relu", 10)
    assert any("alpha" in kw for _, kw in leaky) and any(not kw for _, kw in leaky)
    assert all(np.ndim(a[0]) == 1 for a, _ in Domain((Vector(),)).cases("v", 10))
    assert repr(cases) == repr(DOMAINS["relu"].cases("relu", 60))  # reproducible
    assert isinstance(Real().draw(np.random.default_rng(0), 0), float)


def reference_namespace():
    scope = {"np": np, "math": math, "erf": np.vectorize(math.erf, otypes=[float])}
    for source in audit.answer_cells(read(REPO / "source" / A / NB)).values():
        exec(source, scope)
    return scope


def test_equivalent_mutants_are_recognised_and_the_others_told_apart_by_an_input():
    scope = reference_namespace()
    answers = audit.answer_cells(read(REPO / "source" / A / NB))
    mutants = mutants_of(answers["relu_grad"], "relu_grad")
    cases = DOMAINS["relu_grad"].cases("relu_grad", 60)
    # np.asarray(z, ...) left out of relu: np.maximum gives the same results on every input of the contract
    dropped = only(mutants_of(answers["relu"], "relu"), "drop_call", "z = z\n")
    assert audit.first_difference(scope, "relu", dropped.source, DOMAINS["relu"].cases("relu", 60)) is None
    where, what = audit.first_difference(scope, "relu_grad", only(mutants, "drop_call", "z = z\n").source, cases)
    assert "Python float" in where and "'bool' object has no attribute 'astype'" in what
    where, what = audit.first_difference(scope, "relu_grad", only(mutants, "array_only").source, cases)
    assert "Python float" in where and "AttributeError" in what
    where, what = audit.first_difference(scope, "relu_grad", only(mutants, "compare_op", ">=").source, cases)
    assert "0." in where and what  # told apart at the kink
    where, what = audit.first_difference(scope, "relu_grad", only(mutants, "return_type", "np.float32)").source,
                                         cases)
    assert "float32" in what
    where, what = audit.first_difference(scope, "relu_grad", only(mutants, "in_place").source, cases)
    assert "modif" in what or "changed" in what, what


def test_a_mutant_that_never_returns_is_told_apart(monkeypatch):
    monkeypatch.setattr(audit, "CASE_SECONDS", 1)
    where, what = audit.first_difference(reference_namespace(), "relu", "def relu(z):\n    while True:\n        pass\n",
                                         DOMAINS["relu"].cases("relu", 2))
    assert "did not return within 1 s" in what


# --- the audit of a weak and a strong test cell (real grader, sandbox, hidden tests) --------------------------

WEAK = '''expect(relu, np.array([-2.0, 0.5]), returns=np.array([0.0, 0.5]))
### BEGIN HIDDEN TESTS
expect_matches_reference(relu, "relu", Uniform((7, 4), -5, 5))
### END HIDDEN TESTS'''

STRONG = '''expect(relu, np.array([-2.0, 0.0, 0.5]), returns=np.array([0.0, 0.0, 0.5]))
expect(relu, 3.0, returns=3.0)
### BEGIN HIDDEN TESTS
expect_matches_reference(relu, "relu", Uniform((7, 4), -5, 5))
expect_matches_reference(relu, "relu", Uniform((), -5, 5))
expect_matches_reference(relu, "relu", Uniform((2, 3, 4), -5, 5))
# A dtype check of the fixture's own (the course's declarations do not check float64 yet).
assert np.asarray(relu(np.array([1.5, -2.0]))).dtype == np.float64, "relu must return float64"
assert np.asarray(relu(2.5)).dtype == np.float64, "relu must return float64"
### END HIDDEN TESTS'''


def small_course(path, test_source: str):
    """A course whose 03 notebook holds only the setup cell, relu's answer and one test cell."""
    path.mkdir(parents=True)
    (path / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    nb = read(REPO / "source" / A / NB)
    keep = []
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in ("setup", "relu"):
            keep.append(cell)
        elif grade_id == "test_relu":
            cell = copy.deepcopy(cell)
            cell.source = test_source
            keep.append(cell)
    nb.cells = keep
    (path / "source" / A).mkdir(parents=True)
    nbformat.write(nb, str(path / "source" / A / NB))
    return path


def set_acceptance(course, accepted: dict):
    path = course / "source" / A / NB
    nb = read(path)
    for cell in nb.cells:
        if is_answer_cell(cell):
            cell.metadata["nnmath"] = {"audit_accept": accepted}
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def weak(tmp_path_factory):
    course = small_course(tmp_path_factory.mktemp("weak") / "course", WEAK)
    return course, audit.run_audit(course, A, jobs=1, cases=30)


def test_the_audit_reports_the_survivor_of_a_weak_test_cell(weak):
    course, result = weak
    [relu] = result.functions
    assert relu.problem is None and relu.mutants > 5 and relu.killed > 0
    survivors = {s.family: s for s in relu.survivors}
    assert "array_only" in survivors, [s.id for s in relu.survivors]  # no test passes a Python float
    survivor = survivors["array_only"]
    assert "Python float" in survivor.input and "AttributeError" in survivor.difference
    assert "+    z = z.astype(np.float64)" in survivor.diff
    assert relu.score == relu.killed / (relu.killed + len(relu.survivors)) < 1
    assert result.seconds > 0


def test_check_reads_the_record_and_wants_every_survivor_killed_or_accepted(weak):
    course, result = weak
    assert audit.audit_problems(course, A) == [f"audit/{A}.json: missing: run `nnmath audit {A}` and commit "
                                               f"audit/{A}.json"]
    audit.write_record(course, result)
    record = json.loads((course / "audit" / f"{A}.json").read_text())
    assert {s["id"] for s in record["functions"]["relu"]["survivors"]} == {s.id for s in result.functions[0].survivors}
    problems = audit.audit_problems(course, A)
    assert len(problems) == len(result.functions[0].survivors)
    assert all("gets full marks" in p and "nnmath.audit_accept" in p for p in problems)
    ids = [s.id for s in result.functions[0].survivors]
    set_acceptance(course, {i: "equivalent under the contract" for i in ids})  # metadata only: still fresh
    assert audit.audit_problems(course, A) == []
    set_acceptance(course, {**{i: "fine" for i in ids[1:]}, ids[0]: " "})
    assert [p for p in audit.audit_problems(course, A)] and ids[0] in audit.audit_problems(course, A)[0]
    set_acceptance(course, {**{i: "fine" for i in ids}, "relu:flip_sign:000000": "old"})
    assert ["accepts relu:flip_sign:000000" in p for p in audit.audit_problems(course, A)] == [True]
    path = course / "source" / A / NB
    path.write_text(path.read_text().replace("Uniform((7, 4), -5, 5)", "Uniform((7, 5), -5, 5)"))
    [stale] = audit.audit_problems(course, A)
    assert "stale" in stale


def test_a_strong_test_cell_leaves_no_survivor(tmp_path):
    course = small_course(tmp_path / "course", STRONG)
    [relu] = audit.run_audit(course, A, jobs=1, cases=30).functions
    assert relu.problem is None and relu.mutants > 5
    assert relu.survivors == [] and relu.score == 1.0
    assert relu.killed + relu.equivalent == relu.mutants


def test_a_reference_that_fails_its_own_tests_is_reported_not_audited(tmp_path):
    course = small_course(tmp_path / "course", WEAK.replace("returns=np.array([0.0, 0.5])",
                                                            "returns=np.array([0.0, 0.6])"))
    [relu] = audit.run_audit(course, A, ["relu"], jobs=1, cases=5).functions
    assert relu.problem and "the reference itself loses points in test_relu" in relu.problem
    assert relu.survivors == [] and relu.killed == 0


def test_the_command_prints_survivors_diffs_inputs_and_time(tmp_path):
    course = small_course(tmp_path / "course", WEAK)
    command = [sys.executable, "-m", "autograder.cli", "audit", A, "--course-dir", str(course), "--jobs", "1",
               "--cases", "20"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "relu:array_only:" in result.stdout and "told apart by relu(" in result.stdout
    assert "+    z = z.astype(np.float64)" in result.stdout and "took" in result.stdout
    assert (course / "audit" / f"{A}.json").is_file() and "record written to audit/" in result.stdout
    unknown = subprocess.run(command[:5] + ["softplus", "--course-dir", str(course)], capture_output=True,
                             text=True, timeout=60)
    assert unknown.returncode == 1 and "no answer cell 'softplus'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.slow
def test_the_release_drops_the_authors_acceptances(tmp_path):
    from autograder.build_release import build_release

    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    (course / "source" / A).mkdir(parents=True)
    (course / "source" / A / NB).write_text((REPO / "source" / A / NB).read_text())
    set_acceptance(course, {"relu:array_only:b59b4b": "a secret reason"})
    build_release(course, [A], gradebook=False)
    assert "a secret reason" not in (course / "release" / A / NB).read_text()
    assert "audit_accept" not in (course / "release" / A / NB).read_text()


def test_the_committed_audit_of_every_assignment_is_fresh():
    """Like release/, audit/ must follow source/: rerun `nnmath audit` when a notebook's code changes."""
    from conftest import ASSIGNMENTS

    for assignment in ASSIGNMENTS:
        problems = audit.audit_problems(REPO, assignment)
        assert not [p for p in problems if "missing" in p or "stale" in p or "not audited" in p], problems
