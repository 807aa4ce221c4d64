"""Tiny ONNX models with known outputs for the deep-learning head tests (built with onnx.helper, no download)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const_model(path: Path, outputs: dict[str, np.ndarray], in_shape=(1, 3, 64, 64), names=None,
                ir: int = 9, opset: int = 13) -> Path:
    """x [in_shape] -> the given constant outputs (float32), whatever the image."""
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, list(in_shape))
    nodes, outs = [], []
    for name, arr in outputs.items():
        arr = np.asarray(arr, np.float32)
        nodes.append(helper.make_node("Constant", [], [name], value=numpy_helper.from_array(arr, name + "_v")))
        outs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, list(arr.shape)))
    g = helper.make_graph(nodes, "const", [x], outs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    if names is not None:
        m.metadata_props.add(key="names", value=str(dict(enumerate(names))))
    onnx.save(m, path)
    return path


def graph_model(path: Path, nodes, out_name: str, out_shape, in_shape=(1, 3, 64, 64), inits=(), ir: int = 9,
                opset: int = 13) -> Path:
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, list(in_shape))
    y = helper.make_tensor_value_info(out_name, TensorProto.FLOAT, list(out_shape))
    g = helper.make_graph(list(nodes), "g", [x], [y], list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = ir
    onnx.save(m, path)
    return path


def write_sidecar(model: Path, task: str, preprocess: dict | None = None, labels=(), postprocess=None) -> Path:
    p = model.with_name(model.stem + ".workbench.json")
    p.write_text(json.dumps({"format": "workbench.model", "schema_version": 1, "task": task,
                             "preprocess": preprocess or {}, "labels": list(labels),
                             "postprocess": postprocess or {}}), encoding="utf-8")
    return p


def yolov8_output(boxes_xyxy, scores, class_ids, num_classes: int, n: int = 100, extra=None) -> np.ndarray:
    """[1, 4+C(+extra), n]: the given boxes (input pixels) as cx, cy, w, h with one class score each; the rest 0."""
    rows = 4 + num_classes + (0 if extra is None else np.asarray(extra).shape[1])
    out = np.zeros((1, rows, n), np.float32)
    for i, (b, s, c) in enumerate(zip(boxes_xyxy, scores, class_ids)):
        x1, y1, x2, y2 = b
        out[0, :4, i] = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
        out[0, 4 + c, i] = s
        if extra is not None:
            out[0, 4 + num_classes:, i] = extra[i]
    return out
