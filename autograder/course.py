"""The course directory as nbgrader sees it: configuration and an API handle.

nbgrader shells out to ``alembic`` when it creates ``gradebook.db``, so the interpreter's own
``bin/`` must be on ``PATH``; :func:`nbgrader_api` takes care of that.
"""
from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

from traitlets.config import Config

CONFIG_FILE = "nbgrader_config.py"

# Set while :func:`load_config` reads the configuration for a command that builds no release
# (grading, feedback): the release pipeline's classes import nbconvert and all of nbgrader's
# preprocessors, about a second of a one-learner grading run.
_without_release_pipeline = False


def configure(c: Config) -> None:
    """Apply the course's nbgrader settings to ``c`` (called from ``nbgrader_config.py``)."""
    if not _without_release_pipeline:
        from nbgrader.converters import GenerateAssignment

        from .release import DropAuthorNotes, KeepCommentLanguage, KeepLanguage, LetRunAllContinue, SetMessageLanguage

        default = list(GenerateAssignment.class_traits()["preprocessors"].default())
        ours = [KeepLanguage, KeepCommentLanguage, SetMessageLanguage, LetRunAllContinue, DropAuthorNotes]
        c.GenerateAssignment.preprocessors = ours + default
    # Hidden tests can take a moment (numerical Jacobians); a runaway cell must still end.
    c.Execute.timeout = 60
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}


def load_config(course_dir: Path, release_pipeline: bool = False) -> Config:
    """The course's nbgrader configuration, read from its ``nbgrader_config.py``; with
    ``release_pipeline``, also the preprocessors ``nbgrader generate_assignment`` runs."""
    global _without_release_pipeline
    from traitlets.config.loader import PyFileConfigLoader

    if not (course_dir / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"{course_dir} is not a course directory: it has no {CONFIG_FILE}")
    _without_release_pipeline = not release_pipeline
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(course_dir)).load_config()
    finally:
        _without_release_pipeline = False
    config.CourseDirectory.root = str(course_dir)
    return config


def course_language(course_dir: Path) -> str:
    """The release language the course is configured with."""
    config = load_config(course_dir)
    return config.LanguagePreprocessor.get("language", "en")


def course_directory(course_dir: Path, config: Config | None = None):
    """nbgrader's ``CourseDirectory`` for the course at ``course_dir`` (where its gradebook, its
    folders and its course id are), without the weight of ``nbgrader.apps`` (nbconvert and every
    preprocessor, most of a second). Puts this interpreter's ``bin/`` on ``PATH`` for ``alembic``."""
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    # nbgrader 0.9.6 trips this SQLAlchemy warning on every submission; the scores are right.
    warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session")
    from nbgrader.coursedir import CourseDirectory

    config = config if config is not None else load_config(course_dir)
    return CourseDirectory(config=config, root=str(course_dir))


def nbgrader_api(course_dir: Path, config: Config | None = None):
    """An ``NbGraderAPI`` for the course at ``course_dir`` (quietly logging to our own handler)."""
    from nbgrader.apps import NbGraderAPI

    config = config if config is not None else load_config(course_dir)
    return NbGraderAPI(coursedir=course_directory(course_dir, config), config=config)
