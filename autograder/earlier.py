"""Functions from earlier assignments: ``bring("03_activations", "relu", "sigmoid")``.

A lesson's setup cell brings the earlier functions it builds on. Where they come from:

- grading (sandbox and trusted side): the course's reference, registered by a trusted prelude cell
  the grader prepends (:func:`reference_prelude`), so a mistake in an earlier function is never
  charged to the new one;
- the course repository (``solutions/`` importable: ``nnmath check``, the instructor): the reference;
- the learner's kernel: the learner's own notebook of that assignment beside this one
  (``../<assignment>/<topic>.ipynb``, then ``./<assignment>/<topic>.ipynb``). Its setup cell, the
  answer cells of the named functions (and of the graded functions they call) and the named
  functions' visible test cells run with their output captured; one line per function says
  whether it passes its own tests there (:func:`failed_there` lets later checks say so too).

``NNMATH_EARLIER=notebook`` forces the learner's way (tests of a release inside the repository).
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import inspect
import io
import json
import linecache
import os
import sys
import textwrap
from pathlib import Path

from . import messages
from .curriculum import ASSIGNMENTS, owner_of
from .messages import say

_registered: dict[tuple[str, str], object] = {}  # (assignment, name) -> reference, from the grader's prelude
_failing: dict[str, str] = {}  # brought name -> its assignment, when it fails its own tests there


def register(assignment: str, functions: dict) -> None:
    """Called by the grader's trusted prelude: ``bring`` returns these from now on."""
    for name, fn in functions.items():
        _registered[(assignment, name)] = fn


def failed_there(name: str) -> str | None:
    """The assignment ``name`` was brought from, if it failed its own tests in that notebook."""
    return _failing.get(name)


def bring(assignment: str, *names: str) -> tuple:
    """The functions ``names`` of the earlier ``assignment``, in that order (see the module doc)."""
    if assignment not in ASSIGNMENTS or not names:
        raise ValueError(str(say("bring_unknown", assignment=assignment, names=", ".join(names) or "-")))
    unknown = [name for name in names if name not in ASSIGNMENTS[assignment].graded]
    if unknown:
        raise ValueError(str(say("bring_unknown", assignment=assignment, names=", ".join(unknown))))
    if all((assignment, name) in _registered for name in names):
        return tuple(_registered[(assignment, name)] for name in names)
    if os.environ.get("NNMATH_EARLIER") != "notebook":
        found = _reference(names)
        if found is not None:
            return found
    return _from_notebook(assignment, names, Path.cwd())


def _reference(names) -> tuple | None:
    from .reference import ReferenceUnavailable, reference
    try:
        return tuple(reference(name) for name in names)
    except ReferenceUnavailable:
        return None


# --- the learner's own earlier notebook --------------------------------------------------------------

def notebook_candidates(assignment: str, here: Path) -> list[Path]:
    """Where the learner's notebook of ``assignment`` may be, seen from the directory ``here``."""
    file = ASSIGNMENTS[assignment].notebook_file
    return [here.parent / assignment / file, here / assignment / file]


def _cells(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        cells = json.load(handle)["cells"]
    for cell in cells:
        source = cell.get("source", "")
        cell["source"] = "".join(source) if isinstance(source, list) else str(source)
    return cells


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _calls(source: str, graded) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in graded}


def _from_notebook(assignment: str, names, here: Path) -> tuple:
    candidates = notebook_candidates(assignment, here)
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise FileNotFoundError(str(say("bring_no_notebook", assignment=assignment,
                                        places=" ; ".join(str(p) for p in candidates))))
    cells = [c for c in _cells(path) if c.get("cell_type") == "code"]
    graded = ASSIGNMENTS[assignment].graded
    answers = {_nbgrader(c)["grade_id"]: c["source"] for c in cells
               if _nbgrader(c).get("solution") and not _nbgrader(c).get("grade")}
    needed, todo = set(), list(names)
    while todo:  # the named functions and the graded functions they call, transitively
        name = todo.pop()
        if name not in needed and name in answers:
            needed.add(name)
            todo += sorted(_calls(answers[name], graded) - needed)
    program = [cells[0]["source"]] if cells else []
    tests: dict[str, list[str]] = {name: [] for name in names}
    for cell in cells:
        meta = _nbgrader(cell)
        if meta.get("grade_id") in needed and meta.get("solution"):
            program.append(cell["source"])
        elif meta.get("grade") and not meta.get("solution"):
            owner = owner_of(str(meta.get("grade_id", "")), graded)
            if owner in tests:
                tests[owner].append(cell["source"])
    scope: dict = {"__name__": f"nnmath_earlier_{assignment}"}
    with _quietly():
        for source in program:
            _run(source, scope, path)
        passed = {name: name in scope and bool(tests[name]) and all(_run(t, scope, path) for t in tests[name])
                  for name in names}
    for name in names:
        written = name in answers and "raise NotImplementedError" not in answers[name]
        if passed[name]:
            _failing.pop(name, None)
            print(say("bring_ok", fn=name, assignment=assignment))
        else:
            _failing[name] = assignment
            print(say("bring_fails" if written else "bring_unwritten", fn=name, assignment=assignment))
    missing = [name for name in names if name not in scope]
    if missing:
        raise NameError(str(say("bring_undefined", assignment=assignment, names=", ".join(missing))))
    return tuple(scope[name] for name in names)


def _run(source: str, scope: dict, path: Path) -> bool:
    """Run one cell of the earlier notebook; did it finish without an exception?

    The cell's code is registered with :mod:`linecache` under a name of its own (as IPython does), so
    ``inspect.getsource`` finds a brought function's source: checks such as ``expect_source`` in the
    earlier notebook's tests (01's ``numerical_gradient``) then judge it there as they do in its own kernel.
    """
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    filename = f"<{path} cell {hashlib.sha256(code.encode()).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(code), None, [line + "\n" for line in code.splitlines()], filename)
    try:
        exec(compile(code, filename, "exec"), scope)
    except Exception:  # a failing test or a broken answer there: reported by the verdict line
        return False
    return True


@contextlib.contextmanager
def _quietly():
    """Capture what the earlier notebook prints, and keep this notebook's language afterwards."""
    language = messages._language
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            yield
        finally:
            if language is None:
                messages._language = None
            else:
                import autograder
                autograder.set_language(language)


# --- grading: the reference as a trusted prelude cell -------------------------------------------------

def bring_calls(sources) -> list[tuple[str, tuple[str, ...]]]:
    """The ``bring("<assignment>", "<name>", ...)`` calls of setup cells, read statically."""
    calls = []
    for source in sources:
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "bring"
                    and node.args and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                          for a in node.args)):
                values = [a.value for a in node.args]
                calls.append((values[0], tuple(values[1:])))
    return calls


def reference_source(names) -> str:
    """Python source defining the reference ``names`` and everything of ``solutions/`` they use."""
    from .reference import reference
    imports, pieces, done = [], [], set()

    def add(fn):
        if fn.__name__ in done:
            return
        done.add(fn.__name__)
        module = sys.modules[fn.__module__]
        for global_name in fn.__code__.co_names:
            if global_name in done or not hasattr(module, global_name):
                continue
            value = getattr(module, global_name)
            if inspect.ismodule(value):
                imports.append(f"import {value.__name__} as {global_name}")
                done.add(global_name)
            elif inspect.isfunction(value) and value.__module__.startswith("solutions"):
                add(value)
            elif not callable(value) or getattr(value, "__module__", "").startswith("numpy"):
                done.add(global_name)
                pieces.append(_assignment_source(module, global_name))
        pieces.append(textwrap.dedent(inspect.getsource(fn)))

    for name in names:
        add(reference(name))
    return "\n".join(sorted(set(imports))) + "\n\n" + "\n\n".join(pieces)


def _assignment_source(module, name: str) -> str:
    """The module-level statement of ``module`` that assigns ``name`` (e.g. ``erf = np.vectorize(...)``)."""
    source = inspect.getsource(module)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.get_source_segment(source, node)
    raise LookupError(f"cannot find the definition of {name} in {module.__name__}")


def reference_prelude(setup_sources) -> str | None:
    """The trusted cell the grader runs before a lesson's setup: its brought functions, the reference's."""
    calls = bring_calls(setup_sources)
    if not calls:
        return None
    lines = ["def _nnmath_bring_reference():",
             "    from autograder.earlier import register"]
    for assignment, names in calls:
        lines += [f"    scope = {{}}",
                  f"    exec({reference_source(names)!r}, scope)",
                  f"    register({assignment!r}, {{name: scope[name] for name in {names!r}}})"]
    lines += ["_nnmath_bring_reference()", "del _nnmath_bring_reference"]
    return "\n".join(lines)
