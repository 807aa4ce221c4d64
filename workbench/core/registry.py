"""The node registry: built-in nodes from an explicit module list, packs from entry points.

Folder walking breaks in frozen builds, so built-ins are listed in
``workbench.nodes.BUILTIN_MODULES``. Third-party packs declare an entry point in the group
``workbench.nodes`` pointing at a module (or a callable returning an iterable of node
functions). A pack that fails to import is logged and skipped; a duplicate id is an error.
"""

from __future__ import annotations

import importlib
import logging
import types
from importlib.metadata import entry_points
from typing import Iterable

from workbench.core.errors import RegistryError
from workbench.core.spec import NodeSpec

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "workbench.nodes"
# The built-in nodes are a pack like the third-party ones, named here and imported by name when
# the registry loads, so that core never imports the layers above it (tests/test_qt_boundary.py).
BUILTIN_PACKS = ("workbench.nodes",)


class Registry:
    def __init__(self) -> None:
        self._specs: dict[str, NodeSpec] = {}
        self.load_errors: list[str] = []  # packs that could not be loaded, one line each

    def register(self, spec_or_func) -> NodeSpec:
        spec = getattr(spec_or_func, "__node_spec__", spec_or_func)
        if not isinstance(spec, NodeSpec):
            raise RegistryError(f"{spec_or_func!r} is not a node (missing @node)")
        other = self._specs.get(spec.id)
        if other is not None and other is not spec:
            raise RegistryError(f"duplicate node id {spec.id!r}: declared in {other.module} and {spec.module}")
        self._specs[spec.id] = spec
        return spec

    def register_module(self, module: types.ModuleType) -> int:
        n = 0
        for obj in vars(module).values():
            spec = getattr(obj, "__node_spec__", None)
            if isinstance(spec, NodeSpec) and spec.module == module.__name__:
                self.register(spec)
                n += 1
        return n

    def register_all(self, items: Iterable) -> None:
        for item in items:
            self.register(item)

    def load_builtins(self) -> None:
        for pack in BUILTIN_PACKS:
            for name in importlib.import_module(pack).BUILTIN_MODULES:
                self.register_module(importlib.import_module(name))

    def load_plugins(self) -> None:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                obj = ep.load()
                if isinstance(obj, types.ModuleType):
                    self.register_module(obj)
                else:
                    self.register_all(obj() if callable(obj) else obj)
            except RegistryError:
                raise
            except Exception as exc:  # a broken pack must not take the app down
                msg = f"node pack {ep.name!r} ({ep.value}) skipped: {type(exc).__name__}: {exc}"
                log.warning(msg)
                self.load_errors.append(msg)

    def get(self, node_id: str) -> NodeSpec | None:
        return self._specs.get(node_id)

    def __getitem__(self, node_id: str) -> NodeSpec:
        try:
            return self._specs[node_id]
        except KeyError:
            raise RegistryError(f"unknown node type {node_id!r}") from None

    def __contains__(self, node_id: str) -> bool:
        return node_id in self._specs

    def __iter__(self):
        return iter(sorted(self._specs.values(), key=lambda s: (s.category, s.name)))

    def __len__(self) -> int:
        return len(self._specs)

    def categories(self) -> list[str]:
        return sorted({s.category for s in self._specs.values()})


_default: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry: built-ins plus installed packs, loaded once."""
    global _default
    if _default is None:
        reg = Registry()
        reg.load_builtins()
        reg.load_plugins()
        _default = reg
    return _default
