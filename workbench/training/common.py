"""Shared by the trainers: progress and cancellation, image loading, splits, ROC/AUC, sessions, writing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.imageio import list_images, read_image


class Cancelled(WorkbenchError):
    """Training was cancelled; nothing was written."""


@dataclass
class Job:
    """What a trainer reports to and asks: ``progress(stage, done, total)``; ``cancelled()`` → stop."""

    progress: Callable[[str, int, int], None] | None = None
    cancelled: Callable[[], bool] | None = None

    def step(self, stage: str, done: int, total: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise Cancelled("training cancelled; nothing was written")
        if self.progress is not None:
            self.progress(stage, done, total)


def images_in(folder: Path | str, what: str) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkbenchError(f"{what} folder not found: {folder}")
    files = list_images(folder)
    if not files:
        raise WorkbenchError(f"{what} folder {folder} holds no images (png, jpg, bmp, tif, ...)")
    return files


def load_all(paths: list[Path], job: Job, stage: str = "reading images") -> list[np.ndarray]:
    out = []
    for i, p in enumerate(paths):
        job.step(stage, i, len(paths))
        out.append(read_image(p))
    return out


def split_indices(n: int, ratio: float, seed: int, minimum: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(train, held-out) index arrays: a fixed-seed shuffle, ``ratio`` of them held out (at least ``minimum``,
    and at least one left to train on)."""
    k = int(round(n * ratio))
    k = min(max(k, minimum if ratio > 0 else 0), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[k:]), np.sort(order[:k])


def auroc(negative, positive) -> float:
    """Area under the ROC curve (the Mann-Whitney statistic; ties count one half)."""
    neg, pos = np.asarray(negative, np.float64), np.asarray(positive, np.float64)
    if not neg.size or not pos.size:
        return float("nan")
    allv = np.concatenate([neg, pos])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(allv.size)
    sorted_v = allv[order]
    i = 0
    while i < allv.size:  # average ranks over ties
        j = i
        while j + 1 < allv.size and sorted_v[j + 1] == sorted_v[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    r_pos = ranks[neg.size:].sum()
    return float((r_pos - pos.size * (pos.size + 1) / 2) / (pos.size * neg.size))


def roc_curve(negative, positive) -> tuple[np.ndarray, np.ndarray]:
    """(false-positive rates, true-positive rates) over every threshold, from (0, 0) to (1, 1)."""
    neg, pos = np.asarray(negative, np.float64), np.asarray(positive, np.float64)
    thr = np.unique(np.concatenate([neg, pos, [np.inf]]))[::-1]
    fpr = np.array([(neg >= t).mean() if neg.size else 0.0 for t in thr] + [1.0])
    tpr = np.array([(pos >= t).mean() if pos.size else 0.0 for t in thr] + [1.0])
    return fpr, tpr


def session(model_bytes: bytes, threads: int = 0):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return ort.InferenceSession(model_bytes, opts, providers=["CPUExecutionProvider"])


def check_output(path: Path | str, suffix: str = ".onnx") -> Path:
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise WorkbenchError(f"the output must be a {suffix} file, got {path.name}")
    if path.is_dir():
        raise WorkbenchError(f"the output {path} is a folder")
    if not path.parent.exists():
        raise WorkbenchError(f"the output folder {path.parent} does not exist")
    return path


def report_path(model_path: Path) -> Path:
    return Path(model_path).with_name(Path(model_path).stem + ".report.json")


def write_files(files: dict[Path, bytes]) -> None:
    """Write every file to a .part beside it first, then rename them all: an interruption before the
    renames leaves nothing but removed .part files."""
    parts = {}
    try:
        for path, data in files.items():
            tmp = Path(path).with_name(Path(path).name + ".part")
            tmp.write_bytes(data)
            parts[tmp] = Path(path)
        for tmp, path in parts.items():
            os.replace(tmp, path)
    finally:
        for tmp in parts:
            if tmp.exists():
                tmp.unlink()


def json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
