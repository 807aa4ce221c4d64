"""The node contract: declare a node once, as a function whose signature is its declaration.

    @node("cv.gaussian_blur", name="Gaussian Blur", category="Filter")
    def gaussian_blur(image: Image, sigma: Annotated[float, Range(0, 50, 0.1)] = 1.0) -> Image:
        ...

* arguments annotated with a port data type (Image, Mask, Regions, ...) are **inputs**;
  ``Optional[...] = None`` makes an input optional;
* arguments with a default and a scalar / Enum / Path / Color / Roi type are **parameters**;
* an argument named ``ctx`` receives the :class:`NodeContext` (progress, cancellation,
  the pipeline's folder, the run's output folder and current input);
* the return annotation is the output: one data type (output named ``out`` unless
  ``output=`` says otherwise) or a NamedTuple of data types (named outputs). Returning
  ``NO_VALUE`` on an output skips the branch below it.

The decorator builds one frozen :class:`NodeSpec`; the GUI, CLI catalog, file validator and
docs read only that. The function stays a plain, directly callable function.
"""

from __future__ import annotations

import inspect
import re
import threading
import types
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, get_args, get_origin, get_type_hints

from workbench.core.errors import RegistryError
from workbench.core.fileio import file_stamp
from workbench.core.params import (ActiveWhen, DepthRange, FileParam, Help, MaxChars, ParamSpec, Range, Template,
                                    kind_of, path_text)
from workbench.core.types import DATA_TYPES, DataType

ID_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class PortSpec:
    name: str
    type: DataType
    optional: bool = False

    def describe(self) -> dict:
        d = {"name": self.name, "type": self.type.name}
        if self.optional:
            d["optional"] = True
        return d


class Cancelled(Exception):
    """Raised inside a node (via ctx.check_cancelled) when the run was cancelled."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class NodeContext:
    node_id: str = ""
    base_dir: Path = field(default_factory=Path.cwd)  # the pipeline file's folder
    output_dir: Path | None = None  # where a run writes (CLI --output); None in the GUI until set
    input_path: Path | None = None  # the current input of a batch run, when there is one
    frame_index: int = 0
    cancel: CancelToken | None = None
    report_progress: Callable[[float, str], None] | None = None
    notes: list[str] = field(default_factory=list)  # per node: e.g. "ran on CPU: no NVIDIA driver"
    # for a node with an inner graph (flow.for_each): run_inner({input name: value}, item key) ->
    # {output name: value}; set by the engine, which owns the inner graph's engine and cache
    run_inner: Callable[[dict[str, Any], bytes], dict[str, Any]] | None = None

    def progress(self, fraction: float, message: str = "") -> None:
        if self.report_progress:
            self.report_progress(fraction, message)

    def note(self, text: str) -> None:
        """Attach a one-line note to this node's result (shown by the GUI, written by `run`)."""
        if text not in self.notes:
            self.notes.append(text)

    def check_cancelled(self) -> None:
        if self.cancel is not None and self.cancel.cancelled:
            raise Cancelled()

    def resolve(self, path: str | Path, writing: bool = False) -> Path:
        """Relative paths: files read are relative to the pipeline's folder; files written go to
        the run's output folder, or, when there is none, to the user data folder's output/ (never
        silently next to the pipeline, which may be inside the installation)."""
        if writing:  # confined to the output folder or a folder the user allowed (core.writeguard)
            from workbench.core.writeguard import confine

            if self.output_dir is None:
                from workbench.core.paths import user_data_dir

                return confine(path, user_data_dir() / "output")
            return confine(path, self.output_dir)
        p = Path(path).expanduser()
        if p.is_absolute():
            return p
        return self.base_dir / p


@dataclass(frozen=True)
class NodeSpec:
    id: str
    name: str
    category: str
    version: int
    func: Callable[..., Any]
    inputs: tuple[PortSpec, ...]
    outputs: tuple[PortSpec, ...]
    params: tuple[ParamSpec, ...]
    description: str = ""
    single_output: bool = True  # the function returns the value itself, not a NamedTuple
    wants_ctx: bool = False
    cacheable: bool = True  # False for side effects (saving files): always runs
    # extra cache-key material, e.g. a source file's mtime: f(params, ctx) -> hashable
    cache_extra: Callable[[dict, NodeContext], Any] | None = None
    # migrate(params: dict of JSON values, from_version) -> dict, for files of older versions
    migrate: Callable[[dict, int], dict] | None = None
    # dynamic ports (subgraph, graph inputs): f(params, node) -> (inputs, outputs)
    ports: Callable[[dict, Any], tuple[tuple[PortSpec, ...], tuple[PortSpec, ...]]] | None = None
    # Sources read images from outside. set_input(path) -> param changes that make the node read
    # that file (used by `workbench run --input`); list_inputs(params, ctx) -> the files it would
    # read on its own (a folder source lists its folder).
    set_input: Callable[[Path], dict[str, Any]] | None = None
    list_inputs: Callable[[dict, NodeContext], list[Path]] | None = None
    # What a streamed frame gives each output of a source: {port: "image" | "path" | "index" |
    # "count" | "fps"} (count: the frames the source holds). Undeclared ports go by type
    # (workbench.runtime.feed.FrameFeed, the one place that feeds frames).
    frame_outputs: tuple[tuple[str, str], ...] = ()
    # the node carries an inner pipeline (NodeInstance.graph), saved under "graph" and opened in a
    # macro tab: core.subgraph (run once by the engine) and flow.for_each (runs it per item itself)
    inner_graph: bool = False
    # a merge node (flow.switch) gets None on an optional input whose branch was skipped; any
    # other node is skipped with its upstream
    merge: bool = False
    module: str = ""

    @property
    def source(self) -> bool:
        return self.set_input is not None

    def param(self, name: str) -> ParamSpec | None:
        for p in self.params:
            if p.name == name:
                return p
        return None

    def default_params(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def describe(self) -> dict:
        return {
            "id": self.id, "name": self.name, "category": self.category, "version": self.version,
            "description": self.description,
            "inputs": [p.describe() for p in self.inputs],
            "outputs": [p.describe() for p in self.outputs],
            "params": [p.describe() for p in self.params],
        }


def _port_type(annotation: Any) -> tuple[DataType | None, bool]:
    """(data type, optional) if the annotation is a port type, else (None, False)."""
    optional = False
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(get_args(annotation)) == 2:
            annotation, optional = args[0], True
    if get_origin(annotation) is typing.Annotated:
        for meta in annotation.__metadata__:
            if isinstance(meta, DataType):
                return meta, optional
    return None, False


def _param_spec(name: str, annotation: Any, default: Any, where: str) -> ParamSpec:
    meta: list[Any] = []
    optional = False
    if get_origin(annotation) is typing.Annotated:
        meta = list(annotation.__metadata__)
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise RegistryError(f"{where}: parameter {name!r} has an unsupported union type")
        annotation, optional = args[0], True
        if get_origin(annotation) is typing.Annotated:
            meta += list(annotation.__metadata__)
            annotation = get_args(annotation)[0]
    rng = next((m for m in meta if isinstance(m, Range)), Range())
    fp = next((m for m in meta if isinstance(m, FileParam)), FileParam())
    hlp = next((m.text for m in meta if isinstance(m, Help)), "")
    tpl = next((m.fields for m in meta if isinstance(m, Template)), None)
    max_chars = next((m.chars for m in meta if isinstance(m, MaxChars)), None)
    label = name.replace("_", " ").capitalize()
    kind = kind_of(annotation)
    if kind is None:
        raise RegistryError(f"{where}: parameter {name!r} has unsupported type {annotation!r}")
    en = annotation if kind == "enum" else None
    if kind == "path" and isinstance(default, Path):
        default = path_text(default)
    spec = ParamSpec(name=name, kind=kind, default=default, minimum=rng.minimum, maximum=rng.maximum,
                     step=rng.step, enum=en, path_mode=fp.mode, path_filter=fp.filter,
                     optional=optional, label=label, help=hlp, template_fields=tpl,
                     max_chars=max_chars,
                     follows_depth=any(isinstance(m, DepthRange) for m in meta),
                     active_when=next((m for m in meta if isinstance(m, ActiveWhen)), None))
    try:
        coerced = spec.coerce(default)
    except Exception as exc:
        raise RegistryError(f"{where}: default of {name!r} is invalid: {exc}") from None
    # keep the normalised default (e.g. 128 -> 128.0 for a float), as loading a file would
    return replace(spec, default=coerced)


def node(node_id: str, *, name: str, category: str, version: int = 1, output: str = "out",
         description: str | None = None, cacheable: bool = True, cache_extra=None, migrate=None,
         ports=None, set_input=None, list_inputs=None, frame_outputs=None, inner_graph=False, merge=False):
    """Declare a node. See the module docstring."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        where = f"node {node_id}"
        if not ID_RE.match(node_id):
            raise RegistryError(f"{where}: id must look like 'namespace.snake_name'")
        hints = get_type_hints(func, include_extras=True)
        inputs: list[PortSpec] = []
        params: list[ParamSpec] = []
        wants_ctx = False
        for pname, p in inspect.signature(func).parameters.items():
            if pname == "ctx":
                wants_ctx = True
                continue
            ann = hints.get(pname)
            dtype, optional = _port_type(ann)
            if dtype is not None:
                if p.default is not inspect.Parameter.empty and p.default is not None:
                    raise RegistryError(f"{where}: input {pname!r} may only default to None")
                inputs.append(PortSpec(pname, dtype, optional or p.default is None))
            elif p.default is inspect.Parameter.empty:
                raise RegistryError(f"{where}: argument {pname!r} is neither a port type nor has a default")
            else:
                params.append(_param_spec(pname, ann, p.default, where))
        ret = hints.get("return")
        outputs: list[PortSpec] = []
        single = True
        dtype, _ = _port_type(ret)
        if dtype is not None:
            outputs.append(PortSpec(output, dtype))
        elif isinstance(ret, type) and issubclass(ret, tuple) and hasattr(ret, "_fields"):
            single = False
            rhints = get_type_hints(ret, include_extras=True)
            for fname in ret._fields:
                fdt, _ = _port_type(rhints.get(fname))
                if fdt is None:
                    raise RegistryError(f"{where}: output field {fname!r} is not a port type")
                outputs.append(PortSpec(fname, fdt))
        elif ret not in (None, type(None)):
            raise RegistryError(f"{where}: return annotation must be a port type or a NamedTuple of them")
        doc = inspect.cleandoc(func.__doc__ or "")
        spec = NodeSpec(
            id=node_id, name=name, category=category, version=version, func=func,
            inputs=tuple(inputs), outputs=tuple(outputs), params=tuple(params),
            description=description if description is not None else doc.split("\n\n")[0].replace("\n", " "),
            single_output=single, wants_ctx=wants_ctx, cacheable=cacheable, cache_extra=cache_extra,
            migrate=migrate, ports=ports, set_input=set_input, list_inputs=list_inputs,
            frame_outputs=tuple((frame_outputs or {}).items()), inner_graph=inner_graph, merge=merge,
            module=func.__module__,
        )
        func.__node_spec__ = spec
        return func

    return wrap


def file_state(param: str = "path") -> Callable[[dict, NodeContext], tuple]:
    """A cache_extra for nodes that read the file named by a path parameter: the node re-runs when
    the file changes on disk (path, mtime, size; a missing file gives zeros, the node reports it)."""

    def state(params: dict, ctx: NodeContext) -> tuple:
        if not params.get(param):
            return ()
        return file_stamp(ctx.resolve(params[param]))

    return state


def data_type(name: str) -> DataType:
    return DATA_TYPES[name]
