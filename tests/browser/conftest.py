"""Browser fixtures: Debian's Chromium, driven by Playwright, against JupyterLab servers.

- ``chromium``: one headless Chromium (a persistent context) for all browser tests; the tests FAIL,
  never skip, when /usr/bin/chromium or the ``playwright`` package is missing.
- ``learner_labs``: ``learner_labs(language)`` starts (once) a JupyterLab from the learner's
  environment (``learner_env``: exactly what the release's ``pip install`` line installs), whose
  root is a learner folder holding only the released assignment folders in that language.
- ``instructor_lab``: a JupyterLab from the instructor's environment (this interpreter) in a
  temporary copy of the course whose assignments have been released.

Package-scoped: everything is stopped when the last browser test is done (Playwright's sync API
keeps an asyncio loop marked running while it lives, which other tests' ``asyncio.run`` refuses).

On a failing test, its page's screenshot and its server's log are saved under
``test-artifacts/browser/<test name>/``, and the report says where.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import course_language
from conftest import ASSIGNMENTS, REPO
from notebook_tools import WITH_EARLIER, place_earlier, read, ready_beside_earlier

from .jupyter import JupyterServer, clean_env
from .lab import BrowserView

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = REPO / "test-artifacts" / "browser"
INSTALL_CHROMIUM = ("the browser tests drive Debian's Chromium, and /usr/bin/chromium is missing: "
                    "install it with `sudo apt-get install chromium` (`make test` does this)")


# --- the browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def browser_installed():
    """Fail every browser test at once, before anything is built, when the browser is missing."""
    if not CHROMIUM.exists():
        pytest.fail(INSTALL_CHROMIUM, pytrace=False)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("the browser tests need the Python package playwright: pip install -e '.[test]' "
                    "(`make test` does this)", pytrace=False)


@pytest.fixture(scope="package")
def chromium(browser_installed, tmp_path_factory):
    """A Playwright browser context on Debian's Chromium (never a browser Playwright downloads)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 900})
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


# --- the learner's JupyterLab ---------------------------------------------------------------------

def released_folder(language: str, assignment: str, fresh_release: dict[str, Path]) -> Path:
    """The released assignment in ``language``: the committed ``release/`` for the course's own
    language (what learners get), a release built now for the other one."""
    if language == course_language(REPO):
        return REPO / "release" / assignment
    return fresh_release[language] / assignment


class LearnerLabs:
    """``labs(language)`` -> (server, learner folder); one server per language, started on first use."""

    def __init__(self, python: Path, fresh_release: dict[str, Path], root: Path):
        self.python, self.fresh_release, self.root = python, fresh_release, root
        self.servers: dict[str, tuple[JupyterServer, Path]] = {}
        # matplotlib builds its font cache once per configuration folder and says so on stderr; a
        # learner sees that once in a lifetime, not as part of the lesson: build it before the lab.
        self.matplotlib = root / "matplotlib"
        subprocess.run([str(python), "-c", "import matplotlib.pyplot"], check=True, capture_output=True, timeout=300,
                       env=clean_env(python, root / "warm-up", {"MPLCONFIGDIR": str(self.matplotlib)}))

    def __call__(self, language: str) -> tuple[JupyterServer, Path]:
        if language not in self.servers:
            home = self.root / f"learner-{language}"
            for assignment in ASSIGNMENTS:
                released = released_folder(language, assignment, self.fresh_release)
                shutil.copytree(released, home / assignment)
                nb = read(next(released.glob("*.ipynb")))
                if ready_beside_earlier(nb, released.parent):  # beside the earlier lessons as a learner who
                    # finished them has them, in a folder of its own: 06 brings from 05, which brings too
                    # (its stub must stay a stub)
                    shutil.copytree(released, home / WITH_EARLIER / assignment / assignment)
                    place_earlier(nb, home / WITH_EARLIER / assignment / assignment, released.parent)
            state = self.root / f"state-{language}"
            env = clean_env(self.python, state, {"MPLCONFIGDIR": str(self.matplotlib)})
            server = JupyterServer(f"learner ({language})", self.python, home, home, state, env)
            self.servers[language] = (server, home)
            server.start()
        return self.servers[language]

    def stop(self) -> list[str]:
        return [f"{server.name}: killed leftover kernel {pid}" for server, _ in self.servers.values()
                for pid in server.stop()]


@pytest.fixture(scope="package")
def learner_python(learner_env) -> Path:
    """The interpreter of the learner's fresh virtualenv."""
    python, _, _ = learner_env
    return python


@pytest.fixture(scope="package")
def learner_labs(learner_python, fresh_release, tmp_path_factory):
    labs = LearnerLabs(learner_python, fresh_release, tmp_path_factory.mktemp("learner-labs"))
    try:
        yield labs
    finally:
        leftovers = labs.stop()
    assert not leftovers, leftovers


# --- the instructor's JupyterLab ------------------------------------------------------------------

@pytest.fixture(scope="package")
def instructor_lab(tmp_path_factory):
    """A course copy with every assignment released (and so in gradebook.db), served by a JupyterLab
    from the instructor's environment, run in the course folder as nbgrader's formgrader needs."""
    root = tmp_path_factory.mktemp("instructor")
    course = root / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    for assignment in ASSIGNMENTS:
        shutil.copytree(REPO / "source" / assignment, course / "source" / assignment)
    # In a child process: the release runs nbgrader in-process, and this one may already hold
    # Playwright's event loop.
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from autograder.build_release import build_release; "
                    "build_release(Path(sys.argv[1]), sys.argv[2:])", str(course), *ASSIGNMENTS],
                   check=True, capture_output=True, timeout=300, cwd=REPO)
    assert (course / "gradebook.db").is_file()
    server = JupyterServer("instructor", Path(sys.executable), course, course, root / "state")
    server.start()
    try:
        yield server
    finally:
        leftovers = server.stop()
    assert not leftovers, f"killed leftover kernels {leftovers}"


# --- artifacts of a failing test --------------------------------------------------------------------

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in ("setup", "call"):
        views = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, BrowserView)]
        if views:
            report.sections.append(("browser artifacts", save_artifacts(item.name, views)))
    return report


def save_artifacts(test_name: str, views: list[BrowserView]) -> str:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    lines = []
    for n, view in enumerate(views):
        suffix = "" if n == 0 else f"-{n + 1}"
        if view.page is not None and not view.page.is_closed():
            shot = folder / f"screenshot{suffix}.png"
            try:
                view.page.screenshot(path=str(shot), timeout=15_000)
                lines.append(f"screenshot: {shot}  (page {view.page.url.split('?')[0]})")
            except Exception as error:  # the page may be what broke; the log still helps
                lines.append(f"no screenshot: {type(error).__name__}: {str(error).splitlines()[0]}")
        log = folder / f"server{suffix}.log"
        if view.server.log.is_file():
            shutil.copy(view.server.log, log)
            lines.append(f"server log: {log}  ({view.server.name} JupyterLab)")
    return "\n".join(lines)
