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
import re
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

from adversarial import ATTACKS, BUDGET_ATTACK, GAUNTLET, PAIRS, Attack, Fifo, Symlink
from autograder.build_release import build_release
from autograder.curriculum import owner_of
from autograder.sandbox import CODE_ROOT
from autograder.simulate import SimulatedLearner, make_submission, reference_answers, write_submission
from autograder.simulate import test_points as points_of
from conftest import REPO
from notebook_tools import read

pytestmark = pytest.mark.slow
A, NB = "03_activations", "activations.ipynb"
LIMITS = {"cell_seconds": 5, "call_seconds": 2, "budget_seconds": 30}
CLASS_BOUND = 240.0  # seconds for the whole adversarial class: a liveness bound, not a performance target
PAIR_BOUND = 120.0   # seconds for an attacker and the learner after it
GAUNTLET_BOUND = 300.0  # seconds for the class with a hostile learner before and after every honest one
UID_BLOCK = 1 << 22  # uids one run may use (grade_run: 4096 * 16 workers * 64 per worker); runs get disjoint blocks
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
# The end-of-run summary as the instructor's terminal would get it (colours and all, but no learner's).
from rich.console import Console
from autograder.report import print_summary
with open(out + ".summary", "w", encoding="utf-8") as file:
    print_summary(Console(file=file, width=160, force_terminal=True, color_system="standard"), summary)
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
        elif isinstance(content, Fifo):
            os.mkfifo(path)
        else:
            path.write_text(render(content, course, student, served))


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> content hash (or link target) of every file under ``folder``, links not followed."""
    found = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if path.is_symlink():
                found[str(path.relative_to(folder))] = f"-> {os.readlink(path)}"
            elif not path.is_file():  # a FIFO an attack left: reading it would wait for ever
                found[str(path.relative_to(folder))] = f"special {oct(path.lstat().st_mode)}"
            else:
                found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
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
    gauntlet: Run | None = None  # a hostile learner before and after every honest one, one worker
    gauntlet_order: list = field(default_factory=list)  # (student, Attack or None for an honest learner)
    budget: Run | None = None  # BUDGET_ATTACK alone
    uid_blocks: list = field(default_factory=list)  # (first, last) uid of every run
    ipc_before: set = field(default_factory=set)


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


def uid_block(number: int) -> int:
    """The first uid of the ``number``-th run of this suite: runs at the same time never share a uid."""
    return 100_000 + number * UID_BLOCK


def gauntlet_order() -> list:
    """Hostile, honest, hostile, honest, ..., hostile: every honest learner right after some attack."""
    by_name = {a.student: a for a in ATTACKS} | {p.attacker.student: p.attacker for p in PAIRS}
    order = []
    for number, name in enumerate(GAUNTLET, start=1):
        order.append((f"g{number:02d}-{name}", by_name[name]))
        if number < len(GAUNTLET):
            order.append((f"g{number:02d}-honest", None))
    return order


@pytest.fixture(scope="session")
def graded(template, served) -> Graded:
    ipc_before = sandbox_ipc_objects()
    course = copy_course(template, "class")
    submit(course, "zoe", {}, served)
    zoe = Run(course, ["zoe"], jobs=1, bound=CLASS_BOUND, uid_base=uid_block(0)).start().finish()
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
                                               bound=PAIR_BOUND, uid_base=uid_block(number))
    result = Graded(course, zoe.scores["zoe"], snapshot(course), snapshot(CODE_ROOT / "solutions"),
                    Run(course, ["ada"] + [a.student for a in ATTACKS], jobs=2, bound=CLASS_BOUND,
                        uid_base=uid_block(0)), ipc_before=ipc_before)
    result.run.start()
    for run in pair_runs.values():
        run.start()
    result.run.finish()
    result.pairs = {student: run.finish() for student, run in pair_runs.items()}
    result.after, result.solutions_after = snapshot(course), snapshot(CODE_ROOT / "solutions")
    # Then, with the machine less busy: the gauntlet, and the budget attack alone.
    result.gauntlet_order = gauntlet_order()
    gauntlet_course = copy_course(template, "gauntlet")
    for student, attack in result.gauntlet_order:
        submit(gauntlet_course, student, attack.answers if attack else {}, served, attack.files if attack else None)
    budget_course = copy_course(template, "budget")
    submit(budget_course, BUDGET_ATTACK.student, BUDGET_ATTACK.answers, served)
    number = len(PAIRS) + 1
    result.gauntlet = Run(gauntlet_course, [student for student, _ in result.gauntlet_order], jobs=1,
                          bound=GAUNTLET_BOUND, uid_base=uid_block(number)).start()
    result.budget = Run(budget_course, [BUDGET_ATTACK.student], jobs=1, bound=PAIR_BOUND,
                        uid_base=uid_block(number + 1)).start()
    result.gauntlet.finish()
    result.budget.finish()
    result.uid_blocks = [(uid_block(n), uid_block(n + 1)) for n in range(number + 2)]
    return result


def sandbox_ipc_objects() -> set[str]:
    """System V objects in the grader's own IPC namespace (a sandbox's must never appear there)."""
    found = set()
    for kind in ("shm", "sem", "msg"):
        with open(f"/proc/sysvipc/{kind}") as file:
            found |= {f"{kind}: {' '.join(line.split())}" for line in file.read().splitlines()[1:]}
    return found


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


# --- issue 8: whatever one learner's text, the class is graded and shown; nothing outlives a run --------------

FORGED = "\u2713 relu(z) = [0. 0. 1.], as expected."
RICH_OWN = re.compile(r"\x1b\[[0-9;]*m")  # the summary's own colours (rich); nothing else may reach the screen


def autograded_notebook_of(course: Path, student: str) -> dict:
    return json.loads((course / "autograded" / student / A / NB).read_text(encoding="utf-8"))


def learner_visible_texts(course: Path, students) -> dict[str, list[str]]:
    """Student -> every text the grader wrote for them: autograded outputs and gradebook comments."""
    import sqlite3

    texts = {student: [] for student in students}
    for student in students:
        for cell in autograded_notebook_of(course, student)["cells"]:
            for output in cell.get("outputs", []):
                text = output.get("text", "")  # a notebook file may hold text as a list of lines
                texts[student] += ["".join(text) if isinstance(text, list) else text, output.get("evalue", "")]
                texts[student] += output.get("traceback", [])
    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute("""select student.id, comment.auto_comment from comment
                             join submitted_notebook on comment.notebook_id = submitted_notebook.id
                             join submitted_assignment on submitted_notebook.assignment_id = submitted_assignment.id
                             join student on submitted_assignment.student_id = student.id""").fetchall()
    for student, comment in rows:
        if student in texts and comment:
            texts[student].append(comment)
    return texts


def test_learner_text_is_stored_as_text_and_forges_no_line(graded):
    texts = learner_visible_texts(graded.course, graded.run.students)
    for student, found in texts.items():
        for text in found:
            assert "\x1b" not in text and "\x00" not in text and "\r" not in text, (student, text[:300])
            text.encode("utf-8")  # no lone surrogate
            for line in text.splitlines():
                assert not line.lstrip(" -").startswith(FORGED), f"{student}'s text made a line of its own: {line}"
    hostile = "\n".join(texts["hostile-text"])
    assert "Mojibake" in hostile and "\\x1b[2J" in hostile and FORGED in hostile, \
        "the hostile text is kept, as visible text, inside the sentence that quotes it"
    assert "\\u202e" in hostile and "[bold]rich[/bold]" in hostile


def test_feedback_and_the_summary_are_written_for_the_whole_class_whatever_its_text(graded):
    from autograder.feedback import write_feedback

    failures = []
    pages = write_feedback(graded.course, A, failures=failures)
    assert not failures, failures
    assert {page.parent.parent.name for page in pages} >= set(graded.run.students)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "\x1b" not in html and "<script>alert(1)</script>" not in html, page
        assert "\n" + FORGED not in html
    summary = Path(str(graded.run.out) + ".summary").read_text(encoding="utf-8")
    assert "markup[bold red]" in summary, "a student id that looks like markup is printed as it is"
    assert "\x1b" not in RICH_OWN.sub("", summary), "a terminal code that is not the summary's own reached the screen"


def grade_rows(course: Path) -> dict[str, tuple[int, int]]:
    """Student -> (submissions, grades) in the gradebook: a grade recorded twice would show here."""
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as db:
        rows = db.execute("""select student.id, count(distinct submitted_assignment.id), count(grade.id)
                             from submitted_assignment join student on student.id = submitted_assignment.student_id
                             join submitted_notebook on submitted_notebook.assignment_id = submitted_assignment.id
                             join grade on grade.notebook_id = submitted_notebook.id group by student.id""").fetchall()
    return {student: (submissions, grades) for student, submissions, grades in rows}


def test_a_hostile_learner_before_and_after_every_honest_one_costs_them_nothing(graded):
    """One worker grades, in this order: attack, honest, attack, honest, ..., attack (one of each kind)."""
    run = graded.gauntlet
    assert run.seconds is not None and run.returncode == 0, run.outcome()
    rows = grade_rows(run.course)
    for student, attack in graded.gauntlet_order:
        scores = run.scores.get(student)
        if attack is None:
            assert full_marks(scores), f"{student} lost marks: {scores}\n" + run.explain(student, POINTS)
            assert rows.get(student) == (1, len(POINTS)), (student, rows.get(student))
        else:
            assert scores is not None and all(scores[cell] == 0 for cell in must_fail(attack)), \
                (student, scores, run.explain(student, POINTS))


def test_the_time_budget_covers_cells_run_again_after_every_hang(graded):
    run, attack = graded.budget, BUDGET_ATTACK
    assert run.seconds is not None and run.returncode == 0, run.outcome()
    start_up = 30.0  # the run's imports and one sandbox, on a busy machine
    assert run.seconds < LIMITS["budget_seconds"] + start_up, \
        f"{attack.student} kept a worker {run.seconds:.0f} s against a {LIMITS['budget_seconds']} s budget"
    scores = run.scores[attack.student]
    assert all(score == 0 for score in scores.values())
    assert attack.evidence in run.said(attack.student), run.said(attack.student)[:1500]


def test_nothing_of_a_sandbox_outlives_the_runs(graded):
    """No process, no System V object, no file in a scratch folder of the machine, from any run."""
    runs = [graded.run, graded.gauntlet, graded.budget, *graded.pairs.values()]
    for run in runs:
        left = subprocess.run(["pgrep", "-f", "--", f"--course={run.course.resolve()}"], capture_output=True)
        assert left.returncode == 1, f"sandbox processes outlived the run of {run.course.name}: {left.stdout.split()}"

    def ours(uid: int) -> bool:
        return any(first <= uid < last for first, last in graded.uid_blocks)

    new_ipc = sandbox_ipc_objects() - graded.ipc_before
    assert not [obj for obj in new_ipc if ours(int(obj.split()[5 if obj.startswith("sem") else 8]))], new_ipc
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        left = [entry.path for entry in os.scandir(folder) if ours(entry.stat(follow_symlinks=False).st_uid)]
        assert not left, f"files of sandbox uids outlived the runs: {left}"
