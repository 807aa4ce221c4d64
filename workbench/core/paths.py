"""Where things live: bundled resources, sample images, models, user data."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def app_root() -> Path:
    """The folder that holds resources/ and models/: the repo (source) or the bundle (frozen)."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parents[2]


def resources_dir() -> Path:
    return app_root() / "resources"


def pipelines_dir() -> Path:
    return resources_dir() / "pipelines"


def samples_dir() -> Path:
    return resources_dir() / "samples"


def models_dir() -> Path:
    return app_root() / "models"


def demo_pipeline() -> Path:
    return pipelines_dir() / "coins.json"


def user_data_dir() -> Path:
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "VisionWorkbench"
