"""``nnmath grade``: grade a class in parallel, record it in nbgrader's gradebook, summarise.

Each worker process owns a sandbox :class:`~autograder.sandbox.ForkServer` (its children run as
uids of that worker's own block, a new one per submission) and grades one submission at a time;
the main process writes the results to the gradebook as they arrive, a batch of learners per
transaction (at most ``BATCH_LEARNERS``, or what arrived within ``BATCH_SECONDS``), so a killed run
loses at most one batch and the submissions in flight, and a rerun completes it without duplicating
anything (recording updates or creates).

Faults stay with their learner. A sandbox server found down before, during or after a
submission is replaced before the next one; a submission whose grading the grading machinery
itself broke (the server, the worker process) gets status ``"error"`` and a note, and *no*
score is recorded for it (what the gradebook held stays), so a rerun grades it. Recording and
writing the autograded notebook are guarded per learner: one learner's failure there is that
learner's note and the run goes on.
"""
from __future__ import annotations

import ctypes
import dataclasses
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
# Results are recorded in batches, one transaction each: nbgrader's per-call commits cost about 25 ms
# per learner, more than grading one. A killed run loses at most one batch (and what is in flight).
BATCH_LEARNERS = 50
BATCH_SECONDS = 1.0

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
    _worker.update(spec=spec, course_dir=Path(course_dir), uid=uid, limits=limits)
    _start_server(wait=False)  # the sandbox's imports (seconds) overlap the trusted side's set-up
    multiprocessing.util.Finalize(None, lambda: _worker["server"].close(), exitpriority=10)
    _worker["namespace"] = trusted_namespace(spec)
    _worker["server"].wait_started()


def _start_server(wait: bool = True) -> None:
    spec = _worker["spec"]
    _worker["server"] = ForkServer(_worker["course_dir"], uid=_worker["uid"], limits=_worker["limits"],
                                   prelude=spec.prelude, uid_span=UIDS_PER_WORKER, wait=wait)


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


def _worker_ready(practice: bool = False) -> int:
    """A task that returns once its worker (and the worker's sandbox) has started.

    practice: first grade the source notebook's own answers once, recording nothing, so that the
    first learner does not pay for what a process does only once (the checks' first calls, the
    sandbox's first child): a third of a second of a lone learner's time.
    """
    if practice:
        spec = _worker["spec"]
        try:
            grade_submission(_worker["server"], spec, "(practice)",
                             _worker["course_dir"] / "source" / spec.name / spec.notebook_file, _worker["namespace"])
        except (Exception, SandboxDown):
            if not _worker["server"].alive():
                _replace_server()
    return os.getpid()


def _grade_in_worker(student: str, cells: tuple[str, ...] | None = None) -> SubmissionGrade:
    """Grade one learner's submission in this worker (only the test cells ``cells``, when given)."""
    spec, course_dir = only_cells(_worker["spec"], cells), _worker["course_dir"]
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
    skipped: list[str] = field(default_factory=list)  # `--changed`: learners whose graded version is current
    cells: list[str] | None = None  # `--cell`: the only test cells graded in this run (None: all)
    manual_kept: dict[str, list[str]] = field(default_factory=dict)  # student -> cells with a manual grade
    # kept although a newer submission was graded: a reviewer should look again


class NothingToGrade(Exception):
    """No submission to grade (none collected, or a named learner has none); the message says which."""


def submitted_students(course_dir: Path, assignment: str) -> list[str]:
    submitted = course_dir / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def only_cells(spec: AssignmentSpec, cells) -> AssignmentSpec:
    """``spec`` with only the test cells named in ``cells`` (all of them when ``cells`` is None)."""
    if cells is None:
        return spec
    return dataclasses.replace(spec, tests=tuple(t for t in spec.tests if t[0] in cells))


def _students_to_grade(course_dir: Path, assignment: str, students, cells) -> list[str]:
    """The learners to grade; raises :class:`NothingToGrade` for an uncollected class, an unknown
    learner or an unknown test cell (before anything is written)."""
    found = submitted_students(course_dir, assignment)
    if not found:
        raise NothingToGrade(f"no submissions of {assignment} in {course_dir / 'submitted'}: collect them first "
                             f"(`nbgrader collect {assignment}`)")
    unknown = sorted(set(students or ()) - set(found))
    if unknown:  # as stock autograde, which finds no notebook for them: nothing is created
        raise NothingToGrade(f"no submission of {assignment} from {', '.join(unknown)} "
                             f"(submitted/<student>/{assignment}/ missing); nothing was graded")
    students = students or found
    if cells is not None:
        known = [t[0] for t in AssignmentSpec.from_source(course_dir, assignment).tests]
        wrong = [c for c in cells if c not in known]
        if wrong:
            raise NothingToGrade(f"no test cell {', '.join(wrong)} in {assignment} (its test cells: "
                                 f"{', '.join(known)})")
    return students


class Workers:
    """The processes that grade one assignment: each a worker with a sandbox of its own, forked from here.

    A grading run makes a set for its learners and closes it at its end; the grading service
    (:mod:`autograder.service`) keeps one set per assignment between runs, so that a run's start-up
    (imports, the set-up cells, the sandboxes) is paid once rather than by every run.
    jobs: the number of workers. A set whose worker died is *discarded* and starts anew on next use.
    """

    def __init__(self, course_dir: Path, assignment: str, jobs: int, limits: Limits = Limits()):
        self.course_dir, self.assignment, self.jobs, self.limits = Path(course_dir), assignment, jobs, limits
        self._counter = multiprocessing.get_context("fork").Value("i", 0)  # numbers the workers: their uid blocks
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker,
                initargs=(str(self.course_dir), self.assignment, course_language(self.course_dir), self._counter,
                          self.limits))
        return self._pool

    def submit(self, student: str, cells: tuple[str, ...] | None = None):
        """A future of the learner's :class:`SubmissionGrade` (raises ``BrokenProcessPool`` if a worker died)."""
        return self._executor().submit(_grade_in_worker, student, cells)

    def warm(self) -> None:
        """Start every worker and its sandbox now, let each grade once for practice, and return once all are ready."""
        for future in [self._executor().submit(_worker_ready, True) for _ in range(self.jobs)]:
            future.result()

    def discard(self) -> None:
        """Give up the workers at once (one died, or the run was interrupted); the next use starts new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self, cancel: bool = False) -> None:
        """Wait for the workers to finish what they were given (with ``cancel``: only what they began), then end them."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None


def grade_class(course_dir: Path, assignment: str, students: list[str] | None = None, jobs: int | None = None,
                limits: Limits = Limits(), progress=None, changed_only: bool = False,
                cells: list[str] | None = None, workers: Workers | None = None) -> RunSummary:
    """Grade every (or the named) learner's submission of ``assignment`` and record the scores.

    progress: an optional callable ``progress(done, total, student)`` called as results arrive.
    changed_only: skip learners whose ``timestamp.txt`` is the one the gradebook recorded when they
    were last graded (listed in ``summary.skipped``); a submission without a timestamp is graded.
    cells: grade only these test cells (``grade_id``); the others keep their recorded scores.
    workers: a warm :class:`Workers` of this assignment to grade with, kept open (default: the run
    forks its own, ``jobs`` of them, and ends them when it ends); ``jobs`` and ``limits`` are then theirs.
    """
    from .course import load_config
    from .gradebook import late_penalty_assigner, open_gradebook

    course_dir = Path(course_dir).resolve()
    notebook_file = ASSIGNMENTS[assignment].notebook_file
    release_path = course_dir / "release" / assignment / notebook_file
    language = course_language(course_dir)
    summary = RunSummary(assignment, cells=list(cells) if cells is not None else None)
    started = time.monotonic()
    own_workers = workers is None
    cells = tuple(cells) if cells is not None else None

    def start(students: list[str]):
        """Hand the learners to the workers (a run's own are forked now: their sandboxes start, then they grade)."""
        nonlocal workers
        if workers is None:
            workers = Workers(course_dir, assignment, max(1, min(jobs or os.cpu_count() or 1, len(students) or 1)),
                              limits)
        return {workers.submit(student, cells): student for student in students}

    first = None
    if not changed_only and release_path.is_file():
        # The workers' sandboxes start (a second or more) while this process opens the gradebook (sqlalchemy's
        # imports, most of a second): for one learner, the two were most of the wall time one after the other.
        try:
            chosen = _students_to_grade(course_dir, assignment, students, cells)
        except NothingToGrade:
            chosen = None  # said below, after the gradebook's own check (an unreleased assignment first)
        if chosen:
            students = chosen
            release_nb = nbformat.read(str(release_path), as_version=4)
            first = start(students)
    try:
        late = late_penalty_assigner(load_config(course_dir))
        gradebook = open_gradebook(course_dir, assignment)  # an unreleased assignment says so
    except BaseException:
        for future in first or ():  # not begun yet: never begun (a warm set's workers stay)
            future.cancel()
        if first and own_workers:
            workers.close()
        raise
    try:
        if first is None:
            students = _students_to_grade(course_dir, assignment, students, cells)
            release_nb = nbformat.read(str(release_path), as_version=4)
    except BaseException:
        gradebook.close()
        raise
    if changed_only:
        current = [s for s in students if _graded_version_is_current(gradebook, course_dir, assignment, s)]
        summary.skipped = current
        students = [s for s in students if s not in current]
    spec = only_cells(AssignmentSpec.from_source(course_dir, assignment), cells)
    attempts: Counter = Counter()
    waiting, done = list(students), 0
    keep = dict(late=late, cells=cells, summary=summary)
    pending: list[SubmissionGrade] = []  # graded, not yet recorded
    flushed = time.monotonic()
    try:
        while waiting:
            futures = first if first is not None else start(waiting)
            first = None
            try:
                waiting = []
                for future in as_completed(futures):
                    student = futures[future]
                    try:
                        grade = future.result()
                    except BrokenProcessPool as error:  # a worker died: its pool is gone, try again
                        workers.discard()
                        attempts[student] += 1
                        if attempts[student] < WORKER_ATTEMPTS:
                            waiting.append(student)
                            continue
                        grade = grader_fault(spec, student, error)
                    pending.append(grade)
                    if len(pending) >= BATCH_LEARNERS or time.monotonic() - flushed >= BATCH_SECONDS:
                        _keep_batch(gradebook, course_dir, assignment, notebook_file, release_nb, language, pending,
                                    **keep)
                        pending, flushed = [], time.monotonic()
                    summary.grades.append(grade)
                    done += 1
                    if progress:
                        progress(done, len(students), grade.student)
            except BaseException:
                if workers is not None:
                    workers.discard()  # a warm set as well: its workers may still be grading this run
                raise
    finally:
        try:  # what was graded is recorded, also when the run is interrupted
            _keep_batch(gradebook, course_dir, assignment, notebook_file, release_nb, language, pending, **keep)
        finally:
            gradebook.close()
            if own_workers and workers is not None:
                workers.close()
    summary.seconds = time.monotonic() - started
    return summary


def _keep_batch(gradebook, course_dir: Path, assignment: str, notebook_file: str, release_nb, language: str,
                grades: list[SubmissionGrade], late=None, cells=None, summary: RunSummary | None = None) -> None:
    """Record several learners in one transaction, then write their autograded notebooks (see :func:`_keep`)."""
    from .gradebook import record_many

    grades = [g for g in grades if g.status != "error"]
    if not grades:
        return
    try:
        outcomes = record_many(gradebook, assignment, Path(notebook_file).stem,
                               [(g, _timestamp(course_dir, g.student, assignment)) for g in grades], language,
                               late=late)
    except Exception as error:
        outcomes = [error] * len(grades)
    for grade, outcome in zip(grades, outcomes):
        if isinstance(outcome, Exception):
            grade.status = "error"
            grade.notes.append(say("not_recorded", error=learner_text(f"{type(outcome).__name__}: {outcome}", 300)))
            continue
        if outcome and summary is not None:
            summary.manual_kept[grade.student] = outcome
        _keep(gradebook, course_dir, assignment, notebook_file, release_nb, language, grade, cells=cells,
              recorded=True)


def _keep(gradebook, course_dir: Path, assignment: str, notebook_file: str, release_nb, language: str,
          grade: SubmissionGrade, late=None, cells=None, summary: RunSummary | None = None,
          recorded: bool = False) -> None:
    """Record one learner's grade and write their autograded notebook; a failure is their note.

    A submission the grading system failed on (status "error") is not recorded: a score of 0
    would stand for a fault that was not the learner's, and the rerun that grades it replaces nothing.
    late: the course's late policy (:func:`~autograder.gradebook.late_penalty_assigner`). cells: the
    test cells graded (None: all); the others keep what the earlier autograded notebook shows.
    recorded: the grade is already in the gradebook (:func:`_keep_batch`): only write the notebook.
    """
    from .gradebook import autograded_notebook, record, write_autograded

    if grade.status == "error":
        return
    try:
        kept = None if recorded else record(gradebook, assignment, Path(notebook_file).stem, grade, language,
                                            timestamp=_timestamp(course_dir, grade.student, assignment), late=late)
        if kept and summary is not None:
            summary.manual_kept[grade.student] = kept
        base = release_nb
        earlier = course_dir / "autograded" / grade.student / assignment / notebook_file
        if cells is not None and earlier.is_file():  # the other test cells keep what they showed
            base = nbformat.read(str(earlier), as_version=4)
        write_autograded(course_dir, assignment, notebook_file,
                         autograded_notebook(base, grade.answers, grade, language), grade.student)
    except Exception as error:  # e.g. a student id the database cannot store
        grade.status = "error"
        grade.notes.append(say("not_recorded", error=learner_text(f"{type(error).__name__}: {error}", 300)))


def _graded_version_is_current(gradebook, course_dir: Path, assignment: str, student: str) -> bool:
    """Whether the learner was graded on the version now in ``submitted/`` (same timestamp)."""
    from nbgrader.api import MissingEntry

    notebook = course_dir / "autograded" / student / assignment / ASSIGNMENTS[assignment].notebook_file
    submitted = _timestamp(course_dir, student, assignment)
    if submitted is None or not notebook.is_file():
        return False
    try:
        return gradebook.find_submission(assignment, student).timestamp == submitted
    except MissingEntry:
        return False


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
