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
the engineering password. It is stored in ``QSettings()`` under ``operator/password`` as
``scrypt$n$r$p$salt$hash`` (random 16-byte salt; PBKDF2-SHA256 where OpenSSL has no scrypt),
never in plain text. The first time, the user chooses it (typed twice).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QFrame, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QMainWindow, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.core.types import as_bgr, to_uint8
from workbench.gui.i18n import t
from workbench.gui.theme import NG_COLOR, OK_COLOR, WARN_COLOR
from workbench.gui.viewer import ImageViewer
from workbench.runtime.inspection import judged_measurements, overlay_values
from workbench.runtime.sources import FrameSource
from workbench.runtime.stream import (CONNECTING, RECONNECTING, RUNNING, STOPPED, StreamRecorder, StreamResult,
                                      StreamRunner)

PASSWORD_KEY = "operator/password"
MIN_PASSWORD_LEN = 4
NG_KEEP = 12  # thumbnails in the NG strip
TREND_KEEP = 600  # points in the trend chart
YIELD_WINDOW = 50  # results in the rolling yield
LATENCY = "__latency__"  # the trend series that is not a measurement
IDLE_COLOR = "#3a3f47"
GUI_BUDGET = 0.05  # share of one CPU core the screen may use while the line runs
MIN_DISPLAY_FPS = 2.0


# ---------------------------------------------------------------- the password (no plain text, ever)
def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt_hex$hash_hex`` with a random 16-byte salt (PBKDF2 where scrypt is missing)."""
    salt = os.urandom(16) if salt is None else salt
    data = password.encode("utf-8")
    if hasattr(hashlib, "scrypt"):
        n, r, p = 2**14, 8, 1
        digest = hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, dklen=32)
        return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"
    iterations = 600_000
    digest = hashlib.pbkdf2_hmac("sha256", data, salt, iterations, dklen=32)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` hashes to ``stored`` (constant-time compare); False for anything malformed."""
    parts = str(stored or "").split("$")
    data = password.encode("utf-8")
    try:
        if parts[0] == "scrypt" and len(parts) == 6:
            n, r, p = (int(x) for x in parts[1:4])
            salt, want = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
            got = hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, dklen=len(want))
        elif parts[0] == "pbkdf2_sha256" and len(parts) == 4:
            salt, want = bytes.fromhex(parts[2]), bytes.fromhex(parts[3])
            got = hashlib.pbkdf2_hmac("sha256", data, salt, int(parts[1]), dklen=len(want))
        else:
            return False
    except (ValueError, TypeError, MemoryError):
        return False
    return bool(want) and hmac.compare_digest(got, want)


class PasswordStore:
    """The engineering password in QSettings (hashed, salted)."""

    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings

    def _s(self) -> QSettings:
        return self.settings if self.settings is not None else QSettings()

    def is_set(self) -> bool:
        return bool(self._s().value(PASSWORD_KEY, ""))

    def set(self, password: str) -> None:
        s = self._s()
        s.setValue(PASSWORD_KEY, hash_password(password))
        s.sync()

    def check(self, password: str) -> bool:
        return verify_password(password, str(self._s().value(PASSWORD_KEY, "")))


# ---------------------------------------------------------------- counting (any thread)
@dataclass
class NgItem:
    image: np.ndarray | None  # the annotated image when the pipeline draws one, else the frame
    name: str
    when: float  # time.time() of acquisition
    index: int  # frame index in the source
    number: int  # its position in the counters (1 = first result since reset)
    reasons: list[str]


class Tally:
    """Counters, recent NG frames and the trend, filled from the runner's output thread and read
    by the GUI. Every method takes the lock briefly; nothing here touches Qt."""

    def __init__(self, ng_keep: int = NG_KEEP, trend_keep: int = TREND_KEEP) -> None:
        self._lock = threading.Lock()
        self.ng_keep, self.trend_keep = ng_keep, trend_keep
        self.version = 0  # bumped by every change: the GUI redraws only when it moved
        self.ng_version = 0
        self.generation = 0  # bumped by reset
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = self.ok = self.ng = self.errors = 0
            self.ng_items: deque[NgItem] = deque(maxlen=self.ng_keep)
            self.trend: deque[tuple[int, float, dict, str | None]] = deque(maxlen=self.trend_keep)
            self.done: deque[float] = deque(maxlen=240)
            self.latency: deque[float] = deque(maxlen=100)
            self.generation += 1
            self.version += 1
            self.ng_version += 1

    def add(self, r: StreamResult) -> None:
        row = r.row
        with self._lock:
            self.total += 1
            if row.status == "error":
                self.errors += 1
            if row.verdict == "OK":
                self.ok += 1
            elif row.verdict == "NG":
                self.ng += 1
                image = r.overlay if r.overlay is not None else r.frame.image
                self.ng_items.append(NgItem(image, r.frame.name, r.frame.timestamp, r.frame.index, self.total,
                                            list(row.reasons)))
                self.ng_version += 1
            self.trend.append((self.total, float(r.latency_ms), row.measurements, row.verdict))
            self.done.append(time.perf_counter())
            self.latency.append(float(r.latency_ms))
            self.version += 1

    @property
    def yield_pct(self) -> float | None:
        judged = self.ok + self.ng
        return 100.0 * self.ok / judged if judged else None

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return {"total": self.total, "ok": self.ok, "ng": self.ng, "errors": self.errors,
                    "yield": self.yield_pct, "version": self.version}

    def rates(self, window_s: float = 3.0) -> tuple[float, float | None]:
        """(results per second over the last ``window_s``, mean latency ms of the last 100)."""
        now = time.perf_counter()
        with self._lock:
            times = [x for x in self.done if now - x <= window_s]
            lat = sum(self.latency) / len(self.latency) if self.latency else None
        fps = (len(times) - 1) / max(times[-1] - times[0], 1e-9) if len(times) >= 2 else 0.0
        return fps, lat

    def ng_list(self) -> list[NgItem]:
        with self._lock:
            return list(self.ng_items)

    def trend_points(self) -> list[tuple[int, float, dict, str | None]]:
        with self._lock:
            return list(self.trend)


# ---------------------------------------------------------------- small widgets
def to_pixmap(image: np.ndarray, box: QSize) -> QPixmap:
    """A BGR/gray image of any dtype as a pixmap fitting ``box`` (aspect kept)."""
    import cv2

    img = as_bgr(to_uint8(image))
    h, w = img.shape[:2]
    scale = min(box.width() / max(w, 1), box.height() / max(h, 1))
    if scale < 0.25:  # nearest to twice the size first: INTER_AREA over a large factor costs milliseconds
        img = cv2.resize(img, (max(1, round(w * scale * 2)), max(1, round(h * scale * 2))),
                         interpolation=cv2.INTER_NEAREST)
        h, w = img.shape[:2]
        scale = min(box.width() / max(w, 1), box.height() / max(h, 1))
    if scale < 1.0:
        img = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    h, w = rgb.shape[:2]
    qimg = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(qimg)


def _tile(caption: str, name: str) -> tuple[QFrame, QLabel, QLabel]:
    frame = QFrame()
    frame.setObjectName("tile")
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(14, 8, 14, 10)
    lay.setSpacing(0)
    cap = QLabel(caption)
    cap.setObjectName("caption")
    value = QLabel("0")
    value.setObjectName(name)
    value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    lay.addWidget(cap)
    lay.addWidget(value)
    return frame, cap, value


class Thumb(QFrame):
    """One NG thumbnail with its caption; ``clicked`` on a left click. A pixmap in a label, not a
    QIcon on a button: icons are scaled and kept in QPixmapCache (10 MB), which a strip that takes a
    new thumbnail every second fills for nothing."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("thumb")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 2)
        lay.setSpacing(2)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel()
        self.caption.setObjectName("thumbCaption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.image, 1)
        lay.addWidget(self.caption)

    def text(self) -> str:
        return self.caption.text()

    def setText(self, text: str) -> None:  # noqa: N802 (Qt naming)
        self.caption.setText(text)

    def pixmap(self) -> QPixmap:
        return self.image.pixmap()

    def set_pixmap(self, pixmap: QPixmap) -> None:
        self.image.setPixmap(pixmap)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class PasswordDialog(QDialog):
    """Asks for the engineering password, or (``first=True``) lets the user choose it. Wrong
    entries keep the dialog open with a message; ``accepted`` only follows a right one."""

    def __init__(self, parent: QWidget, store: PasswordStore, first: bool) -> None:
        super().__init__(parent)
        self.store, self.first = store, first
        self.setObjectName("passwordDialog")
        self.setModal(True)
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("dialogTitle")
        self.title.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setVisible(first)
        self.message = QLabel()
        self.message.setObjectName("dialogError")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {NG_COLOR}; font-weight: bold;")
        self.ok_button = QPushButton()
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton()
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        self.password.returnPressed.connect(self.confirm.setFocus if first else self.submit)
        self.confirm.returnPressed.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        for w in (self.title, self.hint, self.password, self.confirm, self.message):
            lay.addWidget(w)
        lay.addLayout(buttons)
        self.retranslate()
        self.password.setFocus()

    def retranslate(self) -> None:
        if self.first:
            self.setWindowTitle(t("Set the engineering password"))
            self.title.setText(t("Set the engineering password"))
            self.hint.setText(t("No password is set yet. Choose the password that engineers will need to "
                                "leave the operator screen (at least 4 characters)."))
            self.password.setPlaceholderText(t("New password"))
            self.confirm.setPlaceholderText(t("Repeat the password"))
            self.ok_button.setText(t("Set password"))
        else:
            self.setWindowTitle(t("Engineering mode"))
            self.title.setText(t("Engineering mode"))
            self.hint.setText(t("Enter the engineering password to leave the operator screen."))
            self.password.setPlaceholderText(t("Password"))
            self.ok_button.setText(t("Unlock"))
        self.cancel_button.setText(t("Cancel"))

    def submit(self) -> None:
        pw = self.password.text()
        if self.first:
            if len(pw) < MIN_PASSWORD_LEN:
                self._refuse(t("The password needs at least 4 characters."))
                return
            if pw != self.confirm.text():
                self._refuse(t("The two passwords differ. Type the same password twice."))
                self.confirm.clear()
                self.confirm.setFocus()
                return
            self.store.set(pw)
            self.accept()
            return
        if not self.store.check(pw):
            self._refuse(t("Wrong password. The operator screen stays locked."))
            return
        self.accept()

    def _refuse(self, message: str) -> None:
        self.message.setText(message)
        self.password.selectAll()
        self.password.setFocus()


class NgDialog(QDialog):
    """One NG frame, large."""

    def __init__(self, parent: QWidget, item: NgItem) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("ngDialog")
        self.setWindowTitle(t("NG frame"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 12, 12, 12)
        self.caption = QLabel(f"#{item.number}  ·  {item.name}  ·  {time.strftime('%H:%M:%S', time.localtime(item.when))}")
        self.caption.setObjectName("ngCaption")
        self.reasons = QLabel("\n".join(item.reasons) or t("No reason given"))
        self.reasons.setStyleSheet(f"color: {NG_COLOR}; font-size: 16px;")
        self.reasons.setWordWrap(True)
        self.viewer = ImageViewer(self, histogram=False)
        self.viewer.set_image(item.image)
        close = QPushButton(t("Close"))
        close.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.reasons, 1)
        bottom.addWidget(close)
        lay.addWidget(self.caption)
        lay.addWidget(self.viewer, 1)
        lay.addLayout(bottom)
        geo = parent.geometry() if parent is not None else None
        if geo is not None and geo.width() > 400:
            self.resize(int(geo.width() * 0.75), int(geo.height() * 0.8))
        else:
            self.resize(900, 700)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        self.viewer.fit()


class _Bridge(QObject):
    """Signals that cross from the runner's threads into the GUI thread (queued)."""

    wake = Signal()
    state = Signal(int, str, str)  # (runner generation, state, message)


def style(scale: float = 1.0) -> str:
    """The screen's style sheet; sizes follow ``scale`` (1.0 at 1920x1080, smaller on small screens)."""

    def px(x: float) -> int:
        return max(1, round(x * scale))

    return f"""
#operator {{ background: #15171b; }}
QLabel {{ color: #dfe3e8; }}
#topbar {{ background: #1e2126; border-bottom: 1px solid #2c3037; }}
QLabel#title {{ font-size: 22px; font-weight: 600; }}
QLabel#subtitle {{ font-size: 13px; color: #8a8f98; }}
QLabel#state {{ font-size: 15px; font-weight: 600; padding: 6px 14px; border-radius: 14px; }}
QLabel#rate, QLabel#clock {{ font-size: 15px; color: #b8bdc5; }}
QLabel#clock {{ font-size: 18px; font-weight: 600; color: #dfe3e8; }}
#panel {{ background: #1b1e23; border-left: 1px solid #2c3037; }}
QLabel#verdict {{ font-size: {px(120)}px; font-weight: 800; color: white; border-radius: 14px; }}
QLabel#verdictInfo {{ font-size: 14px; color: #b8bdc5; }}
QLabel#verdictReasons {{ font-size: {max(13, px(16))}px; color: #f0f2f5; }}
#tile {{ background: #22262c; border-radius: 10px; }}
QLabel#caption {{ font-size: 12px; font-weight: 600; color: #8a8f98; letter-spacing: 1px; }}
QLabel#total, QLabel#ok, QLabel#ng, QLabel#yield {{ font-size: {px(40)}px; font-weight: 700; }}
QLabel#ok {{ color: {OK_COLOR}; }}
QLabel#ng {{ color: {NG_COLOR}; }}
QLabel#errors {{ font-size: 13px; color: {WARN_COLOR}; }}
QLabel#section {{ font-size: 12px; font-weight: 600; color: #8a8f98; letter-spacing: 1px; }}
#strip {{ background: #1b1e23; border-top: 1px solid #2c3037; }}
QFrame#thumb {{ background: #22262c; border: 2px solid #2c3037; border-radius: 6px; }}
QFrame#thumb:hover {{ border-color: {NG_COLOR}; }}
QLabel#thumbCaption {{ color: #b8bdc5; font-size: 12px; }}
QLabel#noNg {{ color: #6c717a; font-size: 14px; }}
QLabel#dialogTitle {{ font-size: 19px; font-weight: 600; }}
QDialog#passwordDialog QLineEdit {{ font-size: 16px; padding: 8px; }}
QLabel#ngCaption {{ font-size: 16px; font-weight: 600; }}
#operator QPushButton {{ font-size: {px(17)}px; font-weight: 600; padding: {px(12)}px {px(18)}px; border-radius: 8px;
                         background: #2d3138; color: #dfe3e8; border: 1px solid #3a3f47; }}
#operator QPushButton:hover {{ background: #353a42; }}
#operator QPushButton:disabled {{ color: #5c6169; background: #23262b; border-color: #2c3037; }}
#operator QPushButton#start:enabled {{ background: #1f7a4a; border-color: #25905a; color: white; }}
#operator QPushButton#stop:enabled {{ background: #8a2c30; border-color: #a3363b; color: white; }}
#operator QPushButton#engineering {{ font-size: 14px; padding: 8px 14px; }}
#operator QComboBox {{ font-size: 13px; padding: 3px 8px; }}
"""


class OperatorWindow(QMainWindow):
    """The operator screen for one pipeline and one source (see the module docstring).

    Keyword arguments: ``db`` (a ResultsDB) and ``archive`` (an Archive) record every inspection;
    ``plc`` (e.g. ModbusPlc) and ``outputs`` receive every result (``send(result)``), and "Reset
    counters" also resets the PLC's counters; ``output_dir`` is where Save nodes write;
    ``source_node`` picks the source node that gets the frames; ``max_frames`` stops each run
    after that many frames; ``settings`` replaces ``QSettings()`` for the password.
    """

    exitRequested = Signal()  # the right password was given: go back to engineering mode
    rendered = Signal()  # a frame was drawn (tests, screenshots)
    streamStopped = Signal(str)  # the runner ended (message: why, or "")

    def __init__(self, pipeline: Pipeline, source: FrameSource, *, db=None, archive=None, pipeline_name: str = "",
                 plc=None, outputs: list[Any] = (), output_dir: Path | None = None, source_node: str | None = None,
                 max_frames: int | None = None, fps_limit: float = 30.0, settings: QSettings | None = None,
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
        self.passwords = PasswordStore(settings)
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

        # top bar: name, state, rate, clock, engineering mode
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
        root.addWidget(top)

        # middle: the live image | the panel
        middle = QHBoxLayout()
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        self.viewer = ImageViewer(self, histogram=False)
        self.viewer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        middle.addWidget(self.viewer, 1)

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
            frame, cap, value = _tile(caption, key)
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
        self.trend = pg.GraphicsLayoutWidget()
        self.trend.setBackground("#1b1e23")
        self.trend.ci.setContentsMargins(0, 0, 0, 0)
        self.value_plot = self.trend.addPlot(row=0, col=0)
        self.yield_plot = self.trend.addPlot(row=1, col=0)
        self.yield_plot.setXLink(self.value_plot)
        self.trend.ci.layout.setRowStretchFactor(0, 3)
        self.trend.ci.layout.setRowStretchFactor(1, 2)
        for plot in (self.value_plot, self.yield_plot):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            for ax in ("left", "bottom"):
                plot.getAxis(ax).setTextPen("#8a8f98")
                plot.getAxis(ax).setPen("#3a3f47")
            plot.getAxis("left").setWidth(44)
        self.value_plot.getAxis("bottom").setStyle(showValues=False)
        self.yield_plot.setYRange(-10, 110, padding=0)  # room for the 0 and 100 labels
        self.yield_plot.getAxis("left").setTicks([[(0, "0"), (50, "50"), (100, "100")]])
        self.limit_lines = [pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(WARN_COLOR, width=1,
                                                                                  style=Qt.PenStyle.DashLine))
                            for _ in range(2)]
        for line in self.limit_lines:
            line.setVisible(False)
            self.value_plot.addItem(line, ignoreBounds=False)
        # no antialiasing and 1-pixel (cosmetic) pens: an antialiased wide pen or a filled area over a
        # few hundred zig-zag points costs tens of milliseconds per repaint in Qt's raster engine
        self.value_curve = self.value_plot.plot(pen=pg.mkPen("#5aa9ff", width=1), antialias=False)
        self.value_ng = pg.ScatterPlotItem(size=7, pen=None, brush=pg.mkBrush(NG_COLOR), antialias=False)
        self.value_plot.addItem(self.value_ng)
        self.yield_curve = self.yield_plot.plot(pen=pg.mkPen(OK_COLOR, width=1), antialias=False)
        pl.addWidget(self.trend, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        self.start_button = QPushButton()
        self.start_button.setObjectName("start")
        self.stop_button = QPushButton()
        self.stop_button.setObjectName("stop")
        self.reset_button = QPushButton()
        self.reset_button.setObjectName("reset")
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_counters)
        for b in (self.start_button, self.stop_button, self.reset_button):
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons.addWidget(b)
        pl.addLayout(buttons)
        middle.addWidget(panel)
        root.addLayout(middle, 1)

        # bottom: the recent NG strip
        strip = QFrame()
        strip.setObjectName("strip")
        sl = QVBoxLayout(strip)
        sl.setContentsMargins(18, 8, 18, 10)
        sl.setSpacing(6)
        self.strip_caption = QLabel()
        self.strip_caption.setObjectName("section")
        sl.addWidget(self.strip_caption)
        holder = QWidget()
        holder.setObjectName("stripRow")
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.thumb_size = QSize(136, 102)
        self.thumbs: list[Thumb] = []
        for i in range(NG_KEEP):
            b = Thumb()
            b.setVisible(False)
            b.clicked.connect(lambda k=i: self.enlarge_ng(k))
            self.thumbs.append(b)
            row.addWidget(b)
        self.no_ng = QLabel()
        self.no_ng.setObjectName("noNg")
        row.addWidget(self.no_ng)
        row.addStretch(1)
        scroll = QScrollArea()  # a narrow screen scrolls the strip instead of widening the window
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip_scroll = scroll
        scroll.setStyleSheet("QScrollArea, #stripRow { background: transparent; }")
        sl.addWidget(scroll)
        self._ng_shown: list[NgItem] = []
        root.addWidget(strip)
        self.panel = panel
        self._apply_scale(1.0)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.request_exit)

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

    def showEvent(self, event) -> None:  # noqa: N802 (Qt naming)
        self._rescale()
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
        if color != self._verdict_color:  # a new style sheet re-polishes the label: only on a change
            self._verdict_color = color
            self.verdict.setStyleSheet(f"background: {color};")
        self.verdict.setProperty("verdict", text)
        self.verdict_reasons.setText(reasons)
        self.verdict_info.setText(info)

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
        limits = self._judged.get(key, [])
        for i, line in enumerate(self.limit_lines):
            line.setVisible(i < len(limits))
            if i < len(limits):
                line.setValue(limits[i])
        if not pts:
            self.value_curve.setData([], [])
            self.value_ng.setData([], [])
            self.yield_curve.setData([], [])
            return
        n = np.fromiter((p[0] for p in pts), float, len(pts))
        if key == LATENCY:
            y = np.fromiter((p[1] for p in pts), float, len(pts))
        else:
            y = np.fromiter((float(p[2].get(key, np.nan)) if isinstance(p[2].get(key), (int, float)) else np.nan
                             for p in pts), float, len(pts))
        ng = np.fromiter((p[3] == "NG" for p in pts), bool, len(pts))
        self.value_curve.setData(n, y, connect="finite")
        self.value_ng.setData(n[ng], y[ng])
        judged = np.fromiter((p[3] in ("OK", "NG") for p in pts), bool, len(pts))
        ok = np.fromiter((p[3] == "OK" for p in pts), bool, len(pts))
        cj = np.concatenate([[0], np.cumsum(judged)])
        co = np.concatenate([[0], np.cumsum(ok)])
        first = np.maximum(np.arange(1, len(pts) + 1) - YIELD_WINDOW, 0)  # rolling window [first, i]
        lj, lo = cj[1:] - cj[first], co[1:] - co[first]
        rolling = np.where(lj > 0, 100.0 * lo / np.maximum(lj, 1), np.nan)
        self.yield_curve.setData(n, rolling, connect="finite")

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
        self.state_label.setText(f"●  {text}")
        self.state_label.setStyleSheet(f"background: {color}; color: white;")
        if state == STOPPED and not message and self.tally.total:
            message = t("End of the source or stopped")
        self.state_message.setText(message)
        self.state_message.setToolTip(message)
        self.start_button.setEnabled(state == STOPPED)
        self.stop_button.setEnabled(state != STOPPED)

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
        """Ask for the engineering password (the first time: choose it); exitRequested follows a right one."""
        if self.password_dialog is not None and self.password_dialog.isVisible():
            return self.password_dialog
        dlg = PasswordDialog(self, self.passwords, first=not self.passwords.is_set())
        dlg.accepted.connect(self._unlock)
        self.password_dialog = dlg
        dlg.open()
        return dlg

    def _unlock(self) -> None:
        self._unlocked = True
        self.stop()
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


# ---------------------------------------------------------------- the command line entry
def check_display() -> None:
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise WorkbenchError("no display found (DISPLAY is not set): run it on a desktop, "
                             "or use xvfb-run, or QT_QPA_PLATFORM=offscreen")


def run_operator(pipeline: Pipeline, source: FrameSource, *, pipeline_name: str = "", db=None, archive=None,
                 plc=None, outputs: list[Any] = (), output_dir: Path | None = None, source_node: str | None = None,
                 windowed: bool = False, screenshot: str | Path | None = None, frames: int | None = None,
                 timeout_s: float = 120.0) -> int:
    """Open the operator screen and run the stream until the user leaves it (exit status 0).

    ``frames`` stops the stream after that many frames. With ``screenshot``: once ``frames``
    results (default 20) are counted, or the source ended, save a PNG of the window (the stream
    still running, as an operator sees it), stop and return 0; WorkbenchError when no frame was
    processed within ``timeout_s``."""
    check_display()
    from workbench.gui.app import make_app

    # the main app's names (so the same QSettings: the password set in either is known to both),
    # its theme and the saved language
    app = make_app()
    shot_after = (frames or 20) if screenshot else None
    win = OperatorWindow(pipeline, source, db=db, archive=archive, pipeline_name=pipeline_name, plc=plc,
                         outputs=outputs, output_dir=output_dir, source_node=source_node,
                         max_frames=None if screenshot else frames)
    win.exitRequested.connect(app.quit)
    win.show_operator(fullscreen=not windowed)
    outcome: dict[str, Any] = {"error": None, "taken": False}
    if screenshot:
        def save() -> None:
            if win.tally.total == 0:
                outcome["error"] = (win.runner.error if win.runner is not None and win.runner.error
                                    else "no frame was processed")
            elif not win.grab().save(str(screenshot)):
                outcome["error"] = f"cannot write the screenshot {screenshot}"
            win.close_without_password()
            app.quit()

        def maybe_grab(*_args) -> None:
            if outcome["taken"] or (win.tally.total < shot_after and win.running):
                return
            outcome["taken"] = True
            win.render()
            QTimer.singleShot(600, save)  # the trend chart and the clock refresh 4 times a second

        def too_late() -> None:
            if not outcome["taken"]:
                outcome["error"] = f"no result within {timeout_s:.0f} s; no screenshot taken"
                win.close_without_password()
                app.quit()

        win.rendered.connect(maybe_grab)
        win.streamStopped.connect(maybe_grab)
        QTimer.singleShot(int(timeout_s * 1000), too_late)
    QTimer.singleShot(0, win.start)
    app.exec()
    if win.runner is not None:
        win.runner.stop()
    if outcome["error"]:
        raise WorkbenchError(str(outcome["error"]))
    return 0
