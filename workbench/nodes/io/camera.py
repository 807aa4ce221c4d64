import enum
from pathlib import Path
from typing import Annotated, NamedTuple

from workbench.core.errors import NodeInputError
from workbench.core.imageio import read_image
from workbench.core.params import FileParam, Help, Range, Roi
from workbench.core.spec import file_state, node
from workbench.core.types import Image, Int
from workbench.nodes.io.image_file import IMAGE_FILTER

LIVE_HINT = ("a camera's frames come from Live view (Run > Live camera) or `workbench stream`; "
             "set 'offline image' to tune on a saved image")


class CameraTrigger(enum.Enum):
    FREE = "free"  # the camera's own frame rate
    SOFTWARE = "software"  # one frame per trigger (button, PLC, timer)
    LINE0 = "line0"  # hardware trigger input 0
    LINE1 = "line1"


class CameraOut(NamedTuple):
    image: Image
    index: Int


@node("io.camera", name="Camera", category="Sources", cache_extra=file_state("offline_image"),
      set_input=lambda path: {"offline_image": str(path)},
      list_inputs=lambda params, ctx: [ctx.resolve(params["offline_image"])] if params["offline_image"] else [],
      frame_outputs={"image": "image", "index": "index"})
def camera(device: Annotated[str, Help("genicam:DEVICE-ID (GigE Vision / USB3 Vision; genicam: alone is the "
                                       "first camera found), camera:0 (USB), url:rtsp://… (IP stream)")] = "genicam:",
           exposure: Annotated[float, Range(0, 10_000_000, 100), Help("exposure time in µs; 0: the camera's own")] = 0.0,
           gain: Annotated[float, Range(-1, 100, 0.1), Help("dB; -1: the camera's own")] = -1.0,
           frame_rate: Annotated[float, Range(0, 1000, 1), Help("frames/s; 0: the camera's own")] = 0.0,
           pixel_format: Annotated[str, Help("e.g. Mono8, Mono16, RGB8, BayerRG8; empty: the camera's own")] = "",
           roi: Annotated[Roi | None, Help("sensor region (rectangle) the camera sends, where it has one")] = None,
           trigger: Annotated[CameraTrigger, Help("FREE: continuous; SOFTWARE: one frame per trigger "
                                                  "(button, PLC, timer); LINE0/1: hardware input")] = CameraTrigger.FREE,
           offline_image: Annotated[Path, FileParam(IMAGE_FILTER), Help("read this image instead of the camera "
                                                                        "(offline tuning, batch runs)")] = Path(""),
           ) -> CameraOut:
    """A live camera: GenICam through Aravis, USB and RTSP/HTTP through OpenCV.

    Frames reach this node from Live view while tuning (acquisition runs in its own thread, the
    window never waits for the camera), from `workbench stream` and from the operator screen; the
    acquisition settings here are applied when the camera opens. Offline, with 'offline image'
    set (or a batch run's input), it reads that file instead."""
    if offline_image is not None and str(offline_image) not in ("", "."):
        return CameraOut(read_image(offline_image, "unchanged"), 0)
    raise NodeInputError(LIVE_HINT)
