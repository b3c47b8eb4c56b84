"""`nnmath report`'s page in Chromium: it renders (plots drawn, tables filled) without a console error."""
from __future__ import annotations

from collections import Counter

import pytest

from autograder.class_report import ClassData, LearnerRow, render

pytestmark = [pytest.mark.browser, pytest.mark.slow]
HOSTILE = "<img src=x onerror=alert(1)>"


def a_class() -> ClassData:
    cells = [("test_relu", 1.0), ("test_sigmoid", 2.0), ("test_softmax", 2.0)]
    learners = [LearnerRow("ada", True, 5.0, status="graded"),
                LearnerRow("ben", True, 3.0, status="graded"),
                LearnerRow("lou", True, 0.0, seconds_late=35, penalty=5.0, status="graded"),
                LearnerRow(HOSTILE, True, 0.0, status="malformed", notes=["not a readable notebook"]),
                LearnerRow("zoe", False)]
    return ClassData("03_activations", 5.0, cells, learners, Counter({"test_relu": 3, "test_sigmoid": 2}),
                     Counter({("test_softmax", "sign_flipped"): 2}),
                     {("test_softmax", "sign_flipped"): "softmax has the wrong sign <script>x()</script>"})


def test_the_class_report_renders_without_console_errors(chromium, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render(a_class()), encoding="utf-8")
    page = chromium.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    try:
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        headings = page.locator("h2").all_text_contents()
        assert headings[:2] == ["Score distribution", "Pass rate per test cell"]
        for plot in page.locator("svg").all():
            box = plot.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, "a plot is drawn at a readable size"
        assert page.locator("svg").count() == 2
        assert page.locator("td", has_text="sign_flipped").count() == 1
        assert page.locator("td", has_text=HOSTILE).count() == 1, "a learner id is shown as text"
        assert page.locator("img").count() == 0 and page.locator("script").count() == 0
        assert problems == []
    finally:
        page.close()
