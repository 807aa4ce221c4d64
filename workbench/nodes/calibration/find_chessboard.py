from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Bool, Image, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.calibration._common import find_corners, gray_u8


class ChessboardOut(NamedTuple):
    corners: Regions
    found: Bool
    measurements: Measurements


@node("cv.find_chessboard", name="Find Chessboard", category="Calibration")
def find_chessboard(image: Image,
                    cols: Annotated[int, Range(2, 100, 1), Help("inner corners per row (squares - 1)")] = 9,
                    rows: Annotated[int, Range(2, 100, 1), Help("inner corners per column (squares - 1)")] = 6,
                    refine: Annotated[bool, Help("sub-pixel corner refinement")] = True,
                    fast_check: Annotated[bool, Help("quick rejection of images without a board")] = False,
                    ) -> ChessboardOut:
    """Finds the inner corners of a chessboard calibration target.

    Corners come row by row as one region each (stats cx, cy, index, row, col). Measurements:
    found (1/0), corner_count, square_px (mean distance between neighbouring corners, e.g. for
    Pixel Scale with the square size) and angle (° of the first row)."""
    pts = find_corners(gray_u8(image), cols, rows, refine, fast_check)
    shape = tuple(image.shape[:2])
    m = MeasurementSet()
    if pts is None:
        m.add("found", 0).add("corner_count", 0)
        return ChessboardOut(RegionSet([], [], shape), False, m)
    grid = pts.reshape(rows, cols, 2).astype(np.float64)
    steps = np.concatenate([np.linalg.norm(np.diff(grid, axis=1), axis=2).ravel(),
                            np.linalg.norm(np.diff(grid, axis=0), axis=2).ravel()])
    d = grid[0, -1] - grid[0, 0]
    m.add("found", 1).add("corner_count", len(pts)).add("square_px", float(steps.mean()), "px")
    m.add("angle", float(np.degrees(np.arctan2(d[1], d[0]))), "°")
    contours = [np.round(p).astype(np.int32).reshape(1, 1, 2) for p in pts]
    stats = [{"cx": float(x), "cy": float(y), "index": float(i), "row": float(i // cols), "col": float(i % cols),
              "x": float(x), "y": float(y), "w": 0.0, "h": 0.0, "area": 0.0} for i, (x, y) in enumerate(pts)]
    return ChessboardOut(RegionSet(contours, stats, shape), True, m)
