"""Small helpers shared by the tests of the reference solutions (tests/test_reference_*.py)."""
import ast
import contextlib
import copy
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
# The contract lives in the project's shared/ folder, beside the repository (as CI checks it out).
CURRICULUM_CANDIDATES = [REPO.parent / "shared" / "CURRICULUM.md", Path("/work/shared/CURRICULUM.md"),
                         REPO / "CURRICULUM.md"]


@contextlib.contextmanager
def strict():
    """Any numpy floating-point event (overflow, underflow, invalid, divide) or warning raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def tt(a, grad=True):
    """float64 torch tensor (a leaf that requires grad by default) from an array or float."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


def elementwise_central(f, z, h=1e-6):
    """Central-difference derivative of an element-wise function, computed by the test itself."""
    z = np.asarray(z, dtype=np.float64)
    return (f(z + h) - f(z - h)) / (2.0 * h)


def central_grad(f, x, h=1e-6):
    """Central-difference gradient of a scalar function f of an array x (not using solutions)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2.0 * h)
    return grad


def assert_printed(actual, printed):
    """actual rounds to the printed number(s): |actual - printed| <= half a unit of last digit."""
    printed = np.atleast_1d(np.array(printed, dtype=object))
    actual = np.broadcast_to(np.asarray(actual, dtype=np.float64), printed.shape)
    for a, p in zip(actual.ravel(), printed.ravel()):
        decimals = len(p.split(".")[1]) if "." in p else 0
        assert abs(a - float(p)) <= 0.5 * 10.0 ** -decimals + 1e-15, (a, p)


def _same(a, b):
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == b.tobytes())
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a is b or a == b


def call_unmodified(fn, *args, **kwargs):
    """Call fn and assert that no argument (arrays inside lists/tuples included) changed a bit."""
    before = copy.deepcopy((args, kwargs))
    result = fn(*args, **kwargs)
    assert _same((args, kwargs), before), f"{fn.__name__} modified an argument"
    return result


def find_curriculum():
    """CURRICULUM.md; skips the calling test where it is absent, but fails in CI, where it must be."""
    import os

    import pytest

    path = next((p for p in CURRICULUM_CANDIDATES if p.exists()), None)
    if path is None:
        message = f"CURRICULUM.md not found at {', '.join(map(str, CURRICULUM_CANDIDATES))}"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    return path


def curriculum_names(text):
    """{graded name: (assignment folder, signature)} from CURRICULUM.md's '### NN_topic' sections.

    Each bullet (with its indented continuation lines) is read as one item. A graded function is
    a backticked signature `name(args)` whose args are names, defaults and commas only (formulas
    such as `max(|a - b| / ...)` are not taken); a graded class is `class Name` (signature None),
    and the other signatures on a class's bullet are its methods, not graded functions.
    """
    names, folder, bullets = {}, None, []
    for line in text.splitlines():
        if line.startswith("#"):
            match = re.match(r"### (\d\d_\w+)", line)
            folder = match.group(1) if match else None
        elif folder and line.startswith("- "):
            bullets.append([folder, line])
        elif folder and bullets and line.startswith("  "):
            bullets[-1][1] += " " + line.strip()
    for folder, bullet in bullets:
        classes = re.findall(r"`class ([A-Za-z_]\w*)`", bullet)
        functions = re.findall(r"`([A-Za-z_]\w*)(\([\w\s,=.\"'-]*\))`", bullet)
        for name, signature in [(c, None) for c in classes] or functions:
            names.setdefault(name, (folder, signature))
    return names


def parameters(signature):
    """[(name, default or inspect.Parameter.empty)] of a signature string like '(f, x, h=1e-5)'."""
    args = ast.parse(f"def f{signature}: pass").body[0].args
    defaults = [inspect.Parameter.empty] * (len(args.args) - len(args.defaults)) + \
        [ast.literal_eval(d) for d in args.defaults]
    return [(a.arg, d) for a, d in zip(args.args, defaults)]


def check_module_layout(module, extra_assign=()):
    """Course style: the module starts with `import numpy as np`; at module level only imports,
    functions and classes (plus the names in extra_assign); every public def has a docstring."""
    tree = ast.parse(inspect.getsource(module))
    first = tree.body[0]
    assert isinstance(first, ast.Import) and [(a.name, a.asname) for a in first.names] == \
        [("numpy", "np")], f"{module.__name__} does not start with `import numpy as np`"
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            assert ast.get_docstring(node), f"{node.name} has no docstring"
            continue
        targets = [t.id for t in node.targets] if isinstance(node, ast.Assign) else None
        assert targets == list(extra_assign), \
            f"unexpected module-level statement in {module.__name__}: {ast.dump(node)[:80]}"
