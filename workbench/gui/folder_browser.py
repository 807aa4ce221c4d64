"""Browsing a folder run: step through its images in the viewer with their results (← →, or a
click on a Trends point), and see where results.jsonl went.

While an image is browsed, live runs use it as the pipeline's input (the source node is fed that
file in the copy that runs; the document is not changed), so a parameter can be tuned on the
very image that came out NG. Closing the bar returns to the pipeline's own input.
Mixed into :class:`~workbench.gui.mainwindow.MainWindow` (`BrowseMixin`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Qt, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.gui import theme
from workbench.gui.i18n import t
from workbench.runtime.feed import pick_source


class FolderBrowserBar(QWidget):
    """◀ n / N ▶  name · verdict · reasons      results.jsonl: folder   ✕"""

    step = Signal(int)  # -1 / +1
    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 4, 2)
        self.prev_btn = QToolButton(text="◀", autoRaise=True)
        self.next_btn = QToolButton(text="▶", autoRaise=True)
        self.position = QLabel()
        self.info = QLabel()
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.info.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # long reasons: clipped, see tooltip
        self.results = QLabel()
        self.results.setOpenExternalLinks(False)
        self.results.linkActivated.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.close_btn = QToolButton(text="✕", autoRaise=True)
        for w in (self.prev_btn, self.position, self.next_btn):
            lay.addWidget(w)
        lay.addWidget(self.info, 1)
        lay.addWidget(self.results)
        lay.addWidget(self.close_btn)
        self.prev_btn.clicked.connect(lambda: self.step.emit(-1))
        self.next_btn.clicked.connect(lambda: self.step.emit(1))
        self.close_btn.clicked.connect(self.closed)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self.prev_btn.setToolTip(t("Previous image") + " (←)")
        self.next_btn.setToolTip(t("Next image") + " (→)")
        self.close_btn.setToolTip(t("Stop browsing: back to the pipeline's own input"))

    def show_row(self, index: int, total: int, row, out_dir: Path | None) -> None:
        self.position.setText(f"{index + 1} / {total}")
        verdict = row.verdict or (t("error") if row.status == "error" else
                                  t("cancelled") if row.status == "cancelled" else "—")
        color = {"OK": theme.OK_COLOR, "NG": theme.NG_COLOR}.get(row.verdict or "", theme.WARN_COLOR)
        why = "; ".join(row.reasons or row.errors)
        self.info.setToolTip(f"{row.input}\n{why}")
        self.info.setText(f"{Path(row.input).name}   <b style='color:{color}'>{verdict}</b>"
                          + (f"   {why}" if why else ""))
        if out_dir is not None:
            # the link opens the folder; the full path is a hover away (a long path must not widen the dock)
            self.results.setText(f"<a href='{QUrl.fromLocalFile(str(out_dir)).toString()}'>results.jsonl</a>")
            self.results.setToolTip(str(Path(out_dir) / "results.jsonl"))
        self.prev_btn.setEnabled(index > 0)
        self.next_btn.setEnabled(index + 1 < total)
        self.show()


class BrowseMixin:
    """Needs: self.doc, self.viewer_panel, self.trend, self.request_run, self.show_message."""

    def _build_browser(self) -> None:
        self._folder_rows: list = []
        self._folder_out: Path | None = None
        self.browse_index: int | None = None
        self.browser = FolderBrowserBar(self.viewer_panel)
        self.viewer_panel.layout().insertWidget(1, self.browser)
        self.browser.step.connect(lambda d: self.browse_step(d))
        self.browser.closed.connect(self.stop_browsing)
        self.trend.pointClicked.connect(self.browse_to)
        for key, d in ((Qt.Key_Left, -1), (Qt.Key_Right, 1)):
            sc = QShortcut(QKeySequence(key), self.viewer_panel)
            sc.setContext(Qt.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda d=d: self.browse_step(d))

    def _browse_reset(self, out_dir: Path | None = None) -> None:
        self._folder_rows = []
        self._folder_out = out_dir
        self.stop_browsing()

    def browse_to(self, index: int) -> bool:
        """Show image ``index`` of the last folder run with its result (False: no such image)."""
        if not (0 <= index < len(self._folder_rows)):
            return False
        self.browse_index = index
        row = self._folder_rows[index]
        self.browser.show_row(index, len(self._folder_rows), row, self._folder_out)
        self.request_run(force=True)
        return True

    def browse_step(self, delta: int) -> bool:
        if self.browse_index is None:
            return self.browse_to(0 if delta > 0 else len(self._folder_rows) - 1)
        return self.browse_to(self.browse_index + delta)

    def stop_browsing(self) -> None:
        was = self.browse_index is not None
        self.browse_index = None
        self.browser.hide()
        if was:
            self.request_run(force=True)

    def browsed_input(self) -> Path | None:
        if self.browse_index is None or self.browse_index >= len(self._folder_rows):
            return None
        return Path(self._folder_rows[self.browse_index].input)

    def pipeline_for_run(self) -> Pipeline:
        """What a live run runs: the document's pipeline, or a copy fed the browsed image."""
        path = self.browsed_input()
        if path is None:
            return self.doc.pipeline
        copy = self.doc.pipeline.copy()
        try:
            src = pick_source(copy)
            if src.spec.set_input is None:
                raise WorkbenchError(f"{src.id} cannot be fed a file")
            for name, value in src.spec.set_input(path).items():
                copy.set_param(src.id, name, value)
        except WorkbenchError as exc:
            self.show_message(str(exc), error=True)
            self.browse_index = None
            self.browser.hide()
            return self.doc.pipeline
        return copy
