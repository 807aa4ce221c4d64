"""Shared helpers of the Calibration family: chessboard corners and the calibration file format.

Calibration file (JSON): {"format": "workbench.camera_calibration", "version": 1,
"image_size": [w, h], "camera_matrix": 3x3 list, "dist_coeffs": list, "rms": float,
"pattern": [cols, rows], "square_mm": float, "views": int}
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import as_gray, to_uint8

FORMAT = "workbench.camera_calibration"


def gray_u8(image: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(to_uint8(as_gray(image)))


def find_corners(gray: np.ndarray, cols: int, rows: int, refine: bool = True,
                 fast_check: bool = False) -> np.ndarray | None:
    """(N, 2) float32 inner-corner positions of a cols x rows chessboard, row by row; None if not found."""
    h, w = gray.shape[:2]
    if min(w, h) < 3 * (min(cols, rows) + 1) or max(w, h) < 3 * (max(cols, rows) + 1):
        return None  # too small to hold the board (and OpenCV's thresholds would fail on it)
    flags = cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE
    if fast_check:
        flags |= cv2.CALIB_CB_FAST_CHECK
    found, corners = cv2.findChessboardCorners(gray, (cols, rows), flags=flags)
    if not found or corners is None:
        return None
    corners = corners.reshape(-1, 2).astype(np.float32)
    if refine:
        pts = corners.reshape(rows, cols, 2)
        step = float(np.median(np.linalg.norm(np.diff(pts, axis=1), axis=2)))
        win = int(max(2, min(11, step / 4)))
        crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 40, 0.01)
        corners = cv2.cornerSubPix(gray, corners.reshape(-1, 1, 2), (win, win), (-1, -1), crit).reshape(-1, 2)
    return corners


def board_points(cols: int, rows: int, square_mm: float) -> np.ndarray:
    g = np.zeros((rows * cols, 3), np.float32)
    g[:, :2] = np.mgrid[0:cols, 0:rows].T.reshape(-1, 2) * square_mm
    return g


def save_calibration(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "version": 1, **data}, indent=2), encoding="utf-8")
    tmp.replace(path)


def load_calibration(path: Path | None) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """camera matrix, distortion coefficients, (w, h). Raises NodeInputError with one line."""
    if path is None:
        raise ValueError("no calibration file chosen")
    path = Path(path)
    if not path.is_file():
        raise NodeInputError(f"calibration file not found: {path}")
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        k = np.array(d["camera_matrix"], np.float64).reshape(3, 3)
        dist = np.array(d["dist_coeffs"], np.float64).ravel()
        w, h = (int(v) for v in d["image_size"])
    except (ValueError, KeyError, TypeError) as exc:
        raise NodeInputError(f"{path.name} is not a calibration file ({type(exc).__name__}: {exc})") from None
    return k, dist, (w, h)
