"""A small ONNX graph builder (over workbench.training.onnxproto: no onnx package needed), and the helpers
that cut graphs and save models.

Models written here set ``ir_version`` to 9 and opset 17: onnxruntime 1.31 reads IR ≤ 13 (see
docs/DESIGN.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workbench.training import onnxproto as P

IR_VERSION = 9
OPSET = 17


class Graph:
    """Nodes and constants appended in order; names are made unique with a counter."""

    def __init__(self) -> None:
        self.nodes: list = []  # NodeProto
        self.inits: list = []  # TensorProto
        self._n = 0

    def name(self, base: str) -> str:
        self._n += 1
        return f"{base}_{self._n}"

    def const(self, array: np.ndarray, base: str = "c") -> str:
        n = self.name(base)
        self.inits.append(P.tensor(array, n))
        return n

    def op(self, op_type: str, inputs: list[str], out: str | None = None, **attrs) -> str:
        out = out or self.name(op_type.lower())
        self.nodes.append(P.node(op_type, inputs, [out], name=out, **attrs))
        return out

    def conv(self, x: str, w: np.ndarray, b: np.ndarray, stride: int = 1, group: int = 1,
             out: str | None = None) -> str:
        k = w.shape[-1]
        return self.op("Conv", [x, self.const(w.astype(np.float32), "w"), self.const(b.astype(np.float32), "b")],
                       out, kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4, group=group)

    def relu6(self, x: str) -> str:
        return self.op("Clip", [x, self.const(np.float32(0.0), "lo"), self.const(np.float32(6.0), "hi")])

    def model(self, inputs: list, outputs: list, doc: str = "", metadata: dict[str, str] | None = None):
        """The ModelProto (IR 9, opset 17) of the nodes and constants so far."""
        return P.model(self.nodes, self.inits, inputs, outputs, ir_version=IR_VERSION, opset=OPSET, doc=doc,
                       metadata=metadata)


def image_input(name: str = "image", height: int | str = "H", width: int | str = "W", batch: int | str = "N"):
    return P.value_info(name, P.FLOAT, [batch, 3, height, width])


def float_output(name: str, shape: list | None):
    return P.value_info(name, P.FLOAT, shape)


def needed_part(model, outputs: list[str]) -> tuple[list, list]:
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


def save_atomic(model, path: Path) -> Path:
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
