"""The registry and the @node declaration: ids, duplicates, modules, plugin entry points."""

from __future__ import annotations

import enum
import logging
import types
from pathlib import Path
from typing import Annotated, NamedTuple

import numpy as np
import pytest

import workbench.core.registry as registry_mod
from workbench.core.errors import RegistryError
from workbench.core.params import Color, FileParam, Help, Range, Roi
from workbench.core.registry import ENTRY_POINT_GROUP, Registry, default_registry
from workbench.core.spec import NodeContext, NodeSpec, node
from workbench.core.types import FLOAT, IMAGE, INT, MASK, Image, Int, Mask
from workbench.nodes import BUILTIN_MODULES


def _make(node_id: str, **kw):
    @node(node_id, name="X", category="Test", **kw)
    def f(image: Image) -> Image:
        return image

    return f


# ---------------------------------------------------------------- declaration
@pytest.mark.parametrize("bad_id", ["Blur", "blur", "cv.Blur", "cv.gaussian-blur", "1cv.blur", "cv.1blur",
                                    "cv.blur.extra", "cv.", ".blur", "cv blur", ""])
def test_bad_ids_are_refused_at_declaration(bad_id):
    with pytest.raises(RegistryError, match="id must look like 'namespace.snake_name'"):
        _make(bad_id)


@pytest.mark.parametrize("good_id", ["cv.blur", "my_pack.gaussian_blur_2", "a.b"])
def test_good_ids_are_accepted(good_id):
    assert _make(good_id).__node_spec__.id == good_id


class Mode(enum.Enum):
    FAST = 1
    GOOD = 2


class TwoOut(NamedTuple):
    mask: Mask
    count: Int


def test_spec_is_built_from_the_signature():
    @node("test.full", name="Full", category="Test", version=3)
    def full(image: Image, ctx: NodeContext, extra: Mask | None = None,
             sigma: Annotated[float, Range(0.0, 10.0, 0.5), Help("how much")] = 2,
             mode: Mode = Mode.GOOD, path: Annotated[Path, FileParam("*.png", mode="save")] = Path("o.png"),
             roi: Roi | None = None, colour: Color = Color(1, 2, 3), flag: bool = False,
             text: str = "t", n: int = 4) -> TwoOut:
        """First paragraph
        continues here.

        Second paragraph is not in the description."""
        return TwoOut(image, 1)

    spec: NodeSpec = full.__node_spec__
    assert (spec.id, spec.name, spec.category, spec.version) == ("test.full", "Full", "Test", 3)
    assert spec.description == "First paragraph continues here."
    assert spec.wants_ctx and not spec.single_output and spec.cacheable
    assert [(p.name, p.type, p.optional) for p in spec.inputs] == [("image", IMAGE, False), ("extra", MASK, True)]
    assert [(p.name, p.type) for p in spec.outputs] == [("mask", MASK), ("count", INT)]
    kinds = {p.name: p.kind for p in spec.params}
    assert kinds == {"sigma": "float", "mode": "enum", "path": "path", "roi": "roi", "colour": "color",
                     "flag": "bool", "text": "str", "n": "int"}
    sigma = spec.param("sigma")
    assert (sigma.minimum, sigma.maximum, sigma.step, sigma.help) == (0.0, 10.0, 0.5, "how much")
    assert sigma.default == 2.0 and type(sigma.default) is float  # stored normalised
    assert spec.param("path").default == "o.png" and spec.param("path").path_mode == "save"
    assert spec.param("path").path_filter == "*.png"
    assert spec.param("roi").optional and spec.param("roi").default is None
    assert spec.param("mode").choices == ["FAST", "GOOD"]
    assert spec.param("nope") is None
    assert spec.default_params() == {"sigma": 2.0, "mode": Mode.GOOD, "path": "o.png", "roi": None,
                                     "colour": Color(1, 2, 3), "flag": False, "text": "t", "n": 4}
    d = spec.describe()
    assert d["inputs"] == [{"name": "image", "type": "Image"}, {"name": "extra", "type": "Mask", "optional": True}]
    assert d["params"][0] == {"name": "sigma", "type": "float", "default": 2.0, "min": 0.0, "max": 10.0,
                              "step": 0.5, "help": "how much"}
    # the function stays directly callable
    assert full(np.zeros((1, 1), np.uint8), NodeContext()).count == 1


def test_single_output_name_and_float_port():
    @node("test.named", name="N", category="Test", output="result")
    def named(x: Annotated[float, FLOAT]) -> Annotated[float, FLOAT]:
        return x

    spec = named.__node_spec__
    assert [p.name for p in spec.outputs] == ["result"] and spec.single_output


@pytest.mark.parametrize("src, message", [
    ("def f(image: Image, k) -> Image: ...", "argument 'k' is neither a port type nor has a default"),
    ("def f(image: Image, k: list = []) -> Image: ...", "parameter 'k' has unsupported type"),
    ("def f(image: Image, k: Annotated[int, Range(0, 5)] = 9) -> Image: ...",
     "default of 'k' is invalid: k: 9 is out of range [0, 5]"),
    ("def f(image: Image = 3) -> Image: ...", "input 'image' may only default to None"),
    ("def f(image: Image) -> int: ...", "return annotation must be a port type or a NamedTuple"),
    ("def f(image: Image, k: int | str = 1) -> Image: ...", "parameter 'k' has an unsupported union type"),
    ("def f(image: Image) -> BadOut: ...", "output field 'n' is not a port type"),
])
def test_bad_declarations_are_refused(src, message):
    class BadOut(NamedTuple):
        n: int

    ns = {"Image": Image, "Annotated": Annotated, "Range": Range, "BadOut": BadOut}
    exec(src, ns)
    with pytest.raises(RegistryError) as err:
        node("test.bad", name="B", category="Test")(ns["f"])
    assert str(err.value).startswith("node test.bad: ") and message in str(err.value)


# ---------------------------------------------------------------- registry
def test_duplicate_id_is_an_error():
    reg = Registry()
    first = _make("test.dup")
    reg.register(first)
    reg.register(first)  # the very same spec again is harmless
    assert len(reg) == 1
    with pytest.raises(RegistryError, match="duplicate node id 'test.dup'"):
        reg.register(_make("test.dup"))
    assert reg["test.dup"] is first.__node_spec__


def test_register_refuses_non_nodes_and_lookup_errors():
    reg = Registry()
    with pytest.raises(RegistryError, match="is not a node"):
        reg.register(lambda: None)
    assert reg.get("test.none") is None and "test.none" not in reg
    with pytest.raises(RegistryError, match="unknown node type 'test.none'"):
        reg["test.none"]


def _module(name: str, body: str, **globs) -> types.ModuleType:
    mod = types.ModuleType(name)
    mod.__dict__.update(globs)
    exec(body, mod.__dict__)
    return mod


def test_register_module_registers_only_its_own_nodes():
    foreign = _make("test.foreign")  # declared in this test module, re-exported by the pack
    body = '''
@node("pack.one", name="One", category="Pack")
def one(image: Image) -> Image:
    return image

@node("pack.two", name="Two", category="Pack")
def two(image: Image) -> Image:
    return image

def helper():
    return 1
'''
    mod = _module("fake_pack", body, node=node, Image=Image, foreign=foreign)
    reg = Registry()
    assert reg.register_module(mod) == 2
    assert "pack.one" in reg and "pack.two" in reg and "test.foreign" not in reg
    assert reg["pack.one"].module == "fake_pack"
    assert [s.id for s in reg] == ["pack.one", "pack.two"]
    assert reg.categories() == ["Pack"]


class FakeEntryPoint:
    def __init__(self, name, value, load):
        self.name, self.value, self._load = name, value, load

    def load(self):
        return self._load()


def _raise_import():
    raise ImportError("No module named 'cv3'")


def test_load_plugins_logs_and_skips_a_broken_pack(monkeypatch, caplog):
    good_mod = _module("good_pack", '''
@node("good.one", name="One", category="Good")
def one(image: Image) -> Image:
    return image
''', node=node, Image=Image)
    listed = _make("listed.node")
    eps = [FakeEntryPoint("broken", "broken_pack.nodes", _raise_import),
           FakeEntryPoint("good", "good_pack", lambda: good_mod),
           FakeEntryPoint("listed", "listed_pack:nodes", lambda: (lambda: [listed]))]
    seen_groups = []

    def fake_entry_points(*, group):
        seen_groups.append(group)
        return eps

    monkeypatch.setattr(registry_mod, "entry_points", fake_entry_points)
    reg = Registry()
    with caplog.at_level(logging.WARNING, logger="workbench.core.registry"):
        reg.load_plugins()
    assert seen_groups == [ENTRY_POINT_GROUP]
    assert reg.load_errors == [
        "node pack 'broken' (broken_pack.nodes) skipped: ImportError: No module named 'cv3'"]
    assert any("broken" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    assert "good.one" in reg and "listed.node" in reg  # the other packs still load


def test_load_plugins_duplicate_id_is_not_swallowed(monkeypatch):
    dup = _make("cv.gaussian_blur")
    monkeypatch.setattr(registry_mod, "entry_points",
                        lambda *, group: [FakeEntryPoint("clash", "clash_pack", lambda: [dup])])
    reg = Registry()
    reg.load_builtins()
    with pytest.raises(RegistryError, match="duplicate node id 'cv.gaussian_blur'"):
        reg.load_plugins()


def test_default_registry_holds_the_builtins():
    reg = default_registry()
    assert reg is default_registry()  # loaded once
    modules = {s.module for s in reg}
    for name in BUILTIN_MODULES:
        assert name in modules, f"{name} declares no node"
    for node_id in ("cv.gaussian_blur", "cv.threshold", "io.image_file", "core.subgraph", "cv.judge"):
        assert node_id in reg
    specs = list(reg)
    assert specs == sorted(specs, key=lambda s: (s.category, s.name))
    assert reg.categories() == sorted({s.category for s in specs})
    assert reg.load_errors == []
