"""Browser tests: the learner's and the instructor's JupyterLab in Chromium (see conftest.py)."""
