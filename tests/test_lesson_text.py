"""What the learner reads in code cells: stubs that say what, never how; one language per release."""
from __future__ import annotations

import ast
import inspect
import keyword
import re
import textwrap

import pytest

import solutions
from autograder.bilingual import CHINESE, _kinds, keep_language, pairing_problems
from autograder.contract import is_answer_cell, is_test_cell, nbgrader_meta
from autograder.curriculum import ASSIGNMENTS as CURRICULUM
from conftest import ASSIGNMENTS, LANGUAGES, REPO
from notebook_tools import read

# Words that announce an implementation rather than a contract.
HOW_WORDS = ("computed with", "computed from", "computed by", "implemented", "uses np", "using np", "via np",
             "计算方法", "用 np", "调用 np", "调用 numpy")
# What a lesson's prose asks the learner to find out after the exercise starts: the stub must not say
# it. Each phrase must also appear in the prose (so this list cannot silently go stale).
DISCOVERIES = {
    "sigmoid": ("-|z|",),
    "softmax": ("max", "subtract"),
    "tanh": ("sigmoid", "np.tanh"),
}
# Names a formula line in a docstring may use besides the code's own identifiers and Python keywords.
MATH_WORDS = {"exp", "sqrt", "erf", "Phi", "phi", "pi", "delta_ij", "diag", "max", "ndarray", "float64", "s_i",
              "s_j", "z_i", "z_j", "sum_j", "ValueError", "ReLU",
              # 04_losses formulas
              "sum", "sum_i", "mean", "log", "onehot", "softmax", "dL", "dlogits"}


def release_nb(release_dir, assignment):
    return read(release_dir / assignment / CURRICULUM[assignment].notebook_file)


def reference_calls(obj) -> set[str]:
    """The dotted calls (np.exp, math.sqrt, z.astype ...) in the body of a reference function."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.add(ast.unparse(node.func))
            calls.add("." + node.func.attr + "(")
    return calls


def prose_of(nb, language) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("lang") == language)


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_released_stubs_say_what_not_how(language, fresh_release):
    for assignment in ASSIGNMENTS:
        nb = release_nb(fresh_release[language], assignment)
        prose = prose_of(nb, language) + prose_of(read(REPO / "source" / assignment /
                                                       CURRICULUM[assignment].notebook_file), "en")
        stubs = {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if is_answer_cell(c)}
        assert stubs
        for name, released in stubs.items():
            assert "raise NotImplementedError()" in released
            stub = released.split("# YOUR CODE HERE")[0]  # what the author wrote: def line and docstring
            for call in reference_calls(solutions.REFERENCE[name]):
                assert call not in stub, f"the {language} stub of {name} names {call!r}, how the reference works"
            for dotted in re.findall(r"\b(?:np|numpy|math)\.\w+", stub):
                pytest.fail(f"the {language} stub of {name} names {dotted!r}")
            for words in HOW_WORDS:
                assert words not in stub.lower(), f"the {language} stub of {name} says {words!r}"
            for phrase in DISCOVERIES.get(name, ()):
                as_word = re.compile(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])")  # "max", not softmax
                assert as_word.search(prose), f"{phrase!r} is no longer in the lesson's prose: update DISCOVERIES"
                assert not as_word.search(stub), f"the {language} stub of {name} gives away {phrase!r}"


def test_the_stub_check_would_have_caught_the_old_docstrings():
    old_sigmoid = '''def sigmoid(z):
    """Logistic sigmoid, element-wise, stable for any z.

    Computed with e = exp(-|z|), which lies in (0, 1] and cannot overflow.
    """
    # YOUR CODE HERE
    raise NotImplementedError()'''
    old_tanh = '    """Hyperbolic tangent, element-wise (np.tanh, stable for any z).'
    assert "computed with" in old_sigmoid.lower() and "-|z|" in old_sigmoid
    assert "np.tanh" in reference_calls(solutions.REFERENCE["tanh"]) and "np.tanh" in old_tanh


def comment_and_doc_lines(source: str):
    lines = source.split("\n")
    return [(line, kind) for line, kind in zip(lines, _kinds(lines)) if kind in ("comment", "doc")]


def identifiers(source: str) -> set[str]:
    try:
        tree = ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%")))
    except SyntaxError:
        return set()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return names


@pytest.mark.slow
def test_the_english_release_has_no_chinese_comment_or_docstring_line(fresh_release):
    for assignment in ASSIGNMENTS:
        for cell in release_nb(fresh_release["en"], assignment).cells:
            if cell.cell_type == "code":
                for line, _ in comment_and_doc_lines(cell.source):
                    assert not CHINESE.search(line), f"{assignment}: {line!r} in the English release"


@pytest.mark.slow
def test_the_chinese_release_has_no_english_comment_or_docstring_prose(fresh_release):
    """Outside test cells (their short notes are the test authors'), every comment is Chinese, and a
    docstring line without Chinese is a formula: code names, math names and Python keywords only."""
    checked = 0
    for assignment in ASSIGNMENTS:
        for cell in release_nb(fresh_release["zh"], assignment).cells:
            if cell.cell_type != "code" or is_test_cell(cell):
                continue
            allowed = identifiers(cell.source) | MATH_WORDS | set(keyword.kwlist) | set(CURRICULUM[assignment].graded)
            for line, kind in comment_and_doc_lines(cell.source):
                text = line.strip().lstrip("#").strip().strip('"')
                if not text or text == "YOUR CODE HERE" or CHINESE.search(text):
                    checked += bool(text)
                    continue
                assert kind == "doc", f"{assignment}: English comment {line!r} in the Chinese release"
                words = {w for w in re.findall(r"[A-Za-z][A-Za-z_0-9]*", text) if len(w) > 1} - allowed
                assert not words, f"{assignment}: English words {sorted(words)} in docstring line {line!r}"
    assert checked > 20


@pytest.mark.slow
def test_the_release_keeps_the_setup_comment_in_its_own_language(fresh_release):
    setups = {lang: next(c.source for c in release_nb(fresh_release[lang], "03_activations").cells
                         if nbgrader_meta(c).get("grade_id") == "setup") for lang in LANGUAGES}
    assert "# numpy has no erf" in setups["en"] and "numpy 没有 erf" not in setups["en"]
    assert "# numpy 没有 erf" in setups["zh"] and "numpy has no erf" not in setups["zh"]


# --- autograder.bilingual ---------------------------------------------------------------------

CELL = '''# Two layers.
# 两层。
x = 1  # a trailing note stays
def f(z):
    """Rectified, element-wise.
    修正，逐元素。

    f(z) = max(0, z)

    z: a float.
    z：浮点数。
    """
    return z'''


def test_keep_language_english():
    assert keep_language(CELL, "en") == '''# Two layers.
x = 1  # a trailing note stays
def f(z):
    """Rectified, element-wise.

    f(z) = max(0, z)

    z: a float.
    """
    return z'''


def test_keep_language_chinese_keeps_the_opening_quotes():
    assert keep_language(CELL, "zh") == '''# 两层。
x = 1  # a trailing note stays
def f(z):
    """修正，逐元素。

    f(z) = max(0, z)

    z：浮点数。
    """
    return z'''


def test_pairs_are_found_and_missing_twins_named():
    assert pairing_problems(CELL) == []
    assert pairing_problems("# only English\nx = 1") == ["line 1: an English comment without its Chinese line right after it"]
    assert pairing_problems("x = 1\n# 只有中文") == [
        "line 2: a Chinese comment line without its English line right before it"]
    assert pairing_problems('def f():\n    """Doc.\n    一\n    二\n    """') == [
        "line 4: a Chinese docstring line without its English line right before it"]


def test_code_holding_chinese_strings_is_left_alone():
    source = 'print(label("layer", "层"))'
    assert keep_language(source, "en") == source == keep_language(source, "zh")
    assert pairing_problems(source) == []
