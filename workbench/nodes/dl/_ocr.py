"""Shared by the OCR nodes: model paths (chosen, or the bundled PP-OCR models) and their settings."""

from __future__ import annotations

from pathlib import Path

from workbench.core.spec import NodeContext
from workbench.inference.bundled import bundled_ocr_paths
from workbench.inference.model import ModelError
from workbench.nodes.dl._common import device_key, model_stamp

INSTALL_HINT = "run `workbench models` to install the bundled PP-OCR models"


def _chosen(path: Path | str | None, ctx: NodeContext | None) -> Path | None:
    if path is None or not str(path) or str(path) == ".":
        return None
    p = ctx.resolve(path) if ctx is not None else Path(path)
    if p.is_dir():  # never fall back to the bundled models silently
        raise ModelError(f"{p} is a folder, not a model file (choose the .onnx file, or leave it empty for "
                         "the bundled models)")
    return p


def ocr_paths(params: dict, ctx: NodeContext | None, use_cls: bool = True) -> tuple[Path, Path | None, Path]:
    """(det, cls or None, rec). Empty det and rec paths mean the bundled models (models/ppocr),
    and then an empty cls path means the bundled classifier too (when use_cls). With chosen
    det/rec models, an empty cls path skips the orientation step."""
    det, cls, rec = (_chosen(params.get(k), ctx) for k in ("det_model", "cls_model", "rec_model"))
    bundled = bundled_ocr_paths()
    if det is None and rec is None:
        if bundled is None:
            raise ModelError(f"no model file chosen ({INSTALL_HINT})")
        det, rec = bundled[0], bundled[2]
        if cls is None and use_cls:
            cls = bundled[1]
    elif det is None or rec is None:
        raise ModelError(f"no model file chosen for {'det_model' if det is None else 'rec_model'}")
    return det, (cls if use_cls else None), rec


def cls_path(params: dict, ctx: NodeContext | None) -> Path:
    p = _chosen(params.get("model"), ctx)
    if p is not None:
        return p
    bundled = bundled_ocr_paths()
    if bundled is None:
        raise ModelError(f"no model file chosen ({INSTALL_HINT})")
    return bundled[1]




def ocr_state(params: dict, ctx: NodeContext) -> tuple:
    """cache_extra for dl.ocr: the three model files and sidecars, by mtime."""
    try:
        paths = ocr_paths(params, ctx, bool(params.get("orientation", True)))
    except ModelError:
        return ()
    return tuple(model_stamp(p) for p in paths) + (device_key(params),)


def cls_state(params: dict, ctx: NodeContext) -> tuple:
    try:
        return model_stamp(cls_path(params, ctx)) + (device_key(params),)
    except ModelError:
        return ()
