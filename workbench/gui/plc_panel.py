"""Run > PLC I/O…: the Modbus TCP set-up of the line, saved with the pipeline (``meta["plc"]``) and
used by `workbench stream`, `workbench operator` and the operator screen. Address, where the results
go (verdict to a register or a coil, the counters to registers), the trigger input, a "Test write"
button and the connection state (runtime/plc.ModbusPlc, its own thread: the dialog never waits
for the network)."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from workbench.gui.i18n import t
from workbench.runtime.plc import ModbusPlc

KINDS = ("none", "register", "coil")


def _spin(lo: int, hi: int, value: int) -> QSpinBox:
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    return s


class _Target(QWidget):
    """none / register N / coil N."""

    def __init__(self, kinds=KINDS, value: dict | None = None) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        for k in kinds:
            self.kind.addItem(k, k)
        self.addr = _spin(0, 65535, 0)
        row.addWidget(self.kind)
        row.addWidget(self.addr, 1)
        for k in kinds:
            if value and k in value:
                self.kind.setCurrentIndex(kinds.index(k))
                self.addr.setValue(int(value[k]))

    def value(self) -> dict | None:
        k = self.kind.currentData()
        return None if k == "none" else {k: self.addr.value()}


class PlcDialog(QDialog):
    def __init__(self, pipeline, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("plc_dialog")
        self.setWindowTitle(t("PLC I/O"))
        self.pipeline = pipeline
        cfg = dict(pipeline.meta.get("plc") or {})
        self.host = QLineEdit(str(cfg.get("host", "")))
        self.host.setPlaceholderText("192.168.0.10")
        self.port = _spin(1, 65535, int(cfg.get("port", 502)))
        self.unit = _spin(0, 255, int(cfg.get("unit", 1)))
        self.verdict = _Target(value=cfg.get("verdict"))
        counters = cfg.get("counters") or {}
        self.counters = {k: _spin(-1, 65535, int(counters.get(k, -1))) for k in ("total", "ok", "ng")}
        self.trigger = _Target(value=cfg.get("trigger"))
        form = QFormLayout()
        form.addRow(t("Address"), self.host)
        form.addRow(t("Port"), self.port)
        form.addRow(t("Unit"), self.unit)
        form.addRow(t("Verdict (1 OK, 2 NG, 3 error; coil: on = OK)"), self.verdict)
        for k, label in (("total", t("Total count register (-1: none)")), ("ok", t("OK count register")),
                         ("ng", t("NG count register"))):
            form.addRow(label, self.counters[k])
        form.addRow(t("Trigger input"), self.trigger)
        self.state = QLabel(t("not connected"))
        self.state.setObjectName("plc_state")
        self.test_button = QPushButton(t("Test write"))
        self.test_button.clicked.connect(self.test_write)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.state, 1)
        lay.addLayout(row)
        lay.addWidget(buttons)
        self.plc: ModbusPlc | None = None
        self.writes = 0
        self._timer = QTimer(self, interval=200, timeout=self._show_state)
        self.finished.connect(lambda _r: self._close_plc())

    def config(self) -> dict:
        cfg: dict = {"host": self.host.text().strip(), "port": self.port.value(), "unit": self.unit.value()}
        if self.verdict.value():
            cfg["verdict"] = self.verdict.value()
        counters = {k: s.value() for k, s in self.counters.items() if s.value() >= 0}
        if counters:
            cfg["counters"] = counters
        if self.trigger.value():
            cfg["trigger"] = self.trigger.value()
        return cfg

    def test_write(self) -> None:
        """Send one OK result with the settings shown (connecting first; the state says how it went)."""
        cfg = self.config()
        if not cfg["host"]:
            self.state.setText(t("Enter the PLC's address first."))
            return
        if self.plc is None or self.plc.cfg != cfg:
            self._close_plc()
            self.plc = ModbusPlc(cfg).start()
        self.plc.send(SimpleNamespace(row=SimpleNamespace(status="ok", verdict="OK")))
        self.writes += 1
        self._timer.start()
        self._show_state()

    def _show_state(self) -> None:
        if self.plc is not None:
            self.state.setText(self.plc.alarm or self.plc.status())

    def _close_plc(self) -> None:
        self._timer.stop()
        if self.plc is not None:
            self.plc.close(timeout=2.0)
            self.plc = None

    def accept(self) -> None:
        cfg = self.config()
        if cfg["host"]:
            self.pipeline.meta["plc"] = cfg
        else:
            self.pipeline.meta.pop("plc", None)
        super().accept()


def edit_plc(win) -> bool:
    """Run > PLC I/O…: edit the set-up; True when it was saved into the document (which is then unsaved)."""
    dlg = PlcDialog(win.doc.pipeline, win)
    before = dict(win.doc.pipeline.meta.get("plc") or {})
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return False
    if (win.doc.pipeline.meta.get("plc") or {}) != before:
        win.doc.pipeline.mark_edited()
        win._dirty_extra = True
        win._update_title()
    return True
