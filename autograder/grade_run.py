"""``nnmath grade``: grade a class in parallel, record it in nbgrader's gradebook, summarise.

Each worker process owns a sandbox :class:`~autograder.sandbox.ForkServer` (its children run as
uids of that worker's own block, a new one per submission) and grades one submission at a time;
the main process writes each result to the gradebook as it arrives, one transaction per learner,
so a killed run loses at most the submissions in flight and a rerun completes it without
duplicating anything.

Faults stay with their learner. A sandbox server found down before, during or after a
submission is replaced before the next one; a submission whose grading the grading machinery
itself broke (the server, the worker process) gets status ``"error"`` and a note, and *no*
score is recorded for it (what the gradebook held stays), so a rerun grades it. Recording and
writing the autograded notebook are guarded per learner: one learner's failure there is that
learner's note and the run goes on.
"""
from __future__ import annotations

import atexit
import ctypes
import multiprocessing
import os
import signal
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .course import course_language
from .curriculum import ASSIGNMENTS
from .grading import AssignmentSpec, CellGrade, SubmissionGrade, grade_submission, trusted_namespace
from .messages import say, set_language
from .sandbox import ForkServer, Limits, SandboxDown
from .untrusted import learner_text, open_plain

UID_BASE = 61000  # sandbox children run as uids from here on (no such users need to exist)
UIDS_PER_WORKER = 64  # a worker's children take these in turn: one uid per submission
WORKER_ATTEMPTS = 2  # a submission whose worker process died is tried this often, then reported

_worker: dict = {}


def _init_worker(course_dir: str, assignment: str, language: str, counter, limits: Limits) -> None:
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the grading run
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what an interrupt means
    with counter.get_lock():
        counter.value += 1
        number = counter.value
    set_language(language)
    spec = AssignmentSpec.from_source(Path(course_dir), assignment)
    # Each worker of each run its own block of uids, and each submission one of them, so no two
    # sandboxes, nor two submissions, share a process limit or can signal each other.
    uid = UID_BASE + ((os.getppid() % 4096) * 16 + number % 16) * UIDS_PER_WORKER
    _worker.update(spec=spec, namespace=trusted_namespace(spec), course_dir=Path(course_dir), uid=uid, limits=limits)
    _start_server()
    atexit.register(lambda: _worker["server"].close())


def _start_server() -> None:
    spec = _worker["spec"]
    _worker["server"] = ForkServer(_worker["course_dir"], uid=_worker["uid"], limits=_worker["limits"],
                                   prelude=spec.prelude, uid_span=UIDS_PER_WORKER)


def _replace_server() -> None:
    try:
        _worker["server"].close()
    except Exception:
        pass
    _start_server()


def grader_fault(spec: AssignmentSpec, student: str, error: BaseException) -> SubmissionGrade:
    """The result of a submission the grading system failed to grade: a note, status "error", no score."""
    note = say("grader_fault", error=learner_text(f"{type(error).__name__}: {error}", 300))
    return SubmissionGrade(student, [CellGrade(g, p, 0.0, problems=[note]) for g, p, _ in spec.tests],
                           notes=[note], status="error")


def _grade_in_worker(student: str) -> SubmissionGrade:
    spec, course_dir = _worker["spec"], _worker["course_dir"]
    path = course_dir / "submitted" / student / spec.name / spec.notebook_file
    try:
        if not _worker["server"].alive():  # e.g. it died after the previous submission's last call
            _replace_server()
        grade = grade_submission(_worker["server"], spec, student, path, _worker["namespace"])
    except (Exception, SandboxDown) as error:  # the grader's own fault: reported, never scored
        grade = grader_fault(spec, student, error)
    if not _worker["server"].alive():
        try:
            _replace_server()  # the next learner gets a sandbox in a known state
        except Exception as error:
            grade = grader_fault(spec, student, error)
    return grade


@dataclass
class RunSummary:
    assignment: str
    grades: list[SubmissionGrade] = field(default_factory=list)
    seconds: float = 0.0
    isolated: bool = True


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    submitted = course_dir / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def grade_class(course_dir: Path, assignment: str, students: list[str] | None = None, jobs: int | None = None,
                limits: Limits = Limits(), progress=None) -> RunSummary:
    """Grade every (or the named) learner's submission of ``assignment`` and record the scores.

    progress: an optional callable ``progress(done, total, student)`` called as results arrive.
    """
    from .gradebook import open_gradebook

    course_dir = Path(course_dir).resolve()
    notebook_file = ASSIGNMENTS[assignment].notebook_file
    language = course_language(course_dir)
    students = students or submitted_students(course_dir, assignment)
    release_nb = nbformat.read(str(course_dir / "release" / assignment / notebook_file), as_version=4)
    gradebook = open_gradebook(course_dir, assignment)
    summary = RunSummary(assignment)
    started = time.monotonic()
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(students) or 1))
    counter = multiprocessing.get_context("fork").Value("i", 0)
    spec = AssignmentSpec.from_source(course_dir, assignment)
    attempts: Counter = Counter()
    waiting, done = list(students), 0
    try:
        while waiting:
            pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker,
                                       initargs=(str(course_dir), assignment, language, counter, limits))
            try:
                futures = {pool.submit(_grade_in_worker, student): student for student in waiting}
                waiting = []
                for future in as_completed(futures):
                    student = futures[future]
                    try:
                        grade = future.result()
                    except BrokenProcessPool as error:  # a worker died: its pool is gone, try again
                        attempts[student] += 1
                        if attempts[student] < WORKER_ATTEMPTS:
                            waiting.append(student)
                            continue
                        grade = grader_fault(spec, student, error)
                    _keep(gradebook, course_dir, assignment, notebook_file, release_nb, language, grade)
                    summary.grades.append(grade)
                    done += 1
                    if progress:
                        progress(done, len(students), grade.student)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
    finally:
        gradebook.close()
    summary.seconds = time.monotonic() - started
    return summary


def _keep(gradebook, course_dir: Path, assignment: str, notebook_file: str, release_nb, language: str,
          grade: SubmissionGrade) -> None:
    """Record one learner's grade and write their autograded notebook; a failure is their note.

    A submission the grading system failed on (status "error") is not recorded: a score of 0
    would stand for a fault that was not the learner's, and the rerun that grades it replaces nothing.
    """
    from .gradebook import autograded_notebook, record, write_autograded

    if grade.status == "error":
        return
    try:
        record(gradebook, assignment, Path(notebook_file).stem, grade, language,
               timestamp=_timestamp(course_dir, grade.student, assignment))
        write_autograded(course_dir, assignment, notebook_file,
                         autograded_notebook(release_nb, grade.answers, grade, language), grade.student)
    except Exception as error:  # e.g. a student id the database cannot store
        grade.status = "error"
        grade.notes.append(say("not_recorded", error=learner_text(f"{type(error).__name__}: {error}", 300)))


def _timestamp(course_dir: Path, student: str, assignment: str):
    """When the learner submitted, from ``timestamp.txt`` beside the notebook, if it is a plain small file."""
    from nbgrader.utils import parse_utc

    path = course_dir / "submitted" / student / assignment / "timestamp.txt"
    try:
        with open_plain(path, max_bytes=200) as file:
            return parse_utc(file.read().strip())
    except Exception:
        return None


def common_mistakes(summary: RunSummary, top: int = 5) -> list[tuple[int, str, str]]:
    """The most frequent (count, test cell, example message) among diagnosed failures."""
    seen: Counter = Counter()
    example: dict = {}
    for grade in summary.grades:
        for cell in grade.cells:
            if cell.problems and cell.problems[0].key not in ("not_implemented", "submission_missing"):
                key = (cell.grade_id, cell.problems[0].key)
                seen[key] += 1
                example.setdefault(key, cell.problems[0].render())
    return [(count, grade_id, example[(grade_id, key)]) for (grade_id, key), count in seen.most_common(top)]
