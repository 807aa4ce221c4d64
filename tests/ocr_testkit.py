"""Tiny OCR models with known behaviour (onnx.helper, no download), for tests that must not need
the real PP-OCR models:

- det: x [N, 3, H, W] (normalised to [-1, 1]) -> Relu(-mean over channels) [N, 1, H, W]: dark
  pixels on a light background give a high "text" probability;
- cls: any crop -> constant [[0.02, 0.98]] ('180' at 0.98) or [[0.98, 0.02]];
- rec: any crop -> constant [1, 6, 4] probabilities spelling "AB" with dictionary 'A', 'B'
  (metadata 'character'), one line per call.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(graph, path: Path, meta: dict[str, str] | None = None) -> Path:
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    for k, v in (meta or {}).items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, path)
    return path


def tiny_det(path: Path) -> Path:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])
    y = helper.make_tensor_value_info("prob", TensorProto.FLOAT, ["N", 1, "H", "W"])
    nodes = [helper.make_node("ReduceMean", ["x"], ["m"], axes=[1], keepdims=1),
             helper.make_node("Neg", ["m"], ["n"]), helper.make_node("Relu", ["n"], ["prob"])]
    return _save(helper.make_graph(nodes, "det", [x], [y]), path)


def _const(path: Path, arr: np.ndarray, in_shape: list, meta: dict[str, str] | None = None) -> Path:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, in_shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(arr.shape))
    node = helper.make_node("Constant", [], ["y"], value=numpy_helper.from_array(arr.astype(np.float32), "v"))
    return _save(helper.make_graph([node], "c", [x], [y]), path, meta)


def tiny_cls(path: Path, upside_down: bool = True) -> Path:
    p = [[0.02, 0.98]] if upside_down else [[0.98, 0.02]]
    return _const(path, np.array(p), ["N", 3, 48, 192])


def tiny_rec(path: Path) -> Path:
    seq = [1, 1, 0, 2, 0, 0]  # A A blank B blank blank -> "AB"
    probs = np.full((1, len(seq), 4), 0.02, np.float32)
    for t, k in enumerate(seq):
        probs[0, t, k] = 0.94
    return _const(path, probs, ["N", 3, 48, "W"], {"character": "A\nB"})


def tiny_ocr_models(folder: Path) -> tuple[Path, Path, Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return tiny_det(folder / "ocr_det.onnx"), tiny_cls(folder / "ocr_cls.onnx"), tiny_rec(folder / "ocr_rec.onnx")


def dark_bar_image() -> np.ndarray:
    """A light 200 x 80 image with one dark bar (x 40..159, y 30..49): one text line for tiny_det."""
    img = np.full((80, 200, 3), 230, np.uint8)
    img[30:50, 40:160] = 20
    return img
