"""nbgrader's own commands, run by hand in a copy of the course, work with 03_activations."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.simulate import SimulatedLearner, make_submission, write_submission
from conftest import REPO
from notebook_tools import read

pytestmark = pytest.mark.slow
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def nbgrader(*args, cwd):
    result = subprocess.run([NBGRADER, *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_generate_autograde_feedback_export(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "source" / "03_activations", tmp_path / "source" / "03_activations")
    nbgrader("generate_assignment", "03_activations", cwd=tmp_path)
    released = tmp_path / "release" / "03_activations" / "activations.ipynb"
    assert released.read_bytes() == (REPO / "release" / "03_activations" / "activations.ipynb").read_bytes()

    source, release = read(tmp_path / "source" / "03_activations" / "activations.ipynb"), read(released)
    for learner in (SimulatedLearner("ada", "reference"), SimulatedLearner("eve", "stubs", stub_only=True)):
        write_submission(tmp_path, "03_activations", "activations.ipynb", make_submission(release, source, learner),
                         learner.student_id)
    nbgrader("autograde", "03_activations", cwd=tmp_path)
    nbgrader("generate_feedback", "03_activations", cwd=tmp_path)
    assert (tmp_path / "feedback" / "ada" / "03_activations" / "activations.html").is_file()
    nbgrader("export", cwd=tmp_path)
    with open(tmp_path / "grades.csv") as f:
        scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(f)}
    assert scores == {"ada": 14.0, "eve": 0.0}
