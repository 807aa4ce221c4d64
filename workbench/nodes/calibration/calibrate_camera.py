from pathlib import Path
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.fileio import file_stamp
from workbench.core.imageio import list_images, read_image
from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Measurements, MeasurementSet, String
from workbench.nodes.calibration._common import board_points, find_corners, gray_u8, save_calibration


class CalibrationOut(NamedTuple):
    measurements: Measurements
    path: String


def _listing(params: dict, ctx: NodeContext):
    folder = params.get("folder")
    if not folder:
        return ()
    try:
        files = list_images(ctx.resolve(folder), params.get("pattern", ""))
    except Exception:
        return ("missing", str(folder))
    return tuple(file_stamp(f) for f in files)


@node("cv.calibrate_camera", name="Calibrate Camera", category="Calibration", cache_extra=_listing)
def calibrate_camera(folder: Annotated[Path, FileParam(mode="dir"), Help("folder of chessboard views")] = Path(""),
                     pattern: Annotated[str, Help("e.g. *.png — empty: all images")] = "",
                     cols: Annotated[int, Range(2, 100, 1), Help("inner corners per row")] = 9,
                     rows: Annotated[int, Range(2, 100, 1), Help("inner corners per column")] = 6,
                     square_mm: Annotated[float, Range(1e-3, 1e4, 0.1), Help("side of one square")] = 10.0,
                     output: Annotated[Path, FileParam("Calibration (*.json)", mode="save"),
                                       Help("calibration file written; empty: not saved")] = Path("calibration.json"),
                     ctx: NodeContext | None = None) -> CalibrationOut:
    """Computes the camera matrix and lens distortion from a folder of chessboard images, and saves them as JSON.

    Needs at least 3 views where the whole board is found, all of one image size. Measurements: rms
    (reprojection error, px), fx, fy, cx, cy (px), k1, k2, p1, p2, k3, views (used) and images."""
    ctx = ctx or NodeContext()
    if folder is None or str(folder) in ("", "."):
        raise ValueError("no folder of chessboard images chosen")
    files = list_images(Path(folder), pattern)
    if not files:
        raise NodeInputError(f"no images in {folder}")
    obj = board_points(cols, rows, square_mm)
    obj_pts, img_pts, size = [], [], None
    for i, f in enumerate(files):
        ctx.check_cancelled()
        ctx.progress(i / (len(files) + 1), f"corners in {f.name}")
        gray = gray_u8(read_image(f))
        if size is None:
            size = gray.shape[::-1]
        elif gray.shape[::-1] != size:
            raise NodeInputError(f"{f.name} is {gray.shape[1]}x{gray.shape[0]}, the first image {size[0]}x{size[1]}: "
                                 "all views must have one size")
        corners = find_corners(gray, cols, rows)
        if corners is not None:
            obj_pts.append(obj)
            img_pts.append(corners.reshape(-1, 1, 2))
    if len(img_pts) < 3:
        raise NodeInputError(f"a {cols}x{rows} chessboard was found in {len(img_pts)} of {len(files)} images; "
                             "calibration needs at least 3")
    ctx.check_cancelled()
    ctx.progress(len(files) / (len(files) + 1), "calibrating")
    rms, k, dist, _, _ = cv2.calibrateCamera(obj_pts, img_pts, size, None, None)
    dist = np.asarray(dist, np.float64).ravel()
    m = MeasurementSet().add("rms", rms, "px")
    for name, v in zip(("fx", "fy", "cx", "cy"), (k[0, 0], k[1, 1], k[0, 2], k[1, 2])):
        m.add(name, v, "px")
    for name, v in zip(("k1", "k2", "p1", "p2", "k3"), dist):
        m.add(name, v)
    m.add("views", len(img_pts)).add("images", len(files))
    saved = ""
    if output is not None and str(output) not in ("", "."):
        save_calibration(Path(output), {
            "image_size": list(size), "camera_matrix": k.tolist(), "dist_coeffs": dist.tolist(),
            "rms": float(rms), "pattern": [cols, rows], "square_mm": square_mm, "views": len(img_pts)})
        saved = str(output)
    ctx.progress(1.0, "done")
    return CalibrationOut(m, saved)
