"""Shared fixtures: the course's assignments and their releases built afresh, in both languages."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from autograder.build_release import build_release, released_assignments

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = released_assignments(REPO)
LANGUAGES = ("en", "zh")

# nbgrader shells out to `alembic`: the test interpreter's bin/ must be on PATH.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture(scope="session")
def fresh_release(tmp_path_factory):
    """language -> a folder holding a release of every assignment built now from source/."""
    built = {}
    for language in LANGUAGES:
        folder = tmp_path_factory.mktemp(f"release-{language}")
        build_release(REPO, ASSIGNMENTS, language=language, release_dir=folder, gradebook=False)
        built[language] = folder
    return built


@pytest.fixture(scope="session")
def learner_env(tmp_path_factory):
    """A learner's machine: a fresh virtualenv holding only what the release says to install.

    Returns (python, folder, wheel): the learner's interpreter, a folder holding the release of
    03_activations and the course package, and that package's wheel.
    """
    import re
    import shutil
    import subprocess

    from notebook_tools import read

    root = tmp_path_factory.mktemp("learner")
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(REPO)],
                   check=True, capture_output=True)
    [wheel] = dist.glob("nnmath-*.whl")
    folder = root / "home"
    shutil.copytree(REPO / "release" / "03_activations", folder)
    shutil.copy(wheel, folder)
    prose = "\n".join(c.source for c in read(folder / "activations.ipynb").cells if c.cell_type == "markdown")
    [instruction] = re.findall(r"^pip install .*$", prose, re.MULTILINE)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # Run the instruction as written, in the learner's folder, with the shell expanding nnmath-*.whl.
    subprocess.run(f"{python} -m {instruction} --quiet --disable-pip-version-check", shell=True, cwd=folder,
                   check=True, env=env, capture_output=True)
    return python, folder, wheel
