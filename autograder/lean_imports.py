"""Start-up of the ``nnmath`` command: skip imports a command never uses (issue 16).

Two third-party packages cost seconds at import, for nothing the command needs:

- ``jsonschema`` (imported by ``nbformat``) loads the ``rfc3987-syntax`` format checker, which
  compiles some 35 lark grammars (about 1 s; a known upstream problem). That checker only backs
  the ``iri`` and ``iri-reference`` formats; nbformat's notebook schema uses no ``format`` at all,
  and ``uri``/``uri-reference`` keep their own checker (``rfc3986-validator``). With the module
  marked missing, jsonschema leaves those two formats unchecked, as it does when the package is
  not installed.
- ``nbgrader/__init__.py`` imports its four Jupyter server extensions (``jupyter_server``,
  ``tornado``, the exchange: about 1.5 s) before any of its submodules can be used, although they
  are only the hooks Jupyter calls when it loads nbgrader as an extension. :func:`prepare` lets
  ``nbgrader`` be imported without them: the package's own attributes (its version, the extension
  hooks) are loaded in full the first time anyone asks for one of them.

Both are done only when the package is not imported yet (so nothing already loaded changes), and
only by the command's entry point: a library user's process is left as it is.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys


def prepare() -> None:
    """Apply both start-up cuts in this process (idempotent; a no-op for packages already imported)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" raises ImportError
    if "nbgrader" not in sys.modules:
        _nbgrader_without_server_extensions()


def _nbgrader_without_server_extensions() -> None:
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)  # __path__ set: submodules import as usual

    def __getattr__(name: str):
        # Anything the package itself defines (server extension hooks, labextension paths):
        # run the real __init__ into this module once, then answer from it.
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        if importlib.util.find_spec(f"nbgrader.{name}") is not None:  # `from nbgrader import utils`
            return importlib.import_module(f"nbgrader.{name}")
        if not package.__dict__.get("_nnmath_loaded"):
            package.__dict__["_nnmath_loaded"] = True
            del package.__dict__["__getattr__"]
            spec.loader.exec_module(package)
        return object.__getattribute__(package, name) if name in package.__dict__ else _missing(name)

    def _missing(name: str):
        raise AttributeError(f"module 'nbgrader' has no attribute {name!r}")

    package.__getattr__ = __getattr__
    sys.modules["nbgrader"] = package
    try:
        from nbgrader._version import __version__
    except Exception:  # a layout we do not know: import the package as it is
        del sys.modules["nbgrader"]
        return
    package.__version__ = __version__
