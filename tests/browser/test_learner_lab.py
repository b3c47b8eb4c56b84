"""The learner's experience of every released notebook, in each language, in a real JupyterLab.

Per notebook and language, in this order on one browser tab (each test also works alone: it does
what the earlier ones would have done):
1. the released notebook opens, its kernel starts, and the lesson renders in its own language;
2. running every cell raises the stubs' "not implemented" errors in the test cells and nothing else;
3. Validate reports failure for the stubs;
4. the reference answers, typed into the answer cells through the editor, pass every visible test
   after a kernel restart, and every plot cell draws;
5. Validate reports success for the completed notebook.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from autograder.contract import is_answer_cell, is_test_cell, nbgrader_meta
from autograder.curriculum import owner_of
from autograder.simulate import reference_answers
from conftest import ASSIGNMENTS, LANGUAGES, REPO
from notebook_tools import WITH_EARLIER, brings_earlier, missing_earlier, read

from .lab import NUMBERED, BrowserView, LabNotebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOT_IMPLEMENTED = {"en": "is not implemented yet", "zh": "还没有实现"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
VALIDATE_FAILED_CELL = "The following cell failed:"


def notebooks():
    """(assignment, notebook file, language) for every notebook of every released assignment, but a
    lesson whose earlier lessons are not written yet (07 on a branch without 06: it joins when 06 is
    merged; tests/test_learner_install.py checks that nothing else is left out)."""
    for assignment in ASSIGNMENTS:
        for notebook in sorted(p.name for p in (REPO / "source" / assignment).glob("*.ipynb")):
            if missing_earlier(read(REPO / "release" / assignment / notebook)):
                continue
            for language in LANGUAGES:
                yield pytest.param((assignment, notebook, language), id=f"{assignment}-{Path(notebook).stem}-{language}")


# --- what the notebook files say, to compare with what the page shows --------------------------------

def is_plot_cell(cell) -> bool:
    """A code cell that calls plt.… or a plot_… function (importing them is not plotting)."""
    if cell.cell_type != "code":
        return False
    try:
        tree = ast.parse("\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("%")))
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "plt":
                return True
            if isinstance(func, ast.Name) and func.id.startswith("plot_"):
                return True
    return False


def _without_code(markdown: str) -> str:
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`]*`", "", markdown)


def formula_count(markdown: str) -> int:
    """Formulas ($...$ and $$...$$) in a markdown source, outside code."""
    text = _without_code(markdown).replace(r"\$", "")
    display = len(re.findall(r"\$\$.+?\$\$", text, flags=re.DOTALL))
    text = re.sub(r"\$\$.+?\$\$", "", text, flags=re.DOTALL)
    return display + len(re.findall(r"\$[^$]+\$", text))


def plain(text: str) -> str:
    """Markdown inline markup and spacing removed, for comparing with rendered text."""
    return re.sub(r"\s+", " ", re.sub(r"[*_`#\\]", "", text)).strip()


def headings(markdown: str, levels: int = 2) -> list[tuple[str, str]]:
    """("h1", text), ("h2", text), ... of a markdown source, outside fenced code."""
    found = []
    for match in re.finditer(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.sub(r"^```.*?^```", "", markdown,
                                                                    flags=re.MULTILINE | re.DOTALL), re.MULTILINE):
        if len(match.group(1)) <= levels:
            found.append((f"h{len(match.group(1))}", match.group(2)))
    return found


def visible_checks(test_source: str) -> int | None:
    """How many ✓ lines a passing test cell prints: one per top-level expect…(…) statement
    (None when the cell is not that simple)."""
    statements = ast.parse(test_source).body
    if all(isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)
           and s.value.func.id.startswith("expect") for s in statements):
        return len(statements)
    return None


# --- one notebook on one tab ---------------------------------------------------------------------------

class Lesson(BrowserView):
    """A released notebook opened by a learner; each step runs once and remembers what it saw."""

    def __init__(self, page, server, home: Path, assignment: str, notebook: str, language: str):
        super().__init__(page, server)
        self.assignment, self.notebook, self.language = assignment, notebook, language
        brings = brings_earlier(read(home / assignment / notebook))
        folder = f"{WITH_EARLIER}/{assignment}/{assignment}" if brings else assignment
        self.file = home / folder / notebook
        self.released = read(self.file)
        self.source = read(REPO / "source" / assignment / notebook)
        kernel = self.released.metadata.get("kernelspec", {}).get("display_name", "Python 3")
        self.lab = LabNotebook(page, server, f"{folder}/{notebook}", kernel)
        self.answers = [nbgrader_meta(c)["grade_id"] for c in self.released.cells if is_answer_cell(c)]
        self.opened = False
        self.stub_cells = None
        self.stub_validation = None
        self.typed = False
        self.done_cells = None

    def code_cells(self, views):
        """(notebook cell, page cell) for every code cell."""
        return [(cell, view) for cell, view in zip(self.released.cells, views) if cell.cell_type == "code"]

    def open(self) -> None:
        if not self.opened:
            self.lab.open()
            self.opened = True

    def run_stubs(self):
        if self.stub_cells is None:
            self.open()
            assert not self.typed, "the stubs run before the answers are typed"
            # Test cells are tagged raises-exception by the release, so one Run All reaches every cell.
            self.lab.run_all()
            self.stub_cells = self.lab.cells()
        return self.stub_cells

    def validate_stubs(self):
        if self.stub_validation is None:
            self.open()
            assert not self.typed, "the stubs are validated before the answers are typed"
            self.lab.save()
            self.stub_validation = self.lab.validate()
        return self.stub_validation

    def type_answers(self) -> None:
        if not self.typed:
            self.open()
            self.validate_stubs()  # before the answers are typed, or never
            answers = reference_answers(self.source)
            for index, cell in enumerate(self.released.cells):
                if is_answer_cell(cell):
                    self.lab.type_into(index, answers[nbgrader_meta(cell)["grade_id"]])
            self.typed = True

    def run_completed(self):
        if self.done_cells is None:
            self.type_answers()
            self.lab.restart_and_clear()
            self.lab.run_all()
            self.done_cells = self.lab.cells()
        return self.done_cells


@pytest.fixture(scope="module", params=list(notebooks()))
def lesson(request, chromium, learner_labs):
    assignment, notebook, language = request.param
    server, home = learner_labs(language)
    page = chromium.new_page()
    lesson = Lesson(page, server, home, assignment, notebook, language)
    try:
        yield lesson
    finally:
        page.close()
        server.shutdown_kernels()


# --- 1 and 4: the lesson renders, in its language ----------------------------------------------------

def test_the_lesson_renders_in_its_language(lesson):
    lesson.open()
    nb, language = lesson.released, lesson.language
    markdown_cells = [c for c in nb.cells if c.cell_type == "markdown"]
    with_math = [i for i, c in enumerate(markdown_cells) if formula_count(c.source)]
    lesson.lab.wait_for_markdown(with_math)

    views = lesson.lab.cells()
    assert [v.kind for v in views] == [c.cell_type for c in nb.cells], "the page shows the notebook's cells in order"
    rendered = lesson.lab.markdown()
    assert len(rendered) == len(markdown_cells) and all(rendered), "every markdown cell is rendered"

    # Headings: the notebook's h1/h2, as written (those holding a formula: by level only).
    expected = [h for c in markdown_cells for h in headings(c.source)]
    shown = [h for r in rendered for h in r["headings"]]
    assert [level for level, _ in shown] == [level for level, _ in expected]
    assert ("h1", plain(expected[0][1])) == (shown[0][0], plain(shown[0][1]))
    for (_, want), (_, got) in zip(expected, shown):
        if "$" not in want:
            assert plain(got) == plain(want)

    # Formulas: MathJax typeset each one, without errors, and no TeX is left as text.
    for cell, r in zip(markdown_cells, rendered):
        assert r["formulas"] == formula_count(cell.source), (r["formulas"], cell.source[:200])
        assert r["formula_errors"] == 0, cell.source[:200]
        assert "$" not in r["prose"], r["prose"][:300]

    # The language: every prose cell of this language's source, none of the other's.
    ours = [c for c in lesson.source.cells if c.cell_type == "markdown" and c.metadata.get("lang") == language]
    theirs = [c for c in lesson.source.cells if c.cell_type == "markdown" and c.metadata.get("lang") != language]
    assert len(rendered) == len(ours), f"{len(rendered)} prose cells shown, the {language} source has {len(ours)}"
    if language == "zh":
        untranslated = [r["text"][:120] for r in rendered if not CJK.search(r["text"])]
        assert not untranslated, f"prose cells without Chinese in the Chinese release: {untranslated}"
    else:
        foreign = [r["text"][:120] for r in rendered if CJK.search(r["text"])]
        assert not foreign, f"Chinese in the {language} release: {foreign}"
    our_lines = {plain(line) for c in ours for line in c.source.splitlines()}
    page_text = plain(" ".join(r["text"] for r in rendered))
    # The first line of each of the other language's cells (unless it has a formula or also occurs
    # in this language, like "## 2. ReLU") must not be on the page.
    first_lines = {plain(c.source.strip().splitlines()[0]) for c in theirs}
    looked_for = [line for line in first_lines if "$" not in line and len(line) >= 8 and line not in our_lines]
    assert len(looked_for) >= len(theirs) // 2, f"too few lines of the other language to look for: {looked_for}"
    leaked = [line for line in looked_for if line in page_text]
    assert not leaked, f"prose of the other language shown: {leaked}"


# --- 2: running the stubs -----------------------------------------------------------------------------

def test_running_the_stubs_raises_only_not_implemented(lesson):
    views = lesson.run_stubs()
    phrase = NOT_IMPLEMENTED[lesson.language]
    unrun = [v.index for v in views if v.kind == "code" and not NUMBERED.match(v.prompt)]
    assert not unrun, f"cells never ran: {unrun}"
    for cell, view in lesson.code_cells(views):
        if is_test_cell(cell):
            owner = owner_of(nbgrader_meta(cell)["grade_id"], lesson.answers)
            assert view.errors, f"test cell {cell.id} ran the stub {owner} without an error"
            message = view.errors[0].text
            assert f"{owner} {phrase}" in message, f"test cell {cell.id}: {message[-600:]}"
            assert "✓" not in view.text, f"a check passed on the stub in {cell.id}: {view.text}"
            other = NOT_IMPLEMENTED["zh" if lesson.language == "en" else "en"]
            assert other not in view.text, f"test cell {cell.id} speaks the other language: {message[-300:]}"
        else:
            assert not view.errors, f"cell {cell.id} shows an error:\n{view.errors[0].text[-1500:]}"
        if is_plot_cell(cell):
            assert view.images >= 1, f"plot cell {cell.id} drew nothing"


# --- 3: Validate on the stubs ----------------------------------------------------------------------------

def test_validate_fails_on_the_stubs(lesson):
    classes, text = lesson.validate_stubs()
    tests = [c for c in lesson.released.cells if is_test_cell(c)]
    assert "validation-failed" in classes, f"Validate on the stubs said: {text[:1000]}"
    assert VALIDATE_SUCCESS not in text
    assert text.count(VALIDATE_FAILED_CELL) == len(tests), text[:3000]
    assert text.count(NOT_IMPLEMENTED[lesson.language]) >= len(tests), text[:3000]


# --- 4: the reference answers, typed in ---------------------------------------------------------------------

def test_typed_reference_answers_pass_every_visible_test(lesson):
    views = lesson.run_completed()
    code = lesson.code_cells(views)
    for cell, view in code:
        assert not view.errors, f"cell {cell.id} shows an error:\n{view.errors[0].text[-1500:]}"
    assert [v.prompt for _, v in code] == [f"[{n}]:" for n in range(1, len(code) + 1)], \
        "after a restart, Run All ran every cell once, in order"
    for cell, view in code:
        if is_test_cell(cell):
            lines = [line for line in view.text.splitlines() if line.strip()]
            assert lines and all(line.startswith("✓") for line in lines), f"test cell {cell.id} printed: {view.text}"
            expected = visible_checks(cell.source)
            if expected is not None:
                assert len(lines) == expected, f"test cell {cell.id}: {len(lines)} ✓ lines for {expected} checks"
            assert bool(CJK.search(view.text)) == (lesson.language == "zh"), view.text
        if is_plot_cell(cell):
            assert view.images >= 1, f"plot cell {cell.id} drew nothing"


# --- 5: Validate on the completed notebook -------------------------------------------------------------------

def test_validate_succeeds_on_the_completed_notebook(lesson):
    lesson.run_completed()
    lesson.lab.save()
    # What Validate reads is the file: it holds exactly the typed answers.
    saved = read(lesson.file)
    answers = reference_answers(lesson.source)
    typed = {nbgrader_meta(c)["grade_id"]: c.source for c in saved.cells if is_answer_cell(c)}
    assert typed == {name: answers[name] for name in lesson.answers}
    classes, text = lesson.lab.validate()
    assert "validation-success" in classes, f"Validate on the completed notebook said: {text[:3000]}"
    assert VALIDATE_SUCCESS in text
