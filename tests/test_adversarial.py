"""Issue 3's adversarial suite: no submission can fake a function, or touch anyone else's grade, under `nnmath grade`.

One throwaway course per session holds zoe (honest, graded first in a run of her own), ada
(honest) and one learner per technique of :mod:`adversarial` (the attacks, as data). ada and the
attackers are then graded together by ``grade_class`` (two workers, short limits), run in a
subprocess so that a grader that hangs is stopped at a liveness bound instead of stopping the
suite. Every attacker must score 0 on the cells it fakes and full marks on the rest; ada keeps 14;
zoe's grades stay as they were; nothing in the course changes but what the grader writes.

Attacks aimed at the learner graded *after* the attacker (:data:`adversarial.PAIRS`) are each
graded in a course of their own, attacker first and then an honest learner, by one worker, so that
both go through the same sandbox; these runs go at the same time as the class's.

The attacks are real: each attack that steals the reference finds it when run unsandboxed, and
stock ``nbgrader autograde``, in a copy of the course, gives the attacks marks they do not deserve.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from adversarial import ATTACKS, PAIRS, Attack, Symlink
from autograder.build_release import build_release
from autograder.curriculum import owner_of
from autograder.sandbox import CODE_ROOT
from autograder.simulate import SimulatedLearner, make_submission, reference_answers, write_submission
from autograder.simulate import test_points as points_of
from conftest import REPO
from notebook_tools import read

pytestmark = pytest.mark.slow
A, NB = "03_activations", "activations.ipynb"
LIMITS = {"cell_seconds": 3, "call_seconds": 2}
CLASS_BOUND = 180.0  # seconds for the whole adversarial class: a liveness bound, not a performance target
PAIR_BOUND = 90.0    # seconds for an attacker and the learner after it
SOURCE = read(REPO / "source" / A / NB)
POINTS = points_of(SOURCE)
ANSWERS = list(reference_answers(SOURCE))

# Runs grade_class in a process of its own and writes what it found as JSON (the gradebook has the scores).
# Runs that overlap get sandbox uids of their own, so that one run's processes never count against
# another's limits (grade_run numbers its workers' uids from UID_BASE in every run).
RUNNER = """
import json, sys
from pathlib import Path
import autograder.grade_run
from autograder.sandbox import Limits
course, students, jobs, limits, uid_base, out = sys.argv[1:]
autograder.grade_run.UID_BASE = int(uid_base)
summary = autograder.grade_run.grade_class(Path(course), "03_activations", students=json.loads(students),
                                           jobs=int(jobs), limits=Limits(**json.loads(limits)))
Path(out).write_text(json.dumps({g.student: {
    "status": g.status, "notes": [n.en for n in g.notes],
    "problems": {c.grade_id: [p.en for p in c.problems] for c in g.cells if c.problems}} for g in summary.grades}))
"""


def cells(names) -> set[str]:
    """Test cell ids for graded names or test cell ids (a name stands for all its test cells)."""
    return {t for t in POINTS if t in names or owner_of(t, ANSWERS) in names}


def must_fail(attack: Attack) -> set[str]:
    return cells(attack.fails)


def must_pass(attack: Attack) -> set[str]:
    return set(POINTS) - must_fail(attack) if attack.passes is None else cells(attack.passes)


# --- the course, the submissions, the runs ------------------------------------------------------------------

@dataclass
class Served:
    """The reference, served on this machine (outside any sandbox) to whoever connects."""
    port: int
    unix: str


@pytest.fixture(scope="session")
def served():
    text = (CODE_ROOT / "solutions" / "activations.py").read_bytes()

    class Give(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.sendall(text)

    unix = f"nnmath-adversarial-{os.getpid()}"
    servers = [socketserver.ThreadingTCPServer(("127.0.0.1", 0), Give),
               socketserver.ThreadingUnixStreamServer("\0" + unix, Give)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield Served(servers[0].server_address[1], unix)
    for server in servers:
        server.shutdown()
        server.server_close()


def render(text: str, course: Path, student: str, served: Served) -> str:
    for key, value in (("{course}", str(course)), ("{code_root}", str(CODE_ROOT)), ("{student}", student),
                       ("{port}", str(served.port)), ("{unix}", served.unix)):
        text = text.replace(key, value)
    return text


def submit(course: Path, student: str, answers: dict[str, str], served: Served, files=None) -> None:
    release = read(course / "release" / A / NB)
    learner = SimulatedLearner(student, "", {k: render(v, course, student, served) for k, v in answers.items()})
    folder = write_submission(course, A, NB, make_submission(release, SOURCE, learner), student).parent
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        if isinstance(content, Symlink):
            path.symlink_to(render(content.target, course, student, served))
        else:
            path.write_text(render(content, course, student, served))


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> content hash (or link target) of every file under ``folder``, links not followed."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            found[str(path.relative_to(folder))] = (f"-> {os.readlink(path)}" if path.is_symlink()
                                                    else hashlib.sha256(path.read_bytes()).hexdigest())
    return found


def gradebook_scores(course: Path) -> dict[str, dict[str, float]]:
    """Student -> test cell -> score, as nbgrader's gradebook (the system of record) has them."""
    from nbgrader.api import MissingEntry

    from autograder.gradebook import open_gradebook

    gradebook = open_gradebook(course, A)
    try:
        scores = {}
        for student in gradebook.students:
            try:
                notebook = gradebook.find_submission_notebook(Path(NB).stem, A, student.id)
            except MissingEntry:
                continue
            scores[student.id] = {grade.name: grade.score for grade in notebook.grades}
        return scores
    finally:
        gradebook.close()


@dataclass
class Run:
    """One grade_class run in a process of its own, stopped at ``bound`` seconds if it has not finished."""

    course: Path
    students: list[str]
    jobs: int
    bound: float
    uid_base: int
    seconds: float | None = None  # None: stopped at the bound
    returncode: int | None = None
    report: dict = field(default_factory=dict)  # student -> status, notes, problems per test cell
    scores: dict = field(default_factory=dict)  # student -> test cell -> score, from the gradebook

    def start(self) -> "Run":
        self.log = self.course.parent / f"{self.course.name}-run.log"
        self.out = self.course.parent / f"{self.course.name}-run.json"
        self.out.unlink(missing_ok=True)
        arguments = [str(self.course), json.dumps(self.students), str(self.jobs), json.dumps(LIMITS),
                     str(self.uid_base), str(self.out)]
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-c", RUNNER, *arguments], cwd=REPO, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.monotonic()
        return self

    def finish(self) -> "Run":
        try:
            self.returncode = self.process.wait(timeout=max(0.0, self.started + self.bound - time.monotonic()))
            self.seconds = time.monotonic() - self.started
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the run we started, its workers and their sandboxes
            self.process.wait()
        if self.out.is_file():
            self.report = json.loads(self.out.read_text())
        self.scores = gradebook_scores(self.course)
        return self

    def outcome(self) -> str:
        if self.seconds is None:
            return f"the run did not finish within {self.bound:g} s and was stopped"
        if self.returncode:
            return f"the run failed (exit status {self.returncode}):\n{self.log.read_text()[-1500:]}"
        return f"the run finished in {self.seconds:.1f} s"

    def said(self, student: str) -> str:
        """Everything the grader reported about ``student``: problems and notes."""
        found = self.report.get(student, {})
        return "\n".join([p for problems in found.get("problems", {}).values() for p in problems]
                         + found.get("notes", []))

    def explain(self, student: str, cell_ids) -> str:
        """What the grader said about ``student``'s ``cell_ids``, for an assertion message."""
        found = self.report.get(student)
        if found is None:
            return f"  ({student} is not in the run's report: {self.outcome()})"
        lines = [f"  {cell}: {'; '.join(found['problems'].get(cell, ['no problem reported']))[:400]}"
                 for cell in sorted(cell_ids)]
        lines += [f"  note: {note[:300]}" for note in found["notes"]]
        return "\n".join(lines + [f"  status: {found['status']}"])


def full_marks(scores: dict | None) -> bool:
    return scores is not None and all(scores.get(cell) == points for cell, points in POINTS.items())


@dataclass
class Graded:
    course: Path
    zoe_before: dict
    before: dict
    solutions_before: dict
    run: Run
    pairs: dict = field(default_factory=dict)  # attacker id -> Run
    after: dict = field(default_factory=dict)
    solutions_after: dict = field(default_factory=dict)


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """A course holding 03_activations, released and registered in its gradebook."""
    course = tmp_path_factory.mktemp("adversarial") / "template"
    (course / "source").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(REPO / "source" / A, course / "source" / A)
    build_release(course, [A])
    return course


def copy_course(template: Path, name: str) -> Path:
    course = template.parent / name
    shutil.copytree(template, course, symlinks=True)
    return course


@pytest.fixture(scope="session")
def graded(template, served) -> Graded:
    course = copy_course(template, "class")
    submit(course, "zoe", {}, served)
    zoe = Run(course, ["zoe"], jobs=1, bound=CLASS_BOUND, uid_base=61000).start().finish()
    assert zoe.returncode == 0 and full_marks(zoe.scores.get("zoe")), zoe.outcome()
    submit(course, "ada", {}, served)
    for attack in ATTACKS:
        submit(course, attack.student, attack.answers, served, attack.files)
    pair_runs = {}
    for number, pair in enumerate(PAIRS, start=1):
        pair_course = copy_course(template, f"pair-{pair.attacker.student}")
        submit(pair_course, pair.attacker.student, pair.attacker.answers, served, pair.attacker.files)
        submit(pair_course, pair.victim, pair.victim_answers, served)
        pair_runs[pair.attacker.student] = Run(pair_course, [pair.attacker.student, pair.victim], jobs=1,
                                               bound=PAIR_BOUND, uid_base=61000 + 10 * number)
    result = Graded(course, zoe.scores["zoe"], snapshot(course), snapshot(CODE_ROOT / "solutions"),
                    Run(course, ["ada"] + [a.student for a in ATTACKS], jobs=2, bound=CLASS_BOUND, uid_base=61000))
    result.run.start()
    for run in pair_runs.values():
        run.start()
    result.run.finish()
    result.pairs = {student: run.finish() for student, run in pair_runs.items()}
    result.after, result.solutions_after = snapshot(course), snapshot(CODE_ROOT / "solutions")
    return result


# --- the class ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("attack", ATTACKS, ids=[a.student for a in ATTACKS])
def test_each_technique_scores_0_on_what_it_fakes_and_keeps_the_rest(graded, attack):
    scores = graded.run.scores.get(attack.student)
    assert scores is not None, f"{attack.student} has no grade: {graded.run.outcome()}"
    fooled = {cell: scores[cell] for cell in must_fail(attack) if scores[cell] != 0}
    assert not fooled, (f"{attack.student} ({attack.technique}: {attack.description}) got marks on what it "
                        f"fakes: {fooled}\n" + graded.run.explain(attack.student, fooled))
    lost = {cell: scores[cell] for cell in must_pass(attack) if scores[cell] != POINTS[cell]}
    assert not lost, (f"{attack.student} ({attack.technique}) lost marks its other functions deserve: {lost}\n"
                      + graded.run.explain(attack.student, lost))
    assert attack.evidence in graded.run.said(attack.student), (
        f"{attack.student} scored as expected, but not for the reason it should: {attack.evidence!r} is not in "
        f"what the grader said:\n{graded.run.said(attack.student)[:1500]}")


def test_the_honest_learner_in_the_class_keeps_full_marks(graded):
    assert full_marks(graded.run.scores.get("ada")), (graded.run.scores.get("ada"),
                                                      graded.run.explain("ada", POINTS))


def test_a_learner_graded_earlier_keeps_their_grades(graded):
    assert gradebook_scores(graded.course).get("zoe") == graded.zoe_before
    assert graded.before.get("autograded/zoe/03_activations/activations.ipynb") == \
        graded.after.get("autograded/zoe/03_activations/activations.ipynb")


def test_the_adversarial_class_is_graded_to_the_end(graded):
    run = graded.run
    assert run.seconds is not None and run.returncode == 0, run.outcome()
    assert set(run.report) == set(run.students) and set(run.students) <= set(run.scores)
    # Sandboxes name the course they hide on their command line: none may outlive the run.
    left = subprocess.run(["pgrep", "-f", "--", f"--course={graded.course.resolve()}"], capture_output=True, text=True)
    assert left.returncode == 1, f"sandbox processes outlived the run: {left.stdout.split()}"


def test_nothing_changes_in_the_course_or_the_reference_but_what_the_grader_writes(graded):
    graded_now = {f"autograded/{student}/" for student in graded.run.students}
    changed = {path for path in set(graded.before) | set(graded.after)
               if graded.before.get(path) != graded.after.get(path)}
    unexpected = sorted(path for path in changed
                        if path != "gradebook.db" and not any(path.startswith(p) for p in graded_now))
    assert not unexpected, f"changed, added or removed in the course: {unexpected}"
    assert not any(path.startswith(("source/", "release/", "submitted/")) for path in changed)
    assert graded.solutions_after == graded.solutions_before, "solutions/ changed"


# --- attacks on the learner graded next ---------------------------------------------------------------------

@pytest.mark.parametrize("pair", PAIRS, ids=[p.attacker.student for p in PAIRS])
def test_an_attack_on_the_next_learner_in_the_sandbox_costs_them_nothing(graded, pair):
    run, attacker = graded.pairs[pair.attacker.student], pair.attacker
    victim = run.scores.get(pair.victim)
    assert full_marks(victim), (f"{pair.victim}, graded after {attacker.student} ({attacker.description}), "
                                f"got {victim}; {run.outcome()}\n" + run.explain(pair.victim, POINTS))
    assert run.seconds is not None and run.returncode == 0, run.outcome()
    scores = run.scores[attacker.student]
    assert all(scores[cell] == 0 for cell in must_fail(attacker)), (scores, run.explain(attacker.student, POINTS))
    assert all(scores[cell] == POINTS[cell] for cell in must_pass(attacker)), \
        (scores, run.explain(attacker.student, POINTS))
    left = subprocess.run(["pgrep", "-f", "--", f"--course={run.course.resolve()}"], capture_output=True, text=True)
    assert left.returncode == 1, f"sandbox processes outlived the run: {left.stdout.split()}"


# --- the attacks are real -----------------------------------------------------------------------------------

# Each attack that steals the reference, run as a plain program (no sandbox) in a copy of the course,
# from the folder where stock autograde would run it: it must find the reference and answer right.
STEALERS = ("import-reference", "read-solutions", "read-source-notebook", "recon", "network")
CONTROL = """
import json, sys
import numpy as np
exec(compile(open(sys.argv[1]).read(), "<relu's cell>", "exec"))
print(json.dumps(np.asarray(relu(np.linspace(-2.0, 2.0, 9))).tolist()))
"""


@pytest.mark.parametrize("student", STEALERS)
def test_the_stealing_attacks_find_the_reference_where_nothing_hides_it(template, served, student):
    """recon is given the course's path on its command line, as the sandbox's first process has it on its own."""
    attack = next(attack for attack in ATTACKS if attack.student == student)
    course = copy_course(template, f"control-{student}")
    cwd = course / "autograded" / student / A
    cwd.mkdir(parents=True)
    answer = course.parent / f"control-{student}.py"
    answer.write_text(render(attack.answers["relu"], course, student, served))
    result = subprocess.run([sys.executable, "-c", CONTROL, str(answer), f"--course={course}"], cwd=cwd,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5, 2.0], \
        f"{student} did not find the reference even with nothing hidden: its failure in the class proves nothing"


# Each costs stock nbgrader a kernel (seconds); the other fools_stock entries in adversarial.py were measured alike.
# (inspect-frames no longer fools stock on test_relu: the hidden checks now call the learner's function before
# the reference is looked up, so no expected value sits in a frame above it; nnmath never depended on that.)
STOCK_SHOWN = ("patch-numpy", "shadow-numpy", "shadow-autograder", "ipython-transformers", "ipython-hooks",
               "read-source-notebook", "write-gradebook")


def test_stock_nbgrader_is_fooled_where_nnmath_grade_is_not(graded, template, served):
    """The same submissions, autograded by stock nbgrader in a copy of the course, get marks they do not deserve."""
    from autograder.course import nbgrader_api

    course = copy_course(template, "stock")
    shown = [attack for attack in ATTACKS if attack.student in STOCK_SHOWN]
    assert all(attack.fools_stock for attack in shown)
    submit(course, "zoe", {}, served)
    for attack in shown:
        submit(course, attack.student, attack.answers, served, attack.files)
    api = nbgrader_api(course)
    assert api.autograde(A, "zoe")["success"]
    zoe_before = gradebook_scores(course)["zoe"]
    assert full_marks(zoe_before)
    for attack in shown:
        api.autograde(A, attack.student)
    stock = gradebook_scores(course)
    for attack in shown:
        undeserved = cells(attack.fools_stock)
        by_stock = {cell: stock.get(attack.student, {}).get(cell) for cell in sorted(undeserved)}
        by_nnmath = {cell: graded.run.scores.get(attack.student, {}).get(cell) for cell in sorted(undeserved)}
        assert all(by_stock[cell] == POINTS[cell] for cell in undeserved), \
            f"stock nbgrader was not fooled by {attack.student} as claimed: {by_stock}"
        assert all(by_nnmath[cell] == 0 for cell in undeserved), f"nnmath grade gave {attack.student} {by_nnmath}"
    # Under stock nbgrader the gradebook attack also took every mark zoe had earned.
    assert sum(stock["zoe"].values()) == 0 < sum(zoe_before.values())
