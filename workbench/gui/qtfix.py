"""Work-arounds for bugs of the Qt binding, applied once when the GUI package is imported."""

from __future__ import annotations

import sys

from PySide6.QtCore import Signal


def _pyside_leak_guards() -> dict[str, bool]:
    """Work around two PySide6 6.12.0 bugs on Python 3.11, both fatal in a viewer that repaints:

    * ``SignalInstance.emit()`` returns True without taking a reference: every emit drops one
      reference to ``True``. pyqtgraph emits on every paint (GraphicsScene.sigPrepareForPaint), so
      after some 2000 repaints the interpreter aborts ("bool_dealloc: deallocating True or False").
    * every call of a void Qt method and every return from a Python override such as ``paint``
      drops a reference to ``None`` ("none_dealloc"); the node canvas calls ``paint`` all the time.

    Python 3.12+ makes both immortal. On 3.11, when a leak is really there (probed), the object
    gets a reference count no leak can exhaust. Returns which guards were applied."""
    import ctypes

    from PySide6.QtCore import QObject, QPointF

    class _Probe(QObject):
        sig = Signal()

    applied = {"True": False, "None": False}
    if sys.version_info >= (3, 12):
        return applied
    probe, point = _Probe(), QPointF()
    for name, obj, poke in (("True", True, probe.sig.emit), ("None", None, lambda: point.setX(1.0))):
        if sys.getrefcount(obj) > 1 << 39:  # done already (an earlier call)
            continue
        before = sys.getrefcount(obj)
        for _ in range(64):
            poke()
        if before - sys.getrefcount(obj) >= 32:
            ctypes.c_ssize_t.from_address(id(obj)).value += 1 << 40
            applied[name] = True
    return applied


PYSIDE_GUARDS = _pyside_leak_guards()
