"""Shared helpers for the runtime tests: folders of coin images (24 coins: OK; half: NG)."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from workbench.core.paths import demo_pipeline, samples_dir

COINS = demo_pipeline()


def coins_image():
    img = cv2.imread(str(samples_dir() / "coins.png"), cv2.IMREAD_UNCHANGED)
    assert img is not None
    return img


def make_folder(folder: Path, n: int, *, half_every: int = 0, corrupt: tuple[int, ...] = ()) -> list[Path]:
    """n frames f000.png…; every ``half_every``-th is the left half (fewer coins -> NG)."""
    folder.mkdir(parents=True, exist_ok=True)
    img = coins_image()
    paths = []
    for i in range(n):
        p = folder / f"f{i:03d}.png"
        if i in corrupt:
            p.write_bytes(b"this is not a png")
        elif half_every and i % half_every == 0:
            cv2.imwrite(str(p), img[:, : img.shape[1] // 2].copy())
        else:
            cv2.imwrite(str(p), img)
        paths.append(p)
    return paths


@pytest.fixture
def coins_folder(tmp_path):
    return make_folder(tmp_path / "frames", 30, half_every=3, corrupt=(7,))
