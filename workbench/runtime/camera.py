"""The FrameSource a Camera node (io.camera) stands for: its device and acquisition settings.

Used by the GUI's live view, `workbench stream`/`operator` without --source, and the operator
screen, so that a pipeline with a Camera node carries its own camera. No Qt."""

from __future__ import annotations

from workbench.core.graph import NodeInstance
from workbench.runtime.sources import CameraSource, FrameSource, SourceConfigError, Trigger, open_source

CAMERA_NODE = "io.camera"


def camera_nodes(pipeline) -> list[NodeInstance]:
    return [n for n in pipeline.nodes.values() if n.type == CAMERA_NODE]


def _roi_box(roi) -> tuple[int, int, int, int] | None:
    if roi is None:
        return None
    if roi.shape != "rect":
        raise SourceConfigError("a camera's ROI must be a rectangle (cameras send rectangular regions)")
    x, y, w, h = (int(round(v)) for v in roi.values)
    return x, y, w, h


def camera_source(params: dict, *, trigger: Trigger | None = None, rate: float | None = None) -> FrameSource:
    """The FrameSource for a Camera node's parameters. A SOFTWARE trigger without a Trigger given
    gets one (fire it through ``source.trigger``)."""
    device = str(params.get("device") or "").strip()
    if not device:
        raise SourceConfigError("the Camera node has no device: genicam:DEVICE-ID, camera:0 or url:rtsp://…")
    mode = getattr(params.get("trigger"), "value", params.get("trigger") or "free")
    exposure = float(params.get("exposure") or 0) or None
    gain = float(params.get("gain", -1))
    fps = float(params.get("frame_rate") or 0) or None
    if trigger is not None and mode.startswith("line"):
        raise SourceConfigError(f"the Camera node waits for hardware trigger {mode.upper()}: set its trigger to "
                                "SOFTWARE (or FREE) to take frames on a PLC, timer or button trigger")
    if trigger is not None:
        mode = "software"  # a PLC, timer or button trigger asks the camera for each frame
    elif mode == "software":
        trigger = Trigger()
    if device.lower().startswith("genicam:") and not device.lower().endswith(".cti"):
        from workbench.runtime.genicam import AravisSource, parse_spec

        dev, options = parse_spec(device.partition(":")[2])
        options.update({k: v for k, v in (("exposure_us", exposure), ("gain", gain if gain >= 0 else None),
                                          ("frame_rate", fps), ("pixel_format", params.get("pixel_format") or None),
                                          ("roi", _roi_box(params.get("roi")))) if v is not None})
        options["trigger_mode"] = mode
        return AravisSource(dev, trigger=trigger, rate=rate, **options)
    src = open_source(device, rate=rate, trigger=trigger)
    if isinstance(src, CameraSource):  # OpenCV: what its back end lets us ask for
        src.fps, src.exposure = fps, exposure
        roi = _roi_box(params.get("roi"))
        if roi is not None:
            src.width, src.height = roi[2], roi[3]
    return src
