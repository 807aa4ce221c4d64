"""Reading and writing ONNX models without the onnx package: its message classes built from the schema
(``_onnx_descriptor``) in a private protobuf descriptor pool (so they coexist with onnx when it is installed,
as in the tests), and the few helpers the trainers use (tensors, nodes, value infos, models)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from google.protobuf import descriptor_pool, message_factory

from workbench.training._onnx_descriptor import DESCRIPTOR

_pool = descriptor_pool.DescriptorPool()
_pool.AddSerializedFile(DESCRIPTOR)
_file = _pool.FindFileByName("onnx/onnx-ml.proto")


def _cls(name: str):
    return message_factory.GetMessageClass(_file.message_types_by_name[name])


ModelProto = _cls("ModelProto")
NodeProto = _cls("NodeProto")
TensorProto = _cls("TensorProto")
ValueInfoProto = _cls("ValueInfoProto")
AttributeProto = _cls("AttributeProto")

FLOAT = 1
_DTYPES = {np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int32): 6,
           np.dtype(np.int64): 7, np.dtype(np.bool_): 9, np.dtype(np.float16): 10, np.dtype(np.float64): 11}
_NUMPY = {v: k for k, v in _DTYPES.items()}


def tensor(array: np.ndarray, name: str):
    a = np.asarray(array)  # 0-d stays 0-d (scalars); tobytes() is C order whatever the strides
    if a.dtype not in _DTYPES:
        raise TypeError(f"no ONNX type for {a.dtype}")
    t = TensorProto(name=name, data_type=_DTYPES[a.dtype])
    t.dims.extend(int(d) for d in a.shape)
    t.raw_data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
    return t


def to_array(t) -> np.ndarray:
    dtype = _NUMPY[t.data_type]
    shape = tuple(t.dims)
    if t.raw_data:
        return np.frombuffer(t.raw_data, dtype.newbyteorder("<")).astype(dtype).reshape(shape)
    field = {1: "float_data", 11: "double_data", 7: "int64_data"}.get(t.data_type, "int32_data")
    return np.array(getattr(t, field), dtype).reshape(shape)


def _attribute(name: str, value):
    a = AttributeProto(name=name)
    if isinstance(value, (bool, int, np.integer)):
        a.type, a.i = 2, int(value)
    elif isinstance(value, (float, np.floating)):
        a.type, a.f = 1, float(value)
    elif isinstance(value, str):
        a.type, a.s = 3, value.encode("utf-8")
    elif isinstance(value, (list, tuple)) and all(isinstance(v, (int, np.integer)) for v in value):
        a.type = 7
        a.ints.extend(int(v) for v in value)
    elif isinstance(value, (list, tuple)):
        a.type = 6
        a.floats.extend(float(v) for v in value)
    else:
        raise TypeError(f"attribute {name}: unsupported value {value!r}")
    return a


def node(op_type: str, inputs: list[str], outputs: list[str], name: str = "", **attrs):
    n = NodeProto(op_type=op_type, name=name)
    n.input.extend(inputs)
    n.output.extend(outputs)
    n.attribute.extend(_attribute(k, v) for k, v in sorted(attrs.items()))
    return n


def value_info(name: str, elem_type: int = FLOAT, shape: list | None = None):
    v = ValueInfoProto(name=name)
    tt = v.type.tensor_type
    tt.elem_type = elem_type
    if shape is not None:
        tt.shape.SetInParent()
        for d in shape:
            dim = tt.shape.dim.add()
            if isinstance(d, str):
                dim.dim_param = d
            elif d is not None:
                dim.dim_value = int(d)
    return v


def model(nodes, inits, inputs, outputs, *, ir_version: int, opset: int, doc: str = "",
          metadata: dict[str, str] | None = None, producer: str = "vision-workbench"):
    m = ModelProto(ir_version=ir_version, producer_name=producer, doc_string=doc)
    m.opset_import.add(domain="", version=opset)
    g = m.graph
    g.name = "workbench"
    g.node.extend(nodes)
    g.initializer.extend(inits)
    g.input.extend(inputs)
    g.output.extend(outputs)
    for k, v in (metadata or {}).items():
        m.metadata_props.add(key=k, value=v)
    return m


def load(path: Path | str):
    return ModelProto.FromString(Path(path).read_bytes())


def loads(data: bytes):
    return ModelProto.FromString(data)
