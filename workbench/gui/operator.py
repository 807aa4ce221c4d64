"""The operator screen: a pipeline running on the line, shown to the people who run the line.

    win = OperatorWindow(pipeline, source, db=db, archive=archive, pipeline_name="coins", plc=plc)
    win.exitRequested.connect(back_to_engineering)   # emitted after the right password
    win.showFullScreen(); win.start()

Full screen: the live image with overlays, a big OK/NG indicator, counters (total / OK / NG /
yield), the last NG frames (click one to enlarge), a trend chart, start / stop / reset, the state
of the source, fps and latency. The pipeline is read-only here: the window runs its own copy
(a snapshot taken when it opens) and offers no way to edit it.

Threads: a :class:`~workbench.runtime.stream.StreamRunner` acquires, processes and records. Its
callbacks (processing and output threads) only store the newest result and count it in a
:class:`Tally` under a lock, then wake the GUI with a queued Qt signal; at most one wake-up is in
flight at a time (one per refresh). The GUI renders on a timer at most ``fps_limit`` times a second (30 by
default) from whatever is newest then, so the display never slows processing and never queues
frames: a frame that was replaced before the next screen refresh is counted but not drawn.
The screen also keeps to a CPU budget: four times a second it reads the GUI thread's own CPU
time and lowers the display rate (down to 2 fps) while it uses more than ``GUI_BUDGET`` of a
core, raising it again when there is room, so that on a small PC a big image drawn 30 times a
second does not take CPU (and the GIL) from processing. The NG strip and the trend chart
refresh once a second (and when the stream stops or the counters are reset).

Leaving the operator screen (Esc, the "Engineering mode" button, closing the window) asks for
the engineering (or admin) password, kept hashed in the machine-wide credential file that the
operator's account cannot write (:mod:`workbench.runtime.credentials`); wrong tries meet a growing
delay and a lock-out, and every mode change and wrong try is written to the audit table of the
results database and the log (:mod:`workbench.runtime.audit`). The screen can only be opened once an
engineering password exists (``workbench password set``).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QMainWindow,
                               QPushButton, QSizePolicy, QVBoxLayout, QWidget)

from workbench.core.graph import Pipeline
from workbench.gui.i18n import t
from workbench.gui.operator_style import style
from workbench.gui.operator_trend import LATENCY, OperatorTrend
from workbench.gui.operator_widgets import NgDialog, NgStrip, PasswordDialog, fit_font_px, tile, to_pixmap
from workbench.gui.theme import NG_COLOR, OK_COLOR, WARN_COLOR
from workbench.gui.viewer import ImageViewer
from workbench.runtime.audit import ENTERED, LEFT, AuditLog, recent_failures
from workbench.runtime.credentials import LOCKOUT_S, CredentialStore, Throttle
from workbench.runtime.inspection import judged_measurements, overlay_values
from workbench.runtime.sources import FrameSource
from workbench.runtime.stream import (CONNECTING, RECONNECTING, RUNNING, STOPPED, StreamRecorder, StreamResult,
                                      StreamRunner)
from workbench.runtime.tally import NG_KEEP, NgItem, Tally

IDLE_COLOR = "#3a3f47"
GUI_BUDGET = 0.05  # share of one CPU core the screen may use while the line runs
MIN_DISPLAY_FPS = 2.0


class _Bridge(QObject):
    """Signals that cross from the runner's threads into the GUI thread (queued)."""

    wake = Signal()
    state = Signal(int, str, str)  # (runner generation, state, message)



class OperatorWindow(QMainWindow):
    """The operator screen for one pipeline and one source (see the module docstring).

    Keyword arguments: ``db`` (a ResultsDB) and ``archive`` (an Archive) record every inspection;
    ``plc`` (e.g. ModbusPlc) and ``outputs`` receive every result (``send(result)``), and "Reset
    counters" also resets the PLC's counters; ``output_dir`` is where Save nodes write;
    ``source_node`` picks the source node that gets the frames; ``max_frames`` stops each run
    after that many frames; ``credentials`` replaces the machine-wide credential store (tests).
    """

    exitRequested = Signal()  # the right password was given: go back to engineering mode
    closed = Signal()  # the window closed (after the password, or from code): the main window comes back
    rendered = Signal()  # a frame was drawn (tests, screenshots)
    streamStopped = Signal(str)  # the runner ended (message: why, or "")

    def __init__(self, pipeline: Pipeline, source: FrameSource, *, db=None, archive=None, pipeline_name: str = "",
                 plc=None, outputs: list[Any] = (), output_dir: Path | None = None, source_node: str | None = None,
                 max_frames: int | None = None, fps_limit: float = 30.0, credentials: CredentialStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # a snapshot: edits made elsewhere (the main window) do not reach the running line, and
        # nothing here can change the engineer's pipeline
        self.pipeline = pipeline.copy()
        self.source = source
        self.db, self.archive, self.plc = db, archive, plc
        self.outputs = [o for o in ([plc] if plc is not None else []) + list(outputs)]
        self.pipeline_name = pipeline_name or str(pipeline.meta.get("name") or "pipeline")
        self.output_dir = output_dir
        self.source_node = source_node
        self.max_frames = max_frames
        self.fps_limit = max(1.0, float(fps_limit))
        self.display_fps = self.fps_limit  # lowered while the screen uses more than GUI_BUDGET of a core
        self.gui_load = 0.0  # the GUI thread's CPU share over the last quarter second
        self._cpu_mark = (time.thread_time(), time.perf_counter())
        self._slow_ticks = 0
        self._verdict_color = ""
        self.credentials = credentials if credentials is not None else CredentialStore()
        self.throttle = Throttle()  # wrong passwords: growing delay, then a lock-out (kept across restarts)
        self.throttle.resume(*recent_failures(db, LOCKOUT_S))
        self.audit = AuditLog(db)  # mode changes and wrong tries: the results database and the log
        self._entered = False
        self.runner: StreamRunner | None = None
        self.tally = Tally()
        self.renders = 0  # frames drawn (the display skips results that were replaced before a refresh)
        self.shown: StreamResult | None = None
        self.password_dialog: PasswordDialog | None = None
        self.ng_dialog: NgDialog | None = None
        self._latest: StreamResult | None = None
        self._latest_lock = threading.Lock()
        self._poke_lock = threading.Lock()
        self._poke_pending = False
        self._last_render = 0.0
        self._shown_version = -1
        self._shown_ng_version = -1
        self._trend_version = -1
        self._state, self._state_message = STOPPED, ""
        self._generation = 0  # of the runner: state signals of an earlier runner are ignored
        self._unlocked = False
        self._series: str | None = None
        self._series_seen: set[str] = set()
        self._judged = judged_measurements(self.pipeline)

        self._bridge = _Bridge()
        self._bridge.wake.connect(self._on_wake, Qt.ConnectionType.QueuedConnection)
        self._bridge.state.connect(self._on_state, Qt.ConnectionType.QueuedConnection)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self.render)
        self._slow_timer = QTimer(self)
        self._slow_timer.setInterval(250)
        self._slow_timer.timeout.connect(self._refresh_slow)

        self._build()
        self.retranslate()
        self._apply_state()
        self._refresh_counters(force=True)
        self._refresh_slow(force=True)
        self._slow_timer.start()

    # ------------------------------------------------------------ construction
    def _build(self) -> None:
        self.setObjectName("operator")
        self._scale = 0.0
        central = QWidget()
        central.setObjectName("operator")
        self.setCentralWidget(central)
        root = QVBoxLayout(central)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_top())

        # middle: the live image | the panel
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        self.viewer = ImageViewer(self, histogram=False)
        self.viewer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        middle.addWidget(self.viewer, 1)

        panel = self._build_panel()
        middle.addWidget(panel)
        root.addLayout(middle, 1)

        # bottom: the recent NG strip
        strip = NgStrip(NG_KEEP, self.enlarge_ng)
        self.strip_caption, self.thumbs, self.no_ng, self.strip_scroll = (strip.caption, strip.thumbs, strip.no_ng,
                                                                           strip.scroll)
        self.thumb_size = QSize(136, 102)
        self._ng_shown: list[NgItem] = []
        root.addWidget(strip)
        self.panel = panel
        self._apply_scale(1.0)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.request_exit)

    def _build_top(self) -> QFrame:
        """The top bar: name, state, rate, clock, engineering mode."""
        top = QFrame()
        top.setObjectName("topbar")
        tl = QHBoxLayout(top)
        tl.setContentsMargins(18, 10, 18, 10)
        tl.setSpacing(18)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.title = QLabel(self.pipeline_name)
        self.title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        tl.addLayout(names)
        tl.addSpacing(10)
        self.state_label = QLabel()
        self.state_label.setObjectName("state")
        tl.addWidget(self.state_label)
        self.state_message = QLabel()
        self.state_message.setObjectName("rate")
        self.state_message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        tl.addWidget(self.state_message, 1)
        self.rate_label = QLabel()
        self.rate_label.setObjectName("rate")
        tl.addWidget(self.rate_label)
        self.clock = QLabel()
        self.clock.setObjectName("clock")
        tl.addWidget(self.clock)
        self.engineering_button = QPushButton()
        self.engineering_button.setObjectName("engineering")
        self.engineering_button.clicked.connect(self.request_exit)
        tl.addWidget(self.engineering_button)
        return top

    def _build_panel(self) -> QFrame:
        """The right panel: verdict, counters, trend, start / stop / reset."""
        panel = QFrame()
        panel.setObjectName("panel")
        panel.setFixedWidth(460)
        pl = QVBoxLayout(panel)
        pl.setContentsMargins(18, 18, 18, 18)
        pl.setSpacing(12)
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pl.addWidget(self.verdict)
        self.verdict_info = QLabel()
        self.verdict_info.setObjectName("verdictInfo")
        self.verdict_reasons = QLabel()
        self.verdict_reasons.setObjectName("verdictReasons")
        self.verdict_reasons.setWordWrap(True)
        self.verdict_reasons.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        pl.addWidget(self.verdict_info)
        pl.addWidget(self.verdict_reasons)

        grid = QGridLayout()
        grid.setSpacing(10)
        tiles = {}
        for i, (key, caption) in enumerate((("total", "TOTAL"), ("ok", "OK"), ("ng", "NG"), ("yield", "YIELD"))):
            frame, cap, value = tile(caption, key)
            tiles[key] = (cap, value)
            grid.addWidget(frame, i // 2, i % 2)
        self._tile_captions = {k: v[0] for k, v in tiles.items()}
        self.total_label, self.ok_label = tiles["total"][1], tiles["ok"][1]
        self.ng_label, self.yield_label = tiles["ng"][1], tiles["yield"][1]
        pl.addLayout(grid)
        self.errors_label = QLabel()
        self.errors_label.setObjectName("errors")
        pl.addWidget(self.errors_label)

        trend_head = QHBoxLayout()
        self.trend_caption = QLabel()
        self.trend_caption.setObjectName("section")
        self.series_box = QComboBox()
        self.series_box.currentIndexChanged.connect(self._series_changed)
        trend_head.addWidget(self.trend_caption)
        trend_head.addStretch(1)
        trend_head.addWidget(self.series_box)
        pl.addLayout(trend_head)
        self.trend = OperatorTrend()
        self.yield_plot = self.trend.yield_plot
        pl.addWidget(self.trend, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.start_button = QPushButton()
        self.start_button.setObjectName("start")
        self.stop_button = QPushButton()
        self.stop_button.setObjectName("stop")
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("reset")
        self.trigger_button = QPushButton()  # a triggered source (still images): one inspection per press
        self.trigger_button.setObjectName("trigger")
        self.trigger_button.setVisible(self.source.trigger is not None)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_counters)
        self.trigger_button.clicked.connect(self.trigger)
        for b in (self.trigger_button, self.start_button, self.stop_button, self.reset_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for b in (self.start_button, self.stop_button, self.reset_button):
            buttons.addWidget(b)
        pl.addWidget(self.trigger_button)  # full width above Start / Stop / Reset: it is pressed most
        pl.addLayout(buttons)
        return panel

    def retranslate(self) -> None:
        self.setWindowTitle(f"{self.pipeline_name} — {t('Operator')} — Vision Workbench")
        self.subtitle.setText(t("Operator screen · the pipeline is read-only"))
        self.engineering_button.setText(t("Engineering mode…"))
        # OK and NG are the verdict codes of the line (also in the database and on the PLC): not translated
        for key, text in (("total", t("TOTAL")), ("ok", "OK"), ("ng", "NG"), ("yield", t("YIELD"))):
            self._tile_captions[key].setText(text)
        self.trend_caption.setText(t("TREND"))
        self.strip_caption.setText(t("RECENT NG  (click to enlarge)"))
        self.no_ng.setText(t("No NG frames since the counters were reset."))
        self.start_button.setText(t("Start"))
        self.stop_button.setText(t("Stop"))
        self.reset_button.setText(t("Reset counters"))
        self.trigger_button.setText(t("Trigger"))
        self.trigger_button.setToolTip(t("Inspect the next image now (software trigger)"))
        self.yield_plot.setTitle(t("Rolling yield % (last 50)"), color="#8a8f98", size="9pt")
        keep = self._series
        self.series_box.blockSignals(True)
        if self.series_box.count() == 0:
            self.series_box.addItem(t("Latency (ms)"), LATENCY)
        else:
            self.series_box.setItemText(0, t("Latency (ms)"))
        self.series_box.blockSignals(False)
        self._series = keep
        self._apply_state()
        self._show_verdict(self.shown)
        self._refresh_counters(force=True)

    def _apply_scale(self, scale: float) -> None:
        """Sizes for the screen: 1.0 on 1920x1080; down to 0.6 so that 1366x768 still fits."""
        if abs(scale - self._scale) < 0.01:
            return
        self._scale = scale

        def px(x: float) -> int:
            return max(1, round(x * scale))

        self.setStyleSheet(style(scale))
        self.panel.setFixedWidth(px(460) if scale >= 0.8 else round(460 * 0.8))
        self.verdict.setMinimumHeight(px(170))
        self.verdict_reasons.setMinimumHeight(px(44))
        self.trend.setMinimumHeight(px(120))
        self.panel.layout().setContentsMargins(px(18), px(18), px(18), px(18))
        self.panel.layout().setSpacing(px(12))
        for b in (self.start_button, self.stop_button, self.reset_button):
            b.setMinimumHeight(px(56))
        self.thumb_size = QSize(px(136), px(102))
        for b in self.thumbs:
            b.setFixedSize(self.thumb_size.width() + 12, self.thumb_size.height() + 30)
        self.no_ng.setFixedHeight(self.thumb_size.height() + 30)
        self.strip_scroll.setFixedHeight(self.thumb_size.height() + 48)  # room for a scroll bar
        self._ng_shown = []  # new thumbnails at the new size
        self._refresh_ng(force=True)

    @staticmethod
    def _scale_for(w: int, h: int) -> float:
        return max(0.6, round(min(h / 1080, w / 1700, 1.0) * 20) / 20)

    def _rescale(self) -> None:
        w, h = self.width(), self.height()
        screen = self.screen()
        if screen is not None:  # the window cannot be larger than its screen, whatever its minimum size
            avail = screen.availableGeometry()
            w, h = min(w, avail.width()), min(h, avail.height())
        self._apply_scale(self._scale_for(w, h))

    def show_operator(self, fullscreen: bool = True) -> None:
        """Show the screen full screen (or in a window of at most 1600x900), sized for its screen."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            self.show()
            return
        geo, avail = screen.geometry(), screen.availableGeometry()
        if fullscreen:
            self._apply_scale(self._scale_for(geo.width(), geo.height()))
            self.setGeometry(geo)  # without a window manager (a kiosk X session) full screen is only a hint
            self.showFullScreen()
        else:
            w, h = min(1600, avail.width()), min(900, avail.height())
            self._apply_scale(self._scale_for(w, h))
            self.resize(w, h)
            self.show()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().resizeEvent(event)
        self._rescale()
        QTimer.singleShot(0, lambda: self._show_verdict(self.shown))  # the verdict's size follows its box

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._rescale()
        if not self._entered:
            self._entered = True
            self.audit.record(ENTERED, "operator", f"{self.pipeline_name} on {self.source.describe()}")
        super().showEvent(event)

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ------------------------------------------------------------ control
    @property
    def running(self) -> bool:
        """True from start() until the runner has stopped (end of source, max_frames, stop())."""
        return self.runner is not None and self.runner.running and self.runner.state != STOPPED

    def start(self) -> bool:
        """Start the stream (a new runner over the same source). False when already running."""
        if self.running:
            return False
        if self.runner is not None:
            self.runner.join(5.0)  # its output thread may still be finishing after STOPPED
        recorder = None
        if self.db is not None:
            recorder = StreamRecorder(self.db, self.pipeline, self.pipeline_name, archive=self.archive,
                                      source=self.source.describe())
        self._generation += 1
        gen = self._generation
        self.runner = StreamRunner(self.pipeline, self.source, source_node=self.source_node,
                                   output_dir=self.output_dir, recorder=recorder, outputs=self.outputs,
                                   on_result=self._on_result, on_latest=self._on_latest,
                                   on_state=lambda state, msg: self._bridge.state.emit(gen, state, msg),
                                   max_frames=self.max_frames)
        self._state, self._state_message = CONNECTING, self.source.describe()
        self._apply_state()
        self.runner.start()
        return True

    def trigger(self) -> bool:
        """Software trigger: one frame from a triggered source (False when not running)."""
        if not self.running or self.source.trigger is None:
            return False
        self.runner.trigger()
        return True

    def stop(self) -> None:
        """Stop the stream and wait for its threads (the frame being processed finishes)."""
        if self.runner is not None:
            self.runner.stop()
            self._state, self._state_message = STOPPED, self.runner.error or ""
            self._apply_state()
        self._on_wake()

    def reset_counters(self) -> None:
        """Counters, yield, NG strip and trend back to zero (the database keeps every record)."""
        self.tally.reset()
        if self.plc is not None and hasattr(self.plc, "reset_counters"):
            self.plc.reset_counters()
        self._refresh_counters(force=True)
        self._refresh_ng(force=True)
        self._refresh_trend(force=True)

    # ------------------------------------------------------------ from the runner's threads
    def _on_latest(self, result: StreamResult) -> None:  # processing thread
        with self._latest_lock:
            self._latest = result
        self._poke()

    def _on_result(self, result: StreamResult) -> None:  # output thread
        self.tally.add(result)
        self._poke()

    def _poke(self) -> None:
        """Wake the GUI: one wake-up per refresh at most (the flag is cleared when the refresh
        starts), so a fast line does not flood the GUI thread with events."""
        with self._poke_lock:
            if self._poke_pending:
                return
            self._poke_pending = True
        self._bridge.wake.emit()

    # ------------------------------------------------------------ GUI thread
    def _on_wake(self) -> None:
        if self._render_timer.isActive():
            return
        wait = self._last_render + 1.0 / self.display_fps - time.perf_counter()
        self._render_timer.start(max(0, int(wait * 1000)))

    def _on_state(self, generation: int, state: str, message: str) -> None:
        if generation != self._generation:
            return
        self._state, self._state_message = state, message
        self._apply_state()
        if state == STOPPED:
            self.render()
            self._refresh_slow(force=True)
            self.streamStopped.emit(message)

    def render(self) -> None:
        """Draw the newest result and the counters (called on the render timer)."""
        with self._poke_lock:  # results from now on wake the GUI again
            self._poke_pending = False
        self._last_render = time.perf_counter()
        with self._latest_lock:
            latest = self._latest
        if latest is not None and latest is not self.shown:
            self._show_result(latest)
            self.shown = latest
            self.renders += 1
            self.rendered.emit()
        self._refresh_counters()

    def _show_result(self, r: StreamResult) -> None:
        image = r.overlay if r.overlay is not None else r.frame.image
        self.viewer.set_image(image)
        self.viewer.set_overlays(overlay_values(r.run) if r.overlay is None and r.run is not None else [])
        self._show_verdict(r)

    def _show_verdict(self, r: StreamResult | None) -> None:
        if r is None:
            text, color, reasons = t("READY"), IDLE_COLOR, t("Waiting for the first frame")
            info = ""
        elif r.row.status == "cancelled":  # stopped mid-image: its own state, neither an error nor a verdict
            text, color, info = t("STOPPED"), IDLE_COLOR, self._frame_info(r)
            reasons = t("Stopped before this image was inspected")
        elif r.row.status == "error":
            text, color = t("ERROR"), WARN_COLOR
            reasons = "\n".join(r.row.errors[:3]) or (r.frame.error or "")
            info = self._frame_info(r)
        elif r.row.verdict == "OK":
            text, color, reasons, info = "OK", OK_COLOR, "", self._frame_info(r)
        elif r.row.verdict == "NG":
            text, color, info = "NG", NG_COLOR, self._frame_info(r)
            reasons = "\n".join(r.row.reasons[:3])
        else:
            text, color, reasons, info = "—", IDLE_COLOR, t("The pipeline gives no verdict"), self._frame_info(r)
        self.verdict.setText(text)
        size = self._verdict_font_px(text)
        if (color, size) != self._verdict_color:  # a new style sheet re-polishes the label: only on a change
            self._verdict_color = (color, size)
            self.verdict.setStyleSheet(f"background: {color}; font-size: {size}px;")
        self.verdict.setProperty("verdict", text)
        self.verdict_reasons.setText(reasons)
        self.verdict_info.setText(info)

    def _verdict_font_px(self, text: str) -> int:
        """120 px at full scale, smaller when the word would not fit its box (never clipped)."""
        return fit_font_px(self.verdict, text, max(1, round(120 * (self._scale or 1.0))))

    @staticmethod
    def _frame_info(r: StreamResult) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(r.frame.timestamp))
        return f"{r.frame.name}  ·  {when}  ·  {r.latency_ms:.0f} ms"

    def _refresh_counters(self, force: bool = False) -> None:
        c = self.tally.counters()
        if not force and c["version"] == self._shown_version:
            return
        self._shown_version = c["version"]
        self.total_label.setText(f"{c['total']:,}")
        self.ok_label.setText(f"{c['ok']:,}")
        self.ng_label.setText(f"{c['ng']:,}")
        self.yield_label.setText("—" if c["yield"] is None else f"{c['yield']:.1f} %")
        self.errors_label.setText(t("Errors: {n}").format(n=c["errors"]) if c["errors"] else "")

    def _refresh_ng(self, force: bool = False) -> None:
        if not force and self.tally.ng_version == self._shown_ng_version:
            return
        self._shown_ng_version = self.tally.ng_version
        items = list(reversed(self.tally.ng_list()))  # newest first
        old = {id(it): b.pixmap() for it, b in zip(self._ng_shown, self.thumbs)}  # items still referenced
        self._ng_shown = items
        for i, b in enumerate(self.thumbs):
            if i < len(items):
                it = items[i]
                pm = old.get(id(it))
                if pm is None:
                    pm = to_pixmap(it.image, self.thumb_size) if it.image is not None else QPixmap()
                b.set_pixmap(pm)
                b.setText(f"#{it.number}  {time.strftime('%H:%M:%S', time.localtime(it.when))}")
                b.setToolTip(f"{it.name}\n" + "\n".join(it.reasons))
                b.setVisible(True)
            else:
                b.set_pixmap(QPixmap())
                b.setVisible(False)
        self.no_ng.setVisible(not items)

    def _refresh_trend(self, force: bool = False) -> None:
        version = self.tally.version
        if not force and version == self._trend_version:
            return
        self._trend_version = version
        pts = self.tally.trend_points()
        # series: latency + every measurement seen (the judged one is the default)
        for _, _, meas, _ in pts[-20:]:
            for k in meas:
                if k not in self._series_seen and isinstance(meas[k], (int, float)):
                    self._series_seen.add(k)
                    self.series_box.addItem(k, k)
                    if self._series is None and k in self._judged:
                        self._series = k
        if self._series is None and self.series_box.count() > 1:
            self._series = self.series_box.itemData(1)
        idx = self.series_box.findData(self._series or LATENCY)
        if idx >= 0 and idx != self.series_box.currentIndex():
            self.series_box.blockSignals(True)
            self.series_box.setCurrentIndex(idx)
            self.series_box.blockSignals(False)
        key = self._series or LATENCY
        self.trend.draw(pts, key, self._judged.get(key, []))

    def _series_changed(self, index: int) -> None:
        self._series = self.series_box.itemData(index)
        self._refresh_trend(force=True)

    def _refresh_slow(self, force: bool = False) -> None:
        """Four times a second the display rate; twice fps, latency and clock; once the NG strip and the trend."""
        cpu, wall = time.thread_time(), time.perf_counter()
        self.gui_load = (cpu - self._cpu_mark[0]) / max(wall - self._cpu_mark[1], 1e-3)
        self._cpu_mark = (cpu, wall)
        if self._state != STOPPED and not force:
            factor = min(1.25, max(0.5, GUI_BUDGET / max(self.gui_load, 1e-3)))
            self.display_fps = min(self.fps_limit, max(MIN_DISPLAY_FPS, self.display_fps * factor))
        self._slow_ticks += 1
        tick = self._slow_ticks % 4
        if force or tick in (0, 2):  # twice a second
            fps, lat = self.tally.rates()
            if self._state == STOPPED:
                fps = 0.0
            self.rate_label.setText(t("{fps:.1f} fps · latency {ms} ms").format(
                fps=fps, ms="—" if lat is None else f"{lat:.0f}"))
            self.clock.setText(time.strftime("%H:%M:%S"))
        if force or tick == 1:  # once a second each, not in the same tick
            self._refresh_ng(force=force)
        if force or tick == 3:
            self._refresh_trend(force=force)

    def _apply_state(self) -> None:
        state, message = self._state, self._state_message
        if state == RUNNING:
            text, color = t("Running"), OK_COLOR
        elif state == CONNECTING:
            text, color = t("Connecting…"), WARN_COLOR
        elif state == RECONNECTING:
            text, color = t("Reconnecting…"), WARN_COLOR
        elif message:
            text, color = t("Stopped"), NG_COLOR
        else:
            text, color = t("Stopped"), IDLE_COLOR
        from workbench.runtime.stream import ALARM  # data-safety hook: an output fails (database, PLC)
        if message.startswith(ALARM):
            color = NG_COLOR
        self.state_label.setText(f"●  {text}")
        self.state_label.setStyleSheet(f"background: {color}; color: white;")
        if state == STOPPED and not message and self.tally.total:
            message = t("End of the source or stopped")
        self.state_message.setText(message)
        self.state_message.setToolTip(message)
        self.start_button.setEnabled(state == STOPPED)
        self.stop_button.setEnabled(state != STOPPED)
        self.trigger_button.setEnabled(state != STOPPED)

    # ------------------------------------------------------------ NG frames
    def enlarge_ng(self, k: int) -> NgDialog | None:
        """Open the k-th NG thumbnail (0 = newest) large."""
        if not 0 <= k < len(self._ng_shown) or self._ng_shown[k].image is None:
            return None
        if self.ng_dialog is not None:
            self.ng_dialog.close()
            self.ng_dialog.deleteLater()
        self.ng_dialog = NgDialog(self, self._ng_shown[k])
        self.ng_dialog.open()
        return self.ng_dialog

    # ------------------------------------------------------------ leaving
    def request_exit(self) -> PasswordDialog:
        """Ask for the engineering password; exitRequested follows a right one. Never offers to set
        one here: a missing or damaged credential keeps the screen locked (an administrator sets it)."""
        if self.password_dialog is not None and self.password_dialog.isVisible():
            return self.password_dialog
        dlg = PasswordDialog(self, self.credentials, first=False, throttle=self.throttle, audit=self.audit)
        dlg.accepted.connect(lambda: self._unlock(dlg.role or ""))
        self.password_dialog = dlg
        dlg.open()
        return dlg

    def _unlock(self, role: str = "") -> None:
        self._unlocked = True
        self.stop()
        self.audit.record(LEFT, role, self.pipeline_name)
        self.exitRequested.emit()
        self.close()

    def close_without_password(self) -> None:
        """Close from code (application shutdown, a finished screenshot): no password asked."""
        self._unlocked = True
        self.close()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if not self._unlocked:
            event.ignore()
            self.request_exit()
            return
        self._slow_timer.stop()
        self._render_timer.stop()
        if self.runner is not None:
            self.runner.stop()
        super().closeEvent(event)
        self.closed.emit()
