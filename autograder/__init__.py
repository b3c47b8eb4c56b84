"""nnmath's grading engine: the checks notebooks declare, the numerical gradient checker, and the
messages that explain a wrong answer, in English and Simplified Chinese.

Learner-side (installed with the course package): :mod:`checks`, :mod:`gradcheck`,
:mod:`diagnose`, :mod:`inputs`, :mod:`messages`, :mod:`plotting`, :mod:`by_hand`
(numbers computed on paper, checked at once), :mod:`fonts`. Instructor-side: :mod:`cli`,
:mod:`release`, :mod:`contract`, :mod:`demo`, and :mod:`reference`, which finds the hidden
reference in ``solutions/`` (never packaged).
"""
import importlib
import importlib.util

# Each public name and the module that defines it. They load on first use (PEP 562), so that a
# process using one of them (a learner's `from autograder import check_by_hand`, the `nnmath`
# command, which needs none) does not pay for numpy and every check at `import autograder`.
_PUBLIC = {
    "by_hand": ["check_by_hand"],
    "checks": ["CheckFailure", "expect", "expect_backward", "expect_derivative", "expect_elementwise",
               "expect_gradient", "expect_jacobian", "expect_matches_reference", "expect_raises", "expect_stable"],
    "inputs": ["Labels", "Normal", "Params", "Probabilities", "Uniform"],
    "messages": ["get_language"],
    # Issue 9: functions, generators, objects and long calls as arguments; checks on behaviour and source.
    "checks_objects": ["Program", "expect_graphs", "expect_program", "expect_programs"],
    "checks_properties": ["Accuracy", "Dtype", "Falls", "Gaussian", "Rng", "Shapes", "Std", "Zeros", "expect_calls",
                          "expect_properties", "expect_reproducible", "expect_restored",
                          "Separates", "TwoLayers",  # 02_neurons
                          "EpochMeans", "LastBatchTrained", "Reshuffled"],  # 07_training
    "checks_source": ["MATMUL_SHORTCUTS", "expect_source"],
    "crossing": ["within"],
    "functions": ["course_function", "formula"],
}
_DEFINED_IN = {name: module for module, names in _PUBLIC.items() for name in names}


def __getattr__(name: str):
    """A public name (or a submodule, ``autograder.checks``), imported now and kept."""
    if name in _DEFINED_IN:
        value = getattr(importlib.import_module(f".{_DEFINED_IN[name]}", __name__), name)
    elif not name.startswith("__") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_DEFINED_IN))


def set_language(language: str) -> None:
    """Speak ``language`` ("en" or "zh") from now on: the checks' messages, by-hand feedback and the
    plots' labels, whose Chinese glyphs come from the course's own font (:mod:`autograder.fonts`)."""
    from .fonts import select
    from .messages import set_language as set_message_language

    set_message_language(language)
    select(language)


__all__ = [*_DEFINED_IN, "set_language"]
