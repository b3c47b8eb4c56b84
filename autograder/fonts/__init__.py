"""The CJK font the course's plots use for Chinese labels, shipped in the package.

A learner's machine may have no font with Chinese glyphs, and matplotlib then draws empty boxes
and warns "Glyph ... missing from font". ``nnmath-cjk.otf`` is a subset of Noto Sans CJK SC
(SIL Open Font License 1.1, ``OFL.txt`` beside it) holding every CJK character of the course's
text and the 3,755 most common ones; ``scripts/subset-cjk-font`` rebuilds it. :func:`select` adds it to matplotlib's font list
after the usual font, so Latin letters look as always and Chinese ones come from this font.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

FAMILY = "nnmath CJK"
FONT_FILE = Path(__file__).with_name("nnmath-cjk.otf")
# CJK punctuation, ideographs and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_registered = False


def select(language: str) -> None:
    """Make matplotlib draw Chinese glyphs with the course font when ``language`` is "zh".

    Does nothing until matplotlib has been imported (importing it here would slow down every
    process that only needs the messages); :mod:`autograder.plotting` calls it again on import.
    """
    global _registered
    if "matplotlib" not in sys.modules:
        return
    import matplotlib
    from matplotlib import font_manager

    if not _registered:
        font_manager.fontManager.addfont(str(FONT_FILE))
        _registered = True
    families = [f for f in matplotlib.rcParams["font.family"] if f != FAMILY]
    matplotlib.rcParams["font.family"] = families + [FAMILY] if language == "zh" else families


def common_characters() -> set[str]:
    """The 3,755 most common Chinese characters (level 1 of GB 2312) and the full-width ASCII forms."""
    level1 = {bytes([row, cell]).decode("gb2312", errors="ignore") for row in range(0xB0, 0xD8)
              for cell in range(0xA1, 0xFF)}
    full_width = {chr(c) for c in range(0xFF01, 0xFF5F)}
    return (level1 | full_width) - {""}


def course_characters(repo: Path) -> str:
    """Every CJK character the font must hold, sorted: those of the course's notebooks (source/) and
    engine (autograder/), and the common ones (so a new label rarely needs a new font)."""
    paths = list((repo / "source").glob("*/*.ipynb")) + list((repo / "autograder").rglob("*.py"))
    found = common_characters()
    for path in paths:
        found |= set(CJK.findall(path.read_text(encoding="utf-8")))
    return "".join(sorted(found))
