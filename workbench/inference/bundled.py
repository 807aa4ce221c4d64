"""Real models that come with installed packages (never downloaded at run time), and OCR samples.

PP-OCR (PaddleOCR, Apache-2.0) as ONNX ships inside the rapidocr-onnxruntime wheel:
text detection (DB, PP-OCRv4), the 0/180° orientation classifier (mobile v2.0) and text
recognition (CRNN, PP-OCRv4, dictionary in the model's 'character' metadata). Setup installs
the wheel with ``--no-deps`` and ``install_ocr_models`` copies the three files into
models/ppocr/ with LICENSE.txt and a MODEL.workbench.json sidecar each. The package is found
with importlib without importing it (its __init__ imports cv2, pyclipper, shapely...).

``render_lot_code`` draws the OCR sample label (Hershey font) used by the example pipelines.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
from pathlib import Path

import cv2
import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.paths import models_dir, samples_dir
from workbench.inference.preprocess import ColorOrder, Layout, Preprocess, ResizeMode, Scaling
from workbench.inference.sidecar import ModelConfig, save_config, sidecar_path

OCR_PACKAGE = "rapidocr_onnxruntime"
OCR_DIST = "rapidocr-onnxruntime"
OCR_DET = "ch_PP-OCRv4_det_infer.onnx"
OCR_CLS = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
OCR_REC = "ch_PP-OCRv4_rec_infer.onnx"
OCR_FILES = (OCR_DET, OCR_CLS, OCR_REC)
OCR_SUBDIR = "ppocr"

LOT_TEXT = "LOT 2026-11-21 A17"
EXP_TEXT = "EXP 2027-11"
SAMPLE_LOT = "lot_code.png"  # upright label
SAMPLE_UPSIDE_DOWN = "label_upside_down.png"  # the same label turned 180°

LICENSE_TEXT = """PP-OCR models in this folder
============================

Files: {files}
Origin: PaddleOCR (https://github.com/PaddlePaddle/PaddleOCR), converted to ONNX and
distributed by RapidOCR (https://github.com/RapidAI/RapidOCR) in the Python package
{dist} {version}, from which they were copied at setup time.
License: Apache License 2.0 (https://www.apache.org/licenses/LICENSE-2.0)

Copyright (c) PaddlePaddle Authors. All Rights Reserved.
Licensed under the Apache License, Version 2.0 (the "License"); you may not use these
files except in compliance with the License. Unless required by applicable law or agreed
to in writing, software distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License
for the specific language governing permissions and limitations under the License.
"""


def ocr_models_dir() -> Path:
    return models_dir() / OCR_SUBDIR


def bundled_ocr_paths(folder: Path | None = None) -> tuple[Path, Path, Path] | None:
    """(det, cls, rec) of the installed bundled models, or None when they are not all there."""
    d = Path(folder or ocr_models_dir())
    paths = tuple(d / f for f in OCR_FILES)
    return paths if all(p.is_file() for p in paths) else None  # type: ignore[return-value]


def _package_models() -> tuple[Path, str]:
    spec = importlib.util.find_spec(OCR_PACKAGE)  # a top-level package: found, not imported
    if spec is None or not spec.submodule_search_locations:
        raise WorkbenchError(f"{OCR_DIST} is not installed: run `pip install --no-deps {OCR_DIST}==1.4.4` "
                             "(the setup script does it)")
    folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    missing = [f for f in OCR_FILES if not (folder / f).is_file()]
    if missing:
        raise WorkbenchError(f"{OCR_DIST} at {folder.parent} lacks {', '.join(missing)}")
    try:
        version = importlib.metadata.version(OCR_DIST)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown version"
    return folder, version


def ocr_configs(source: str) -> dict[str, ModelConfig]:
    """The sidecars: pre-processing as data plus the RapidOCR 1.4.4 post-processing defaults."""
    sym = dict(color=ColorOrder.BGR, layout=Layout.NCHW, dtype="float32", scaling=Scaling.SYMMETRIC)
    lic = "Apache-2.0"
    return {
        OCR_DET: ModelConfig(
            task="ocr_detection", preprocess=Preprocess(resize=ResizeMode.NONE, **sym),
            postprocess={"limit_side_len": 736, "limit_type": "min", "thresh": 0.3, "box_thresh": 0.5,
                         "max_candidates": 1000, "unclip_ratio": 1.6, "use_dilation": True, "score_mode": "fast",
                         "max_side_len": 2000, "min_side_len": 30, "min_height": 30, "width_height_ratio": 8,
                         "_note": "short side scaled to limit_side_len, both sides rounded to multiples of 32"},
            license=lic, source=source),
        OCR_CLS: ModelConfig(
            task="ocr_orientation", preprocess=Preprocess(resize=ResizeMode.NONE, width=192, height=48, **sym),
            labels=["0", "180"],
            postprocess={"cls_thresh": 0.9, "cls_shape": [48, 192], "cls_batch": 6,
                         "_note": "height 48 keeping the aspect ratio, width at most 192, zero-padded on the right"},
            license=lic, source=source),
        OCR_REC: ModelConfig(
            task="ocr_recognition", preprocess=Preprocess(resize=ResizeMode.NONE, width=320, height=48, **sym),
            postprocess={"rec_shape": [48, 320], "rec_batch": 6, "text_score": 0.5, "decode": "ctc_greedy",
                         "_note": "height 48 keeping the aspect ratio, padded to the batch's widest (at least 320); "
                                  "CTC: 0 = blank, 1..n = 'character' metadata lines, n+1 = space"},
            license=lic, source=source),
    }


def install_ocr_models(dest: Path | None = None, force: bool = False) -> list[Path]:
    """Copy the PP-OCR models from the installed rapidocr-onnxruntime package into ``dest``
    (models/ppocr), with LICENSE.txt and sidecars. Returns the model paths. Idempotent."""
    dest = Path(dest or ocr_models_dir())
    src, version = _package_models()
    dest.mkdir(parents=True, exist_ok=True)
    source = f"PaddleOCR via RapidOCR: {OCR_DIST} {version}"
    out = []
    for name, cfg in ocr_configs(source).items():
        target = dest / name
        if force or not target.is_file() or target.stat().st_size != (src / name).stat().st_size:
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(src / name, tmp)
            tmp.replace(target)
        if force or not sidecar_path(target).is_file():  # keep a user's edits to the sidecar
            save_config(target, cfg)
        out.append(target)
    (dest / "LICENSE.txt").write_text(LICENSE_TEXT.format(files=", ".join(OCR_FILES), dist=OCR_DIST,
                                                          version=version), encoding="utf-8")
    return out


# ---------------------------------------------------------------- OCR samples

def render_lot_code(lines: tuple[str, ...] = (LOT_TEXT, EXP_TEXT), upside_down: bool = False,
                    scale: float = 1.4, angle: float = 0.0, size: tuple[int, int] | None = None) -> np.ndarray:
    """A printed product label (BGR uint8): light label with a border on a grey background,
    text in Hershey Duplex. ``angle`` turns it by degrees, ``upside_down`` by 180°."""
    font, thick = cv2.FONT_HERSHEY_DUPLEX, max(1, int(round(scale * 1.5)))
    sizes = [cv2.getTextSize(t, font, scale, thick) for t in lines]
    tw = max(s[0][0] for s in sizes)
    line_h = max(s[0][1] + s[1] for s in sizes)
    gap = int(line_h * 0.8)
    lw, lh = tw + 2 * gap, len(lines) * line_h + (len(lines) + 1) * gap
    w, h = size or (lw + 120, lh + 100)
    img = np.full((h, w, 3), (96, 100, 104), np.uint8)
    x0, y0 = (w - lw) // 2, (h - lh) // 2
    cv2.rectangle(img, (x0, y0), (x0 + lw, y0 + lh), (226, 240, 246), -1)
    cv2.rectangle(img, (x0 + 6, y0 + 6), (x0 + lw - 6, y0 + lh - 6), (60, 60, 60), 2)
    y = y0 + gap
    for t, ((_, th), base) in zip(lines, sizes):
        y += th
        cv2.putText(img, t, (x0 + gap, y), font, scale, (25, 25, 25), thick, cv2.LINE_AA)
        y += base + gap
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if upside_down:
        img = cv2.rotate(img, cv2.ROTATE_180)
    return img


OCR_SAMPLES = {SAMPLE_LOT: dict(), SAMPLE_UPSIDE_DOWN: dict(upside_down=True)}


def ensure_ocr_samples(folder: Path | None = None) -> list[Path]:
    """Writes the OCR sample images (lot_code.png, label_upside_down.png) when missing."""
    from workbench.core.imageio import write_image

    folder = Path(folder or samples_dir())
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, kw in OCR_SAMPLES.items():
        path = folder / name
        if not path.is_file():
            write_image(path, render_lot_code(**kw))
        out.append(path)
    return out
