from pathlib import Path
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import file_state, node
from workbench.core.types import Float, Image, Int

VIDEO_FILTER = "Videos (*.avi *.mp4 *.mov *.mkv *.m4v *.mpg *.mpeg *.wmv)"


class VideoFileOut(NamedTuple):
    image: Image
    frame_count: Int
    fps: Float



@node("io.video_file", name="Video File", category="Sources", cache_extra=file_state("path"),
      set_input=lambda path: {"path": str(path), "frame": 0},
      list_inputs=lambda params, ctx: [ctx.resolve(params["path"])] if params["path"] else [],
      frame_outputs={"image": "image", "frame_count": "count", "fps": "fps"})
def video_file(path: Annotated[Path, FileParam(VIDEO_FILTER)] = Path(""),
               frame: Annotated[int, Range(0, 100_000_000, 1), Help("index of the frame to read, from 0")] = 0
               ) -> VideoFileOut:
    """Reads one frame (by index) of a video file, with the video's frame count and frame rate."""
    if path is None or str(path) in ("", "."):
        raise ValueError("no video file chosen")
    path = Path(path)
    if not path.is_file():
        raise NodeInputError(f"video not found: {path}")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise NodeInputError(f"cannot open {path.name} as a video (unsupported codec or not a video)")
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if count > 0 and frame >= count:
            raise NodeInputError(f"frame {frame} is out of range: {path.name} has {count} frames (0..{count - 1})")
        if frame > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, img = cap.read()
        if not ok or img is None:
            raise NodeInputError(f"cannot read frame {frame} of {path.name}")
    finally:
        cap.release()
    if img.ndim == 3 and img.shape[2] == 4:
        img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    return VideoFileOut(np.ascontiguousarray(img), max(count, 0), fps)
