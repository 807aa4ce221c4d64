"""The desktop GUI: the only package that imports PySide6 / pyqtgraph."""

from workbench.gui import qtfix  # noqa: F401  (binding work-arounds before any widget exists)
