"""The instructor's side, once: nbgrader's formgrader opens and lists the released assignments."""
from __future__ import annotations

import pytest

from conftest import ASSIGNMENTS

from .lab import SECOND, BrowserView

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def formgrader(chromium, instructor_lab):
    page = chromium.new_page()
    try:
        yield BrowserView(page, instructor_lab)
    finally:
        page.close()


def test_formgrader_lists_the_released_assignments(formgrader):
    page = formgrader.page
    page.goto(formgrader.server.page_url("formgrader"), timeout=60 * SECOND)
    page.locator("li.active", has_text="Manage Assignments").wait_for()
    rows = page.locator("tbody#main-table tr")
    rows.filter(has=page.locator("td.name a")).first.wait_for(timeout=60 * SECOND)
    listed = page.locator("tbody#main-table td.name a").all_text_contents()
    assert sorted(listed) == sorted(ASSIGNMENTS)
    for assignment in ASSIGNMENTS:
        row = rows.filter(has=page.locator("td.name a", has_text=assignment))
        # The student version exists (the preview link) and is not yet released to an exchange.
        assert row.locator("td.preview a").count() == 1, f"no preview of the released {assignment}"
        assert row.locator("td.status").text_content().strip() == "draft"
