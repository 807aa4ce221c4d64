"""The Qt-free core: data types, parameters, node contract, registry, graph, engine, files.

Nothing under workbench.core imports Qt; tests/core/test_qt_boundary.py enforces it.
"""
