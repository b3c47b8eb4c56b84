"""Issue 9 through the real sandbox: functions, generators, objects and long calls graded by `nnmath grade`.

The fixture assignment (:mod:`crossing_fixture`, not a lesson) uses every mechanism; its class is
the reference (full marks) and one learner per typical mistake, each of whom must score 0 on the
cells of that mistake only, with a message naming it. The same test cells, run in-process as a
learner's kernel runs them, give the same verdicts.
"""
from __future__ import annotations

import contextlib
import io
import linecache
import time

import pytest

import crossing_fixture as fixture
from autograder.checks import CheckFailure
from autograder.contract import BEGIN_HIDDEN, END_HIDDEN
from autograder.grade_run import grade_class
from autograder.sandbox import Limits
from autograder.simulate import make_submission, reference_answers, write_submission
from autograder.simulate import test_points as points_of
from conftest import REPO
from notebook_tools import read


LIMITS = Limits(cell_seconds=5, call_seconds=2)  # train_mlp's cell raises its own call to 8 s


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        fixture.register(patch)
        yield fixture.new_course(tmp_path_factory.mktemp("crossing") / "course", REPO)


@pytest.fixture(scope="module")
def graded(course):
    with pytest.MonkeyPatch.context() as patch:
        fixture.register(patch)
        source, release = read(course / "source" / fixture.A / fixture.NB), read(course / "release" / fixture.A / fixture.NB)
        for learner in fixture.CROSSING_CLASS:
            write_submission(course, fixture.A, fixture.NB, make_submission(release, source, learner), learner.student_id)
        summary = grade_class(course, fixture.A, jobs=2, limits=LIMITS)
    return {grade.student: grade for grade in summary.grades}, points_of(source)


def _problems(cell) -> str:
    return " | ".join(p.en for p in cell.problems)


@pytest.mark.slow
@pytest.mark.parametrize("learner", fixture.CROSSING_CLASS, ids=lambda learner: learner.student_id)
def test_each_mistake_scores_zero_on_its_own_cells_only_and_is_named(graded, learner):
    grades, points = graded
    grade = grades[learner.student_id]
    failed = {cell.grade_id for cell in grade.cells if cell.score == 0}
    assert failed == set(learner.fails), {c.grade_id: _problems(c) for c in grade.cells if c.problems}
    assert grade.score == sum(p for t, p in points.items() if t not in learner.fails)
    for cell in grade.cells:
        if cell.grade_id in learner.fails:
            assert fixture.EVIDENCE[learner.student_id] in _problems(cell), (cell.grade_id, _problems(cell))


@pytest.mark.slow
def test_the_reference_prints_every_success_line(graded):
    grades, _ = graded
    lines = [line for cell in grades["ref"].cells for line in cell.passed_lines]
    for expected in ("leaves its input exactly", "called f(x) = sum(sin(x)) 12 times", "draws from `rng`",
                     "deep chains", "diamonds", "reused nodes", "keeps to this exercise's rules",
                     "held-out accuracy"):
        assert any(expected in line for line in lines), expected


# --- the same declarations in a learner's kernel ------------------------------------------------------

def _kernel(answers: dict[str, str]) -> dict:
    """A namespace as a learner's kernel has it after running setup and answer cells (in-process)."""
    nb = fixture.notebook()
    scope: dict = {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in ("setup", "helpers"):
            exec(compile(cell.source, grade_id, "exec"), scope)
        elif grade_id in answers:  # registered with linecache, as IPython does, so inspect finds the source
            filename = f"<cell {grade_id}>"
            linecache.cache[filename] = (len(answers[grade_id]), None, answers[grade_id].splitlines(True), filename)
            exec(compile(answers[grade_id], filename, "exec"), scope)
    return scope


def _run_tests(scope: dict) -> dict[str, str]:
    """test cell id -> "" if it passed, else its failure message (hidden tests included)."""
    results = {}
    for cell in fixture.notebook().cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if not grade_id.startswith("test_"):
            continue
        code = "\n".join(line for line in cell.source.splitlines() if line.strip() not in (BEGIN_HIDDEN, END_HIDDEN))
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, grade_id, "exec"), dict(scope))
            results[grade_id] = ""
        except CheckFailure as failure:
            results[grade_id] = " | ".join(p.en for p in failure.problems)
    return results


KERNEL_CASES = [learner for learner in fixture.CROSSING_CLASS if learner.student_id not in ("torch", "slow", "patient")]


@pytest.mark.parametrize("learner", KERNEL_CASES, ids=lambda learner: learner.student_id)
def test_the_same_cells_in_a_learners_kernel_give_the_same_verdicts(learner):
    answers = {**reference_answers(fixture.notebook()), **learner.answers}
    results = _run_tests(_kernel(answers))
    assert {cell for cell, message in results.items() if message} == set(learner.fails), results
    for cell in learner.fails:
        assert fixture.EVIDENCE[learner.student_id] in results[cell], results[cell]


# --- deadlines: a call's own, never past the submission's budget ----------------------------------------

@pytest.mark.slow
def test_a_raised_deadline_never_outlasts_the_submissions_budget(tmp_path):
    from autograder.calls import LearnerFault
    from autograder.remote import RemoteFunction, SubmissionRunner
    from autograder.sandbox import ForkServer

    slow = "import time\n\ndef train(seconds):\n    time.sleep(seconds)\n    return seconds\n"
    with ForkServer(tmp_path, uid=61950, limits=Limits(cell_seconds=5, call_seconds=1)) as server:
        runner = SubmissionRunner(server, [("train", slow)], budget_seconds=4.0)
        runner.start()
        train = RemoteFunction("train", runner)
        with pytest.raises(LearnerFault, match="within 1 s"):
            train(1.5)  # the plain call's deadline
        assert runner.broken.pop("train") == "timed_out"
        assert train.with_deadline(30)(1.5) == 1.5  # a raised deadline lets it finish
        started = time.monotonic()
        with pytest.raises(LearnerFault, match="did not finish within"):
            train.with_deadline(30)(60)  # ... but only until the budget is spent
        assert time.monotonic() - started < 4.0
        runner.close()


def test_every_new_message_has_both_languages_with_the_same_fields():
    import string

    from autograder.messages import CATALOG

    text = (REPO / "autograder" / "messages.py").read_text()
    block = text[text.index("# --- issue 9:"):text.index("# --- end of issue 9's block")]
    keys = [key for key in CATALOG if f'"{key}": (' in block]
    assert len(keys) > 30
    for key in keys:
        en, zh = CATALOG[key]
        fields = [{name for _, name, _, _ in string.Formatter().parse(t) if name} for t in (en, zh)]
        assert fields[0] == fields[1], key
        assert zh != en and any("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in zh), key


# --- what the sandbox offers, and what every function-taking exercise needs ---------------------------

@pytest.mark.slow
def test_the_sandbox_offers_a_learners_install_and_reseeds_the_global_random_state(tmp_path):
    from autograder.remote import RemoteFunction, SubmissionRunner
    from autograder.sandbox import ForkServer

    with ForkServer(tmp_path, uid=61951, limits=Limits(cell_seconds=10, call_seconds=5)) as server:
        session = server.session()
        for module in ("numpy", "matplotlib.pyplot", "IPython", "autograder.checks", "math", "random"):
            assert session.run_cell(f"import {module}") == {"ok": True}, module
        for module in ("torch", "sklearn.datasets", "scipy.special", "nbgrader", "solutions"):
            result = session.run_cell(f"import {module}")
            assert result["error"]["type"] == "ModuleNotFoundError", module
            assert "is not part of the course's install" in result["error"]["message"], module
        session.end()
        program = "import random\n\ndef draw():\n    return float(np.random.random() + random.random())\n"
        runner = SubmissionRunner(server, [("setup", "import numpy as np"), ("draw", program)])
        runner.start()
        draws = {RemoteFunction("draw", runner)() for _ in range(3)}
        assert len(draws) == 3  # reseeded unpredictably before every call, in one and the same process
        runner.close()


def test_course_functions_serve_every_exercise_that_takes_a_function():
    import numpy as np
    import solutions
    from autograder import course_function, formula

    ref = solutions.REFERENCE
    assert abs(ref["difference_quotient"](formula("x**2"), 3.0, 1e-6) - 6.0) < 1e-4
    assert abs(ref["central_difference"](course_function("sin"), 0.0) - 1.0) < 1e-9
    x = np.array([1.0, 2.0])
    assert np.allclose(ref["numerical_gradient"](formula("x[0]**2 + 3*x[1] + 5"), x), [2.0, 3.0])
    quadratic = course_function("quadratic", A=np.array([[2.0, 0.0], [0.0, 4.0]]), b=np.array([1.0, -1.0]))
    assert ref["grad_check"](quadratic, x, np.array([3.0, 7.0])) < 1e-7
    xs = ref["gradient_descent_1d"](formula("2 * (x - 3)"), 0.0, 0.25, 20)
    assert abs(xs[-1] - 3.0) < 1e-4 and xs.dtype == np.float64
    assert ref["neuron"](x, np.array([0.5, -1.0]), 0.0, course_function("relu")) == 0.0
    assert quadratic.calls == 4 and len(quadratic.points) == 4


def test_failures_on_the_new_crossings_read_in_chinese_too():
    by_id = {learner.student_id: learner for learner in fixture.CROSSING_CLASS}
    wanted = {"rsub": ("test_Value_numbers", "__rsub__"), "at": ("test_matmul", "`@`"),
              "glob": ("test_init_params_rng", "np.random"), "act": ("test_neuron", "从未调用")}
    for student, (cell, words) in wanted.items():
        scope = _kernel({**reference_answers(fixture.notebook()), **by_id[student].answers})
        source = next(c.source for c in fixture.notebook().cells
                      if c.metadata.get("nbgrader", {}).get("grade_id") == cell)
        code = "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN_HIDDEN, END_HIDDEN))
        with pytest.raises(CheckFailure) as failure, contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, cell, "exec"), dict(scope))
        zh = failure.value.render("zh")
        assert words in zh and "的检查未通过" in zh, zh


@pytest.mark.slow
def test_the_cost_benchmark_prints_every_mechanism_beside_plain_data(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("crossing_cost", REPO / "benchmarks" / "crossing_cost.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    with pytest.MonkeyPatch.context() as patch:
        fixture.register(patch)
        assert bench.main(["--students", "1"]) == 0
    table = capsys.readouterr().out
    for mechanism in {*bench.MECHANISMS.values(), "plain data (03_activations"}:
        assert mechanism in table, mechanism
    assert "warning" not in table  # every reference cell scored full marks
