"""What a learner installs and receives: enough to do the work, and nothing of the reference."""
from __future__ import annotations

import json
import os
import subprocess
import zipfile

import nbformat
import pytest

import solutions
from autograder.curriculum import ASSIGNMENTS as CURRICULUM
from autograder.earlier import bring_calls
from autograder.simulate import reference_answers
from conftest import ASSIGNMENTS, REPO
from notebook_tools import brings_earlier, missing_earlier, place_earlier, read, with_answers
from test_release import code_lines, reference_body_lines

pytestmark = pytest.mark.slow

RUN_NOTEBOOK = """
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": "."}}).execute()
report = []
for cell in nb.cells:
    if cell.cell_type == "code":
        errors = [o.ename + ": " + o.evalue for o in cell.outputs if o.output_type == "error"]
        stderr = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr")
        stdout = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
        report.append({"grade": cell.metadata.get("nbgrader", {}).get("grade", False), "errors": errors,
                       "stderr": stderr, "stdout": stdout})
print(json.dumps(report))
"""


def run_as_learner(python, folder, nb) -> list[dict]:
    nbformat.write(nb, str(folder / "attempt.ipynb"))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(python), "-c", RUN_NOTEBOOK, "attempt.ipynb"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=600, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_wheel_holds_the_grading_engine_and_no_reference(learner_env):
    _, _, wheel = learner_env
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert all(n.startswith(("autograder/", "nnmath-")) for n in names), names
        assert not any("solutions" in n for n in names)
        code = set()
        for name in names:
            if name.endswith(".py"):
                code |= code_lines(archive.read(name).decode())
    for name, obj in solutions.REFERENCE.items():
        assert not (reference_body_lines(obj) & code), f"reference code of {name} in the wheel"


def test_the_learner_cannot_reach_the_reference(learner_env):
    python, folder, _ = learner_env
    probe = ("import importlib.util, autograder.reference as r\n"
             "assert importlib.util.find_spec('solutions') is None\n"
             "try:\n    r.reference('relu')\nexcept r.ReferenceUnavailable:\n    print('unavailable')\n")
    result = subprocess.run([str(python), "-c", probe], cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "unavailable", result.stderr


def test_the_release_works_with_only_what_its_instructions_install(learner_env):
    python, folder, _ = learner_env
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb") == ["activations.ipynb"]
    release = read(folder / "activations.ipynb")

    stub_report = run_as_learner(python, folder, release)
    assert all(not cell["stderr"] for cell in stub_report)
    assert all(cell["errors"] and "not implemented yet" in cell["errors"][0] for cell in stub_report if cell["grade"])
    assert all(not cell["errors"] for cell in stub_report if not cell["grade"])

    answers = reference_answers(read(REPO / "source" / "03_activations" / "activations.ipynb"))
    done_report = run_as_learner(python, folder, with_answers(release, answers))
    assert all(not cell["errors"] and not cell["stderr"] for cell in done_report), done_report
    assert all(cell["stdout"].startswith("✓") for cell in done_report if cell["grade"])


def lessons_that_bring() -> list[str]:
    """The released lessons whose setup brings earlier functions (05_forward, 07_training, ...)."""
    return [a for a in ASSIGNMENTS if brings_earlier(read(REPO / "release" / a / CURRICULUM[a].notebook_file))]


def lessons_beside_earlier() -> list[str]:
    """Those whose earlier releases all exist (a lesson written before an earlier one it brings from,
    such as 07 on a branch without 06, joins when that one is merged; see the next test)."""
    return [a for a in lessons_that_bring()
            if not missing_earlier(read(REPO / "release" / a / CURRICULUM[a].notebook_file))]


def test_a_lesson_waits_only_for_earlier_lessons_not_written_yet():
    for assignment in set(lessons_that_bring()) - set(lessons_beside_earlier()):
        nb = read(REPO / "release" / assignment / CURRICULUM[assignment].notebook_file)
        missing = missing_earlier(nb)
        assert missing and not any((REPO / "source" / a).exists() for a in missing), (assignment, missing)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("assignment", lessons_beside_earlier())
def test_a_lesson_that_brings_earlier_functions_runs_beside_them(learner_env, fresh_release, assignment, language,
                                                                 tmp_path):
    """A lesson's setup brings functions from the learner's own notebooks beside it (05_forward: relu,
    sigmoid, tanh from 03 and linear_forward from 02; 07_training: init_params, mlp_forward from 05,
    softmax_cross_entropy from 04, mlp_backward from 06, whose own setup brings from 01-05): with
    those finished, the release fails only in its stubs, then passes."""
    python, _, _ = learner_env
    notebook = CURRICULUM[assignment].notebook_file
    released = (REPO / "release" if language == "en" else fresh_release[language]) / assignment
    folder = tmp_path / assignment
    folder.mkdir()
    release = read(released / notebook)
    place_earlier(release, folder, released.parent)
    brought = sum(len(names) for _, names in bring_calls([c.source for c in release.cells if c.cell_type == "code"][:1]))

    stub_report = run_as_learner(python, folder, release)
    assert all(not cell["stderr"] for cell in stub_report), stub_report
    setup = next(cell for cell in stub_report if cell["stdout"].startswith("✓"))
    assert setup["stdout"].count("✓") == brought, setup  # every brought function passes its own tests there
    not_implemented = "not implemented yet" if language == "en" else "还没有实现"
    assert all(cell["errors"] and not_implemented in cell["errors"][0] for cell in stub_report if cell["grade"])
    assert all(not cell["errors"] for cell in stub_report if not cell["grade"])

    answers = reference_answers(read(REPO / "source" / assignment / notebook))
    done_report = run_as_learner(python, folder, with_answers(release, answers))
    assert all(not cell["errors"] and not cell["stderr"] for cell in done_report), done_report
    assert all(cell["stdout"].startswith("✓") for cell in done_report if cell["grade"])
