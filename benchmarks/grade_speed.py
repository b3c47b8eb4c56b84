#!/usr/bin/env python
"""Grading speed: ``nnmath grade`` against stock ``nbgrader autograde`` on a simulated class.

    python benchmarks/grade_speed.py [--students 100] [--jobs N] [--keep DIR] [--seed 3]
                                     [--wrong N] [--broken N] [--no-hang] [--without-hanging auto|always|never]

Builds a throwaway course holding 03_activations and a class of simulated submissions (about 70%
correct, 20% with one to three realistic mistakes, 10% broken: syntax errors, functions that raise,
a cell that kills its process, a function that never returns, the untouched stubs, a notebook
under the wrong name, a truncated notebook), chosen deterministically from ``--seed``. Two
identical copies of the course are graded from the command line, one after the other, each timed
wall-clock including the command's start-up:

    python -m autograder.cli grade 03_activations --course-dir COPY1    (nnmath grade)
    nbgrader autograde 03_activations                                    (stock, whole class, cwd = COPY2)

Then it reads both gradebooks and checks that nnmath gives every learner the score their work
deserves (``expected_score``) and that stock gives every submission it could grade the total it is
known to give: the same, except that stock checks a derivative against the learner's own forward
function, so a wrong forward also costs its right derivative there (``stock_also``; nnmath grades
each function on its own). All simulated learners are honest; the ones stock cannot grade are
reported. The learner whose function never returns costs stock nbgrader its per-cell timeout
(``Execute.timeout``, 60 s in this course); when that is over a quarter of stock's time (small
classes), both graders are timed again on the class without that learner.

Exit status 0 when every score check holds, 1 otherwise; the speed target (10x) is reported only.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import nbformat  # noqa: E402

from autograder.build_release import build_release  # noqa: E402
from autograder.course import load_config  # noqa: E402
from autograder.curriculum import ASSIGNMENTS  # noqa: E402
from autograder.demo import prepare_course  # noqa: E402
from autograder.sandbox import Limits  # noqa: E402
from autograder.simulate import SimulatedLearner, expected_score, make_submission, write_submission  # noqa: E402

ASSIGNMENT = "03_activations"
NOTEBOOK = ASSIGNMENTS[ASSIGNMENT].notebook_file
TARGET = 10.0


# description -> the cells stock nbgrader also fails: it checks a derivative against the learner's own
# forward function (in the learner's kernel), so a wrong forward costs the right derivative there too.
STOCK_ALSO_FAILS: dict[str, frozenset] = {}


def _learner(description, answers=None, fails=(), stub_only=False, stock_also=()):
    STOCK_ALSO_FAILS[description] = frozenset(stock_also)
    return SimulatedLearner("?", description, dict(answers or {}), frozenset(fails), stub_only)


# --- the class ----------------------------------------------------------------------------------------
# Each wrong answer is one a learner really writes; `fails` names the functions (all their test
# cells) or the single test cells the mistake must fail; `stock_also` what stock nbgrader fails besides.

MISTAKES = {
    "relu_grad_bool": ({"relu_grad": "def relu_grad(z):\n    return np.asarray(z) > 0  # booleans, not floats\n"},
                       {"relu_grad"}),
    "relu_grad_kink": ({"relu_grad": "def relu_grad(z):\n"
                                     "    return (np.asarray(z) >= 0).astype(float)  # relu'(0) = 1\n"},
                       {"relu_grad"}),
    "relu_in_place": ({"relu": "def relu(z):\n    z[z < 0] = 0.0  # modifies the caller's array\n    return z\n"},
                      {"relu"}, {"relu_grad"}),  # stock: relu_grad's check differentiates this relu
    "leaky_alpha_ignored": ({"leaky_relu": "def leaky_relu(z, alpha=0.01):\n"
                                          "    z = np.asarray(z, dtype=float)\n"
                                          "    return np.where(z > 0, z, 0.01 * z)  # alpha ignored\n"},
                            {"leaky_relu"}, {"leaky_relu_grad"}),
    "leaky_grad_zero": ({"leaky_relu_grad": "def leaky_relu_grad(z, alpha=0.01):\n"
                                            "    return np.where(np.asarray(z) > 0, 1.0, 0.0)  # forgot alpha\n"},
                        {"leaky_relu_grad"}),
    "sigmoid_grad_no_factor": ({"sigmoid_grad": "def sigmoid_grad(z):\n    s = sigmoid(z)\n"
                                                "    return s  # the (1 - s) factor is missing\n"},
                               {"sigmoid_grad"}),
    "naive_sigmoid": ({"sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"},
                      {"test_sigmoid_stability"}),
    "naive_softmax": ({"softmax": "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=-1, keepdims=True)\n"},
                      {"test_softmax_stability"}),
    "softmax_axis0": ({"softmax": "def softmax(z):\n    z = np.asarray(z, dtype=float)\n"
                                  "    e = np.exp(z - z.max(axis=0))\n    return e / e.sum(axis=0)  # wrong axis\n"},
                      {"test_softmax", "test_softmax_stability"}),
    "tanh_grad_no_square": ({"tanh_grad": "def tanh_grad(z):\n    return 1.0 - tanh(z)  # forgot the square\n"},
                            {"tanh_grad"}),
    "gelu_tanh_approx": ({"gelu": "def gelu(z):\n    z = np.asarray(z, dtype=float)\n"
                                  "    return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))\n"},
                         {"gelu"}, {"gelu_grad"}),
    "gelu_grad_no_pdf_term": ({"gelu_grad": "def gelu_grad(z):\n    z = np.asarray(z, dtype=float)\n"
                                            "    return 0.5 * (1.0 + erf(z / math.sqrt(2.0)))  # only Phi(z)\n"},
                              {"gelu_grad"}),
    "softmax_jacobian_sign": ({"softmax_jacobian": "def softmax_jacobian(z):\n    s = softmax(z)\n"
                                                   "    return np.outer(s, s) - np.diag(s)  # sign flipped\n"},
                              {"softmax_jacobian"}),
    "softmax_jacobian_diag": ({"softmax_jacobian": "def softmax_jacobian(z):\n    s = softmax(z)\n"
                                                   "    return np.diag(s * (1 - s))  # only the diagonal\n"},
                              {"softmax_jacobian"}),
}

# Learners with one to three mistakes; `wrong` learners cycle through these.
WRONG = tuple(_learner(", ".join(names), {k: v for n in names for k, v in MISTAKES[n][0].items()},
                       set().union(*(MISTAKES[n][1] for n in names)),
                       stock_also=set().union(*(MISTAKES[n][2] if len(MISTAKES[n]) > 2 else () for n in names)))
              for names in (
                  ("relu_grad_bool",), ("sigmoid_grad_no_factor",), ("softmax_jacobian_sign",), ("naive_sigmoid",),
                  ("naive_softmax",), ("gelu_tanh_approx",), ("softmax_axis0",), ("relu_grad_kink",),
                  ("leaky_alpha_ignored",), ("leaky_grad_zero",), ("tanh_grad_no_square",),
                  ("gelu_grad_no_pdf_term",), ("relu_in_place",), ("softmax_jacobian_diag",),
                  ("relu_grad_bool", "sigmoid_grad_no_factor", "softmax_jacobian_sign"),
                  ("naive_sigmoid", "naive_softmax"),
                  ("gelu_tanh_approx", "tanh_grad_no_square"),
                  ("leaky_grad_zero", "softmax_axis0"),
              ))

CORRECT = _learner("correct everywhere")
HANGS = _learner("softmax_jacobian never returns (a while loop without i += 1)", {
    "softmax_jacobian": "def softmax_jacobian(z):\n    s = softmax(z)\n    n = len(s)\n    J = np.zeros((n, n))\n"
                        "    i = 0\n    while i < n:\n        J[i] = -s[i] * s\n        J[i, i] += s[i]\n"
                        "        # forgot i += 1\n    return J\n",
}, {"softmax_jacobian"})

# Broken submissions, in the order a class gets them (a class of n has round(n / 10) of them).
# file_fault: how the notebook file itself is broken (None: a normal notebook).
BROKEN = (
    (_learner("a syntax error in tanh", {"tanh": "def tanh(z):\n    return np.tanh(z\n"}, {"tanh"}, stock_also={"tanh_grad"}),
     None),
    (_learner("gelu raises on arrays (math.erf)", {
        "gelu": "def gelu(z):\n    return z * 0.5 * (1 + math.erf(z / math.sqrt(2)))  # TypeError on arrays\n"},
        {"gelu"}, stock_also={"gelu_grad"}), None),
    (_learner("a cell that kills its process (os._exit)", {"gelu": "import os\nos._exit(1)\n"}, {"gelu"},
              stock_also={"gelu_grad"}), None),
    (HANGS, None),
    (_learner("submitted the untouched stubs", stub_only=True), None),
    (_learner("notebook submitted under another name", stub_only=True), "missing"),
    (_learner("notebook truncated in the upload", stub_only=True), "malformed"),
    (_learner("sigmoid_grad raises (a typo: sigmod)", {
        "sigmoid_grad": "def sigmoid_grad(z):\n    s = sigmod(z)\n    return s * (1 - s)\n"}, {"sigmoid_grad"}), None),
    (_learner("a syntax error in softmax", {
        "softmax": "def softmax(z)\n    e = np.exp(z - np.max(z, axis=-1, keepdims=True))\n"
                   "    return e / e.sum(axis=-1, keepdims=True)\n"}, {"softmax"}, stock_also={"softmax_jacobian"}),
     None),
    (_learner("submitted the untouched stubs", stub_only=True), None),
)


@dataclass(frozen=True)
class Member:
    """One learner of the simulated class: what they did, and how their notebook file is broken."""

    learner: SimulatedLearner
    kind: str  # "correct", "wrong" or "broken"
    file_fault: str | None = None  # None, "missing" or "malformed"

    @property
    def student(self) -> str:
        return self.learner.student_id

    @property
    def hangs(self) -> bool:
        return self.learner.answers == HANGS.answers


def make_class(students: int = 100, seed: int = 3, hang: bool = True, wrong: int | None = None,
               broken: int | None = None) -> list[Member]:
    """A deterministic class: ``wrong`` (default 20%) and ``broken`` (default 10%) learners, the rest correct.

    Broken learners take :data:`BROKEN` in order (without the hanging one unless ``hang``), wrong ones
    cycle through :data:`WRONG` in a seeded order, and the seed also decides who is who.
    """
    rng = random.Random(seed)
    wrong = round(0.2 * students) if wrong is None else wrong
    broken = round(0.1 * students) if broken is None else broken
    broken_pool = [b for b in BROKEN if hang or b[0] is not HANGS]
    broken = min(broken, len(broken_pool), students)
    wrong = min(wrong, students - broken)
    wrong_order = list(WRONG)
    rng.shuffle(wrong_order)
    members = ([("broken", *broken_pool[i]) for i in range(broken)]
               + [("wrong", wrong_order[i % len(wrong_order)], None) for i in range(wrong)]
               + [("correct", CORRECT, None)] * (students - broken - wrong))
    ids = [f"s{i:03d}" for i in range(1, students + 1)]
    rng.shuffle(ids)
    return sorted((Member(dataclasses.replace(learner, student_id=sid), kind, fault)
                   for sid, (kind, learner, fault) in zip(ids, members)), key=lambda m: m.student)


def build_course(workdir: Path, members: list[Member]) -> Path:
    """A course in ``workdir/course`` with 03_activations released and every member's submission."""
    course = prepare_course(REPO, workdir)
    build_release(course, [ASSIGNMENT])  # also registers the assignment in course/gradebook.db
    source_nb = read_source(course)
    release_nb = nbformat.read(str(course / "release" / ASSIGNMENT / NOTEBOOK), as_version=4)
    for member in members:
        path = write_submission(course, ASSIGNMENT, NOTEBOOK, make_submission(release_nb, source_nb, member.learner),
                                member.student)
        if member.file_fault == "missing":
            path.rename(path.with_name("activations (1).ipynb"))
        elif member.file_fault == "malformed":
            text = path.read_text()
            path.write_text(text[: len(text) // 2])
    return course


def read_source(course: Path):
    return nbformat.read(str(course / "source" / ASSIGNMENT / NOTEBOOK), as_version=4)


def copy_course(course: Path, target: Path, members: list[Member] | None = None) -> Path:
    """An identical copy of ``course`` (only ``members``' submissions, when given)."""
    shutil.copytree(course, target)
    if members is not None:
        keep = {m.student for m in members}
        for folder in (target / "submitted").iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder)
    return target


# --- grading and timing ---------------------------------------------------------------------------------

def _env() -> dict:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)  # nbgrader shells out to this environment's `alembic`
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("NNMATH_SEED", None)
    return env


def nnmath_command(course: Path, jobs: int | None) -> list[str]:
    command = [sys.executable, "-m", "autograder.cli", "grade", ASSIGNMENT, "--course-dir", str(course)]
    return command + (["--jobs", str(jobs)] if jobs else [])


def stock_command() -> list[str]:
    script = Path(sys.executable).parent / "nbgrader"
    return [str(script) if script.exists() else shutil.which("nbgrader") or "nbgrader", "autograde", ASSIGNMENT]


@dataclass
class Timed:
    command: list[str]
    seconds: float
    returncode: int
    log: Path
    load: float  # the 1-minute load average when the command started (the machine may be shared)


def timed_run(command: list[str], cwd: Path, log: Path, timeout: float = 3600) -> Timed:
    """Run ``command`` in ``cwd``, output to ``log``; wall-clock seconds from launch to exit."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with open(log, "wb") as out:
        started = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=_env(), stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, timeout=timeout)
        seconds = time.perf_counter() - started
    return Timed(command, seconds, result.returncode, log, load)


def gradebook_scores(course: Path, students: list[str]) -> dict[str, dict | None]:
    """student -> {"total", "cells": {grade_id: score}, "ungraded": [grade_id]}; None: no submission."""
    from nbgrader.api import Gradebook, MissingEntry

    scores: dict[str, dict | None] = {}
    gradebook = Gradebook(f"sqlite:///{course}/gradebook.db")
    try:
        for student in students:
            try:
                submission = gradebook.find_submission(ASSIGNMENT, student)
            except MissingEntry:
                scores[student] = None
                continue
            grades = [g for nb in submission.notebooks for g in nb.grades]
            scores[student] = {"total": float(submission.score), "cells": {g.name: float(g.score) for g in grades},
                               "ungraded": [g.name for g in grades if g.auto_score is None and g.manual_score is None]}
    finally:
        gradebook.close()
    return scores


def stock_failures(course: Path, members: list[Member], scores: dict) -> dict[str, str]:
    """Learners stock nbgrader could not grade -> why (no autograded notebook, or cells without a score)."""
    log = (course / "stock.log").read_text(errors="replace") if (course / "stock.log").exists() else ""
    failed = {}
    for member in members:
        entry = scores.get(member.student)
        if entry is None:
            failed[member.student] = "no submission in the gradebook"
        elif not (course / "autograded" / member.student / ASSIGNMENT).is_dir():
            failed[member.student] = "autograde failed for this learner (no autograded/ folder)"
        elif entry["ungraded"]:
            failed[member.student] = f"cells left without a score: {', '.join(entry['ungraded'])}"
        if member.student in failed and _log_reason(log, member.student):
            failed[member.student] += f"; its log says: {_log_reason(log, member.student)}"
    return failed


def _log_reason(log: str, student: str) -> str:
    """The first error stock nbgrader logged while grading ``student``."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "Autograding" in line and f"/{student}/" in line:
            for later in lines[i + 1:]:
                if "Autograding" in later:
                    break
                if "| ERROR]" in later:
                    return later.split("| ERROR]", 1)[1].strip()[:160]
    return ""


# --- the benchmark ------------------------------------------------------------------------------------------

@dataclass
class Comparison:
    """Both graders, each on its own copy of the same class."""

    label: str
    members: list[Member]
    nnmath: Timed
    stock: Timed
    nnmath_scores: dict
    stock_scores: dict
    stock_failed: dict[str, str]

    @property
    def ratio(self) -> float:
        return self.stock.seconds / self.nnmath.seconds


def compare_graders(label: str, course: Path, workdir: Path, members: list[Member], jobs: int | None) -> Comparison:
    """Copy ``course`` twice (keeping ``members``), grade one copy with each grader, read both gradebooks."""
    tag = label.replace(" ", "-")
    ours = copy_course(course, workdir / f"nnmath-{tag}", members)
    stock = copy_course(course, workdir / f"stock-{tag}", members)
    students = [m.student for m in members]
    print(f"[{label}] nnmath grade, {len(members)} submissions ...", end=" ", flush=True)
    ours_run = timed_run(nnmath_command(ours, jobs), ours, ours / "nnmath.log")
    print(f"{ours_run.seconds:.1f} s (exit status {ours_run.returncode})", flush=True)
    print(f"[{label}] stock nbgrader autograde, {len(members)} submissions ...", end=" ", flush=True)
    stock_run = timed_run(stock_command(), stock, stock / "stock.log")
    print(f"{stock_run.seconds:.1f} s (exit status {stock_run.returncode})", flush=True)
    stock_scores = gradebook_scores(stock, students)
    return Comparison(label, members, ours_run, stock_run, gradebook_scores(ours, students), stock_scores,
                      stock_failures(stock, members, stock_scores))


def stock_view(learner: SimulatedLearner) -> SimulatedLearner:
    """The learner as stock nbgrader scores them: also failing a right derivative of a wrong forward."""
    also = STOCK_ALSO_FAILS.get(learner.description, frozenset())
    return dataclasses.replace(learner, fails=learner.fails | also)


def check(comparison: Comparison, source_nb) -> list[str]:
    """Every problem with the scores: nnmath against the deserved score for every learner, and stock
    against what stock is known to give (:func:`stock_view`) for every learner it could grade."""
    label = f"[{comparison.label}]"
    problems = []
    if comparison.nnmath.returncode != 0:
        problems.append(f"{label} nnmath grade exited with status {comparison.nnmath.returncode} "
                        f"(see {comparison.nnmath.log})")
    for member in comparison.members:
        who = f"{label} {member.student} ({member.learner.description})"
        deserved = expected_score(member.learner, source_nb)
        ours = comparison.nnmath_scores.get(member.student)
        if ours is None:
            problems.append(f"{who}: no nnmath score in the gradebook")
            continue
        if abs(ours["total"] - deserved) > 1e-9:
            problems.append(f"{who}: nnmath gave {ours['total']:g}, the work deserves {deserved:g}")
        if member.student in comparison.stock_failed:
            if member.kind != "broken":  # a clean notebook that stock cannot grade: the set-up is wrong
                problems.append(f"{who}: stock nbgrader could not grade this clean submission "
                                f"(see {comparison.stock.log})")
            continue
        theirs = comparison.stock_scores[member.student]
        stock_expected = expected_score(stock_view(member.learner), source_nb)
        if abs(theirs["total"] - stock_expected) > 1e-9:
            cells = sorted(g for g, score in ours["cells"].items() if abs(score - theirs["cells"].get(g, 0.0)) > 1e-9)
            problems.append(f"{who}: stock nbgrader gave {theirs['total']:g} where it was expected to give "
                            f"{stock_expected:g} (nnmath {ours['total']:g}; cells scored differently: {', '.join(cells)})")
    return problems


def print_report(comparisons: list[Comparison], jobs: int, problems: list[str], cell_timeout: float) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(width=max(Console().width, 130))

    def line(text: str, markup: bool = False) -> None:
        console.print(text, markup=markup, highlight=False, soft_wrap=True)

    main = comparisons[0]
    table = Table(title=f"{ASSIGNMENT}: wall-clock grading time, start-up included "
                        f"[1-minute load average when each command started]")
    for column in ("class", "learners", "nnmath grade", "per submission", "nbgrader autograde", "per submission",
                   "stock / nnmath"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for c in comparisons:
        n = len(c.members)
        table.add_row(c.label, str(n), escape(f"{c.nnmath.seconds:.1f} s [{c.nnmath.load:.1f}]"),
                      f"{1000 * c.nnmath.seconds / n:.0f} ms", escape(f"{c.stock.seconds:.1f} s [{c.stock.load:.1f}]"),
                      f"{1000 * c.stock.seconds / n:.0f} ms", f"[bold]{c.ratio:.1f}x[/bold]")
    console.print(table)
    line(f"machine: {os.cpu_count()} cores; nnmath grade --jobs {jobs}; stock nbgrader: one process, "
         f"Execute.timeout = {cell_timeout:g} s per cell")
    line(f"nnmath:  {' '.join(['python', *main.nnmath.command[1:]])}")
    line(f"stock:   nbgrader autograde {ASSIGNMENT}   (cwd = the second copy)")
    kinds = [m.kind for m in main.members]
    line(f"class:   {kinds.count('correct')} correct, {kinds.count('wrong')} with mistakes, "
         f"{kinds.count('broken')} broken")
    hanging = [m.student for m in main.members if m.hangs]
    if hanging:
        line(f"hanging: {', '.join(hanging)} (softmax_jacobian never returns) costs stock nbgrader its "
             f"{cell_timeout:g} s cell timeout, nnmath its {Limits().call_seconds:g} s call deadline")
    for c in comparisons:
        if c.stock_failed:
            line(f"[{c.label}] stock nbgrader could not grade {len(c.stock_failed)} learner(s), left out of the "
                 f"stock/nnmath comparison:")
            for student, why in c.stock_failed.items():
                member = next(m for m in c.members if m.student == student)
                line(f"  {student} ({member.learner.description}): {why}")
    for c in comparisons:
        verdict = "[green]met[/green]" if c.ratio >= TARGET else "[red]not met[/red]"
        line(escape(f"[{c.label}]") + f" speed target {TARGET:g}x: {verdict} ({c.ratio:.1f}x)", markup=True)
    if problems:
        line(f"[red]{len(problems)} correctness problem(s):[/red]", markup=True)
        for problem in problems:
            line("  " + problem)
    else:
        for c in comparisons:
            compared = len(c.members) - len(c.stock_failed)
            line(f"[green]{escape(f'[{c.label}]')} nnmath gave all {len(c.members)} learners the score their work "
                 f"deserves; stock nbgrader gave the {compared} it could grade the totals it is known to give (a wrong "
                 f"forward also costs its derivative there).[/green]", markup=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time nnmath grade against stock nbgrader autograde on a "
                                                 "simulated class, and check the scores of both.")
    parser.add_argument("--students", type=int, default=100, help="class size (default: 100)")
    parser.add_argument("--jobs", type=int, help="nnmath grade --jobs (default: nnmath's own: all cores)")
    parser.add_argument("--keep", metavar="DIR", help="build the courses in DIR (new or empty) and keep them")
    parser.add_argument("--seed", type=int, default=3, help="decides who makes which mistake (default: 3)")
    parser.add_argument("--wrong", type=int, help="learners with mistakes (default: 20%%)")
    parser.add_argument("--broken", type=int, help="broken submissions (default: 10%%, at most %d)" % len(BROKEN))
    parser.add_argument("--no-hang", action="store_true", help="no learner whose function never returns")
    parser.add_argument("--without-hanging", choices=("auto", "always", "never"), default="auto",
                        help="also time both graders on the class minus its hanging learner: auto (default) "
                             "does when stock's cell timeout is over a quarter of its time")
    args = parser.parse_args(argv)

    kept = args.keep is not None
    workdir = Path(args.keep).resolve() if kept else Path(tempfile.mkdtemp(prefix="nnmath-bench-"))
    if kept and workdir.exists() and any(workdir.iterdir()):
        print(f"--keep {workdir}: the folder is not empty", file=sys.stderr)
        return 2
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        members = make_class(args.students, args.seed, hang=not args.no_hang, wrong=args.wrong, broken=args.broken)
        print(f"building a class of {len(members)} submissions of {ASSIGNMENT} in {workdir} ...", flush=True)
        course = build_course(workdir / "build", members)
        source_nb = read_source(course)
        cell_timeout = float(load_config(course).Execute.timeout)
        comparisons = [compare_graders("full class", course, workdir, members, args.jobs)]
        hanging = [m for m in members if m.hangs]
        share = len(hanging) * cell_timeout / comparisons[0].stock.seconds
        if hanging and (args.without_hanging == "always" or (args.without_hanging == "auto" and share > 0.25)):
            comparisons.append(compare_graders("without hanging", course, workdir,
                                               [m for m in members if not m.hangs], args.jobs))
        problems = [p for c in comparisons for p in check(c, source_nb)]
        print_report(comparisons, args.jobs or os.cpu_count() or 1, problems, cell_timeout)
        print(f"courses, logs and gradebooks: {workdir}" if kept else
              "the courses are deleted at the end; --keep DIR keeps them (logs, gradebooks)")
        return 1 if problems else 0
    finally:
        if not kept:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
