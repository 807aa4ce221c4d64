"""Fixtures for tests/core (the test nodes and data live in core_testkit.py)."""

from __future__ import annotations

import collections

import pytest

from core_testkit import CALLS, ORDER, make_test_registry
from workbench.core.registry import Registry


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()
    ORDER.clear()
    yield


@pytest.fixture
def calls() -> collections.Counter:
    return CALLS


@pytest.fixture
def order() -> list[str]:
    return ORDER


@pytest.fixture
def treg() -> Registry:
    """A fresh registry of the counting test nodes plus core.subgraph / graph_input / graph_output."""
    return make_test_registry()
