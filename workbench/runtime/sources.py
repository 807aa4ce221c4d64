"""Frame sources for the streaming runner: one interface for folders, video files, cameras, GenICam.

    src = open_source("folder:/data/parts", rate=5)   # or FolderSource(...), VideoSource(...), ...
    src.open()
    frame = src.read()        # a Frame, or None at the end of a finite source
    src.close()

A :class:`Frame` is (image, source_id, index, timestamp) plus ``error`` when the frame could not
be decoded (a corrupt file in a folder): the runner records an error for that frame and goes on.
``read()`` raises :class:`SourceDisconnected` when a live source (camera, stream) is lost; the
runner closes it and opens it again with back-off.

Trigger modes: ``source.trigger`` is None (free run: frames as fast as the source gives them or at
``rate``) or a :class:`Trigger`. Then the runner takes one frame per ``trigger.fire()``: call it
from code or a button (software trigger) or let the PLC reader fire it from a coil (external
trigger). Nothing here opens a network socket except a camera URL the user configured. No Qt.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.core.errors import WorkbenchError

log = logging.getLogger(__name__)

GENICAM_MISSING = "GenICam needs the 'harvesters' package and a GenTL producer file (.cti)"


class SourceError(WorkbenchError):
    """A source cannot be opened (bad folder, no camera, missing package)."""


class SourceConfigError(SourceError):
    """The source is wrongly configured (missing folder or package): retrying cannot help."""


class SourceDisconnected(SourceError):
    """A live source stopped delivering frames (camera unplugged, stream dropped)."""


@dataclass
class Frame:
    image: np.ndarray | None
    source_id: str  # the file path, or "camera:0", "rtsp://…#frame"
    index: int  # 0, 1, 2, … in the order read (across loops for a looped folder)
    timestamp: float  # time.time() when acquired
    error: str | None = None  # set (and image None) when the frame could not be read
    t_acquired: float = 0.0  # time.perf_counter() when acquired (latency is measured from here)
    frame_id: int | None = None  # the camera's own frame counter (GenICam block id), when it has one
    t_trigger: float | None = None  # time.perf_counter() of the trigger that asked for this frame

    @property
    def name(self) -> str:
        return Path(self.source_id).name if "://" not in self.source_id else self.source_id


class TriggerMode(enum.Enum):
    FREE = "free"  # as fast as the source gives frames (or at its rate)
    SOFTWARE = "software"  # one frame per Trigger.fire() from code / a button
    EXTERNAL = "external"  # one frame per Trigger.fire() from the PLC trigger coil
    TIMER = "timer"  # one frame per tick of a TimerTrigger


class Trigger:
    """Counts fires; ``wait`` consumes one. Thread-safe; fire() never blocks. Each fire's time is
    kept so that the runner can measure trigger-to-result latency (``last_fire_t`` after wait)."""

    def __init__(self, mode: TriggerMode = TriggerMode.SOFTWARE) -> None:
        self.mode = mode
        self._cond = threading.Condition()
        self._pending = 0
        self._times: deque[float] = deque(maxlen=1000)
        self.fired = 0
        self.last_fire_t: float | None = None

    def fire(self) -> None:
        with self._cond:
            self._pending += 1
            self.fired += 1
            self._times.append(time.perf_counter())
            self._cond.notify_all()

    __call__ = fire

    def wait(self, timeout: float | None = None) -> bool:
        with self._cond:
            if not self._cond.wait_for(lambda: self._pending > 0, timeout):
                return False
            self._pending -= 1
            self.last_fire_t = self._times.popleft() if self._times else None
            return True

    def start(self) -> None:
        """Called by the runner when the stream starts (a timer starts ticking)."""

    def stop(self) -> None:
        """Called by the runner when the stream ends."""

    @property
    def pending(self) -> int:
        with self._cond:
            return self._pending


class TimerTrigger(Trigger):
    """Fires every ``interval_s`` seconds from its own thread while the stream runs."""

    def __init__(self, interval_s: float) -> None:
        if not interval_s > 0:
            raise SourceConfigError("a timer trigger needs an interval above 0 s")
        super().__init__(TriggerMode.TIMER)
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._tick, name="workbench-timer-trigger", daemon=True)
        self._thread.start()

    def _tick(self) -> None:
        next_t = time.perf_counter() + self.interval_s
        while not self._stop.wait(max(0.0, next_t - time.perf_counter())):
            self.fire()
            next_t += self.interval_s

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        self._thread = None


class FrameSource:
    """Base class. Subclasses implement _open/_read/_close; ``live`` sources (cameras) may drop
    frames when processing is behind; replay sources (folder, video file) never do."""

    live = False
    kind = "source"
    incomplete = ""  # set when a finite source ended before its own end (a truncated video): why

    def __init__(self, *, rate: float | None = None, trigger: Trigger | None = None) -> None:
        self.rate = rate if rate and rate > 0 else None
        self.trigger = trigger
        self.index = 0
        self._next_t = 0.0
        self._closing = threading.Event()
        self.opened = False

    def describe(self) -> str:
        return self.kind

    def open(self) -> None:
        self._closing.clear()
        self._open()
        self.opened = True
        self._next_t = time.perf_counter()

    def read(self) -> Frame | None:
        if not self.opened:
            raise SourceConfigError(f"{self.describe()}: not open")
        if self.rate and self.trigger is None:
            delay = self._next_t - time.perf_counter()
            if delay > 0 and self._closing.wait(delay):
                return None
            self._next_t = max(self._next_t + 1.0 / self.rate, time.perf_counter() - 1.0 / self.rate)
        frame = self._read()
        if frame is not None:
            self.index += 1
        return frame

    def total(self) -> int | None:
        """How many frames the source holds (a folder's images, a video's frames); None for live."""
        return None

    def interrupt(self) -> None:
        """Wake a read waiting on the rate (it returns None); any thread may call this."""
        self._closing.set()

    def close(self) -> None:
        """Release the device/file. Call from the thread that reads (the runner does)."""
        self._closing.set()
        if self.opened:
            self.opened = False
            self._close()

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _frame(self, image, source_id: str, error: str | None = None) -> Frame:
        return Frame(image, source_id, self.index, time.time(), error, time.perf_counter())

    # subclasses
    def _open(self) -> None:
        raise NotImplementedError

    def _read(self) -> Frame | None:
        raise NotImplementedError

    def _close(self) -> None:
        pass


class FolderSource(FrameSource):
    """Image-folder replay: files in name order (natural: 2 before 10), optionally looped."""

    kind = "folder"

    def __init__(self, folder: str | Path, *, loop: bool = False, rate: float | None = None,
                 trigger: Trigger | None = None, mode: str = "unchanged") -> None:
        super().__init__(rate=rate, trigger=trigger)
        self.folder = Path(folder)
        self.loop = loop
        self.mode = mode
        self.files: list[Path] = []
        self._pos = 0

    def describe(self) -> str:
        return f"folder:{self.folder}"

    def total(self) -> int | None:
        return len(self.files) if self.opened or self.files else None

    def _open(self) -> None:
        from workbench.core.imageio import IMAGE_EXTENSIONS

        if not self.folder.is_dir():
            raise SourceConfigError(f"image folder not found: {self.folder}")
        self.files = sorted((f for f in self.folder.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS),
                            key=_natural_key)
        if not self.files:
            raise SourceConfigError(f"no image files in {self.folder} (looked for {', '.join(IMAGE_EXTENSIONS)})")
        self._pos = 0

    def _read(self) -> Frame | None:
        from workbench.core.imageio import read_image

        if self._pos >= len(self.files):
            if not self.loop:
                return None
            self._pos = 0
        path = self.files[self._pos]
        self._pos += 1
        try:
            return self._frame(read_image(path, self.mode), str(path))
        except WorkbenchError as exc:
            return self._frame(None, str(path), str(exc))


class FileListSource(FolderSource):
    """Given image files in the given order (e.g. the pipeline's own inputs), optionally looped."""

    kind = "files"

    def __init__(self, files: list[str | Path], *, loop: bool = False, rate: float | None = None,
                 trigger: Trigger | None = None, mode: str = "unchanged") -> None:
        self.given = [Path(f) for f in files]
        super().__init__(self.given[0].parent if self.given else Path("."), loop=loop, rate=rate,
                         trigger=trigger, mode=mode)

    def describe(self) -> str:
        if len(self.given) == 1:
            return f"file:{self.given[0]}"
        return f"files:{self.folder} ({len(self.given)})"

    def _open(self) -> None:
        if not self.given:
            raise SourceConfigError("no image files to read")
        missing = next((f for f in self.given if not f.is_file()), None)
        if missing is not None:
            raise SourceConfigError(f"image file not found: {missing}")
        self.files = list(self.given)
        self._pos = 0


def _natural_key(p: Path):
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name.lower())]


class VideoSource(FrameSource):
    """A video file through cv2.VideoCapture. ``realtime`` paces at the file's own frame rate.

    A frame that cannot be decoded is skipped (up to ``MAX_SKIP`` in a row: seeking past it);
    when the file ends before the frame count in its header (truncated, corrupt), ``incomplete``
    says how many frames were read of how many expected, and which were unreadable."""

    kind = "video"
    MAX_SKIP = 5

    def __init__(self, path: str | Path, *, loop: bool = False, rate: float | None = None,
                 realtime: bool = False, trigger: Trigger | None = None) -> None:
        super().__init__(rate=rate, trigger=trigger)
        self.path = Path(path)
        self.loop = loop
        self.realtime = realtime
        self._cap = None
        self.fps = 0.0
        self.frame_count = 0
        self.frames_read = 0  # decoded in this pass through the file
        self.unreadable = 0  # skipped in this pass (corrupt)
        self.incomplete = ""

    def describe(self) -> str:
        return f"video:{self.path}"

    def total(self) -> int | None:
        return self.frame_count or None

    def _open(self) -> None:
        import cv2

        if not self.path.is_file():
            raise SourceConfigError(f"video file not found: {self.path}")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open video (unsupported format or codec): {self.path.name}")
        self._cap = cap
        self.fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        self.frame_count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        if self.realtime and not self.rate and self.fps > 0:
            self.rate = self.fps
        self._pos = 0
        self.frames_read = self.unreadable = 0
        self.incomplete = ""

    def _read_next(self):
        """The next decodable frame (skipping up to MAX_SKIP corrupt ones), or None at the end."""
        import cv2

        ok, img = self._cap.read()
        skipped = 0
        while not ok and self._pos < self.frame_count and skipped < self.MAX_SKIP:
            skipped += 1  # a frame that cannot be decoded: seek past it
            self._pos += 1
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, self._pos)
            ok, img = self._cap.read()
        if not ok:
            if self.frames_read < self.frame_count:  # the file ended before its header's frame count
                self.unreadable = self.frame_count - self.frames_read
                self.incomplete = (f"video {self.path.name}: {self.frames_read} of {self.frame_count} frames "
                                   f"read; the file is truncated or corrupt ({self.unreadable} unreadable)")
                log.warning("%s", self.incomplete)
            return None
        self.unreadable += skipped
        self.frames_read += 1
        return img

    def _read(self) -> Frame | None:
        import cv2

        img = self._read_next()
        if img is None:
            if not self.loop or self.frames_read == 0 or self.incomplete:
                return None
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            self._pos = 0
            self.frames_read = self.unreadable = 0
            img = self._read_next()
            if img is None:
                return None
        self._pos += 1
        return self._frame(img, f"{self.path}#{self._pos - 1}")

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class CameraSource(FrameSource):
    """A USB camera (device index) or an RTSP/HTTP stream (URL) through cv2.VideoCapture.

    Width/height/fps/exposure are requested where the backend allows; what it refused is logged
    and listed in ``refused``. A failed read raises SourceDisconnected (the runner reconnects)."""

    live = True
    kind = "camera"

    def __init__(self, device: int | str, *, width: int | None = None, height: int | None = None,
                 fps: float | None = None, exposure: float | None = None, rate: float | None = None,
                 trigger: Trigger | None = None, backend: int | None = None) -> None:
        super().__init__(rate=rate, trigger=trigger)
        self.device = device
        self.width, self.height, self.fps, self.exposure = width, height, fps, exposure
        self.backend = backend
        self.refused: list[str] = []
        self._cap = None

    def describe(self) -> str:
        return f"camera:{self.device}" if isinstance(self.device, int) else str(self.device)

    def _open(self) -> None:
        import cv2

        cap = (cv2.VideoCapture(self.device, self.backend) if self.backend is not None
               else cv2.VideoCapture(self.device))
        if not cap.isOpened():
            cap.release()
            raise SourceError(f"cannot open {self.describe()} (not connected, in use, or wrong address)")
        self.refused = []
        for name, prop, value in (("width", cv2.CAP_PROP_FRAME_WIDTH, self.width),
                                  ("height", cv2.CAP_PROP_FRAME_HEIGHT, self.height),
                                  ("fps", cv2.CAP_PROP_FPS, self.fps),
                                  ("exposure", cv2.CAP_PROP_EXPOSURE, self.exposure)):
            if value is not None and not cap.set(prop, float(value)):
                self.refused.append(name)
                log.warning("%s: the backend refused %s=%s", self.describe(), name, value)
        self._cap = cap

    def _read(self) -> Frame | None:
        ok, img = self._cap.read()
        if not ok or img is None:
            raise SourceDisconnected(f"{self.describe()}: no frame (disconnected?)")
        return self._frame(img, f"{self.describe()}#{self.index}")

    def _close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class GenICamSource(FrameSource):
    """GigE Vision / USB3 Vision cameras through the optional ``harvesters`` package and a GenTL
    producer (.cti) file from the camera maker. Without either, open() fails with one line."""

    live = True
    kind = "genicam"

    def __init__(self, cti: str | Path | None, *, camera: int | str = 0, trigger: Trigger | None = None,
                 rate: float | None = None, timeout_s: float = 3.0) -> None:
        super().__init__(rate=rate, trigger=trigger)
        self.cti = Path(cti) if cti else None
        self.camera = camera
        self.timeout_s = timeout_s
        self._h = None
        self._ia = None

    def describe(self) -> str:
        return f"genicam:{self.camera}"

    def _open(self) -> None:
        try:
            from harvesters.core import Harvester  # optional extra
        except ImportError:
            raise SourceConfigError(GENICAM_MISSING) from None
        if self.cti is None or not self.cti.is_file():
            raise SourceConfigError(GENICAM_MISSING + (f": {self.cti} not found" if self.cti else ""))
        h = Harvester()
        h.add_file(str(self.cti))
        h.update()
        if not h.device_info_list:
            h.reset()
            raise SourceError(f"GenICam: no camera found by {self.cti.name}")
        try:
            ia = (h.create({"serial_number": self.camera}) if isinstance(self.camera, str)
                  else h.create(self.camera))
            ia.start()
        except Exception as exc:
            h.reset()
            raise SourceError(f"GenICam: cannot start camera {self.camera}: {exc}") from None
        self._h, self._ia = h, ia

    def _read(self) -> Frame | None:
        try:
            with self._ia.fetch(timeout=self.timeout_s) as buf:
                comp = buf.payload.components[0]
                img = comp.data.reshape(comp.height, comp.width, -1).copy()
        except Exception as exc:
            raise SourceDisconnected(f"GenICam camera {self.camera}: {exc}") from None
        if img.shape[2] == 1:
            img = img[:, :, 0]
        return self._frame(np.ascontiguousarray(img), f"{self.describe()}#{self.index}")

    def _close(self) -> None:
        try:
            if self._ia is not None:
                self._ia.stop()
                self._ia.destroy()
            if self._h is not None:
                self._h.reset()
        finally:
            self._ia = self._h = None


class ArraySource(FrameSource):
    """Frames from a list of arrays (tests, benchmarks, library use)."""

    kind = "arrays"

    def __init__(self, images: list[Any], *, loop: bool = False, rate: float | None = None,
                 trigger: Trigger | None = None, name: str = "array") -> None:
        super().__init__(rate=rate, trigger=trigger)
        self.images = images
        self.loop = loop
        self.name = name

    def _open(self) -> None:
        self._pos = 0

    def _read(self) -> Frame | None:
        if self._pos >= len(self.images):
            if not self.loop or not self.images:
                return None
            self._pos = 0
        img = self.images[self._pos]
        self._pos += 1
        return self._frame(img, f"{self.name}#{self._pos - 1}")


def open_source(spec: str, *, rate: float | None = None, loop: bool = False,
                trigger: Trigger | None = None, **camera: Any) -> FrameSource:
    """A source from a command-line spec: folder:DIR, video:FILE, camera:0, url:rtsp://…,
    genicam:DEVICE-ID[?exposure=…&gain=…&fps=…&format=…&roi=x,y,w,h&trigger=software|line0]
    (Aravis: discovers cameras itself; genicam: alone is the first camera) or
    genicam:PRODUCER.cti[#CAMERA] (harvesters). A bare existing folder/file also works."""
    kind, sep, rest = spec.partition(":")
    if not sep or (len(kind) == 1 and kind.isalpha()):  # no prefix, or a Windows drive letter
        p = Path(spec)
        if p.is_dir():
            kind, rest = "folder", spec
        elif p.is_file():
            kind, rest = "video", spec
        else:
            raise SourceConfigError(f"unknown source {spec!r}: use folder:DIR, video:FILE, camera:INDEX, "
                              "url:rtsp://… or genicam:DEVICE-ID")
    kind = kind.lower()
    if kind == "folder":
        return FolderSource(rest, loop=loop, rate=rate, trigger=trigger)
    if kind == "video":
        return VideoSource(rest, loop=loop, rate=rate, trigger=trigger)
    if kind == "camera":
        try:
            index = int(rest)
        except ValueError:
            raise SourceConfigError(f"camera:{rest}: expected a device index such as camera:0") from None
        return CameraSource(index, rate=rate, trigger=trigger, **camera)
    if kind == "url":
        if not rest.lower().startswith(("rtsp://", "http://", "https://", "rtmp://", "udp://")):
            raise SourceConfigError(f"url:{rest}: expected rtsp://, http:// or https://")
        return CameraSource(rest, rate=rate, trigger=trigger, **camera)
    if kind in ("rtsp", "http", "https"):
        return CameraSource(spec, rate=rate, trigger=trigger, **camera)
    if kind == "genicam":
        cti, _, cam = rest.partition("#")
        if cti.lower().endswith(".cti"):  # a vendor's GenTL producer, through harvesters
            return GenICamSource(cti, camera=int(cam) if cam.isdigit() else (cam or 0), trigger=trigger, rate=rate)
        from workbench.runtime.genicam import AravisSource, parse_spec

        device, options = parse_spec(rest)
        return AravisSource(device, trigger=trigger, rate=rate, **options)
    raise SourceConfigError(f"unknown source kind {kind!r}: use folder:, video:, camera:, url: or genicam:")
