"""Shared by the deep-learning nodes: load a model + its config once, report the device used."""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path

import numpy as np

from workbench.core.fileio import file_stamp
from workbench.core.params import Help
from workbench.core.spec import NodeContext
from workbench.inference.model import ModelError
from workbench.inference.preprocess import ResizeFilter, Transform, preprocess
from workbench.inference.sessions import Device, LoadedModel, effective_device, load_model
from workbench.inference.sidecar import ModelConfig, load_config, sidecar_path

MODEL_FILTER = "ONNX models (*.onnx)"


class ResizeFilterChoice(enum.Enum):
    """The node's override of the model's resize filter (preprocess.filter)."""

    MODEL = "model"  # as the sidecar says, or inferred (antialias for Ultralytics classifiers, else linear)
    LINEAR = "linear"
    AREA = "area"
    ANTIALIAS = "antialias"


FILTER_HELP = Help("how the image is shrunk to the model's input: MODEL = as its sidecar says (inferred: "
                   "antialias for Ultralytics classifiers, else linear); AREA/ANTIALIAS average the pixels")


def model_stamp(p: Path | None) -> tuple:
    """A model file and its sidecar, by mtime and size (core.fileio.file_stamp)."""
    if p is None:
        return ("",)
    return file_stamp(p) + file_stamp(sidecar_path(p))[1:]


def device_key(params: dict) -> str:
    """The device a model node's run really asks for: the global choice is part of its cache key,
    so changing it re-runs the model nodes (and the session cache is keyed by device as well)."""
    return effective_device(params.get("device", Device.AUTO))[0].value


def model_state(params: dict, ctx: NodeContext):
    """cache_extra for model nodes: the model file and its sidecar, and the device."""
    p = ctx.resolve(params["model"]) if params.get("model") else None
    if p is None:
        return ()
    return model_stamp(p) + (device_key(params),)


def device_note(loaded: LoadedModel) -> str:
    if loaded.provider != "CPUExecutionProvider":
        return f"ran on {loaded.device_label}"
    return f"ran on CPU: {loaded.fallback_reason}" if loaded.fallback_reason else "ran on CPU"


def load(model: Path | None, device: Device, ctx: NodeContext | None,
         resize_filter: ResizeFilterChoice = ResizeFilterChoice.MODEL) -> tuple[LoadedModel, ModelConfig]:
    if model is None or str(model) in ("", "."):  # Path("") is "."
        raise ModelError("no model file chosen")
    if Path(model).is_dir():
        raise ModelError(f"model: {model} is a folder, not a model file (choose the .onnx file)")
    loaded = load_model(model, device)
    cfg = load_config(loaded.path, loaded.info)
    if resize_filter is not ResizeFilterChoice.MODEL:  # cfg is a fresh object per call: safe to change
        cfg.preprocess = dataclasses.replace(cfg.preprocess, filter=ResizeFilter[resize_filter.name])
    if ctx is not None:  # every model node's result records where it really ran
        ctx.note(device_note(loaded))
        if cfg.origin.startswith("inferred"):  # no sidecar: show the guess where the user can check it
            ctx.note(f"pre-processing {cfg.origin}: {cfg.preprocess.describe()}")
    return loaded, cfg


def input_size(loaded: LoadedModel, cfg: ModelConfig) -> tuple[int, int] | None:
    """(width, height) to feed: the sidecar's, else the model's static input size, else None (as is)."""
    pp = cfg.preprocess
    w, h = pp.width, pp.height
    if not (w and h):
        shape = loaded.info.inputs[0].shape
        if len(shape) == 4:
            hh, ww = (shape[1], shape[2]) if pp.layout.name == "NHWC" else (shape[2], shape[3])
            w = w or (ww if isinstance(ww, int) and ww > 0 else 0)
            h = h or (hh if isinstance(hh, int) and hh > 0 else 0)
    return (w, h) if w and h else None


def check_image_input(loaded: LoadedModel, cfg: ModelConfig) -> None:
    """One clear line when the model cannot take one image: several inputs, rank, dtype, channels."""
    ins = loaded.info.inputs
    name = loaded.path.name
    if len(ins) != 1:
        raise ModelError(f"{name} needs {len(ins)} inputs ({', '.join(t.name for t in ins)}); "
                         f"an image node feeds exactly one")
    t = ins[0]
    if len(t.shape) != 4:
        raise ModelError(f"{name}: input {t.describe()} is not an image tensor [N, C, H, W] or [N, H, W, C]")
    if t.dtype not in ("float32", "float16", "uint8"):
        raise ModelError(f"{name}: input {t.name} has dtype {t.dtype}; supported are float32, float16, uint8")
    ch = t.shape[3] if cfg.preprocess.layout.name == "NHWC" else t.shape[1]
    if isinstance(ch, int) and ch not in (1, 3):
        raise ModelError(f"{name}: input {t.name} expects {ch} channels; images give 1 (gray) or 3 (colour)")


def run_image(loaded: LoadedModel, cfg: ModelConfig, image: np.ndarray) -> tuple[list[np.ndarray], Transform]:
    """Pre-process per the config, run, return the raw outputs and the inverse transform."""
    check_image_input(loaded, cfg)
    inp = loaded.info.inputs[0]
    tensor, t = preprocess(image, cfg.preprocess, input_size(loaded, cfg))
    return loaded.run({inp.name: tensor}), t
