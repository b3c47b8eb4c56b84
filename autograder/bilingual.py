"""Bilingual comments and docstrings in shared code cells: one language kept per release.

A code cell is shared by both languages, so its prose is written twice, line by line: an English
comment (or docstring) line, then the same sentence in Chinese on the next line, at the same
indentation::

    # Two linear layers with random weights.
    # 两个随机权重的线性层。
    def relu(z):
        \"\"\"Rectified linear unit, element-wise.
        修正线性单元（ReLU），逐元素计算。

        relu(z) = max(0, z)
        \"\"\"

A line holding Chinese characters is the Chinese twin of the line right before it. Lines
without prose (code, formulas such as ``relu(z) = max(0, z)``) are shared. :func:`keep_language`
keeps one language of each pair; :func:`pairing_problems` finds comments whose twin is missing.
"""
from __future__ import annotations

import re

# CJK punctuation, ideographs and full-width forms: a line holding any of them is Chinese.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
DOCSTRING_QUOTES = '"""'
# The setup cell's set_language("en") call, whose language the release sets (autograder.release).
SET_LANGUAGE_CALL = re.compile(r'^(\s*set_language\()"(\w+)"(\))', re.MULTILINE)


def _kinds(lines: list[str]) -> list[str]:
    """Per line: "comment" (a whole-line ``#`` comment), "doc" (in a triple-quoted string) or "code"."""
    kinds, inside = [], False
    for line in lines:
        quotes = line.count(DOCSTRING_QUOTES)
        stripped = line.strip()
        if inside or quotes:
            kinds.append("doc")
        elif stripped.startswith("#") and not stripped.startswith("###"):
            kinds.append("comment")
        else:
            kinds.append("code")
        inside = inside ^ (quotes % 2 == 1)
    return kinds


def _is_chinese(line: str, kind: str) -> bool:
    return kind in ("comment", "doc") and bool(CHINESE.search(line)) and DOCSTRING_QUOTES not in line


def _twins(lines: list[str]) -> list[tuple[int, int]]:
    """(English line, Chinese line) index pairs: each Chinese line and the line right before it."""
    kinds = _kinds(lines)
    pairs = []
    for i, line in enumerate(lines):
        if i and _is_chinese(line, kinds[i]) and kinds[i - 1] == kinds[i] and lines[i - 1].strip() \
                and not CHINESE.search(lines[i - 1]) and lines[i - 1].strip() != DOCSTRING_QUOTES:
            pairs.append((i - 1, i))
    return pairs


def keep_language(source: str, language: str) -> str:
    """``source`` with only ``language``'s line of each English/Chinese pair (``"en"`` or ``"zh"``).

    A Chinese docstring line that replaces an English opening line keeps the opening quotes.
    In an English release every Chinese comment or docstring line goes, paired or not.
    """
    lines = source.split("\n")
    kinds = _kinds(lines)
    if language == "en":
        return "\n".join(line for line, kind in zip(lines, kinds) if not _is_chinese(line, kind))
    drop = set()
    for en, zh in _twins(lines):
        english = lines[en]
        indent = english[:len(english) - len(english.lstrip())]
        if english.lstrip().startswith(DOCSTRING_QUOTES):
            lines[zh] = indent + DOCSTRING_QUOTES + lines[zh].strip()
        drop.add(en)
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)


def pairing_problems(source: str) -> list[str]:
    """Comment lines whose twin is missing, as "line N: ..." (docstrings may hold shared formulas,
    so only their Chinese lines are required to follow an English one)."""
    lines = source.split("\n")
    kinds = _kinds(lines)
    paired = {i for pair in _twins(lines) for i in pair}
    problems = []
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        if i in paired:
            continue
        if _is_chinese(line, kind):
            problems.append(f"line {i + 1}: a Chinese {'comment' if kind == 'comment' else 'docstring'} line "
                            f"without its English line right before it")
        elif kind == "comment":
            problems.append(f"line {i + 1}: an English comment without its Chinese line right after it")
    return problems
