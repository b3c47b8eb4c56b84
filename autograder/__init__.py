"""nnmath's grading engine: the checks notebooks declare, the numerical gradient checker, and the
messages that explain a wrong answer, in English and Simplified Chinese.

Learner-side (installed with the course package): :mod:`checks`, :mod:`gradcheck`,
:mod:`diagnose`, :mod:`inputs`, :mod:`messages`, :mod:`plotting`. Instructor-side: :mod:`cli`,
:mod:`release`, :mod:`contract`, :mod:`demo`, and :mod:`reference`, which finds the hidden
reference in ``solutions/`` (never packaged).
"""
from .checks import (CheckFailure, expect, expect_backward, expect_derivative, expect_elementwise,
                     expect_jacobian, expect_matches_reference, expect_raises, expect_stable)
from .inputs import Labels, Normal, Uniform
from .messages import get_language, set_language

__all__ = ["CheckFailure", "expect", "expect_backward", "expect_derivative", "expect_elementwise",
           "expect_jacobian", "expect_matches_reference", "expect_raises", "expect_stable", "Labels", "Normal", "Uniform",
           "get_language", "set_language"]
