"""Chinese plot labels render with the course's own font: no "Glyph ... missing" anywhere."""
from __future__ import annotations

import logging
import subprocess
import warnings
import zipfile

import matplotlib
import nbformat

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from autograder import set_language  # noqa: E402
from autograder.contract import is_answer_cell, nbgrader_meta  # noqa: E402
from autograder.curriculum import ASSIGNMENTS as CURRICULUM  # noqa: E402
from autograder.fonts import FAMILY, FONT_FILE, course_characters  # noqa: E402
from autograder.simulate import reference_answers  # noqa: E402
from conftest import ASSIGNMENTS, REPO  # noqa: E402
from notebook_tools import execute, read, with_answers  # noqa: E402

LABEL = "梯度下降的步数（对数坐标）：输出对第 l 层变化的敏感程度"


# Mathtext ($...$) draws with its own fonts and reports a missing glyph through matplotlib's logger,
# not as a warning: a Chinese label with mathtext in it shows boxes. Both are caught.
LOG_MISSING_GLYPHS = ("import logging, sys\n"
                      "logging.getLogger('matplotlib').addHandler(logging.StreamHandler(sys.stderr))\n")


def glyph_warnings(text: str) -> list[str]:
    """Draw ``text`` as a title and an axis label; the "Glyph ... missing" warnings and mathtext's
    "does not have a glyph" log records it caused."""
    fig, ax = plt.subplots()
    ax.set_title(text)
    ax.set_xlabel(text)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.canvas.draw()
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    plt.close(fig)
    return ([str(w.message) for w in caught if "missing from font" in str(w.message)]
            + [r for r in records if "does not have a glyph" in r])


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    set_language("en")


def test_the_font_holds_every_cjk_character_of_the_course():
    cmap = TTFont(str(FONT_FILE)).getBestCmap()
    missing = [c for c in course_characters(REPO) if ord(c) not in cmap]
    assert not missing, f"not in the font: {''.join(missing)} (run scripts/subset-cjk-font)"
    assert TTFont(str(FONT_FILE))["name"].getDebugName(1) == FAMILY
    assert (FONT_FILE.parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE Version 1.1") == 1


def test_chinese_labels_render_once_chinese_is_chosen_and_not_before():
    set_language("en")
    assert glyph_warnings(LABEL), "without the course font the labels must miss glyphs (else this test proves nothing)"
    set_language("zh")
    assert glyph_warnings(LABEL) == []
    assert glyph_warnings("z（输入）") == []
    assert glyph_warnings("$a^{(l)}$ 随输入的离散程度"), "mathtext does not draw Chinese: keep $...$ out of zh labels"


@pytest.mark.slow
def test_the_chinese_notebooks_plot_cells_run_without_a_missing_glyph(fresh_release, tmp_path):
    for assignment in ASSIGNMENTS:
        notebook = CURRICULUM[assignment].notebook_file
        release = read(fresh_release["zh"] / assignment / notebook)
        answers = reference_answers(read(REPO / "source" / assignment / notebook))
        nb = with_answers(release, answers)
        nb.cells = [c for c in nb.cells if c.cell_type == "code" and (
            nbgrader_meta(c).get("grade_id") == "setup" or is_answer_cell(c) or "plt." in c.source
            or "plot_" in c.source)]
        plots = sum(("plt." in c.source or "plot_" in c.source) and not nbgrader_meta(c) for c in nb.cells)
        nb.cells.insert(0, nbformat.v4.new_code_cell(LOG_MISSING_GLYPHS))
        results = execute(nb, tmp_path / assignment)
        assert all(r.error is None for r in results), [r.error for r in results if r.error]
        problems = [r.stderr for r in results if r.stderr]
        assert not problems, problems
        assert sum(r.images for r in results) == plots >= 1


@pytest.mark.slow
def test_the_learners_install_brings_the_font(learner_env):
    python, folder, wheel = learner_env
    with zipfile.ZipFile(wheel) as archive:
        assert {"autograder/fonts/nnmath-cjk.otf", "autograder/fonts/OFL.txt"} <= set(archive.namelist())
    probe = ("import warnings, matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
             "from autograder import set_language\nset_language('zh')\nwarnings.simplefilter('error')\n"
             f"fig, ax = plt.subplots()\nax.set_xlabel({LABEL!r})\nfig.canvas.draw()\nprint('drawn')\n")
    result = subprocess.run([str(python), "-c", probe], cwd=folder, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "drawn", result.stderr[-2000:]
