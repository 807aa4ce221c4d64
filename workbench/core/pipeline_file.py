"""Pipeline files (JSON): load with full validation, save atomically with stable order.

    {"format": "workbench.pipeline", "schema_version": 1,
     "meta": {"name": "...", "description": "..."},
     "nodes": [{"id": "blur", "type": "cv.gaussian_blur", "version": 1, "params": {"sigma": 1.5}}],
     "edges": [{"from": ["src", "image"], "to": ["blur", "image"]}],
     "ui": {"blur": {"pos": [120, 80]}}}

Loading reports *every* problem at once (PipelineError.problems). Enum parameters are stored
by member name. A subgraph node carries its inner pipeline under "graph" (nodes + edges).
"""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any, Callable

from workbench.core.errors import GraphError, ParamError, PipelineError, Problem
from workbench.core.fileio import atomic_write_text
from workbench.core.graph import Pipeline
from workbench.core.registry import Registry, default_registry
from workbench.core.writeguard import pipeline_write_problems

FORMAT = "workbench.pipeline"
SCHEMA_VERSION = 1
TOP_KEYS = {"format", "schema_version", "meta", "nodes", "edges", "ui"}

# The schema migration chain (Orange3's ``if version < N:`` steps): MIGRATIONS[n] turns the
# top-level dict of a version-n file into version n+1, in place or as a new dict. When the
# format changes: bump SCHEMA_VERSION, add the step for the old number, and a test that loads
# a file of the old version (tests/core/test_core_pipeline_file.py shows how).
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


def migrate_schema(data: dict, version: int) -> dict:
    """``data`` (a file of schema ``version``) brought up to SCHEMA_VERSION step by step."""
    for v in range(version, SCHEMA_VERSION):
        step = MIGRATIONS.get(v)
        if step is None:
            raise PipelineError([Problem("schema_version", f"no migration from schema version {v} to {v + 1}")])
        data = step(dict(data))
        data["schema_version"] = v + 1
    return data


MAX_FILE_BYTES = 64 * 1024 * 1024  # a pipeline is kilobytes; anything this large is not one
MAX_DEPTH = 200  # JSON nesting (a macro inside a macro adds 4 levels)


def load_pipeline(path: str | Path, registry: Registry | None = None, *, allow_incomplete: bool = False) -> Pipeline:
    """Read and validate a pipeline file. Raises PipelineError listing every problem."""
    path = Path(path)
    try:
        if path.is_dir():
            raise PipelineError([Problem("", "is a folder, not a pipeline file")], str(path))
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise PipelineError([Problem("", f"larger than {MAX_FILE_BYTES // 2**20} MB: not a pipeline file")],
                                str(path))
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise PipelineError([Problem("", "file not found")], str(path)) from None
    except UnicodeDecodeError as exc:
        raise PipelineError([Problem("", f"cannot read file: not UTF-8 text, so not a pipeline (byte {exc.start}: "
                                     f"{raw[exc.start:exc.start + 1]!r}); an image or video becomes a pipeline "
                                     "with a source node when opened in the GUI or given to `workbench run --input`")],
                            str(path)) from None
    except OSError as exc:
        raise PipelineError([Problem("", f"cannot read file: {exc.strerror or exc}")], str(path)) from None
    return loads_pipeline(text, registry, base_dir=path.resolve().parent, source=str(path),
                          allow_incomplete=allow_incomplete)


_SURROGATE = re.compile("[\ud800-\udfff]")


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _text_problem(data: Any) -> str | None:
    """Nesting deeper than MAX_DEPTH, or a string that cannot be saved again (a lone surrogate)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, str):
            items = [value]
        elif isinstance(value, dict):
            items = list(value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            items = []
            stack.extend((v, depth + 1) for v in value)
        else:
            continue
        for text in items:
            if _SURROGATE.search(text):
                return f"invalid text {text[:40]!r}: a lone surrogate (\\ud800-\\udfff) is not a character"
    return None


def parse_json(text: str, source: str = "") -> Any:
    """json.loads for pipeline files: every failure (syntax, nesting, huge numbers, duplicate keys,
    unsavable text) is a PipelineError with one clear line, never another exception."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        msg = f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    except _DuplicateKey as exc:
        msg = f"duplicate key {exc.args[0]!r} in one object (which one counts would be a guess)"
    except RecursionError:
        msg = "malformed JSON: nested too deeply"
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        msg = f"malformed JSON: {str(exc).split(';')[0]}"
    else:
        problem = _text_problem(data)
        if problem is None:
            return data
        msg = problem
    raise PipelineError([Problem("", msg)], source)


def loads_pipeline(text: str, registry: Registry | None = None, *, base_dir: Path | None = None,
                   source: str = "", allow_incomplete: bool = False) -> Pipeline:
    data = parse_json(text, source)
    try:
        return from_dict(data, registry, base_dir=base_dir, source=source, allow_incomplete=allow_incomplete)
    except RecursionError:  # macros nested within MAX_DEPTH, but still too deep to build
        raise PipelineError([Problem("", "macros nested too deeply")], source) from None


def from_dict(data: Any, registry: Registry | None = None, *, base_dir: Path | None = None,
              source: str = "", allow_incomplete: bool = False) -> Pipeline:
    registry = registry or default_registry()
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise PipelineError([Problem("", f"expected a JSON object at the top level, got {type(data).__name__}")],
                            source)
    if data.get("format") != FORMAT:
        problems.append(Problem("format", f"expected {FORMAT!r}, got {data.get('format')!r}"))
    sv = data.get("schema_version")
    if not isinstance(sv, int) or isinstance(sv, bool):
        problems.append(Problem("schema_version", f"expected an integer, got {sv!r}"))
    elif sv > SCHEMA_VERSION:
        raise PipelineError([Problem("schema_version", f"file has schema version {sv}, this app reads up to "
                                     f"{SCHEMA_VERSION}: update Vision Workbench to open it")], source)
    elif sv < 1:
        problems.append(Problem("schema_version", f"invalid schema version {sv}"))
    elif sv < SCHEMA_VERSION:
        try:
            data = migrate_schema(data, sv)
        except PipelineError as exc:
            raise PipelineError(exc.problems, source) from None
    for key in sorted(set(data) - TOP_KEYS):
        problems.append(Problem(key, "unknown top-level key"))
    for key, typ in (("meta", dict), ("ui", dict)):
        if key in data and not isinstance(data[key], typ):
            problems.append(Problem(key, f"expected an object, got {type(data[key]).__name__}"))
    pipe = _graph_from_dict(data, registry, base_dir, problems, "", allow_incomplete)
    if not allow_incomplete:  # written paths stay in the output folder unless the user allowed one
        problems.extend(pipeline_write_problems(pipe))
    if isinstance(data.get("meta"), dict):
        pipe.meta = dict(data["meta"])
    if isinstance(data.get("ui"), dict):
        pipe.ui = dict(data["ui"])
    if problems:
        raise PipelineError(problems, source)
    pipe.revision = 0
    return pipe


def _graph_from_dict(data: dict, registry: Registry, base_dir: Path | None, problems: list[Problem],
                     prefix: str, allow_incomplete: bool) -> Pipeline:
    pipe = Pipeline(registry, base_dir)
    nodes = data.get("nodes")
    edges = data.get("edges", [])
    if not isinstance(nodes, list):
        problems.append(Problem(f"{prefix}nodes", "expected a list of nodes" if "nodes" in data else "missing"))
        nodes = []
    if not isinstance(edges, list):
        problems.append(Problem(f"{prefix}edges", "expected a list of edges"))
        edges = []
    for i, raw in enumerate(nodes):
        _add_node(pipe, i, raw, registry, base_dir, problems, prefix, allow_incomplete)
    for i, raw in enumerate(edges):
        _add_edge(pipe, i, raw, problems, prefix)
    cyc = cycle_problem(pipe)
    if cyc:
        problems.append(Problem(prefix.rstrip("/") or "edges", cyc))
    if not allow_incomplete:
        problems.extend(missing_inputs(pipe, prefix))
    return pipe


def _add_node(pipe: Pipeline, i: int, raw: Any, registry: Registry, base_dir: Path | None,
              problems: list[Problem], prefix: str, allow_incomplete: bool) -> None:
    """Add node ``i`` of a file to ``pipe`` (migrated, parameters checked), or record why not."""
    where = f"{prefix}nodes[{i}]"
    if not isinstance(raw, dict):
        problems.append(Problem(where, "expected an object"))
        return
    nid, type_id = raw.get("id"), raw.get("type")
    if not isinstance(nid, str) or not nid:
        problems.append(Problem(where, "missing node id"))
        return
    where = f"{prefix}node {nid}"
    for key in sorted(set(raw) - {"id", "type", "version", "params", "graph"}):
        problems.append(Problem(where, f"unknown key {key!r}"))
    if nid in pipe.nodes:
        problems.append(Problem(where, "duplicate node id"))
        return
    spec = registry.get(type_id) if isinstance(type_id, str) else None
    if spec is None:
        problems.append(Problem(where, f"unknown node type {type_id!r}"))
        return
    params_raw = raw.get("params", {})
    if not isinstance(params_raw, dict):
        problems.append(Problem(where, "params must be an object"))
        params_raw = {}
    version = raw.get("version", spec.version)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(Problem(where, f"invalid version {version!r}"))
        return
    if version > spec.version:
        problems.append(Problem(where, f"{type_id} version {version} is newer than this app's "
                                f"(version {spec.version})"))
        return
    if version < spec.version:
        if spec.migrate is None:
            problems.append(Problem(where, f"{type_id} version {version} cannot be migrated to {spec.version}"))
            return
        params_raw = spec.migrate(dict(params_raw), version)
    values = spec.default_params()
    for pname, pval in params_raw.items():
        p = spec.param(pname)
        if p is None:
            problems.append(Problem(where, f"unknown parameter {pname!r} for {type_id}"))
            continue
        try:
            values[pname] = p.from_json(pval)
        except ParamError as exc:
            problems.append(Problem(where, str(exc)))
    inner = None
    if spec.inner_graph:
        g = raw.get("graph")
        if not isinstance(g, dict):
            problems.append(Problem(where, "a subgraph needs a 'graph' object with nodes and edges" if type_id == "core.subgraph"
                                    else f"a {type_id} node needs a 'graph' object with its inner nodes and edges"))
            return
        inner = _graph_from_dict(g, registry, base_dir, problems, f"{where}/", allow_incomplete)
    elif "graph" in raw:
        problems.append(Problem(where, "only subgraph and for-each nodes have a 'graph'"))
    pipe.add_node(type_id, nid, values, graph=inner)


def _add_edge(pipe: Pipeline, i: int, raw: Any, problems: list[Problem], prefix: str) -> None:
    """Add edge ``i`` of a file through the one link checker, or record why not."""
    where = f"{prefix}edges[{i}]"
    ok = (isinstance(raw, dict) and set(raw) == {"from", "to"}
          and all(isinstance(raw[k], list) and len(raw[k]) == 2 and all(isinstance(x, str) for x in raw[k])
                  for k in ("from", "to")))
    if not ok:
        problems.append(Problem(where, 'expected {"from": [node, port], "to": [node, port]}'))
        return
    (src, sp), (dst, dp) = raw["from"], raw["to"]
    where = f"{prefix}edge {src}.{sp} -> {dst}.{dp}"
    missing = [n for n in (src, dst) if n not in pipe.nodes]
    if missing:
        if not any(p.where.endswith(f"node {m}") for m in missing for p in problems):
            problems.append(Problem(where, f"dangling edge: no node {missing[0]!r}"))
        return
    found = pipe.link_problem(src, sp, dst, dp, cycles=False, twice=True)
    if found:
        kind, why = found
        problems.append(Problem(where, f"type mismatch: {why}" if kind == "type" else why))
        return
    pipe.connect(src, sp, dst, dp, replace=False, allow_cycle=True)


def cycle_problem(pipe: Pipeline) -> str | None:
    try:
        pipe.topological_order()
    except GraphError as exc:
        return str(exc)
    return None


def missing_inputs(pipe: Pipeline, prefix: str = "") -> list[Problem]:
    out = []
    for nid, inst in pipe.nodes.items():
        linked = pipe.incoming(nid)
        for port in inst.inputs:
            if not port.optional and port.name not in linked:
                out.append(Problem(f"{prefix}node {nid}", f"required input {port.name!r} ({port.type.name}) is not linked"))
    return out


def file_problems(pipe: Pipeline, prefix: str = "") -> list[Problem]:
    """Files and folders the pipeline reads (images, models, folders) that are not there, or are the
    wrong kind (a folder given as a model, a device): what `workbench validate` adds to the load problems.
    Empty paths (the bundled models, an input given with --input) are not problems."""
    import os

    out: list[Problem] = []
    base = pipe.base_dir or Path.cwd()
    for nid, inst in pipe.nodes.items():
        for spec in inst.spec.params:
            text = str(inst.params.get(spec.name) or "") if spec.kind == "path" else ""
            if not text or spec.path_mode not in ("open", "dir"):
                continue
            p = Path(os.path.expanduser(text))
            p = p if p.is_absolute() else base / p
            if spec.path_mode == "dir":
                why = None if p.is_dir() else ("not a folder" if p.exists() else "folder not found")
            else:
                why = None if p.is_file() else ("file not found" if not p.exists() else
                                                "is a folder, not a file" if p.is_dir() else "not a regular file")
            if why:
                out.append(Problem(f"{prefix}node {nid}", f"{spec.name}: {why}: {text}"))
        if inst.graph is not None:
            out.extend(file_problems(inst.graph, f"{prefix}node {nid}/"))
    return out


def validate(pipe: Pipeline) -> list[Problem]:
    """Problems of an in-memory pipeline (what `workbench validate` reports after loading)."""
    problems = missing_inputs(pipe) + pipeline_write_problems(pipe)
    cyc = cycle_problem(pipe)
    if cyc:
        problems.append(Problem("edges", cyc))
    return problems


# ---------------------------------------------------------------- saving
def to_dict(pipe: Pipeline) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "schema_version": SCHEMA_VERSION}
    if pipe.meta:
        data["meta"] = pipe.meta
    data.update(_graph_to_dict(pipe))
    if pipe.ui:
        data["ui"] = pipe.ui
    return data


def _graph_to_dict(pipe: Pipeline) -> dict[str, Any]:
    nodes = []
    for inst in pipe.nodes.values():
        entry: dict[str, Any] = {"id": inst.id, "type": inst.type, "version": inst.spec.version,
                                 "params": inst.params_json()}
        if inst.graph is not None:
            entry["graph"] = _graph_to_dict(inst.graph)
        nodes.append(entry)
    edges = [{"from": [e.src, e.src_port], "to": [e.dst, e.dst_port]} for e in pipe.edges]
    return {"nodes": nodes, "edges": edges}


# the node/edge part of a file (a clipboard of nodes uses it too)
graph_to_dict = _graph_to_dict


def graph_from_dict(data: dict, registry: Registry, base_dir: Path | None = None) -> tuple[Pipeline, list[Problem]]:
    """The nodes and edges of ``data`` as a pipeline (inputs may be unlinked) and its problems."""
    problems: list[Problem] = []
    return _graph_from_dict(data, registry, base_dir, problems, "", True), problems


def dumps_pipeline(pipe: Pipeline) -> str:
    return json.dumps(to_dict(pipe), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


STALE_TMP_S = 60.0  # a temp file this old is from a save that was killed, not one in progress


def clean_stale_temp_files(path: str | Path, now: float | None = None) -> list[Path]:
    """Remove ``.NAME.*.tmp`` files left beside ``path`` by saves that were killed (older than STALE_TMP_S)."""
    import time

    path = Path(path)
    now = time.time() if now is None else now
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_S:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def save_pipeline(pipe: Pipeline, path: str | Path) -> None:
    """Write atomically (temp file + fsync + rename) with stable key order; remove temp files that
    earlier, killed saves left beside it."""
    atomic_write_text(path, dumps_pipeline(pipe))
    clean_stale_temp_files(path)
