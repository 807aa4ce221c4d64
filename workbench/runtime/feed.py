"""The one way a frame reaches a pipeline: choosing the source node, and feeding it.

Batch runs (``workbench run``, the GUI's folder run, replay) hand the source node a *file*: its
``set_input`` hook sets the parameters that make it read that file itself, so a bad file fails
the source node with its own message and the cache follows the file. Streams (``workbench
stream``, the operator screen; cameras and parallel workers later) hand it *pixels* already read
by a :class:`~workbench.runtime.sources.FrameSource`: each output gets what the node declares in
``frame_outputs`` ({port: "image" | "path" | "index" | "count" | "fps"}), undeclared ones go by type.
Both go through :meth:`FrameFeed.run`. No Qt.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from workbench.core.engine import Engine, RunResult
from workbench.core.errors import WorkbenchError
from workbench.core.graph import NodeInstance, Pipeline
from workbench.core.spec import CancelToken, NodeContext
from workbench.core.types import NO_VALUE

# an undeclared output of a source, by its type name
_BY_TYPE = {"Image": "image", "Any": "image", "String": "path", "Int": "index", "Float": "fps"}


def pick_source(pipeline: Pipeline, source_id: str | None = None) -> NodeInstance:
    """The source node frames go to: ``source_id``, or the pipeline's first source."""
    sources = pipeline.source_nodes()
    if source_id:
        inst = pipeline.nodes.get(source_id)
        if inst is None or not inst.spec.source:
            names = ", ".join(s.id for s in sources) or "none"
            raise WorkbenchError(f"{source_id!r} is not a source node of this pipeline (sources: {names})")
        return inst
    if not sources:
        raise WorkbenchError("the pipeline has no image source node to feed")
    return sources[0]


def default_inputs(pipeline: Pipeline, source: NodeInstance) -> list[Path]:
    """The files the source would read on its own (its file, or its folder's images)."""
    if source.spec.list_inputs is None:
        return []
    found = source.spec.list_inputs(source.params, NodeContext(base_dir=pipeline.base_dir))
    return [Path(p).resolve() for p in found]


def pipeline_source(pipeline: Pipeline, spec: str = "", *, source_node: str | None = None, loop: bool = False,
                    rate: float | None = None, trigger=None, hint: str = "give a source"):
    """The FrameSource for a stream: ``spec`` (camera:0, folder:DIR, video:FILE, url:…) or, when
    empty, the source node's own images (the CLI's stream/operator and the main window's operator
    mode choose it here)."""
    from workbench.runtime.sources import FileListSource, open_source

    if spec:
        return open_source(spec, rate=rate, loop=loop, trigger=trigger)
    node = pick_source(pipeline, source_node)
    if node.type == "io.camera":  # the pipeline carries its camera and its settings
        from workbench.runtime.camera import camera_source

        return camera_source(node.params, trigger=trigger, rate=rate)
    inputs = default_inputs(pipeline, node)
    if not inputs:
        raise WorkbenchError(f"source {node.id} has no input set: {hint}")
    return FileListSource(inputs, loop=loop, rate=rate, trigger=trigger)


class FrameFeed:
    """Feeds files (batch) or frames (stream) to one source node of ``pipeline`` and runs it."""

    def __init__(self, pipeline: Pipeline, source_id: str | None = None, frame_source: Any = None) -> None:
        self.pipeline = pipeline
        self.node = pick_source(pipeline, source_id)
        self.frame_source = frame_source  # for "count" and "fps" of streamed frames
        self.text_nodes = {n.id for n in pipeline.source_nodes()}  # their text outputs are not results

    def set_file(self, path: Path) -> None:
        """Make the source node read ``path`` itself (through its ``set_input`` hook)."""
        for name, value in self.node.spec.set_input(Path(path).resolve()).items():
            self.pipeline.set_param(self.node.id, name, value)

    def frame_values(self, frame) -> dict[str, Any]:
        """What each output of the source node gets from a streamed frame."""
        src = self.frame_source
        total = src.total() if src is not None and hasattr(src, "total") else None
        fps = float(getattr(src, "fps", 0.0) or 0.0)
        meaning = {"image": frame.image, "path": frame.source_id, "index": int(frame.index),
                   "count": total if total is not None else NO_VALUE, "fps": fps}
        declared = dict(self.node.spec.frame_outputs)
        return {p.name: meaning.get(declared.get(p.name) or _BY_TYPE.get(p.type.name, ""), NO_VALUE)
                for p in self.node.outputs}

    def engine_feed(self, frame) -> dict[str, tuple[dict[str, Any], bytes]]:
        key = hashlib.blake2b(  # surrogateescape: a file name may be any bytes (not UTF-8)
            f"{frame.source_id}|{frame.index}|{frame.timestamp!r}".encode("utf-8", "surrogateescape"),
            digest_size=16).digest()
        return {self.node.id: (self.frame_values(frame), key)}

    def run(self, engine: Engine, item, context: NodeContext, cancel: CancelToken | None = None) -> RunResult:
        """Run the pipeline on ``item``: a file path (the node reads it) or a streamed frame."""
        if isinstance(item, (str, Path)):
            self.set_file(Path(item))
            return engine.run(self.pipeline, context=context, cancel=cancel)
        return engine.run(self.pipeline, context=context, cancel=cancel, feed=self.engine_feed(item))
