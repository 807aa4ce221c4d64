"""The operator screen's pieces: thumbnails, counter tiles, the NG strip, the NG frame dialog and the
password dialog (with the growing delay and lock-out of runtime.credentials.Throttle)."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QDialog, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from workbench.core.errors import WorkbenchError
from workbench.core.types import as_bgr, to_uint8
from workbench.gui.i18n import t
from workbench.gui.theme import NG_COLOR
from workbench.gui.viewer import ImageViewer
from workbench.runtime.audit import LOCKED, REFUSED, SET, WRONG, AuditLog
from workbench.runtime.credentials import MIN_PASSWORD_LEN, CredentialStore, Throttle, may, password_problem
from workbench.runtime.tally import NgItem


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


def tile(caption: str, name: str) -> tuple[QFrame, QLabel, QLabel]:
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
        self.viewer.set_overlays(list(getattr(item, "overlays", [])))  # regions, boxes, verdict, as on screen
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


class NgStrip(QFrame):
    """The strip of recent NG thumbnails (``count`` of them; ``on_click(k)`` for the k-th)."""

    def __init__(self, count: int, on_click) -> None:
        super().__init__()
        self.setObjectName("strip")
        sl = QVBoxLayout(self)
        sl.setContentsMargins(18, 8, 18, 10)
        sl.setSpacing(6)
        self.caption = QLabel()
        self.caption.setObjectName("section")
        sl.addWidget(self.caption)
        holder = QWidget()
        holder.setObjectName("stripRow")
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        self.thumbs: list[Thumb] = []
        for i in range(count):
            b = Thumb()
            b.setVisible(False)
            b.clicked.connect(lambda k=i: on_click(k))
            self.thumbs.append(b)
            row.addWidget(b)
        self.no_ng = QLabel()
        self.no_ng.setObjectName("noNg")
        row.addWidget(self.no_ng)
        row.addStretch(1)
        self.scroll = QScrollArea()  # a narrow screen scrolls the strip instead of widening the window
        self.scroll.setWidget(holder)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setStyleSheet("QScrollArea, #stripRow { background: transparent; }")
        sl.addWidget(self.scroll)


class PasswordDialog(QDialog):
    """Asks for the engineering password, or (``first=True``, only where this account may write the
    credential file) lets the engineer choose it on the way into operator mode. A wrong password
    keeps the dialog open, then disables it for a growing delay, then locks it for minutes
    (``throttle``); every try goes to ``audit``. ``accepted`` only follows a right password of a role
    that may leave the operator screen; ``role`` says which."""

    def __init__(self, parent: QWidget | None, store: CredentialStore, first: bool, *,
                 throttle: Throttle | None = None, audit: AuditLog | None = None) -> None:
        super().__init__(parent)
        self.store, self.first = store, first
        self.throttle = throttle if throttle is not None else Throttle()
        self.audit = audit if audit is not None else AuditLog()
        self.role: str | None = None
        self.setObjectName("passwordDialog")
        self.setModal(True)
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.setSpacing(10)
        self.title, self.hint, self.message = QLabel(), QLabel(), QLabel()
        self.title.setObjectName("dialogTitle")
        for w in (self.title, self.hint, self.message):
            w.setWordWrap(True)
        self.password, self.confirm = QLineEdit(), QLineEdit()
        for w in (self.password, self.confirm):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setVisible(first)
        self.message.setObjectName("dialogError")
        self.message.setStyleSheet(f"color: {NG_COLOR}; font-weight: bold;")
        self.ok_button, self.cancel_button = QPushButton(), QPushButton()
        for b in (self.ok_button, self.cancel_button):  # Return is handled by the fields: when a wrong try
            b.setAutoDefault(False)  # disables them, focus lands on Cancel, which Return must not press
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
        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        self.retranslate()
        self.password.setFocus()
        self._tick()

    def retranslate(self) -> None:
        if self.first:
            self.setWindowTitle(t("Set the engineering password"))
            self.title.setText(t("Set the engineering password"))
            self.hint.setText(t("Operator mode needs an engineering password. Choose the password that engineers "
                                "will need to leave the operator screen (at least {n} characters).").format(
                n=MIN_PASSWORD_LEN))
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

    def _tick(self) -> None:
        """Keep the inputs disabled while the throttle says wait; show how long."""
        left = 0.0 if self.first else self.throttle.wait_left()
        waiting = left > 0
        for w in (self.password, self.ok_button):
            w.setEnabled(not waiting)
        if waiting:
            if self.throttle.locked:
                self.message.setText(t("Too many wrong passwords: locked for {s} s.").format(s=int(left + 0.999)))
            else:
                self.message.setText(t("Wrong password. Try again in {s} s.").format(s=int(left + 0.999)))
            if not self._countdown.isActive():
                self._countdown.start()
        elif self._countdown.isActive():
            self._countdown.stop()
            self.message.setText(t("Enter the password again."))
            self.password.setFocus()

    def submit(self) -> None:
        if self.first:
            self._submit_new()
            return
        if self.throttle.wait_left() > 0:
            self._tick()
            return
        state = self.store.state()
        if state != "ok" or not self.store.is_set("engineer"):
            self.audit.record(REFUSED, "", f"{self.store.path}: {state}")
            self._refuse(t("No engineering password can be read ({state}). The operator screen stays locked: "
                           "an administrator must set it (workbench password set).").format(state=state))
            return
        role = self.store.authenticate(self.password.text())
        if role is None or not may(role, "leave_operator"):
            delay = self.throttle.failed()
            self.audit.record(WRONG, "", f"try {self.throttle.failures}, next in {delay:.0f} s")
            if self.throttle.locked:
                self.audit.record(LOCKED, "", f"{delay:.0f} s")
            self.password.clear()
            self._tick()
            return
        self.throttle.succeeded()
        self.role = role
        self.accept()

    def _submit_new(self) -> None:
        pw = self.password.text()
        problem = password_problem(pw)
        if problem:
            self._refuse(t("The password needs at least {n} characters, without leading or trailing spaces.")
                         .format(n=MIN_PASSWORD_LEN))
            return
        if pw != self.confirm.text():
            self._refuse(t("The two passwords differ. Type the same password twice."))
            self.confirm.clear()
            self.confirm.setFocus()
            return
        try:
            self.store.set_password("engineer", pw)
        except WorkbenchError as exc:
            self._refuse(str(exc))
            return
        self.audit.record(SET, "engineer", str(self.store.path))
        self.role = "engineer"
        self.accept()

    def _refuse(self, message: str) -> None:
        self.message.setText(message)
        self.password.selectAll()
        self.password.setFocus()


def fit_font_px(label: QLabel, text: str, size: int, margin: int = 24, smallest: int = 24) -> int:
    """The largest font size, from ``size`` down, at which ``text`` fits ``label``'s width."""
    from PySide6.QtGui import QFont, QFontMetrics

    room = max(40, label.width() - margin)
    f = QFont(label.font())
    while size > smallest:
        f.setPixelSize(size)
        if QFontMetrics(f).horizontalAdvance(text) <= room:
            break
        size -= 4
    return size
