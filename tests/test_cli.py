"""The nnmath command line: errors are plain lines, never tracebacks; releases land where it says."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def nnmath(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture
def course(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "source" / "03_activations", tmp_path / "source" / "03_activations")
    return tmp_path


def test_unknown_assignment_is_one_line():
    result = nnmath("release", "09_transformers")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        result.stderr.strip()] and "no such assignment: 09_transformers" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_not_a_course_directory(tmp_path):
    result = nnmath("release", "--course-dir", str(tmp_path))
    assert result.returncode == 1 and "not a course directory" in result.stderr and "Traceback" not in result.stderr


def test_a_notebook_breaking_the_contract_is_refused_before_anything_is_written(course):
    path = course / "source" / "03_activations" / "activations.ipynb"
    path.write_text(path.read_text().replace('"grade_id": "test_relu"', '"grade_id": "check_relu"'))
    result = nnmath("release", "--course-dir", str(course))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "nnmath release: source/03_activations/activations.ipynb: cell" in result.stderr
    assert not (course / "release").exists()


def test_check_reports_a_clean_course():
    result = nnmath("check")
    assert result.returncode == 0 and "keep the contract" in result.stdout


def test_release_in_the_course_language_and_in_another(course):
    assert nnmath("release", "--course-dir", str(course)).returncode == 0
    assert (course / "release" / "03_activations" / "activations.ipynb").is_file()
    result = nnmath("release", "--lang", "zh", "--course-dir", str(course))
    assert result.returncode == 0 and "release_zh/03_activations" in result.stdout
    assert 'set_language(\\"zh\\")' in (course / "release_zh" / "03_activations" / "activations.ipynb").read_text()
    assert 'set_language(\\"en\\")' in (course / "release" / "03_activations" / "activations.ipynb").read_text()


def test_course_language_is_configurable(course):
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace('c.LanguagePreprocessor.language = "en"',
                                                 'c.LanguagePreprocessor.language = "zh"'))
    assert nnmath("release", "--course-dir", str(course)).returncode == 0
    assert 'set_language(\\"zh\\")' in (course / "release" / "03_activations" / "activations.ipynb").read_text()
