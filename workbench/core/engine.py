"""The engine: runs a pipeline in topological order with an incremental cache.

* Cache key of a node = hash(type id + version + params + extra (e.g. a file's mtime) +
  the keys of its upstream outputs). One entry per node is kept, so editing one parameter
  re-runs only that node and what is downstream of it.
* Every node's wall time and output size are recorded (NodeResult, NodeFinished events).
* A failing node yields one line naming the node, the message and a summary of its
  inputs; its downstream is skipped, independent branches still run.
* Returning NO_VALUE on an output skips the nodes that need it (conditional execution);
  an optional input receives None instead.
* A CancelToken is checked between nodes (and by long nodes via ctx.check_cancelled()).
* Events are small dataclasses passed to ``on_event``; the GUI re-emits them as signals.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from workbench.core.errors import WorkbenchError
from workbench.core.graph import NodeInstance, Pipeline
from workbench.core.spec import Cancelled, CancelToken, NodeContext
from workbench.core.types import NO_VALUE, describe, nbytes


# ---------------------------------------------------------------- events
@dataclass(frozen=True)
class RunStarted:
    total: int


@dataclass(frozen=True)
class NodeStarted:
    node_id: str


@dataclass(frozen=True)
class NodeFinished:
    node_id: str
    cached: bool
    seconds: float
    nbytes: int


@dataclass(frozen=True)
class NodeFailed:
    node_id: str
    message: str
    inputs: str


@dataclass(frozen=True)
class NodeSkipped:
    node_id: str
    reason: str


@dataclass(frozen=True)
class NodeProgress:
    node_id: str
    fraction: float
    message: str = ""


@dataclass(frozen=True)
class RunFinished:
    seconds: float
    cancelled: bool
    failed: int


# ---------------------------------------------------------------- results
OK, CACHED, FAILED, SKIPPED, CANCELLED = "ok", "cached", "failed", "skipped", "cancelled"


@dataclass
class NodeResult:
    node_id: str
    status: str
    outputs: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0  # time of the run that produced the outputs (also for cached ones)
    nbytes: int = 0
    message: str = ""  # the error (failed) or the reason (skipped)
    inputs: str = ""  # summary of the inputs of a failed node
    key: bytes = b""
    notes: list[str] = field(default_factory=list)  # ctx.note() lines, e.g. a CPU fallback reason

    @property
    def error_line(self) -> str:
        return f"node {self.node_id}: {self.message}" + (f" (inputs: {self.inputs})" if self.inputs else "")


@dataclass
class RunResult:
    nodes: dict[str, NodeResult]
    seconds: float
    cancelled: bool = False
    inner: dict[str, "RunResult"] = field(default_factory=dict)  # a macro's last inner run, by macro id

    def output(self, node_id: str, port: str | None = None) -> Any:
        res = self.nodes[node_id]
        if port is None:
            return next(iter(res.outputs.values()), NO_VALUE)
        return res.outputs.get(port, NO_VALUE)

    @property
    def failed(self) -> list[NodeResult]:
        return [r for r in self.nodes.values() if r.status == FAILED]

    @property
    def errors(self) -> list[str]:
        return [r.error_line for r in self.failed]

    @property
    def executed(self) -> list[str]:
        return [n for n, r in self.nodes.items() if r.status == OK]


def _error_message(exc: BaseException) -> str:
    if isinstance(exc, WorkbenchError):
        return str(exc)
    text = str(exc).strip()
    mod = type(exc).__module__
    if mod.startswith("cv2"):  # "OpenCV(5.0) /path/file.cpp:123: error: (-215:Assertion failed) x in function 'f'"
        line = next((ln for ln in text.splitlines() if "error:" in ln), text.splitlines()[-1] if text else "")
        text = "OpenCV: " + line.split("error:", 1)[-1].strip()
        return text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


class Engine:
    """Runs pipelines; keeps the cache between runs (one Engine per open pipeline)."""

    def __init__(self, cache: bool = True, branch_threads: int = 1) -> None:
        self.cache_enabled = cache
        self.branch_threads = branch_threads  # > 1: independent branches in parallel (core/branches.py)
        self._cache: dict[str, NodeResult] = {}
        self._sub: dict[str, Engine] = {}
        self.last: RunResult | None = None  # the last run (a macro's inner engine: for the GUI)

    def clear_cache(self) -> None:
        self._cache.clear()
        self._sub.clear()

    def run(self, pipeline: Pipeline, *, context: NodeContext | None = None,
            cancel: CancelToken | None = None, on_event: Callable[[object], None] | None = None,
            feed: dict[str, tuple[dict[str, Any], bytes]] | None = None) -> RunResult:
        """Run every node once (cached ones are not re-executed) and return all results.

        ``feed`` gives ready outputs (and their key) for some nodes: used for the inputs of a
        subgraph and by the streaming runner.
        """
        t_run = time.perf_counter()
        emit = on_event or (lambda ev: None)
        order = pipeline.topological_order()
        base_ctx = context or NodeContext(base_dir=pipeline.base_dir)
        if cancel is not None:
            base_ctx = replace(base_ctx, cancel=cancel)
        emit(RunStarted(len(order)))
        results: dict[str, NodeResult] = {}
        cancelled = False
        live = set(pipeline.nodes)
        for stale in [n for n in self._cache if n not in live]:
            del self._cache[stale]
        if self.branch_threads > 1:
            from workbench.core.branches import run_levels

            cancelled = run_levels(self, pipeline, order, results, base_ctx, emit, cancel, feed, self.branch_threads)
            order = []  # done
        for nid in order:
            if cancel is not None and cancel.cancelled:
                cancelled = True
                results[nid] = NodeResult(nid, CANCELLED, message="run cancelled")
                continue
            inst = pipeline.nodes[nid]
            if feed and nid in feed:
                outs, key = feed[nid]
                results[nid] = NodeResult(nid, OK, dict(outs), key=key)
                continue
            res = self._run_node(pipeline, inst, results, base_ctx, emit)
            if res.status == CANCELLED:
                cancelled = True
            results[nid] = res
        seconds = time.perf_counter() - t_run
        emit(RunFinished(seconds, cancelled, sum(1 for r in results.values() if r.status == FAILED)))
        inner = {nid: e.last for nid, e in self._sub.items() if nid in live and e.last is not None}
        self.last = RunResult(results, seconds, cancelled, inner)
        return self.last

    # ------------------------------------------------------------------------------
    def _run_node(self, pipeline: Pipeline, inst: NodeInstance, results: dict[str, NodeResult],
                  base_ctx: NodeContext, emit) -> NodeResult:
        nid = inst.id
        spec = inst.spec
        kwargs: dict[str, Any] = {}
        h = hashlib.blake2b(inst.digest(), digest_size=16)
        incoming = pipeline.incoming(nid)
        for port in inst.inputs:
            edge = incoming.get(port.name)
            if edge is None:
                if port.optional:
                    kwargs[port.name] = None
                    continue
                return self._skip(nid, f"input {port.name!r} is not linked", emit)
            up = results[edge.src]
            if up.status == SKIPPED and port.optional and spec.merge:  # flow.switch: a skipped
                kwargs[port.name] = None  # branch into an optional input is "no value"
                h.update(port.name.encode() + b"\0skipped")
                continue
            if up.status in (FAILED, SKIPPED, CANCELLED):
                return self._skip(nid, f"upstream {edge.src} {up.status}", emit)
            value = up.outputs.get(edge.src_port, NO_VALUE)
            if value is NO_VALUE:
                if not port.optional:
                    return self._skip(nid, f"no value from {edge.src}.{edge.src_port}", emit)
                value = None
            kwargs[port.name] = value
            h.update(port.name.encode())
            h.update(up.key)
            h.update(edge.src_port.encode())
        ctx = replace(base_ctx, node_id=nid, notes=[],
                      report_progress=lambda f, m="": emit(NodeProgress(nid, f, m)))
        try:
            if spec.cache_extra is not None:
                h.update(repr(spec.cache_extra(inst.params, ctx)).encode())
            key = h.digest()
        except Exception:  # e.g. a cache_extra that stats a missing file: the node will report it
            key = h.digest() + b"!"
        cached = self._cache.get(nid)
        cacheable = self.cache_enabled and spec.cacheable and inst.graph is None
        if cacheable and cached is not None and cached.key == key:
            res = replace(cached, status=CACHED)
            emit(NodeFinished(nid, True, res.seconds, res.nbytes))
            return res
        if spec.wants_ctx:
            kwargs["ctx"] = ctx
        emit(NodeStarted(nid))
        t0 = time.perf_counter()
        try:
            for p in spec.params:  # inside try: a written path outside the output folder fails the node
                kwargs[p.name] = p.run_value(inst.params.get(p.name, p.default), ctx)
            if inst.graph is not None and inst.type == "core.subgraph":
                outputs = self._run_subgraph(inst, kwargs, ctx, key)
            else:
                if inst.graph is not None and spec.wants_ctx:  # flow.for_each runs its inner graph per item
                    kwargs["ctx"] = replace(kwargs.get("ctx", ctx), run_inner=self._inner_runner(inst, ctx, key))
                value = spec.func(**kwargs)
                outputs = self._outputs(inst, value)
        except Cancelled:
            return NodeResult(nid, CANCELLED, message="run cancelled")
        except Exception as exc:
            msg = _error_message(exc)
            summary = ", ".join(f"{p.name}={describe(kwargs.get(p.name))}" for p in inst.inputs)
            self._cache.pop(nid, None)
            emit(NodeFailed(nid, msg, summary))
            return NodeResult(nid, FAILED, message=msg, inputs=summary,
                              seconds=time.perf_counter() - t0)
        seconds = time.perf_counter() - t0
        size = sum(nbytes(v) for v in outputs.values())
        res = NodeResult(nid, OK, outputs, seconds, size, key=key, notes=ctx.notes)
        if cacheable:
            self._cache[nid] = res
        emit(NodeFinished(nid, False, seconds, size))
        return res

    @staticmethod
    def _skip(nid: str, reason: str, emit) -> NodeResult:
        emit(NodeSkipped(nid, reason))
        return NodeResult(nid, SKIPPED, message=reason)

    @staticmethod
    def _outputs(inst: NodeInstance, value: Any) -> dict[str, Any]:
        ports = inst.outputs
        if inst.spec.single_output:
            values = [value] if ports else []
        else:
            if not isinstance(value, tuple) or len(value) != len(ports):
                raise TypeError(f"returned {type(value).__name__}, expected {len(ports)} outputs")
            values = list(value)
        outs = {}
        for port, v in zip(ports, values):
            if v is not NO_VALUE:
                why = port.type.check(v)
                if why:
                    raise TypeError(f"output {port.name!r}: {why}")
            outs[port.name] = v
        return outs

    def _run_subgraph(self, inst: NodeInstance, kwargs: dict[str, Any], ctx: NodeContext,
                      key: bytes) -> dict[str, Any]:
        inner = inst.graph
        assert inner is not None
        engine = self._sub.setdefault(inst.id, Engine(self.cache_enabled))
        feed = {}
        for n in inner.nodes.values():
            if n.type == "core.graph_input":
                name = n.params["name"]
                feed[n.id] = ({"value": kwargs.get(name)}, key + name.encode())
        sub_ctx = replace(ctx, base_dir=inner.base_dir)
        total = max(1, len(inner.nodes))
        done = [0]

        def inner_event(ev: object) -> None:
            if isinstance(ev, (NodeFinished, NodeFailed, NodeSkipped)):
                done[0] += 1
                ctx.progress(done[0] / total)

        res = engine.run(inner, context=sub_ctx, cancel=ctx.cancel, feed=feed, on_event=inner_event)
        if res.cancelled:
            raise Cancelled()
        if res.failed:
            first = res.failed[0]
            raise WorkbenchError(f"inside subgraph: {first.error_line}")
        return self._graph_outputs(inner, res)

    def _inner_runner(self, inst: NodeInstance, ctx: NodeContext, key: bytes):
        """run_inner(values, item_key) for a node that runs its inner graph itself, once per item."""
        inner = inst.graph
        engine = self._sub.setdefault(inst.id, Engine(self.cache_enabled))
        inputs = {n.params["name"]: n.id for n in inner.nodes.values() if n.type == "core.graph_input"}
        sub_ctx = replace(ctx, base_dir=inner.base_dir)

        def run_inner(values: dict[str, Any], item_key: bytes = b"") -> dict[str, Any]:
            feed = {nid: ({"value": values.get(name, NO_VALUE)}, key + item_key + name.encode())
                    for name, nid in inputs.items()}
            res = engine.run(inner, context=sub_ctx, cancel=ctx.cancel, feed=feed)
            if res.cancelled:
                raise Cancelled()
            if res.failed:
                raise WorkbenchError(f"inside {inst.id}: {res.failed[0].error_line}")
            return self._graph_outputs(inner, res)

        return run_inner

    @staticmethod
    def _graph_outputs(inner: Pipeline, res: RunResult) -> dict[str, Any]:
        """{output name: value} of an inner graph's core.graph_output nodes (NO_VALUE if skipped)."""
        outs = {}
        for n in inner.nodes.values():
            if n.type == "core.graph_output":
                # graph_output has no output port of its own: its value is what is linked into it
                r = res.nodes[n.id]
                edge = inner.incoming(n.id).get("value")
                value = NO_VALUE
                if r.status in (OK, CACHED) and edge is not None:
                    value = res.nodes[edge.src].outputs.get(edge.src_port, NO_VALUE)
                outs[n.params["name"]] = value
        return outs

