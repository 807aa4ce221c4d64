"""Reading and writing image files with one-line errors (and non-ASCII paths on Windows)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from workbench.core.errors import WorkbenchError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm")


class ImageReadError(WorkbenchError):
    pass


def read_image(path: Path, mode: str = "unchanged") -> np.ndarray:
    """Read an image as uint8/uint16/float32, mono or BGR. mode: unchanged | gray | color."""
    path = Path(path)
    if not path.exists():
        raise ImageReadError(f"image not found: {path}")
    if path.is_dir():
        raise ImageReadError(f"expected an image file, got a folder: {path}")
    if not path.is_file():  # /dev/zero, a FIFO: reading would never end
        raise ImageReadError(f"not a regular file: {path}")
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise ImageReadError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if data.size == 0:
        raise ImageReadError(f"empty file (0 bytes): {path.name}")
    check_image_size(data, path.name)
    from workbench.core.imagesize import png_problem

    problem = png_problem(data)
    if problem:
        raise ImageReadError(f"not a readable image ({problem}): {path.name}")
    flag = {"gray": cv2.IMREAD_GRAYSCALE, "color": cv2.IMREAD_COLOR}.get(mode, cv2.IMREAD_UNCHANGED)
    img = cv2.imdecode(data, flag)
    if img is None:
        raise ImageReadError(f"not a readable image (corrupt or unsupported format): {path.name}")
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    elif img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.dtype not in (np.uint8, np.uint16, np.float32):
        img = img.astype(np.float32)
    return np.ascontiguousarray(img)


def check_image_size(data: np.ndarray | bytes, name: str) -> None:
    """Refuse an image whose header declares more pixels than the limit, before decoding it."""
    from workbench.core.imagesize import image_size, max_image_pixels

    size = image_size(data)
    limit = max_image_pixels()
    if size is not None and size[0] * size[1] > limit:
        raise ImageReadError(f"{name}: {size[0]} x {size[1]} pixels ({size[0] * size[1] / 1e6:.0f} MP) is more "
                             f"than the limit of {limit / 1e6:.0f} MP (a decompression bomb?); "
                             "raise WORKBENCH_MAX_IMAGE_PIXELS to open it")


def write_image(path: Path, image: np.ndarray) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = path.suffix.lower() or ".png"
    img = image
    if img.dtype == np.float32 and ext not in (".tif", ".tiff", ".exr"):
        img = np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(ext, img)
    if not ok:
        raise WorkbenchError(f"cannot encode image as {ext}")
    buf.tofile(str(path))
    return path


def list_images(folder: Path, patterns: str = "") -> list[Path]:
    """Image files in a folder, sorted by name. patterns: '*.png;*.jpg' (default: known extensions)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkbenchError(f"folder not found: {folder}")
    pats = [p.strip() for p in patterns.replace(",", ";").split(";") if p.strip()]
    files = []
    for f in folder.iterdir():
        if not f.is_file() or f.name.startswith("."):
            continue
        if pats:
            if any(f.match(p) for p in pats):
                files.append(f)
        elif f.suffix.lower() in IMAGE_EXTENSIONS:
            files.append(f)
    return sorted(files, key=lambda p: p.name.lower())
