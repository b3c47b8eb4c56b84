"""nnmath's grading engine: the checks notebooks declare, the numerical gradient checker, and the
messages that explain a wrong answer, in English and Simplified Chinese.

Learner-side (installed with the course package): :mod:`checks`, :mod:`gradcheck`,
:mod:`diagnose`, :mod:`inputs`, :mod:`messages`, :mod:`plotting`, :mod:`by_hand`
(numbers computed on paper, checked at once), :mod:`fonts`. Instructor-side: :mod:`cli`,
:mod:`release`, :mod:`contract`, :mod:`demo`, and :mod:`reference`, which finds the hidden
reference in ``solutions/`` (never packaged).
"""
from .by_hand import check_by_hand
from .checks import (CheckFailure, expect, expect_backward, expect_derivative, expect_elementwise,
                     expect_gradient, expect_jacobian, expect_matches_reference, expect_raises, expect_stable)
from .inputs import Labels, Normal, Params, Probabilities, Uniform
from .messages import get_language
from .messages import set_language as _set_message_language
# Issue 9: functions, generators, objects and long calls as arguments; checks on behaviour and source.
from .checks_objects import Program, expect_graphs, expect_program, expect_programs
from .checks_properties import (Accuracy, Dtype, Falls, Gaussian, Rng, Shapes, Std, Zeros, expect_calls, expect_properties,
                                expect_reproducible, expect_restored)
from .checks_properties import Separates, TwoLayers  # 02_neurons
from .checks_properties import EpochMeans, LastBatchTrained, Reshuffled  # 07_training
from .checks_source import MATMUL_SHORTCUTS, expect_source
from .crossing import within
from .functions import course_function, formula


def set_language(language: str) -> None:
    """Speak ``language`` ("en" or "zh") from now on: the checks' messages, by-hand feedback and the
    plots' labels, whose Chinese glyphs come from the course's own font (:mod:`autograder.fonts`)."""
    from .fonts import select

    _set_message_language(language)
    select(language)


__all__ = ["CheckFailure", "check_by_hand", "expect", "expect_backward", "expect_derivative", "expect_elementwise",
           "expect_gradient", "expect_jacobian", "expect_matches_reference", "expect_raises", "expect_stable", "Labels", "Normal", "Probabilities", "Uniform",
           "get_language", "set_language",
           "Program", "expect_graphs", "expect_program", "expect_programs", "Accuracy", "Dtype", "Falls", "Rng", "Shapes", "Std", "Zeros", "Gaussian", "Params",
           "expect_calls", "expect_properties", "Separates", "TwoLayers", "expect_restored", "expect_reproducible", "MATMUL_SHORTCUTS",
           "expect_source", "within", "course_function", "formula",
           "EpochMeans", "LastBatchTrained", "Reshuffled"]  # 07_training
