"""Test kit for tests/core: a small registry of counting test nodes and synthetic data.

Every test node takes ``ctx`` and records its call in ``CALLS[ctx.node_id]`` and ``ORDER``, so
tests can tell which node instances really executed (as opposed to being served from cache).
"""

from __future__ import annotations

import collections
import time
from typing import Annotated, NamedTuple

import cv2
import numpy as np

import workbench.core.subgraph as core_subgraph
from workbench.core.params import Range
from workbench.core.registry import Registry
from workbench.core.spec import NodeContext, node
from workbench.core.types import NO_VALUE, Float, Image, Int, Mask, Regions, RegionSet

CALLS: collections.Counter = collections.Counter()
ORDER: list[str] = []


def _hit(ctx: NodeContext) -> None:
    CALLS[ctx.node_id] += 1
    ORDER.append(ctx.node_id)


@node("test.source", name="Test Source", category="Test")
def t_source(ctx: NodeContext, value: Annotated[int, Range(0, 255)] = 10,
             size: Annotated[int, Range(1, 512)] = 8) -> Image:
    """A size x size uint8 image filled with value."""
    _hit(ctx)
    return np.full((size, size), value, np.uint8)


@node("test.add", name="Test Add", category="Test")
def t_add(image: Image, ctx: NodeContext, amount: Annotated[int, Range(-255, 255)] = 1) -> Image:
    _hit(ctx)
    return np.clip(image.astype(np.int32) + amount, 0, 255).astype(np.uint8)


@node("test.join", name="Test Join", category="Test")
def t_join(a: Image, b: Image, ctx: NodeContext) -> Image:
    _hit(ctx)
    return np.clip(a.astype(np.int32) + b.astype(np.int32), 0, 255).astype(np.uint8)


@node("test.fail", name="Test Fail", category="Test")
def t_fail(image: Image, ctx: NodeContext, fail: bool = True, message: str = "kaboom") -> Image:
    _hit(ctx)
    if fail:
        raise ValueError(message)
    return image


@node("test.gate", name="Test Gate", category="Test")
def t_gate(image: Image, ctx: NodeContext, open: bool = True) -> Image:
    _hit(ctx)
    return image if open else NO_VALUE


@node("test.optional_sum", name="Test Optional Sum", category="Test")
def t_optional_sum(ctx: NodeContext, image: Image | None = None) -> Int:
    _hit(ctx)
    return -1 if image is None else int(image.astype(np.int64).sum())


@node("test.cancel", name="Test Cancel", category="Test")
def t_cancel(image: Image, ctx: NodeContext, check: bool = True) -> Image:
    _hit(ctx)
    ctx.cancel.cancel()
    if check:
        ctx.check_cancelled()
    return image


@node("test.wrong", name="Test Wrong Output", category="Test")
def t_wrong(ctx: NodeContext) -> Image:
    _hit(ctx)
    return "not an image"  # type: ignore[return-value]


class PairOut(NamedTuple):
    image: Image
    total: Int


@node("test.pair", name="Test Pair", category="Test")
def t_pair(image: Image, ctx: NodeContext, bad: bool = False) -> PairOut:
    _hit(ctx)
    if bad:
        return image  # type: ignore[return-value]  # not a tuple: the engine must refuse it
    return PairOut(image, int(image.astype(np.int64).sum()))


@node("test.slow", name="Test Slow", category="Test")
def t_slow(image: Image, ctx: NodeContext, ms: Annotated[int, Range(0, 1000)] = 30) -> Image:
    _hit(ctx)
    time.sleep(ms / 1000)
    ctx.progress(0.5, "half way")
    return image.copy()


@node("test.sink", name="Test Sink", category="Test", cacheable=False)
def t_sink(image: Image, ctx: NodeContext) -> Int:
    _hit(ctx)
    return int(image.size)


@node("test.mask_source", name="Test Mask Source", category="Test")
def t_mask_source(ctx: NodeContext) -> Mask:
    _hit(ctx)
    m = np.zeros((8, 8), np.uint8)
    m[2:5, 2:5] = 255
    return m


@node("test.regions_source", name="Test Regions Source", category="Test")
def t_regions_source(ctx: NodeContext) -> Regions:
    _hit(ctx)
    return RegionSet()


@node("test.int_source", name="Test Int Source", category="Test")
def t_int_source(ctx: NodeContext, value: int = 3) -> Int:
    _hit(ctx)
    return value


@node("test.half", name="Test Half", category="Test")
def t_half(x: Float, ctx: NodeContext) -> Float:
    _hit(ctx)
    return x / 2


@node("test.int_sink", name="Test Int Sink", category="Test")
def t_int_sink(x: Int, ctx: NodeContext) -> Int:
    _hit(ctx)
    return x


TEST_NODES = [t_source, t_add, t_join, t_fail, t_gate, t_optional_sum, t_cancel, t_wrong, t_pair,
              t_slow, t_sink, t_mask_source, t_regions_source, t_int_source, t_half, t_int_sink]


# ---------------------------------------------------------------- synthetic data
def discs_mask(size: int = 64) -> np.ndarray:
    m = np.zeros((size, size), np.uint8)
    for cx, cy, r in ((16, 16, 7), (44, 20, 9), (28, 46, 8)):
        cv2.circle(m, (cx, cy), r, 255, -1)
    return m


def discs_image(size: int = 64) -> np.ndarray:
    """size x size uint8 BGR, dark background with a few white discs."""
    img = np.full((size, size, 3), 20, np.uint8)
    img[discs_mask(size) > 0] = 255
    return img


def make_test_registry() -> Registry:
    """A registry of the test nodes plus the core flow nodes (subgraph, graph input/output)."""
    reg = Registry()
    reg.register_all(TEST_NODES)
    reg.register_module(core_subgraph)
    return reg
