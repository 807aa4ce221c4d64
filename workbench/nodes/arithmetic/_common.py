"""Shared helper for the two-input arithmetic nodes.

Rule for two images (documented in each node): their width and height must match (a
NodeInputError names both shapes). When one is gray and the other colour, the gray one is
replicated to BGR. When the dtypes differ, the second is converted to the first's dtype on the
full scale of each type (uint8 0..255, uint16 0..65535, float32 0..1).
"""

import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import as_bgr

_FULL = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0, np.dtype(np.float32): 1.0}


def shape_text(a: np.ndarray) -> str:
    kind = "gray" if a.ndim == 2 or a.shape[2] == 1 else f"{a.shape[2]}-channel"
    return f"{a.shape[1]}x{a.shape[0]} {kind} {a.dtype}"


def convert_dtype(img: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Convert between uint8/uint16/float32 on the full scale of each type."""
    if img.dtype == dtype:
        return img
    f = _FULL[np.dtype(dtype)] / _FULL[img.dtype]
    out = img.astype(np.float32) * f
    if np.dtype(dtype) != np.float32:
        out = np.clip(np.rint(out), 0, _FULL[np.dtype(dtype)])
    return out.astype(dtype)


def match_pair(a: np.ndarray, b: np.ndarray, names: tuple[str, str] = ("a", "b")) -> tuple[np.ndarray, np.ndarray]:
    """Make b compatible with a (channels, dtype); sizes must already match."""
    if a.shape[:2] != b.shape[:2]:
        raise NodeInputError(f"{names[0]} is {shape_text(a)} but {names[1]} is {shape_text(b)}: "
                             "width and height must match")
    a_col = a.ndim == 3 and a.shape[2] > 1
    b_col = b.ndim == 3 and b.shape[2] > 1
    if a_col or b_col:
        a, b = as_bgr(a), as_bgr(b)
    elif a.ndim == 3:
        a = a[:, :, 0]
    if b.ndim == 3 and not (a_col or b_col):
        b = b[:, :, 0]
    return np.ascontiguousarray(a), np.ascontiguousarray(convert_dtype(b, a.dtype))


def check_masks(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise NodeInputError(f"mask a is {a.shape[1]}x{a.shape[0]} but mask b is {b.shape[1]}x{b.shape[0]}: "
                             "sizes must match")
