"""Vision Workbench: machine-vision inspection pipelines."""

import os as _os

# Nothing leaves the PC. onnxruntime (1.32) otherwise keeps a device id and queued usage events
# under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ and looks up mobile.events.data.microsoft.com;
# only this variable, set before onnxruntime is first imported, stops it
# (onnxruntime.disable_telemetry_events() does not). Every entry point (workbench.cli, the GUI,
# `python -m workbench`, the frozen app's runtime hook) imports this package first.
# tests/test_no_network.py checks it with strace and a temporary HOME.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# One-line errors are ours to give: OpenCV's and FFmpeg's own warnings ("[mjpeg @ 0x…] overread 8")
# would otherwise land on stderr beside them. A user's own setting wins (debugging).
_os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
_os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET

__version__ = "0.1.0"
