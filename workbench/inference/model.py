"""Model information: inputs/outputs, opset, IR version, size, metadata, labels.

IR version and opsets are read from the file's protobuf header directly (a few fields of
ModelProto), so a clear message can be given before ONNX Runtime refuses a model, and the
`onnx` package is not needed at run time. The highest IR version the installed onnxruntime reads
is asked of onnxruntime itself (:func:`runtime_max_ir`), never a constant: 1.31 reads 13, 1.32 reads 14.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.errors import WorkbenchError

_IR_REFUSED = re.compile(r"Unsupported model IR version: (\d+), max supported IR version: (\d+)")


class ModelError(WorkbenchError):
    pass


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple  # ints for static dims, str/None for dynamic ones
    dtype: str  # e.g. "float32"

    @property
    def static(self) -> bool:
        return all(isinstance(d, int) and d > 0 for d in self.shape)

    def describe(self) -> str:
        dims = ", ".join(str(d) if isinstance(d, int) else "?" for d in self.shape)
        return f"{self.name}: {self.dtype}[{dims}]"


@dataclass
class ModelInfo:
    path: Path
    size: int
    ir_version: int
    opsets: dict[str, int]
    producer: str
    inputs: list[TensorInfo] = field(default_factory=list)
    outputs: list[TensorInfo] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "size": self.size, "ir_version": self.ir_version, "opsets": self.opsets,
                "producer": self.producer, "inputs": [t.describe() for t in self.inputs],
                "outputs": [t.describe() for t in self.outputs], "metadata_keys": sorted(self.metadata),
                "labels": len(self.labels)}


# ---------------------------------------------------------------- protobuf header
def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf: bytes):
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            val, i = _varint(buf, i)
        elif wt == 2:
            n, i = _varint(buf, i)
            if i + n > len(buf):
                raise ValueError("truncated field")
            val, i = buf[i:i + n], i + n
        elif wt == 1:
            val, i = buf[i:i + 8], i + 8
        elif wt == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        yield num, val


def read_header(data: bytes) -> tuple[int, dict[str, int], str]:
    """(ir_version, {domain: opset}, producer) from serialized ModelProto bytes.
    Raises ValueError when the bytes are not a well-formed ModelProto header."""
    try:
        return _read_header(data)
    except (ValueError, IndexError, TypeError, AttributeError, UnicodeError) as exc:
        raise ValueError(f"malformed protobuf: {exc}") from None


def _read_header(data: bytes) -> tuple[int, dict[str, int], str]:
    ir, opsets, producer = 0, {}, ""
    for num, val in _fields(data):
        if num == 1:
            ir = val
        elif num == 2:
            producer = val.decode("utf-8", "replace")
        elif num == 8:
            domain, version = "", 0
            for n2, v2 in _fields(val):
                if n2 == 1:
                    domain = v2.decode("utf-8", "replace")
                elif n2 == 2:
                    version = v2
            opsets[domain or "ai.onnx"] = version
    return ir, opsets, producer


# ---------------------------------------------------------------- labels
def parse_names(text: str) -> list[str]:
    """Labels from metadata: Ultralytics' dict literal "{0: 'person', 1: 'car'}", a JSON list, or lines.
    Parsed with ast.literal_eval / json only — never eval."""
    text = text.strip()
    if not text:
        return []
    value: Any = None
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
            break
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
    if isinstance(value, dict):
        try:
            items = sorted((int(k), str(v)) for k, v in value.items())
        except (TypeError, ValueError):
            return [str(v) for v in value.values()]
        out = [""] * (items[-1][0] + 1) if items else []
        for k, v in items:
            if k >= 0:
                out[k] = v
        return out
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [ln for ln in text.splitlines() if ln.strip()]


def labels_for(path: Path, metadata: dict[str, str]) -> list[str]:
    """Labels from the sidecar (handled by the caller), metadata 'names'/'labels'/'character', or
    a .txt beside the model (model.txt or model.labels.txt)."""
    for key in ("names", "labels", "classes"):
        if key in metadata:
            return parse_names(metadata[key])
    if "character" in metadata:  # PP-OCR recognition dictionary, one character per line
        return metadata["character"].split("\n")
    for cand in (path.with_suffix(".txt"), path.with_suffix(".labels.txt")):
        if cand.is_file():
            return [ln.rstrip("\r") for ln in cand.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return []


_DTYPES = {"tensor(float)": "float32", "tensor(float16)": "float16", "tensor(double)": "float64",
           "tensor(uint8)": "uint8", "tensor(int8)": "int8", "tensor(int32)": "int32", "tensor(int64)": "int64",
           "tensor(bool)": "bool"}


def tensor_info(arg) -> TensorInfo:
    shape = tuple(d if isinstance(d, int) else (str(d) if d is not None else None) for d in (arg.shape or []))
    return TensorInfo(arg.name, shape, _DTYPES.get(arg.type, arg.type))


def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


@functools.cache
def runtime_max_ir() -> int | None:
    """The highest ONNX IR version the installed onnxruntime reads, asked of onnxruntime itself: a
    hand-encoded model (one empty node, opset 13) with IR 1000 is offered, and its refusal names the
    maximum. None when onnxruntime answers otherwise (then its own message is reported on load)."""
    import onnxruntime as ort

    probe = b"\x08" + _varint_bytes(1000) + b"\x3a\x02\x0a\x00" + b"\x42\x02\x10\x0d"
    opts = ort.SessionOptions()
    opts.log_severity_level = 4
    try:
        ort.InferenceSession(probe, sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # the expected refusal
        m = _IR_REFUSED.search(str(exc))
        return int(m.group(2)) if m else None
    return None


def check_file(path: Path) -> bytes:
    path = Path(path)
    if path.exists() and not path.is_file():
        raise ModelError(f"model {path} is not a regular file (a folder, device or pipe)")
    if not path.is_file():
        raise ModelError(f"model not found: {path}")
    data = path.read_bytes()
    if not data:
        raise ModelError(f"empty model file: {path.name}")
    try:
        ir, _, _ = read_header(data)
    except ValueError:
        raise ModelError(f"not an ONNX model (cannot parse): {path.name}") from None
    if not isinstance(ir, int) or ir <= 0:
        raise ModelError(f"not an ONNX model (no IR version): {path.name}")
    top = runtime_max_ir()
    if top is not None and ir > top:
        raise ModelError(f"{path.name} has ONNX IR version {ir}; this onnxruntime ({_ort_version()}) reads up to "
                         f"IR {top}: re-export it with ir_version <= {top} or install a newer onnxruntime")
    return data


def model_info(path: Path, session=None) -> ModelInfo:
    """Information about a model; uses an existing session or makes a CPU one."""
    path = Path(path)
    data = check_file(path)
    ir, opsets, producer = read_header(data)
    if session is None:
        from workbench.inference.sessions import create_session

        session = create_session(data, "CPUExecutionProvider", path.name)
    meta = dict(session.get_modelmeta().custom_metadata_map)
    return ModelInfo(path, len(data), ir, opsets, producer,
                     [tensor_info(a) for a in session.get_inputs()], [tensor_info(a) for a in session.get_outputs()],
                     meta, labels_for(path, meta))


def _ort_version() -> str:
    import onnxruntime as ort

    return ort.__version__


def ort_error_line(exc: BaseException, name: str) -> str:
    text = str(exc)
    m = _IR_REFUSED.search(text)
    if m:
        return f"{name} has ONNX IR version {m.group(1)}; this onnxruntime reads up to IR {m.group(2)}"
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    return f"cannot load {name}: {first[:300]}"
