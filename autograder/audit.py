"""``nnmath audit``: which wrong answers would a notebook's hidden tests still give full marks?

For each graded function of an assignment:

1. **Mutants.** :func:`autograder.mutants.mutants_of` turns the reference (the answer cell's
   solution) into wrong answers of many families.
2. **Equivalence.** Each mutant and the reference are called on inputs drawn from the function's
   contract domain (:mod:`autograder.audit_inputs`). A mutant that agrees on all of them — same
   type class and dtype, values within the grading tolerance, no argument modified, no warning
   the reference does not give — is *equivalent* and discarded (counted); for the others the first
   input that tells them apart is kept. Mutants are our code, so this runs in plain worker
   processes.
3. **Grading.** The rest are graded like a learner's submission, through the real grader: the
   sandbox (:class:`~autograder.sandbox.ForkServer`), the source notebook's test cells with their
   hidden tests, and the grader's seed (learner id ``audit:<mutant id>``). A mutant is *killed*
   when one of its own function's test cells loses points, and *survives* when it gets full marks.

The result is written to ``audit/<assignment>.json`` (outside ``source/``: everything in there
is released), with a fingerprint of the notebook's code cells; ``nnmath check`` reads it
(:func:`audit_problems`) and fails while it is missing, stale, or lists a survivor the author has
not accepted in the answer cell's metadata, ``"nnmath": {"audit_accept": {"<id>": "reason"}}``.
"""
from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import json
import multiprocessing
import os
import signal
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from .audit_inputs import domain_of
from .calls import call
from .contract import is_answer_cell, is_test_cell, nbgrader_meta, strip_solution_markers
from .curriculum import ASSIGNMENTS, owner_of
from .diagnose import ATOL, RTOL, compare
from .mutants import FAMILIES, Mutant, mutants_of

AUDIT_VERSION = 1  # bump when what the audit does changes: every record becomes stale
RECORD_DIR = "audit"
DEFAULT_CASES = 60
CASE_SECONDS = 10  # a mutant that takes longer on one input is told apart by that
AUDIT_UID_BASE = 140000  # sandbox uids of audit workers, apart from nnmath grade's


@dataclass
class Survivor:
    id: str
    family: str
    description: str
    diff: str
    input: str       # the first input that tells it apart from the reference
    difference: str  # what differs there


@dataclass
class FunctionAudit:
    name: str
    mutants: int = 0
    equivalent: int = 0
    killed: int = 0
    survivors: list[Survivor] = field(default_factory=list)
    problem: str | None = None  # why the function could not be audited

    @property
    def score(self) -> float:
        """Killed among the mutants that are not equivalent (1.0 when there are none)."""
        graded = self.killed + len(self.survivors)
        return self.killed / graded if graded else 1.0


@dataclass
class AssignmentAudit:
    assignment: str
    fingerprint: str
    functions: list[FunctionAudit]
    seconds: float = 0.0
    equivalence_seconds: float = 0.0
    cases: int = DEFAULT_CASES


# --- the notebook ---------------------------------------------------------------------------------

def _source_notebook(course_dir: Path, assignment: str):
    return nbformat.read(str(course_dir / "source" / assignment / ASSIGNMENTS[assignment].notebook_file),
                         as_version=4)


def answer_cells(nb) -> dict[str, str]:
    """grade_id -> the answer cell's solution (markers removed), in notebook order."""
    return {nbgrader_meta(c)["grade_id"]: strip_solution_markers(c.source) for c in nb.cells if is_answer_cell(c)}


def acceptances(nb) -> dict[str, dict[str, str]]:
    """grade_id -> {mutant id: reason} from each answer cell's ``nnmath.audit_accept`` metadata."""
    found = {}
    for cell in nb.cells:
        if is_answer_cell(cell):
            accepted = cell.metadata.get("nnmath", {}).get("audit_accept", {})
            found[nbgrader_meta(cell)["grade_id"]] = dict(accepted) if isinstance(accepted, dict) else {}
    return found


def fingerprint(nb) -> str:
    """A hash of what an audit's result depends on: every code cell that grading runs or reads
    (setup, answers, tests), the input domains, and the audit's version. Prose, outputs and the
    acceptances are left out, so accepting a survivor does not make the record stale."""
    digest = hashlib.sha256(f"nnmath-audit {AUDIT_VERSION} {FAMILIES}".encode())
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and (is_answer_cell(cell) or is_test_cell(cell) or meta.get("locked")):
            digest.update(f"\0{meta.get('grade_id', '')}\0{cell.source}".encode())
            if is_answer_cell(cell):
                digest.update(repr(domain_of(meta["grade_id"])).encode())
    return digest.hexdigest()[:16]


def record_path(course_dir: Path, assignment: str) -> Path:
    return course_dir / RECORD_DIR / f"{assignment}.json"


# --- equivalence (local worker processes) ----------------------------------------------------------------

def describe_input(args: tuple, kwargs: dict) -> str:
    """A call's arguments written out in full (the author's eyes only: hidden inputs are fine here)."""
    def show(x):
        if isinstance(x, np.ndarray):
            kind = "0-d array" if x.ndim == 0 else f"array {x.shape}"
            text = np.array2string(x, precision=6, separator=", ", threshold=30, max_line_width=10**6)
            return f"{kind} {text.replace(chr(10), '')}"
        if isinstance(x, float):
            return f"{x!r} (Python float)"
        return repr(x)
    return ", ".join([show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()])


def type_class(value) -> object:
    """What a grader may hold against an answer besides its values: kind, dtype, shape, nesting."""
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(type_class(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), type_class(v)) for k, v in value.items())))
    if isinstance(value, (bool, np.bool_)):
        return ("bool",)
    if isinstance(value, (int, float, np.number)) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return ("scalar", np.asarray(value).dtype.str)
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape)
    return (type(value).__name__,)


def show_type(value) -> str:
    """``a float32 scalar``, ``a bool array (3, 2)``, ``a tuple of ...``: a type class in words."""
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of ({', '.join(show_type(v) for v in value)})"
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return f"a {value.dtype} array {value.shape}"
    if isinstance(value, (bool, int, float, np.generic, np.ndarray)):
        return f"a {np.asarray(value).dtype} scalar ({type(value).__name__})"
    return f"a {type(value).__name__}"


def difference(reference_fn, mutant_fn, args: tuple, kwargs: dict, name: str) -> str | None:
    """What tells ``mutant_fn`` apart from ``reference_fn`` on this input, or None if nothing.

    A class (08's ``Value``) is not called: its one argument is a program's steps, carried out
    with both classes (:func:`autograder.programs.perform`), and the numbers read are compared.
    """
    if isinstance(reference_fn, type):
        return _program_difference(reference_fn, mutant_fn, args[0])
    expected = call(reference_fn, args, kwargs, name=name)
    got = call(mutant_fn, args, kwargs, name=name)
    if (expected.problem is None) != (got.problem is None):
        if got.problem is not None:
            return f"the mutant fails where the reference does not: {got.problem.en}"
        return f"the reference fails and the mutant does not: {expected.problem.en}"
    if expected.problem is not None:
        return None if expected.problem.en.split(":")[:2] == got.problem.en.split(":")[:2] else \
            f"both fail, differently: reference {expected.problem.en}; mutant {got.problem.en}"
    if type_class(got.value) != type_class(expected.value):
        return f"the mutant returns {show_type(got.value)} where the reference returns {show_type(expected.value)}"
    problems = compare(got.value, expected.value, name, rtol=RTOL, atol=ATOL)
    if problems:
        return problems[0].en
    if got.warnings and not expected.warnings:
        return f"the mutant warns: {'; '.join(sorted(set(got.warnings)))}"
    return None


def _program_difference(reference_cls, mutant_cls, steps) -> str | None:
    from .programs import perform

    expected, got = perform(reference_cls, steps), perform(mutant_cls, steps)
    if got.get("failed") != expected.get("failed"):
        return f"the mutant fails at step {got.get('failed')}, the reference at step {expected.get('failed')}"
    for k, (g, e) in enumerate(zip(got["reads"], expected["reads"])):
        if not (np.isclose(g, e, rtol=RTOL, atol=ATOL) or (np.isnan(g) and np.isnan(e))):
            return f"read {k} of the program differs"
    return None


class _Timeout(BaseException):
    """Not an Exception: :func:`~autograder.calls.call` must not catch it as the mutant's error."""


def _on_alarm(signum, frame):
    raise _Timeout()


def first_difference(namespace: dict, name: str, mutant_source: str, cases) -> tuple[str, str] | None:
    """(input, what differs) for the first case where the mutant and the reference disagree."""
    reference_fn = namespace[name]
    scope = dict(namespace)
    try:
        exec(compile(mutant_source, f"<mutant of {name}>", "exec"), scope)  # our own mutant, not a learner's
    except Exception as error:
        return "(none: the cell itself)", f"the mutant's cell raises {type(error).__name__}: {error}"
    mutant_fn = scope.get(name)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        for args, kwargs in cases:
            signal.alarm(CASE_SECONDS)
            try:
                found = difference(reference_fn, mutant_fn, args, kwargs, name)
            except _Timeout:
                found = f"the mutant did not return within {CASE_SECONDS} s"
            except Exception as error:  # an answer so odd the comparison itself fails: not equivalent
                found = f"the answers could not be compared ({type(error).__name__}: {error})"
            finally:
                signal.alarm(0)
            if found:
                return describe_input(args, kwargs), found
    finally:
        signal.signal(signal.SIGALRM, previous)
    return None


# --- the worker processes ------------------------------------------------------------------------------

_worker: dict = {}


def _init_worker(course_dir: str, assignment: str, counter) -> None:
    from .grading import AssignmentSpec, trusted_namespace

    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the audit
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with counter.get_lock():
        counter.value += 1
        number = counter.value
    spec = AssignmentSpec.from_source(Path(course_dir), assignment)
    namespace = trusted_namespace(spec)
    local = dict(namespace)  # the reference answers, for the equivalence pass
    nb = _source_notebook(Path(course_dir), assignment)
    for source in answer_cells(nb).values():
        exec(compile(source, "<reference answer>", "exec"), local)  # trusted: from source/
    _worker.update(spec=spec, namespace=namespace, local=local, answers=answer_cells(nb), course_dir=Path(course_dir),
                   uid=AUDIT_UID_BASE + (os.getppid() % 4000) * 16 + number, server=None,
                   tmp=Path(tempfile.mkdtemp(prefix="nnmath-audit-")))


def _equivalence_task(name: str, mutant_source: str, count: int):
    return first_difference(_worker["local"], name, mutant_source, domain_of(name).cases(name, count))


def _grade_task(name: str, student: str, mutant_source: str | None) -> list[tuple[str, float, float, str]]:
    """Grade the reference answers with ``name``'s cell replaced by ``mutant_source`` (None: the
    reference itself); (test cell, points, score, first problem) for ``name``'s own test cells."""
    from .grading import grade_submission
    from .sandbox import ForkServer

    spec = _worker["spec"]
    if _worker["server"] is None:
        _worker["server"] = ForkServer(_worker["course_dir"], uid=_worker["uid"], prelude=spec.prelude)
    answers = dict(_worker["answers"])
    if mutant_source is not None:
        answers[name] = mutant_source
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade_id": grade_id, "solution": True}})
                for grade_id, source in answers.items()]
    path = _worker["tmp"] / f"{hashlib.sha256(student.encode()).hexdigest()[:12]}.ipynb"
    nbformat.write(nb, str(path))
    own = tuple(test for test in spec.tests if owner_of(test[0], spec.answers) == name)
    try:
        grade = grade_submission(_worker["server"], dataclasses.replace(spec, tests=own), student, path,
                                 _worker["namespace"])
    except Exception:
        _worker["server"].close()
        _worker["server"] = None  # the next task gets a sandbox in a known state
        raise
    finally:
        path.unlink(missing_ok=True)
    return [(cell.grade_id, cell.points, cell.score, cell.problems[0].en if cell.problems else "")
            for cell in grade.cells]


# --- the audit ----------------------------------------------------------------------------------------

def run_audit(course_dir: Path, assignment: str, functions: list[str] | None = None, jobs: int | None = None,
              cases: int = DEFAULT_CASES, progress=None) -> AssignmentAudit:
    """Audit ``functions`` (default: every answer cell with tests) of ``assignment``.

    progress: an optional callable ``progress(done, total)`` called as graded mutants come back.
    Raises ``KeyError`` for a function that has no answer cell.
    """
    course_dir = Path(course_dir).resolve()
    started = time.monotonic()
    nb = _source_notebook(course_dir, assignment)
    answers = answer_cells(nb)
    tests = [nbgrader_meta(c)["grade_id"] for c in nb.cells if is_test_cell(c)]
    tested = [name for name in answers if any(owner_of(t, answers) == name for t in tests)]
    names = functions or tested
    for name in names:
        if name not in answers:
            raise KeyError(f"{assignment} has no answer cell {name!r} (answers: {', '.join(answers)})")
    audits = {name: FunctionAudit(name) for name in names}
    mutants: list[Mutant] = []
    for name in names:
        if domain_of(name) is None:
            audits[name].problem = f"no input domain for {name}: add one to DOMAINS in autograder/audit_inputs.py"
            continue
        try:
            found = mutants_of(answers[name], name)
        except (SyntaxError, KeyError) as error:
            audits[name].problem = f"its answer cell cannot be mutated ({error})"
            continue
        audits[name].mutants = len(found)
        mutants += found
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(mutants) or 1))
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(str(course_dir), assignment, context.Value("i", 0)))
    try:
        told_apart = list(pool.map(_equivalence_task, [m.function for m in mutants], [m.source for m in mutants],
                                   [cases] * len(mutants)))
        equivalence_seconds = time.monotonic() - started
        live = [(m, found) for m, found in zip(mutants, told_apart) if found is not None]
        for m, found in zip(mutants, told_apart):
            if found is None:
                audits[m.function].equivalent += 1
        reference_runs = {name: pool.submit(_grade_task, name, f"audit:{name}:reference", None)
                          for name in names if audits[name].problem is None}
        graded = [pool.submit(_grade_task, m.function, f"audit:{m.id}", m.source) for m, _ in live]
        for name, future in reference_runs.items():
            lost = [cell for cell in future.result() if cell[2] < cell[1]]
            if lost:
                audits[name].problem = (f"the reference itself loses points in {lost[0][0]} ({lost[0][3]}): "
                                        f"fix the notebook before auditing it")
        for done, ((m, (where, what)), future) in enumerate(zip(live, graded), start=1):
            cells = future.result()
            if progress:
                progress(done, len(live))
            if audits[m.function].problem is not None:
                continue
            if any(score < points for _, points, score, _ in cells):
                audits[m.function].killed += 1
            else:
                audits[m.function].survivors.append(Survivor(m.id, m.family, m.description, m.diff, where, what))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return AssignmentAudit(assignment, fingerprint(nb), [audits[n] for n in names], time.monotonic() - started,
                           equivalence_seconds, cases)


# --- the record and what `nnmath check` says about it -----------------------------------------------------

def write_record(course_dir: Path, audit: AssignmentAudit) -> Path:
    path = record_path(course_dir, audit.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"assignment": audit.assignment, "fingerprint": audit.fingerprint, "cases": audit.cases,
            "functions": {f.name: {"mutants": f.mutants, "equivalent": f.equivalent, "killed": f.killed,
                                   "score": round(f.score, 4), "problem": f.problem,
                                   "survivors": [dataclasses.asdict(s) for s in f.survivors]}
                          for f in audit.functions}}
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return path


def audit_problems(course_dir: Path, assignment: str) -> list[str]:
    """Every reason the committed audit of ``assignment`` does not vouch for its tests, one line each."""
    course_dir = Path(course_dir)
    path = record_path(course_dir, assignment)
    shown = f"{RECORD_DIR}/{assignment}.json"
    rerun = f"run `nnmath audit {assignment}` and commit {shown}"
    if not path.is_file():
        return [f"{shown}: missing: {rerun}"]
    try:
        record = json.loads(path.read_text())
        functions = dict(record["functions"])
    except (ValueError, KeyError, TypeError) as error:
        return [f"{shown}: unreadable ({type(error).__name__}): {rerun}"]
    nb = _source_notebook(course_dir, assignment)
    if record.get("fingerprint") != fingerprint(nb):
        return [f"{shown}: stale (the notebook's setup, answer or test cells changed since): {rerun}"]
    problems = []
    where = f"source/{assignment}/{ASSIGNMENTS[assignment].notebook_file}"
    tested = {owner_of(nbgrader_meta(c)["grade_id"], answer_cells(nb)) for c in nb.cells if is_test_cell(c)}
    for name in sorted(tested - set(functions) - {None}):
        problems.append(f"{shown}: {name} was not audited: {rerun}")
    for name, accepted in acceptances(nb).items():
        result = functions.get(name, {})
        if result.get("problem"):
            problems.append(f"{shown}: {name} could not be audited: {result['problem']}")
        surviving = {s["id"]: s for s in result.get("survivors", [])}
        for mutant_id, survivor in surviving.items():
            if not str(accepted.get(mutant_id, "")).strip():
                problems.append(f"{where}: {name}: mutant {mutant_id} ({survivor['description']}) gets full marks: "
                                f"kill it with a test, or accept it with a reason in the answer cell's metadata "
                                f"nnmath.audit_accept (see `nnmath audit {assignment} {name}`)")
        for mutant_id in accepted:
            if mutant_id not in surviving:
                problems.append(f"{where}: {name}: accepts {mutant_id}, which the last audit did not find "
                                f"surviving: remove it from nnmath.audit_accept")
    return problems
