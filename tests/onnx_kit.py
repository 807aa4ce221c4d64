"""Tiny real ONNX models for tests, built with onnx.helper (IR 9, opset 13; nothing downloaded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper


def channel_mean_classifier(path: Path, ir: int = 9, names: str | None = None) -> Path:
    """x [1,3,8,8] -> logits [1,3] = 10 * per-channel mean: the class is the dominant input channel."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])
    w = helper.make_tensor("w", TensorProto.FLOAT, [3, 3], (np.eye(3) * 10).flatten().tolist())
    g = helper.make_graph([helper.make_node("ReduceMean", ["x"], ["m"], axes=[2, 3], keepdims=0),
                           helper.make_node("MatMul", ["m", "w"], ["y"])], "cls", [x], [y], [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = ir
    if names:
        m.metadata_props.add(key="names", value=names)
    onnx.save(m, path)
    return Path(path)
