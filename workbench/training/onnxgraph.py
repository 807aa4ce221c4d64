"""A small graph builder over onnx.helper, and the helpers that cut and join graphs.

Models written here set ``ir_version`` to 9 and opset 17: onnxruntime 1.31 reads IR ≤ 13 and onnx 1.23
writes 14 by default (see docs/DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 9
OPSET = 17


class Graph:
    """Nodes and constants appended in order; names are made unique with a counter."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self._n = 0

    def name(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def const(self, array: np.ndarray, base: str = "c") -> str:
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), n))
        return n

    def op(self, op_type: str, inputs: list[str], out: str | None = None, **attrs) -> str:
        out = out or self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x: str, w: np.ndarray, b: np.ndarray, stride: int = 1, group: int = 1,
             out: str | None = None) -> str:
        k = w.shape[-1]
        return self.op("Conv", [x, self.const(w.astype(np.float32), "w"), self.const(b.astype(np.float32), "b")],
                       out, kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=group)

    def relu6(self, x: str) -> str:
        return self.op("Clip", [x, self.const(np.float32(0.0), "lo"), self.const(np.float32(6.0), "hi")])

    def model(self, inputs: list[onnx.ValueInfoProto], outputs: list[onnx.ValueInfoProto],
              doc: str = "", metadata: dict[str, str] | None = None) -> onnx.ModelProto:
        g = helper.make_graph(self.nodes, "workbench", inputs, outputs, self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="vision-workbench",
                              doc_string=doc)
        m.ir_version = IR_VERSION
        for k, v in (metadata or {}).items():
            m.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
        return m


def image_input(name: str = "image", height: int | str = "H", width: int | str = "W", batch: int | str = "N"):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [batch, 3, height, width])


def float_output(name: str, shape: list) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def needed_part(model: onnx.ModelProto, outputs: list[str]) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    """The nodes (in order) and constants that the named values depend on."""
    producer = {o: n for n in model.graph.node for o in n.output}
    keep: set[int] = set()
    stack = list(outputs)
    seen: set[str] = set()
    while stack:
        v = stack.pop()
        if v in seen or v not in producer:
            seen.add(v)
            continue
        seen.add(v)
        n = producer[v]
        keep.add(id(n))
        stack.extend(n.input)
    nodes = [n for n in model.graph.node if id(n) in keep]
    inits = [t for t in model.graph.initializer if t.name in seen]
    return nodes, inits


def save_atomic(model: onnx.ModelProto, path: Path) -> Path:
    """Serialise to PATH.part, then rename: an interrupted save never leaves a half-written model."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(model.SerializeToString())
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
