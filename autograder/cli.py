"""The ``nnmath`` command: release, check, grade (here or through ``nnmath serve``), feedback, audit, report, demo.

Every failure the user can cause (no such assignment, a notebook breaking the contract, not a
course directory) is reported as plain lines and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
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


def _require_source(course_dir: Path, assignment: str) -> None:
    """``assignment`` is one of the course's and has its folder in ``source/``, or a UserError says which not."""
    if assignment not in ASSIGNMENTS:
        raise UserError(f"no such assignment: {assignment} (known: {', '.join(ASSIGNMENTS)})")
    if not (course_dir / "source" / assignment).is_dir():
        raise UserError(f"source/{assignment} does not exist in {course_dir}")


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
    problems = [p for a in assignments for p in _audit_problems(course_dir, a)]
    if problems:
        raise UserError("\n".join(problems))
    print(f"{len(assignments)} source notebook(s) keep the contract: {', '.join(assignments)}")
    print("their committed audits (audit/) leave no unexplained surviving mutant")
    return 0


def cmd_grade(args) -> int:
    course_dir = _course_dir(args.course_dir)
    _require_source(course_dir, args.assignment)
    if not (args.no_service or args.jobs):
        served = _grade_by_service(course_dir, args)
        if served is not None:
            sys.stdout.write(served)
            sys.stdout.flush()
            return 0

    from rich.console import Console

    from .report import isolation_warnings, print_summary

    console = Console()
    if not console.is_terminal:  # a log file: no need to wrap sentences at 80 columns
        console = Console(width=160)
    for warning in isolation_warnings():
        console.print(warning)
    with _progress_bar(console, args.assignment) as advance:
        summary = _grade_here(course_dir, args, advance)
    print_summary(console, summary)
    return 0


@contextlib.contextmanager
def _progress_bar(console, assignment: str):
    """A progress bar on ``console``; yields ``advance(done, total, student)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, \
        TimeRemainingColumn

    columns = (TextColumn("grading {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(assignment, total=None)
        yield lambda done, total, student: bar.update(task, completed=done, total=total)


def _grade_by_service(course_dir: Path, args) -> str | None:
    """What the course's grading service printed for this request, or None if no service answers (grade here).

    Nothing heavier than the socket is loaded unless the service reports more than one learner to a
    terminal (a progress bar then): for one learner this command's own start-up is most of its time.
    """
    from .service import Refused, ServiceError, ask

    terminal = sys.stdout.isatty()
    request = {"grade": args.assignment, "students": args.student, "cells": args.cell, "changed": args.changed,
               "width": shutil.get_terminal_size().columns if terminal else 160, "terminal": terminal}
    with contextlib.ExitStack() as stack:
        bar = []

        def advance(done, total, student):
            if not bar and terminal and total > 1:
                from rich.console import Console

                bar.append(stack.enter_context(_progress_bar(Console(), args.assignment)))
            if bar:
                bar[0](done, total, student)

        try:
            answer = ask(course_dir, request, progress=advance)
        except Refused as error:
            raise UserError(str(error)) from None
        except ServiceError as error:  # what it recorded stays; grading here finishes the job without duplicates
            print(f"warning: {error}; grading here instead", flush=True)
            return None
    return None if answer is None else answer["done"]


def _grade_here(course_dir: Path, args, progress):
    """Grade in this process (forking its own workers)."""
    from .grade_run import NothingToGrade, grade_class
    from .gradebook import NotInGradebook

    try:
        return grade_class(course_dir, args.assignment, students=args.student or None, jobs=args.jobs,
                           progress=progress, changed_only=args.changed, cells=args.cell)
    except (NotInGradebook, NothingToGrade) as error:
        raise UserError(str(error)) from None


def cmd_serve(args) -> int:
    from .service import Service, ServiceError

    course_dir = _course_dir(args.course_dir)
    unknown = [a for a in args.assignment or () if a not in ASSIGNMENTS or not (course_dir / "source" / a).is_dir()]
    if unknown:
        raise UserError(f"no such assignment in {course_dir}: {', '.join(unknown)}")

    def restart():
        os.execv(sys.executable, [sys.executable, "-m", "autograder.cli", *args.argv])

    service = Service(course_dir, jobs=args.jobs, max_warm=max(args.max_warm, len(args.assignment or ())),
                      log=lambda line: print(f"nnmath serve: {line}", flush=True), restart=restart)
    try:
        path = service.listen()
    except ServiceError as error:
        raise UserError(str(error)) from None
    try:
        for assignment in args.assignment or ():
            service.warm.get(assignment)
        service.log(f"ready: `nnmath grade` in {course_dir} is graded here, on {path} (stop with Ctrl-C or SIGTERM)")
    except BaseException:
        service.close()
        raise
    service.serve_forever()
    return 0


def cmd_feedback(args) -> int:
    from .feedback import write_feedback
    from .untrusted import learner_text

    course_dir = _course_dir(args.course_dir)
    if args.assignment not in ASSIGNMENTS:
        raise UserError(f"no such assignment: {args.assignment} (known: {', '.join(ASSIGNMENTS)})")
    failures: list[tuple[str, str]] = []
    written = write_feedback(course_dir, args.assignment, args.student or None, failures=failures)
    if not written and not failures:
        raise UserError(f"no graded submissions of {args.assignment}: run `nnmath grade {args.assignment}` first")
    print(f"wrote {len(written)} feedback file(s) under {course_dir / 'feedback'}/<student>/{args.assignment}/")
    for student, why in failures:  # already safe text (learner_text)
        print(f"nnmath feedback: no page for {learner_text(student, 80)}: {why}", file=sys.stderr)
    return 1 if failures else 0


# --- nnmath audit (issue 14) ---------------------------------------------------------------------

def _audit_problems(course_dir: Path, assignment: str) -> list[str]:
    from .audit import audit_problems

    return audit_problems(course_dir, assignment)


def cmd_audit(args) -> int:
    from .audit import DEFAULT_CASES, acceptances, _source_notebook, run_audit, write_record
    from .audit_report import report_lines

    course_dir = _course_dir(args.course_dir)
    _require_source(course_dir, args.assignment)
    if args.cases is not None and args.cases < 1:
        raise UserError("--cases must be at least 1")
    jobs = max(1, args.jobs or os.cpu_count() or 1)
    try:
        audit = run_audit(course_dir, args.assignment, args.functions or None, jobs=jobs,
                          cases=args.cases or DEFAULT_CASES)
    except KeyError as error:
        raise UserError(error.args[0]) from None
    print("\n".join(report_lines(audit, acceptances(_source_notebook(course_dir, args.assignment)), jobs)))
    if args.functions:
        print("partial audit (named functions only): the record was not written")
    else:
        print(f"record written to {write_record(course_dir, audit).relative_to(course_dir)} (commit it)")
    return 0


def cmd_seeds(args) -> int:
    from .seed_survey import default_jobs, report_lines, survey

    course_dir = _course_dir(args.course_dir)
    _require_source(course_dir, args.assignment)
    if args.learners < 1:
        raise UserError("--learners must be at least 1")
    result = survey(course_dir, args.assignment, args.learners, jobs=args.jobs or default_jobs())
    print("\n".join(report_lines(result)))
    return 1 if result.failing else 0


# --- nnmath report (issue 15) --------------------------------------------------------------------

def cmd_report(args) -> int:
    from .class_report import write_report
    from .gradebook import NotInGradebook

    course_dir = _course_dir(args.course_dir)
    if args.assignment not in ASSIGNMENTS:
        raise UserError(f"no such assignment: {args.assignment} (known: {', '.join(ASSIGNMENTS)})")
    try:
        target = write_report(course_dir, args.assignment, Path(args.output) if args.output else None)
    except NotInGradebook as error:
        raise UserError(str(error)) from None
    print(f"wrote the class report of {args.assignment} to {target}")
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(Path(args.course_dir).resolve(), workdir=Path(args.dir) if args.dir else None,
                    real_users=False if args.one_user else None)


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

    grade = sub.add_parser("grade", help="grade submissions in a sandbox and record the scores in the gradebook")
    grade.add_argument("assignment", metavar="ASSIGNMENT")
    grade.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    grade.add_argument("--student", action="append", metavar="ID", help="grade only this learner (repeatable)")
    grade.add_argument("--jobs", type=int, help="parallel workers (default: all cores); grades in this process")
    grade.add_argument("--changed", action="store_true",
                       help="grade only new or updated submissions (by their timestamp.txt); say which were skipped")
    grade.add_argument("--cell", action="append", metavar="GRADE_ID",
                       help="grade only this test cell (repeatable); the others keep their recorded scores")
    grade.add_argument("--no-service", action="store_true",
                       help="grade in this process even when the course's grading service (nnmath serve) runs")
    grade.set_defaults(run=cmd_grade)

    serve = sub.add_parser("serve", help="keep workers and sandboxes running, so that nnmath grade starts at once")
    serve.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    serve.add_argument("--assignment", action="append", metavar="ASSIGNMENT",
                       help="start this assignment's workers now (repeatable; the others start at their first request)")
    serve.add_argument("--jobs", type=int, help="workers per assignment (default: all cores)")
    serve.add_argument("--max-warm", type=int, default=2,
                       help="assignments kept running at once; the one used least recently stops first (default 2)")
    serve.set_defaults(run=cmd_serve)

    feedback = sub.add_parser("feedback", help="write each graded learner's feedback page")
    feedback.add_argument("assignment", metavar="ASSIGNMENT")
    feedback.add_argument("--course-dir", default=".")
    feedback.add_argument("--student", action="append", metavar="ID")
    feedback.set_defaults(run=cmd_feedback)

    audit = sub.add_parser("audit", help="grade wrong versions of the reference: which would the tests pass?")
    audit.add_argument("assignment", metavar="ASSIGNMENT")
    audit.add_argument("functions", nargs="*", metavar="FUNCTION", help="audit only these (default: all)")
    audit.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    audit.add_argument("--jobs", type=int, help="parallel workers (default: all cores)")
    audit.add_argument("--cases", type=int, help="random inputs per mutant for the equivalence test (default 60)")
    audit.set_defaults(run=cmd_audit)

    seeds = sub.add_parser("seeds", help="grade the reference as many learners: does it earn every point on "
                                         "whatever inputs a learner is given?")
    seeds.add_argument("assignment", metavar="ASSIGNMENT")
    seeds.add_argument("--learners", type=int, default=1000, help="learners' seeds to try (default 1000)")
    seeds.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    seeds.add_argument("--jobs", type=int, help="parallel workers (default: all cores)")
    seeds.set_defaults(run=cmd_seeds)

    report = sub.add_parser("report", help="write an HTML page about a graded class (plots, mistakes, late, missing)")
    report.add_argument("assignment", metavar="ASSIGNMENT")
    report.add_argument("--course-dir", default=".", help="the course directory (default: here)")
    report.add_argument("--output", "-o", help="where to write (default: reports/ASSIGNMENT.html in the course)")
    report.set_defaults(run=cmd_report)

    demo = sub.add_parser("demo", help="grade a simulated class in a throwaway course directory")
    demo.add_argument("--course-dir", default=".", help="the course whose source/ the demo uses (default: here)")
    demo.add_argument("--dir", help="build the demo course here instead of a new temporary folder")
    demo.add_argument("--one-user", action="store_true",
                      help="learners are this user with a home each, even as root (default as root: real local users)")
    demo.set_defaults(run=cmd_demo)
    return top


def main(argv: list[str] | None = None) -> int:
    from .lean_imports import prepare

    prepare()  # before anything imports nbformat or nbgrader: seconds of start-up no command needs
    args = parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for `nnmath serve`, which may exec itself anew
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
