"""The self-test's GUI check: the Qt modules the app needs import and a QApplication starts.
Lives here because Qt is only imported under workbench/gui."""

from __future__ import annotations

import os


def qt_status() -> dict[str, str]:
    import pyqtgraph
    from PySide6 import QtCore, QtGui, QtWidgets

    import workbench.gui.app  # noqa: F401  (a frozen build that excluded too much fails here)

    app = QtWidgets.QApplication.instance()
    if app is None:
        plat = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
        app = QtWidgets.QApplication(["workbench-selftest", "-platform", plat])
    import PySide6

    return {"qt": QtCore.qVersion(), "platform_plugin": QtGui.QGuiApplication.platformName(),
            "PySide6-Essentials": PySide6.__version__, "pyqtgraph": pyqtgraph.__version__,
            "pyqtgraph_render": _pyqtgraph_renders(), "qt_icu": _qt_icu_works()}


def _qt_icu_works() -> str:
    """What Qt uses ICU for still works (the Linux bundle trims ICU's data to that): collation, text
    codecs, time zone names, locale case mapping. Raises if not."""
    import functools

    from PySide6.QtCore import QCollator, QLocale, QStringDecoder, QTimeZone

    problems = []
    zh = QCollator(QLocale("zh_CN"))
    if sorted(["张", "阿", "白"], key=functools.cmp_to_key(zh.compare)) != ["阿", "白", "张"]:
        problems.append("Chinese collation (pinyin order)")
    codecs = [n for n in ("GBK", "GB18030", "Big5", "Shift_JIS", "EUC-KR") if not QStringDecoder(n).isValid()]
    if codecs:
        problems.append("text codecs " + ", ".join(codecs))
    if QLocale("tr_TR").toUpper("i") != "\u0130":
        problems.append("Turkish upper case")
    tz = QTimeZone(b"Europe/Berlin")
    name = ""
    if tz.isValid():  # needs the PC's time zone database
        name = tz.displayName(QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale("en_US"))
        if "Europe" not in name and "Central" not in name:
            problems.append(f"time zone names ({name!r})")
    if problems:
        raise RuntimeError("Qt's ICU services fail: " + "; ".join(problems))
    return f"collation, {len(QStringDecoder.availableCodecs())} codecs, case mapping" + (
        f", time zone names ({name})" if name else "")


def _pyqtgraph_renders() -> str:
    """pyqtgraph draws an image and a plot: the parts of Qt it needs (QtOpenGL at import, the raster
    paint engine, fonts) are there. Raises if not."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6 import QtGui

    plot = pg.PlotWidget()
    plot.resize(160, 120)
    plot.plot(np.arange(10.0), np.arange(10.0) ** 2, pen="y")
    img = pg.ImageItem(np.arange(64 * 48, dtype=np.float32).reshape(48, 64))
    plot.addItem(img)
    canvas = QtGui.QImage(160, 120, QtGui.QImage.Format.Format_ARGB32)
    canvas.fill(0)
    painter = QtGui.QPainter(canvas)
    try:
        plot.render(painter)
    finally:
        painter.end()
    drawn = sum(1 for x in range(0, 160, 4) for y in range(0, 120, 4) if canvas.pixel(x, y) != 0)
    plot.deleteLater()
    if drawn == 0:
        raise RuntimeError("pyqtgraph drew nothing (PlotWidget with an ImageItem rendered blank)")
    return f"PlotWidget + ImageItem drawn ({drawn} of 1200 sampled pixels)"
