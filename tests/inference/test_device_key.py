"""The inference device is part of the cache keys (sessions and model nodes): changing the global
choice needs no hand-clearing of caches."""

from __future__ import annotations

import pytest

from workbench.core.spec import NodeContext
from workbench.inference.sessions import Device, set_default_device
from workbench.nodes.dl._common import model_state


@pytest.fixture(autouse=True)
def _default_device(monkeypatch):
    monkeypatch.delenv("WORKBENCH_FORCE_CPU", raising=False)
    monkeypatch.delenv("WORKBENCH_DEVICE", raising=False)
    yield
    set_default_device(None)


def test_the_global_device_is_part_of_a_model_node_cache_key(tmp_path):
    (tmp_path / "m.onnx").write_bytes(b"not read here")
    ctx = NodeContext(base_dir=tmp_path)
    auto = {"model": "m.onnx", "device": Device.AUTO}
    keys = {}
    for dev in (Device.CPU, Device.GPU, None):
        set_default_device(dev)
        keys[dev] = model_state(auto, ctx)
    assert len(set(keys.values())) == 3  # AUTO follows the global choice, and so does its key
    pinned = {"model": "m.onnx", "device": Device.CPU}
    set_default_device(Device.GPU)
    gpu_global = model_state(pinned, ctx)
    set_default_device(None)
    assert model_state(pinned, ctx) == gpu_global  # a node that names its device ignores the global one
    (tmp_path / "m.onnx").write_bytes(b"changed, and longer than before")
    assert model_state(pinned, ctx) != gpu_global  # the file's mtime/size are in it too
