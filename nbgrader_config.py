"""nbgrader configuration for the nnmath course: this directory is the course root.

The release pipeline (language filtering, then nbgrader's own steps) is set up by
``autograder.course.configure``, so ``nbgrader generate_assignment`` run by hand and
``nnmath release`` produce the same release.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from autograder.course import configure  # noqa: E402

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)
configure(c)

# The language of the committed release/ and of the messages learners read ("en" or "zh").
c.LanguagePreprocessor.language = "en"
