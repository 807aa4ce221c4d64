"""The main window's runs and what it shows of them: live tuning requests, node badges, the
status bar, problems, the viewer (selected, pinned or compared nodes) and the plots.
Mixed into :class:`~workbench.gui.mainwindow.MainWindow`."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from workbench.core.engine import CACHED, FAILED, OK, NodeFailed, NodeFinished, NodeStarted, RunResult
from workbench.core.graph import Pipeline
from workbench.core.pipeline_file import validate
from workbench.gui import theme
from workbench.gui.display import upstream_image, view_content
from workbench.gui.i18n import t
from workbench.runtime.inspection import combine_verdicts, final_node, verdicts_of


class RunViewMixin:
    # ================================================================== running
    def set_live(self, on: bool) -> None:
        self.live = bool(on)
        self.a_live.setChecked(self.live)
        if self.live:
            self.request_run()

    def request_run(self, force: bool = False) -> None:
        """Ask for a run after the current event is handled (coalesces bursts of edits)."""
        if not (self.live or force) or self._run_queued:
            return
        self._run_queued = True
        QTimer.singleShot(0, self._start_run)

    def _start_run(self) -> None:
        self._run_queued = False
        if not self.doc.pipeline.nodes:
            self._clear_results()
            return
        pipeline = self.pipeline_for_run()  # a browsed folder-run image feeds the source
        self.runner.request(pipeline, feed=self.camera.feed(pipeline))

    def run_once(self) -> None:
        self._run_queued = True
        QTimer.singleShot(0, self._start_run)

    def cancel_run(self) -> None:
        if self.folder_run is not None and self.folder_run.running:
            self.folder_run.cancel()
        self.runner.cancel()

    RUNNING_BADGE_DELAY_MS = 150

    def _engine_event(self, ev: object) -> None:
        """A node that is still running after a moment gets the "running" badge (quick runs do not
        repaint the canvas twice per node)."""
        if isinstance(ev, NodeStarted):
            self._running = ev.node_id
            QTimer.singleShot(self.RUNNING_BADGE_DELAY_MS, lambda nid=ev.node_id: self._show_running(nid))
        elif isinstance(ev, (NodeFinished, NodeFailed)):
            self._running = None

    def _show_running(self, node_id: str) -> None:
        if self._running == node_id and self.runner.busy:
            self.canvas.set_status(node_id, "running")

    def _run_failed(self, message: str) -> None:
        self.show_message(t("Run failed") + f": {message}", error=True)

    def _run_finished(self, result: RunResult, pipe: Pipeline) -> None:
        self.result, self.result_pipeline = result, pipe
        fails, notes = [], []
        device_note = None
        for nid, r in result.nodes.items():
            if nid not in self.doc.pipeline.nodes:
                continue
            self.canvas.set_status(nid, r.status, r.seconds * 1000 if r.status in (OK, CACHED) else None,
                                   "; ".join(r.notes) if r.notes else (r.message if r.status == FAILED else ""))
            if r.status == FAILED:
                fails.append((nid, r.message + (f" (inputs: {r.inputs})" if r.inputs else "")))
                self.log_line(f"{nid}: {r.message}", error=True)
            for note in r.notes:
                notes.append((nid, note))
                if note.startswith("ran on"):
                    device_note = note
        if device_note:
            self._device_note = device_note
            self.device_label.setText(self._device_text(device_note))
        self._show_inner_badges()
        self._validate(fails, notes)
        self._show_run_time(result)
        self._show_verdict(result)
        self._show_selected()
        if self._edit_time is not None:
            self.last_edit_latency_ms = (time.perf_counter() - self._edit_time) * 1000
            self._edit_time = None
        self.ran.emit()

    def _show_run_time(self, result: RunResult) -> None:
        executed = sum(1 for r in result.nodes.values() if r.status == OK)
        self.time_label.setText(t("Last run") + f": {result.seconds * 1000:.1f} ms ({executed} " + t("ran") + ")")

    @staticmethod
    def _device_text(note: str) -> str:
        if note.startswith("ran on CPU: "):
            return t("CPU") + " — " + note[len("ran on CPU: "):]
        return note.replace("ran on ", "")

    def _show_verdict(self, result: RunResult) -> None:
        verdict, _reasons = combine_verdicts(verdicts_of(result))
        if verdict is None:
            self.verdict_label.setText("")
            self.verdict_label.setStyleSheet("")
            return
        ok = verdict == "OK"
        self.verdict_label.setText(" OK " if ok else " NG ")
        self.verdict_label.setStyleSheet(
            f"font-weight:bold;color:white;padding:1px 6px;border-radius:3px;"
            f"background:{theme.OK_COLOR if ok else theme.NG_COLOR}")

    def _validate(self, fails=None, notes=None) -> None:
        problems = []
        for p in validate(self.doc.pipeline):
            nid = p.where[5:] if p.where.startswith("node ") else ""
            problems.append((nid, p.message))
        self.problems.set_problems(problems, fails or [], notes or [])

    def _clear_results(self) -> None:
        self.result = self.result_pipeline = None
        self.canvas.clear_status()
        self.viewer.set_image(None)
        self.viewer.set_overlays([])
        self.histogram.set_image(None)
        self.timing.set_timings([])
        self.trend.clear()  # a new or other pipeline: the old trend, folder run and last run do not apply
        self._browse_reset()
        self.time_label.setText("")
        self.inspector.clear_run_info()
        self.verdict_label.setText("")
        self.verdict_label.setStyleSheet("")
        self._validate()

    # ================================================================== viewer
    def _selection_changed(self, ids: list[str]) -> None:
        if self.inspector.doc is not self.doc:  # back from a macro tab's node
            self.inspector.set_node(None)
            self.inspector.set_document(self.doc)
        self.inspector.set_node(ids[0] if len(ids) == 1 else None)
        self._update_run_info()
        self._show_selected()

    def _pin_toggled(self, on: bool) -> None:
        sel = self.canvas.selected_ids()
        self._pinned = sel[0] if on and sel else None
        if on and not sel:
            self.viewer_panel.pin.setChecked(False)
        self._show_selected()

    def shown_node(self) -> str | None:
        pinned = self._pinned
        if pinned and pinned in self.doc.pipeline.nodes:
            return pinned
        sel = self.canvas.selected_ids()
        if len(sel) == 1:
            return sel[0]
        if self.result_pipeline is not None:  # nothing selected: the last node with an image
            return final_node(self.result_pipeline, self.result)
        return None

    def _update_run_info(self) -> None:
        nid = self.inspector.node_id()
        if self._macro_canvas() is not None:  # a node inside the macro shown in its tab
            r = self._inner_node_result()
            found = self.inner_result(self._macro_canvas().macro_id)
            if r is None or found is None:
                return
            src = upstream_image(found[0], found[1], nid)
            self.inspector.set_input_dtype(src.dtype.name if src is not None else None)
        elif nid is None or self.result is None or nid not in self.result.nodes:
            return
        else:
            r = self.result.nodes[nid]
            if self.result_pipeline is not None and nid in self.result_pipeline.nodes:
                src = upstream_image(self.result_pipeline, self.result, nid)
                self.inspector.set_input_dtype(src.dtype.name if src is not None else None)
        self.inspector.set_run_info(r.status, r.seconds * 1000 if r.status in (OK, CACHED) else None, r.notes,
                                    r.message if r.status == FAILED else "")

    def _show_selected(self) -> None:
        if self.result is None or self.result_pipeline is None:
            return
        self._update_run_info()
        compare = self.viewer_panel.compare_btn.isChecked()
        pinned = self._pinned
        sel = self.canvas.selected_ids()
        if compare and pinned and sel and sel[0] != pinned:
            a = view_content(self.result_pipeline, self.result, pinned)
            b = view_content(self.result_pipeline, self.result, sel[0])
            self.viewer_panel.stack.setCurrentWidget(self.viewer_panel.compare)
            self.viewer_panel.compare.set_images(a.image, b.image, a.title, b.title, a.overlays, b.overlays)
            self.viewer_panel.title.setText(f"{a.title}  ⇄  {b.title}")
            return
        self.viewer_panel.stack.setCurrentWidget(self.viewer)
        content = self._inner_view() or view_content(self.result_pipeline, self.result, self.shown_node())
        self.viewer.set_image(content.image)
        self.viewer.set_overlays(content.overlays)
        self._plots_stale = True
        if not self._plots_timer.isActive():  # plots follow at most 5 times a second, after the viewer
            self._plots_timer.start()
        text = content.title
        if content.status and content.status not in (OK, CACHED):
            text += f"  [{content.status}] {content.message}"
        self.viewer_panel.title.setText(text)

    def _refresh_plots(self) -> None:
        """Histogram and node times are drawn only when they can be seen (they cost a 5 MP pass)."""
        if not self._plots_stale or self.dock_plots.isHidden():
            return
        self._plots_stale = False
        current = self.plots.currentWidget()
        if current is self.histogram:
            self._show_histogram()
        elif current is self.timing and self.result is not None and self.result_pipeline is not None:
            res, pipe = self.result, self.result_pipeline
            order = [n for n in pipe.topological_order() if n in res.nodes]
            self.timing.set_timings([(n, res.nodes[n].seconds * 1000, res.nodes[n].status) for n in order])
        else:
            self._plots_stale = True

    def _threshold_param(self) -> tuple[str, str] | None:
        """(node, parameter) of the shown node's pixel-value parameter in use (a fixed threshold)."""
        nid, doc = self.inspector.node_id(), self.inspector.doc  # a macro's inner document too
        if nid is None or nid not in doc.pipeline.nodes:
            return None
        inst = doc.pipeline.nodes[nid]
        params = {p.name: inst.params.get(p.name, p.default) for p in inst.spec.params}
        name = next((p.name for p in inst.spec.params if p.follows_depth and p.is_active(params)), None)
        return (nid, name) if name else None

    def _show_histogram(self) -> None:
        """The histogram of the viewer's image; for a node with a threshold in use, of the image
        flowing into it, with the threshold marked (a click there sets it)."""
        target = self._threshold_param()
        image = self.viewer.image
        ran = self.inner_result(self._macro_canvas().macro_id) if self._macro_canvas() else \
            (self.result_pipeline, self.result)
        if target and ran and ran[1] is not None and ran[0] is not None:
            image = upstream_image(ran[0], ran[1], target[0])
        self.histogram.set_image(image)
        doc = self.inspector.doc
        self.histogram.set_marker(doc.pipeline.nodes[target[0]].params.get(target[1]) if target else None)

    def _histogram_picked(self, value: float) -> None:
        target = self._threshold_param()
        if target:
            self.inspector.doc.set_param(target[0], target[1], value)

    def _roi_changed(self, node_id: str, name: str, roi) -> None:
        if node_id != self.inspector.node_id():
            return
        if roi is not None and getattr(roi, "shape", "") == "rect":
            roi = tuple(int(round(v)) for v in roi.values[:4])
        self.viewer.set_roi(name, roi)  # other shapes are drawn and edited as themselves
