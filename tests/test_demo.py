"""`nnmath demo` grades its simulated class and every score matches what the learner did."""
from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.simulate import ACTIVATIONS_CLASS
from conftest import REPO

pytestmark = pytest.mark.slow


def test_demo_grades_the_class_as_deserved(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "demo", "--dir", str(tmp_path)], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Every score matches what the learner did." in out
    assert out.count("as deserved") == len(ACTIVATIONS_CLASS) and "MISMATCH" not in out
    assert "14 / 14" in out and "0 / 14" in out and "cheats" in out
    feedback = tmp_path / "course" / "feedback"
    for student in (learner.student_id for learner in ACTIVATIONS_CLASS):
        assert (feedback / student / "03_activations" / "activations.html").is_file()
    assert str(feedback) in out
    report = tmp_path / "course" / "reports" / "03_activations.html"
    assert report.read_text().count("<svg") == 2 and "Most common diagnosed mistakes" in report.read_text()
