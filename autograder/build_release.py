"""``nnmath release``: check source notebooks against the contract, then generate their release.

Generation is nbgrader's ``generate_assignment`` with the course's configuration, so the result
is what ``nbgrader generate_assignment`` gives when run by hand in the course directory.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from .contract import check_assignment
from .course import course_language, load_config, nbgrader_api
from .curriculum import ASSIGNMENTS, LANGUAGES


class ReleaseError(Exception):
    """A release could not be built; the message is one line per problem."""


def default_release_dir(course_dir: Path, language: str) -> str:
    """``release`` for the course's language, ``release_<lang>`` for another one."""
    return "release" if language == course_language(course_dir) else f"release_{language}"


def released_assignments(course_dir: Path) -> list[str]:
    """The assignments that have a source folder, in course order."""
    return [a for a in ASSIGNMENTS if (course_dir / "source" / a).is_dir()]


def build_release(course_dir: Path, assignments: list[str], language: str | None = None,
                  release_dir: str | Path | None = None, gradebook: bool = True) -> list[Path]:
    """Generate ``release_dir/<assignment>/`` for each assignment; return the folders written.

    language: the release's language (default: the course's). release_dir: relative to the
    course or absolute (default: :func:`default_release_dir`). gradebook: record the assignment in
    the course's ``gradebook.db`` (only for the course's own language; otherwise a throwaway one).
    Raises :class:`ReleaseError` with every problem found, before anything is written.
    """
    course_dir = Path(course_dir).resolve()
    unknown = [a for a in assignments if a not in ASSIGNMENTS]
    if unknown:
        raise ReleaseError(f"no such assignment: {', '.join(unknown)} (known: {', '.join(ASSIGNMENTS)})")
    config = load_config(course_dir, release_pipeline=True)
    language = language or course_language(course_dir)
    if language not in LANGUAGES:
        raise ReleaseError(f"unknown language {language!r} (choose one of {', '.join(LANGUAGES)})")
    problems = [p for a in assignments for p in check_assignment(course_dir, a)]
    if problems:
        raise ReleaseError("\n".join(problems))
    release_dir = Path(release_dir or default_release_dir(course_dir, language))
    release_dir = release_dir if release_dir.is_absolute() else course_dir / release_dir
    config.LanguagePreprocessor.language = language
    config.CourseDirectory.release_directory = str(release_dir)
    scratch = None
    if not gradebook or language != course_language(course_dir):
        scratch = tempfile.TemporaryDirectory(prefix="nnmath-gradebook-")
        config.CourseDirectory.db_url = f"sqlite:///{scratch.name}/gradebook.db"
    try:
        api = nbgrader_api(course_dir, config)
        written = []
        for assignment in assignments:
            result = api.generate_assignment(assignment, force=True)
            if not result["success"]:
                raise ReleaseError(f"{assignment}: nbgrader generate_assignment failed: "
                                   f"{_last_line(result.get('error') or result.get('log', ''))}")
            written.append(release_dir / assignment)
        return written
    finally:
        if scratch is not None:
            scratch.cleanup()


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no details"
