"""The ``nnmath`` command: release assignments and run the demonstration class.

Every failure the user can cause (no such assignment, a notebook breaking the contract, not a
course directory) is reported as plain lines and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .curriculum import ASSIGNMENTS, LANGUAGES


class UserError(Exception):
    """A problem the user can fix; its message is shown as is."""


def _course_dir(value: str) -> Path:
    path = Path(value).resolve()
    if not (path / "nbgrader_config.py").is_file():
        raise UserError(f"{path} is not a course directory (no nbgrader_config.py); use --course-dir")
    return path


def cmd_release(args) -> int:
    from .build_release import ReleaseError, build_release, released_assignments

    course_dir = _course_dir(args.course_dir)
    assignments = args.assignments or released_assignments(course_dir)
    try:
        written = build_release(course_dir, assignments, language=args.lang, release_dir=args.release_dir)
    except ReleaseError as error:
        raise UserError(str(error)) from None
    for folder in written:
        print(f"released {folder.name} -> {folder.relative_to(course_dir) if folder.is_relative_to(course_dir) else folder}")
    return 0


def cmd_check(args) -> int:
    from .build_release import released_assignments
    from .contract import check_assignment

    course_dir = _course_dir(args.course_dir)
    assignments = args.assignments or released_assignments(course_dir)
    problems = [p for a in assignments for p in check_assignment(course_dir, a)]
    if problems:
        raise UserError("\n".join(problems))
    print(f"{len(assignments)} source notebook(s) keep the contract: {', '.join(assignments)}")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(Path(args.course_dir).resolve(), workdir=Path(args.dir) if args.dir else None)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="nnmath", description="Release and grade the nnmath course.")
    sub = top.add_subparsers(dest="command", required=True)

    release = sub.add_parser("release", help="check source notebooks, then generate their learner release")
    release.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                         help=f"assignment folders (default: every one in source/); known: {', '.join(ASSIGNMENTS)}")
    release.add_argument("--lang", choices=LANGUAGES, help="release language (default: the course's)")
    release.add_argument("--release-dir", help="where to write (default: release/ for the course's language, "
                                               "release_<lang>/ for another)")
    release.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    release.set_defaults(run=cmd_release)

    check = sub.add_parser("check", help="check source notebooks against the exercise contract")
    check.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    check.add_argument("--course-dir", default=".")
    check.set_defaults(run=cmd_check)

    demo = sub.add_parser("demo", help="grade a simulated class in a throwaway course directory")
    demo.add_argument("--course-dir", default=".", help="the course whose source/ the demo uses (default: here)")
    demo.add_argument("--dir", help="build the demo course here instead of a new temporary folder")
    demo.set_defaults(run=cmd_demo)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UserError as error:
        for line in str(error).splitlines():
            print(f"nnmath {args.command}: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"nnmath {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
