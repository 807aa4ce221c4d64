"""Thread pools: OpenCV's and ONNX Runtime's, chosen so they do not oversubscribe the cores.

The engine runs one node at a time, so OpenCV's pool (default: all cores) and ORT's intra-op
pool (default: min(4, cores) per session, inter-op 1; see inference/sessions.py) are never busy
together within one pipeline run. Override with WORKBENCH_CV_THREADS and WORKBENCH_ORT_THREADS,
e.g. when several pipelines run side by side.
"""

from __future__ import annotations

import os

CV_THREADS_ENV = "WORKBENCH_CV_THREADS"


def configure_threads() -> int:
    """Apply WORKBENCH_CV_THREADS to OpenCV; returns OpenCV's thread count."""
    import cv2

    env = os.environ.get(CV_THREADS_ENV, "").strip()
    if env.isdigit() and int(env) > 0:
        cv2.setNumThreads(int(env))
    return cv2.getNumThreads()
