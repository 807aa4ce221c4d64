"""Evaluation sets made from images inside installed wheels (skimage.data textures, scikit-learn digits):
nothing is downloaded. Shared by the tests and bench/bench_teach.py."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

DEFECTS = ("scratch", "spot", "stain", "chip")


def texture(name: str) -> np.ndarray:
    from skimage import data

    img = getattr(data, name)()
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img[:, :, ::-1].copy()


def draw_defect(img: np.ndarray, kind: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A copy of img with one small defect, and its mask (uint8 0/255)."""
    h, w = img.shape[:2]
    im, m = img.copy(), np.zeros((h, w), np.uint8)
    cx, cy = (int(v) for v in rng.integers(int(0.16 * min(h, w)), int(0.84 * min(h, w)), 2))
    s = min(h, w) / 256
    if kind == "scratch":
        a, b = (int(cx - 30 * s), int(cy - 20 * s)), (int(cx + 30 * s), int(cy + 20 * s))
        cv2.line(im, a, b, (40, 40, 40), max(1, int(2 * s)))
        cv2.line(m, a, b, 255, max(1, int(2 * s)))
    elif kind == "spot":
        cv2.circle(im, (cx, cy), int(6 * s), (30, 30, 200), -1)
        cv2.circle(m, (cx, cy), int(6 * s), 255, -1)
    elif kind == "stain":
        blob = np.zeros((h, w), np.float32)
        cv2.circle(blob, (cx, cy), int(14 * s), 1.0, -1)
        blob = cv2.GaussianBlur(blob, (0, 0), 4 * s)[..., None] * 0.5
        im = (im * (1 - blob) + np.array([20, 60, 90], np.float32) * blob).astype(np.uint8)
        m = np.where(blob[..., 0] > 0.1, 255, 0).astype(np.uint8)
    else:  # chip: a bright broken-off corner
        pts = (np.array([[0, 0], [18, 4], [6, 16]]) * s).astype(np.int32) + [cx, cy]
        cv2.fillPoly(im, [pts], (235, 235, 235))
        cv2.fillPoly(m, [pts], 255)
    return im, m


def texture_set(root: Path, name: str = "brick", n_good: int = 30, n_test_good: int = 20, n_bad: int = 20,
                size: int = 256, seed: int = 1) -> Path:
    """root/good (training), root/test_good, root/bad (+ root/masks with the same names): random crops."""
    src = texture(name)
    rng = np.random.default_rng(seed)
    h, w = src.shape[:2]

    def crop() -> np.ndarray:
        y, x = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
        return src[y:y + size, x:x + size].copy()

    for sub in ("good", "test_good", "bad", "masks"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for i in range(n_good):
        cv2.imwrite(str(root / "good" / f"g{i:02d}.png"), crop())
    for i in range(n_test_good):
        cv2.imwrite(str(root / "test_good" / f"t{i:02d}.png"), crop())
    for i in range(n_bad):
        im, m = draw_defect(crop(), DEFECTS[i % 4], rng)
        cv2.imwrite(str(root / "bad" / f"b{i:02d}_{DEFECTS[i % 4]}.png"), im)
        cv2.imwrite(str(root / "masks" / f"b{i:02d}_{DEFECTS[i % 4]}.png"), m)
    return root


def digits_set(root: Path, per_class: int = 30, test_per_class: int | None = None, size: int = 64,
               seed: int = 0) -> Path:
    """scikit-learn's real handwritten digits as root/train/<digit>/*.png + root/test/<digit>/*.png
    (dark ink on white, 8x8 scaled to size)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    rng = np.random.default_rng(seed)
    for c in range(10):
        idx = np.flatnonzero(d.target == c)
        rng.shuffle(idx)
        rest = idx[per_class:] if test_per_class is None else idx[per_class:per_class + test_per_class]
        for split, ids in (("train", idx[:per_class]), ("test", rest)):
            (root / split / str(c)).mkdir(parents=True, exist_ok=True)
            for i in ids:
                im = cv2.resize((d.images[i] * (255 / 16)).astype(np.uint8), (size, size),
                                interpolation=cv2.INTER_LINEAR)
                cv2.imwrite(str(root / split / str(c) / f"{i:04d}.png"), 255 - im)
    return root
