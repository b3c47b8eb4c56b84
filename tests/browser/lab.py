"""What a learner does in JupyterLab 4.6, as Playwright calls: open a notebook, run it, type, save,
validate; and what they see, read back from the page.

Every selector is scoped to the active notebook panel; every wait is on something the page shows
(a prompt, a kernel state, a dialog), bounded by a timeout.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
SECOND = 1000  # Playwright counts milliseconds
NUMBERED = re.compile(r"^\[\d+\]:$")


@dataclass
class BrowserView:
    """What a failing test leaves behind (see conftest): the page it looked at, the server behind it."""

    page: object | None
    server: object


@dataclass
class Output:
    mime: str
    text: str
    images: int  # <img> elements that decoded to a picture

    @property
    def is_error(self) -> bool:  # exceptions and anything written to stderr
        return self.mime == "application/vnd.jupyter.stderr"


@dataclass
class CellView:
    index: int
    kind: str  # "code" or "markdown"
    prompt: str
    outputs: list[Output] = field(default_factory=list)

    @property
    def errors(self) -> list[Output]:
        return [o for o in self.outputs if o.is_error]

    @property
    def text(self) -> str:
        return "".join(o.text for o in self.outputs)

    @property
    def images(self) -> int:
        return sum(o.images for o in self.outputs)


# One pass over the panel's cells, in document order (JupyterLab 4's default windowing keeps every
# cell in the DOM; textContent, unlike innerText, also reads cells scrolled out of view).
_READ_CELLS = """panel => Array.from(panel.querySelectorAll('.jp-Notebook .jp-Cell')).map(cell => ({
    kind: cell.classList.contains('jp-CodeCell') ? 'code' : (cell.classList.contains('jp-MarkdownCell') ? 'markdown' : 'raw'),
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {textContent: ''}).textContent.trim(),
    outputs: Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map(o => ({
        mime: o.getAttribute('data-mime-type') || '',
        text: o.textContent,
        images: Array.from(o.querySelectorAll('img')).filter(img => img.complete && img.naturalWidth > 0).length,
    })),
}))"""

# Rendered markdown of every markdown cell: text without the heading anchors, the text outside
# formulas and code, the headings, and the MathJax output.
_READ_MARKDOWN = """panel => Array.from(panel.querySelectorAll('.jp-MarkdownCell')).map(cell => {
    const rendered = cell.querySelector('.jp-RenderedMarkdown');
    if (!rendered) return null;
    const copy = rendered.cloneNode(true);
    copy.querySelectorAll('.jp-InternalAnchorLink').forEach(a => a.remove());
    const text = copy.textContent;
    copy.querySelectorAll('mjx-container, code, pre').forEach(n => n.remove());
    return {
        text: text,
        prose: copy.textContent,
        headings: Array.from(copy.querySelectorAll('h1, h2')).map(h => [h.tagName.toLowerCase(), h.textContent.trim()]),
        formulas: rendered.querySelectorAll('mjx-container').length,
        formula_errors: rendered.querySelectorAll('mjx-merror').length,
    };
})"""

# The run that was started is over: the kernel is idle, no cell waits ([*]), and the cell the run
# started with shows an execution count.
_RUN_FINISHED = """([panel, index]) => {
    const p = document.querySelector(panel);
    if (!p) return false;
    const status = p.querySelector('.jp-Notebook-ExecutionIndicator');
    const prompts = Array.from(p.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')).map(e => e.textContent.trim());
    return status && status.getAttribute('data-status') === 'idle' && !prompts.some(t => t.includes('*'))
        && /^\\[\\d+\\]:$/.test(prompts[index]);
}"""


class LabNotebook:
    """One notebook open in a browser tab of a JupyterLab server."""

    def __init__(self, page, server, path: str, kernel_display_name: str):
        self.page = page
        self.server = server
        self.path = path
        self.kernel_display_name = kernel_display_name
        self.panel = page.locator(PANEL)

    # --- opening ---------------------------------------------------------------------------------

    def open(self) -> "LabNotebook":
        self.page.goto(self.server.lab_url(self.path), timeout=60 * SECOND)
        self.panel.wait_for(timeout=60 * SECOND)
        self.wait_for_kernel()
        return self

    def wait_for_kernel(self, timeout: float = 60) -> None:
        """The kernel's name shows (not "No Kernel") and it is idle: only then does Run All run."""
        self.panel.locator(".jp-Toolbar-kernelName", has_text=self.kernel_display_name).wait_for(timeout=timeout * SECOND)
        self.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=timeout * SECOND)

    # --- reading ---------------------------------------------------------------------------------

    def cells(self) -> list[CellView]:
        raw = self.panel.evaluate(_READ_CELLS)
        return [CellView(i, c["kind"], c["prompt"], [Output(**o) for o in c["outputs"]]) for i, c in enumerate(raw)]

    def markdown(self) -> list[dict | None]:
        return self.panel.evaluate(_READ_MARKDOWN)

    def wait_for_markdown(self, cells_with_math: list[int], timeout: float = 60) -> None:
        """Every markdown cell rendered; every one whose source has a formula shows MathJax output."""
        self.page.wait_for_function(
            """([panel, withMath]) => {
                const cells = Array.from(document.querySelectorAll(panel + ' .jp-MarkdownCell'));
                return cells.length > 0 && cells.every(c => c.querySelector('.jp-RenderedMarkdown'))
                    && withMath.every(i => cells[i] && cells[i].querySelector('mjx-container'));
            }""", arg=[PANEL, cells_with_math], timeout=timeout * SECOND)

    def is_dirty(self) -> bool:
        return self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count() > 0

    # --- running ---------------------------------------------------------------------------------

    def menu(self, menu: str, command: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
        self.page.locator(f".lm-Menu li[data-command='{command}']").click()

    def _wait_run(self, code_index: int, timeout: float) -> None:
        self.page.wait_for_function(_RUN_FINISHED, arg=[PANEL, code_index], timeout=timeout * SECOND)

    def run_all(self, timeout: float = 180) -> None:
        """Run → Run All Cells, until the run is over. JupyterLab stops a run at the first cell that
        raises, unless the cell is tagged raises-exception (as released test cells are)."""
        self.menu("Run", "runmenu:run-all")
        self._wait_run(0, timeout)

    def restart_and_clear(self, timeout: float = 60) -> None:
        """Kernel → Restart Kernel and Clear Outputs of All Cells…, confirmed in its dialog."""
        self.menu("Kernel", "kernelmenu:restart-and-clear")
        dialog = self.page.locator(".jp-Dialog")
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click(timeout=10 * SECOND)
        dialog.wait_for(state="detached", timeout=10 * SECOND)
        self.page.wait_for_function(
            """panel => Array.from(document.querySelectorAll(panel + ' .jp-CodeCell')).every(c =>
                c.querySelector('.jp-InputArea-prompt').textContent.trim() === '[ ]:'
                && !c.querySelector('.jp-OutputArea-output'))""", arg=PANEL, timeout=timeout * SECOND)
        self.wait_for_kernel(timeout)

    # --- editing ---------------------------------------------------------------------------------

    def type_into(self, cell_index: int, code: str) -> None:
        """Replace a cell's code through its editor, as typed (no auto-indent, no closing brackets)."""
        editor = self.panel.locator(".jp-Cell").nth(cell_index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(code)
        self.page.keyboard.press("Escape")

    def save(self, timeout: float = 30) -> None:
        """Ctrl+S in command mode; done when the tab no longer shows unsaved changes."""
        self.page.keyboard.press("Control+s")
        self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current:not(.jp-mod-dirty)").wait_for(
            timeout=timeout * SECOND)

    # --- nbgrader ----------------------------------------------------------------------------------

    def validate(self, timeout: float = 180) -> tuple[list[str], str]:
        """Press Validate; return the result's CSS classes and text, and close the dialog."""
        self.panel.locator("jp-button.validate-button").click()
        message = self.page.locator(".jp-Dialog #validation-message")
        message.wait_for(timeout=timeout * SECOND)
        classes = (message.get_attribute("class") or "").split()
        text = message.text_content()
        self.close_dialog()
        return classes, text

    def dialog_text(self) -> str | None:
        dialog = self.page.locator(".jp-Dialog")
        return dialog.first.text_content() if dialog.count() else None

    def close_dialog(self) -> None:
        dialog = self.page.locator(".jp-Dialog")
        if dialog.count():
            dialog.locator(".jp-Dialog-button.jp-mod-accept").first.click()
            dialog.wait_for(state="detached", timeout=10 * SECOND)
