"""Live camera while tuning: Run > Live Camera (F6) grabs from the pipeline's Camera node in a
thread of its own (runtime/live.LiveCamera); a timer hands the newest frame to the run controller
when it is free, so the window never waits for the camera and a slow pipeline shows fewer frames
instead of falling behind. Grab Frame (F7) takes one frame (a software trigger, or the next one).
Edits re-run the pipeline on the last frame (the cache keeps the camera's frame; only the edited
part runs). The status bar shows the camera's state: connected / waiting for trigger / lost /
reconnecting, with fps and dropped frames."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from workbench.gui.i18n import t
from workbench.runtime.camera import camera_nodes, camera_source
from workbench.runtime.feed import FrameFeed
from workbench.runtime.live import CONNECTED, LiveCamera
from workbench.runtime.sources import SourceError

TICK_MS = 30


class CameraLive(QObject):
    def __init__(self, win) -> None:
        super().__init__(win)
        self.win = win
        self.live: LiveCamera | None = None
        self.node_id: str | None = None
        self.last_frame = None
        self._params: dict | None = None
        self.shown = 0  # frames run through the pipeline (tests, benches)
        self.label = QLabel()
        self.label.setObjectName("camera_state")
        self.label.setVisible(False)
        win.statusBar().addPermanentWidget(self.label)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    # ------------------------------------------------------------------ actions
    def toggle(self) -> None:
        self.start(continuous=True) if self.win.a_live_camera.isChecked() else self.stop()

    def grab(self) -> None:
        """One frame now; opens the camera (not continuous) when live view is off."""
        if self.live is None and not self.start(continuous=False):
            return
        self.live.grab()

    def start(self, continuous: bool = True) -> bool:
        if self.live is not None:
            self.live.continuous = continuous
            self._check(continuous)
            return True
        node = self._camera_node()
        if node is None:
            self._fail(t("Add a Camera node (Sources) first: live view grabs from it."))
            return False
        try:
            src = camera_source(node.params)
        except SourceError as exc:
            self._fail(str(exc))
            return False
        self.node_id, self._params = node.id, dict(node.params)
        self.live = LiveCamera(src, continuous=continuous).start()
        self.label.setVisible(True)
        self.timer.start()
        self._check(continuous)
        return True

    def stop(self) -> None:
        """Stop grabbing at once (the camera thread closes the device itself); the last frame stays."""
        self.timer.stop()
        if self.live is not None:
            self.live.stop(wait=False)
            self.label.setText(f"{self.live.source.describe()}: {t('stopped')}")
        self.live = None
        self._check(False)

    def shutdown(self) -> None:
        self.timer.stop()
        if self.live is not None:
            self.live.stop(wait=True, timeout=5)
            self.live = None

    # ------------------------------------------------------------------ frames
    def feed(self, pipeline) -> dict | None:
        """The engine feed of the last frame for ``pipeline`` (None when there is none)."""
        if self.last_frame is None or self.node_id not in pipeline.nodes:
            return None
        src = self.live.source if self.live is not None else None
        return FrameFeed(pipeline, self.node_id, frame_source=src).engine_feed(self.last_frame)

    def _tick(self) -> None:
        live = self.live
        node = self.win.doc.pipeline.nodes.get(self.node_id)
        if live is None:
            return
        if node is None or node.type != "io.camera":
            self.stop()
            return
        if dict(node.params) != self._params:  # new settings: reopen with them (in the camera thread)
            self._params = dict(node.params)
            try:
                live.replace_source(camera_source(node.params))
            except SourceError as exc:
                self._fail(str(exc))
        self.label.setText(live.status_line())
        self.label.setStyleSheet("" if live.state == CONNECTED else "color: #e0a040;")
        if self.win.runner.busy:
            return  # the newest frame waits in the camera's slot; older ones are skipped
        frame = live.take()
        if frame is not None:
            self.last_frame = frame
            self.shown += 1
            self.win.runner.request(self.win.doc.pipeline, feed=self.feed(self.win.doc.pipeline))

    # ------------------------------------------------------------------ helpers
    def _camera_node(self):
        nodes = camera_nodes(self.win.doc.pipeline)
        selected = set(self.win.canvas.selected_ids()) if hasattr(self.win, "canvas") else set()
        return next((n for n in nodes if n.id in selected), nodes[0] if nodes else None)

    def _check(self, on: bool) -> None:
        act = self.win.a_live_camera
        if act.isChecked() != on:
            act.blockSignals(True)
            act.setChecked(on)
            act.blockSignals(False)

    def _fail(self, message: str) -> None:
        self._check(False)
        self.label.setVisible(True)
        self.label.setText(message)
        self.win.statusBar().showMessage(message, 10_000)
