"""Release preprocessors: turn a bilingual source notebook into a one-language release.

They run before nbgrader's own ``generate_assignment`` preprocessors (see
:func:`autograder.course.configure`), so checksums and the gradebook's copy of locked cells are
computed on what the learner receives. One transformation per class, as nbgrader's own are.
"""
from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode, validate, TraitError

from .bilingual import SET_LANGUAGE_CALL, keep_language
from .curriculum import LANGUAGES



class LanguagePreprocessor(NbGraderPreprocessor):
    """Base of the preprocessors that depend on the release's language.

    Configure once for all of them: ``c.LanguagePreprocessor.language = "zh"``.
    """

    language = Unicode("en", help="The language of the release: 'en' or 'zh'.").tag(config=True)

    @validate("language")
    def _known_language(self, proposal):
        if proposal["value"] not in LANGUAGES:
            raise TraitError(f"language must be one of {LANGUAGES}, not {proposal['value']!r}")
        return proposal["value"]


class KeepLanguage(LanguagePreprocessor):
    """Drop the prose (markdown) cells written in the other language; record the language."""

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells
                    if cell.cell_type != "markdown" or cell.metadata.get("lang", self.language) == self.language]
        nb.metadata["nnmath"] = {"language": self.language}
        return nb, resources


class KeepCommentLanguage(LanguagePreprocessor):
    """Keep only the release's line of each English/Chinese comment and docstring pair.

    Code cells are shared, so their comments and docstrings are written line by line in both
    languages (see :mod:`autograder.bilingual`); the learner reads one.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.source = keep_language(cell.source, self.language)
        return cell, resources


class SetMessageLanguage(LanguagePreprocessor):
    """Make the notebook's ``set_language("..")`` call choose the release's language.

    Code cells are shared between languages; this one line decides in which language the checks
    speak to the learner.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.source = SET_LANGUAGE_CALL.sub(rf'\1"{self.language}"\3', cell.source)
        return cell, resources


class LetRunAllContinue(NbGraderPreprocessor):
    """Tag test cells ``raises-exception`` so Run All goes on past a failing test.

    A fresh release fails every test; without the tag JupyterLab's Run All stops at the first one
    and the learner never sees the rest of the lesson run. Grading is unaffected: a failing test
    cell still has an error output.
    """

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            tags = cell.metadata.setdefault("tags", [])
            if "raises-exception" not in tags:
                tags.append("raises-exception")
        return cell, resources


class DropAuthorNotes(NbGraderPreprocessor):
    """Remove the author's ``nnmath`` cell metadata (e.g. ``audit_accept``) from the release.

    An accepted surviving mutant and its reason say which wrong answer the tests let through;
    learners must not read that in their notebook's metadata.
    """

    def preprocess_cell(self, cell, resources, index):
        cell.metadata.pop("nnmath", None)
        return cell, resources
