"""The grading benchmark's class gets the same scores from nnmath grade and stock nbgrader autograde.

The class the benchmark builds is deterministic and mixed (fast); the slow test runs
``benchmarks/grade_speed.py`` on a small class (no learner whose function hangs: that one costs
stock nbgrader a 60 s timeout) and checks its gradebooks again here. Only correctness: the times
it prints are never asserted.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from conftest import REPO

SCRIPT = REPO / "benchmarks" / "grade_speed.py"
CLASS = dict(students=10, wrong=2, broken=6, hang=False)  # broken: the first six non-hanging kinds


def load_benchmark():
    """benchmarks/grade_speed.py as a module (benchmarks/ is not a package)."""
    if "grade_speed" not in sys.modules:
        spec = importlib.util.spec_from_file_location("grade_speed", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules["grade_speed"] = module  # its dataclasses look their module up while being defined
        spec.loader.exec_module(module)
    return sys.modules["grade_speed"]


def test_class_is_deterministic_and_mixed():
    bench = load_benchmark()
    members = bench.make_class(100)
    assert members == bench.make_class(100)
    assert [m.kind for m in members].count("correct") == 70
    assert [m.kind for m in members].count("wrong") == 20 and [m.kind for m in members].count("broken") == 10
    assert sum(m.hangs for m in members) == 1
    assert len({m.learner.description for m in members if m.kind == "wrong"}) >= 14
    assert {m.file_fault for m in members} == {None, "missing", "malformed"}
    assert not any(m.hangs for m in bench.make_class(100, hang=False))


@pytest.mark.slow
def test_both_graders_agree_on_the_benchmark_class(tmp_path):
    bench = load_benchmark()
    keep = tmp_path / "bench"
    result = subprocess.run([sys.executable, str(SCRIPT), "--students", str(CLASS["students"]),
                             "--wrong", str(CLASS["wrong"]), "--broken", str(CLASS["broken"]), "--no-hang",
                             "--keep", str(keep)], cwd=REPO, capture_output=True, text=True, timeout=900)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "correctness problem" not in out and "stock / nnmath" in out

    # Check the gradebooks again here, so a vacuous comparison in the script cannot pass.
    members = bench.make_class(CLASS["students"], wrong=CLASS["wrong"], broken=CLASS["broken"], hang=False)
    source_nb = bench.read_source(keep / "build" / "course")
    students = [m.student for m in members]
    ours = bench.gradebook_scores(keep / "nnmath-full-class", students)
    stock = bench.gradebook_scores(keep / "stock-full-class", students)
    ungraded = bench.stock_failures(keep / "stock-full-class", members, stock)
    for member in members:
        assert ours[member.student]["total"] == pytest.approx(bench.expected_score(member.learner, source_nb)), member
        if member.student not in ungraded:  # stock also fails a right derivative of a wrong forward
            expected_by_stock = bench.expected_score(bench.stock_view(member.learner), source_nb)
            assert stock[member.student]["total"] == pytest.approx(expected_by_stock), member
    by_description = {m.learner.description: m.student for m in members}
    # Stock nbgrader grades every clean notebook, and cannot grade the one that kills its kernel,
    # which the script reports.
    assert all(m.student not in ungraded for m in members if m.kind != "broken")
    killer = by_description["a cell that kills its process (os._exit)"]
    assert killer in ungraded and f"{killer} (a cell that kills its process" in out
    compared = [m for m in members if m.student not in ungraded]
    assert len(compared) >= 7
    assert {ours[m.student]["total"] for m in compared} >= {0.0, 14.0}  # full marks and nothing both occur


def load_scaling():
    """benchmarks/grade_scaling.py as a module (it imports grade_speed from benchmarks/)."""
    load_benchmark()
    if "grade_scaling" not in sys.modules:
        spec = importlib.util.spec_from_file_location("grade_scaling", REPO / "benchmarks" / "grade_scaling.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["grade_scaling"] = module
        spec.loader.exec_module(module)
    return sys.modules["grade_scaling"]


def test_scaling_counts_the_cpu_of_the_whole_process_tree(tmp_path):
    """The benchmark's CPU per learner includes workers and sandboxes: a grandchild's CPU is counted."""
    scaling = load_scaling()
    busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    child = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {busy!r}], check=True)\n"
    run = scaling.measured([sys.executable, "-c", child], tmp_path, tmp_path / "log")
    assert run.returncode == 0
    assert run.cpu >= 0.28 and run.wall >= 0.28 and run.max_rss_mb > 1


@pytest.mark.slow
def test_the_parts_of_a_learners_grading_are_each_measured(tmp_path):
    """grading_parts.py measures every part on a real sandbox: none is missing or zero, and its
    call count is the calls that crossed (a 03 learner's checks make well over a hundred)."""
    bench = load_benchmark()
    load_scaling()
    import grading_parts

    members = bench.make_class(4, hang=False, wrong=0, broken=0)
    course = bench.build_course(tmp_path, members)
    parts = grading_parts.measure(course, members, 4)
    assert set(parts) == {"floor", "child", "call_us", "calls", "trusted", "sandbox", "record", "notebook"}
    assert all(value > 0 for value in parts.values()), parts
    assert 100 < parts["calls"] < 400, parts
    assert "1.5x the floor leaves" in grading_parts.report(parts)
