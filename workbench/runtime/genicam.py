"""GenICam cameras (GigE Vision / USB3 Vision) through Aravis, a maintained open-source GenICam
library, called through GObject introspection (PyGObject). No Qt.

    cams = discover()                       # [CameraInfo(id="Aravis-Fake-GV01", model=..., serial=...)]
    src = AravisSource("Aravis-Fake-GV01", exposure_us=2000, frame_rate=30, trigger_mode="software")

Why Aravis here (docs/CAMERAS.md has the whole story): it discovers GigE Vision and USB3 Vision
cameras itself (no vendor GenTL producer file to find), it is packaged by Debian (`gir1.2-aravis-0.8`)
and it is what Debian's camera simulator (`arv-fake-gv-camera-0.8`, package `aravis-tools`) is
tested against, so the same code path runs against a real protocol in the tests. On Windows factory
PCs the camera maker's GenTL producer with `harvesters` stays the path (``GenICamSource`` in
``sources.py``, ``genicam:PRODUCER.cti``).

PyGObject: the venv takes Debian's own ``python3-gi`` (built against the same glib and
girepository-1.0 as the Aravis typelib; nothing is compiled at setup) by importing only its ``gi``
package from the system folder, never the rest of the system's site-packages. A venv that has its
own PyGObject uses that instead.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np

from workbench.runtime.sources import (FrameSource, SourceConfigError, SourceDisconnected, SourceError,
                                       Trigger)

log = logging.getLogger(__name__)

SETUP_HINT = ("GenICam cameras need Aravis (Debian packages gir1.2-aravis-0.8 and python3-gi): "
              "run scripts/setup.sh")
SYSTEM_GI_DIRS = ("/usr/lib/python3/dist-packages",)
TRIGGER_MODES = ("free", "software", "line0", "line1", "line2", "line3")
_lock = threading.Lock()  # Aravis' device list is process-wide
_aravis = None


def _import_system_gi() -> None:
    """Import Debian's ``gi`` package alone (not the system's other packages) when its compiled
    module matches this interpreter."""
    for folder in SYSTEM_GI_DIRS:
        pkg = Path(folder) / "gi"
        if not (pkg / "__init__.py").is_file():
            continue
        if not any((pkg / f"_gi{suffix}").is_file() for suffix in importlib.machinery.EXTENSION_SUFFIXES):
            continue
        spec = importlib.util.spec_from_file_location("gi", pkg / "__init__.py",
                                                      submodule_search_locations=[str(pkg)])
        module = importlib.util.module_from_spec(spec)
        sys.modules["gi"] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules["gi"]
            raise
        return
    raise ImportError("no PyGObject (gi) for this Python")


def load_aravis():
    """The ``Aravis`` GObject module (0.8), or SourceConfigError with the setup hint."""
    global _aravis
    if _aravis is not None:
        return _aravis
    try:
        try:
            import gi
        except ImportError:
            _import_system_gi()
            import gi
        gi.require_version("Aravis", "0.8")
        from gi.repository import Aravis
    except (ImportError, ValueError) as exc:
        raise SourceConfigError(f"{SETUP_HINT} ({exc})") from None
    _aravis = Aravis
    return Aravis


@dataclass(frozen=True)
class CameraInfo:
    id: str  # what genicam:<id> and the Camera node take (vendor-model-serial, unique)
    vendor: str
    model: str
    serial: str
    address: str
    protocol: str  # GigEVision, USB3Vision

    def describe(self) -> str:
        return f"{self.id}  ({self.vendor} {self.model}, serial {self.serial}, {self.protocol} {self.address})"


def discover() -> list[CameraInfo]:
    """The GenICam cameras Aravis finds (GigE Vision broadcast ≈ 1 s, USB3 Vision)."""
    arv = load_aravis()
    with _lock:
        arv.update_device_list()
        return [CameraInfo(arv.get_device_id(i) or "", arv.get_device_vendor(i) or "", arv.get_device_model(i) or "",
                           arv.get_device_serial_nbr(i) or "", arv.get_device_address(i) or "",
                           arv.get_device_protocol(i) or "") for i in range(arv.get_n_devices())]


def parse_spec(rest: str) -> tuple[str | None, dict]:
    """``ID?exposure=2000&gain=1&fps=30&format=Mono8&roi=0,0,256,256&trigger=software`` ->
    (device id or None for the first camera, AravisSource keyword arguments)."""
    dev, _, query = rest.partition("?")
    names = {"exposure": "exposure_us", "gain": "gain", "fps": "frame_rate", "format": "pixel_format",
             "roi": "roi", "trigger": "trigger_mode", "timeout": "timeout_s"}
    kw: dict = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in names:
            raise SourceConfigError(f"genicam:{rest}: unknown option {key!r} (options: {', '.join(names)})")
        try:
            if key in ("exposure", "gain", "fps", "timeout"):
                kw[names[key]] = float(value)
            elif key == "roi":
                kw["roi"] = tuple(int(v) for v in value.split(","))
                if len(kw["roi"]) != 4:
                    raise ValueError
            else:
                kw[names[key]] = value
        except ValueError:
            raise SourceConfigError(f"genicam:{rest}: bad value for {key}: {value!r}") from None
    return (dev or None), kw


class AravisSource(FrameSource):
    """One GenICam camera through Aravis. Parameters the camera lacks are listed in ``refused``.

    Trigger modes: ``free`` (the camera's own frame rate), ``software`` (the camera takes one frame
    per ``read()``, which the runner calls once per fire of its Trigger: a button, the PLC, a timer)
    and ``lineN`` (hardware trigger input: ``read()`` waits, ``waiting`` is set meanwhile).
    A camera that stops answering raises SourceDisconnected; the runner reopens it. Frames the
    camera sent but that never arrived complete are counted in ``dropped`` (gaps in the camera's
    frame counter and incomplete buffers), never delivered twice."""

    live = True
    kind = "genicam"

    def __init__(self, device_id: str | None = None, *, exposure_us: float | None = None, gain: float | None = None,
                 frame_rate: float | None = None, pixel_format: str | None = None,
                 roi: tuple[int, int, int, int] | None = None, trigger_mode: str | None = None,
                 trigger: Trigger | None = None, rate: float | None = None, timeout_s: float = 2.0,
                 buffers: int = 8) -> None:
        super().__init__(rate=rate, trigger=trigger)
        mode = (trigger_mode or ("software" if trigger is not None else "free")).lower()
        if mode not in TRIGGER_MODES:
            raise SourceConfigError(f"unknown trigger mode {trigger_mode!r} (use {', '.join(TRIGGER_MODES)})")
        self.device_id = device_id
        self.exposure_us, self.gain, self.frame_rate = exposure_us, gain, frame_rate
        self.pixel_format, self.roi, self.trigger_mode = pixel_format, roi, mode
        self.timeout_s, self.buffers = timeout_s, max(2, buffers)
        self.refused: list[str] = []
        self.dropped = 0  # frames the camera sent that did not arrive whole
        self.connections = 0
        self.waiting = False  # hardware trigger: waiting for the line
        self.info: dict[str, str] = {}
        self.fps = 0.0
        self._cam = self._stream = None
        self._last_id: int | None = None
        self._format = "Mono8"

    def describe(self) -> str:
        return f"genicam:{self.device_id or self.info.get('id') or '(first camera)'}"

    # ------------------------------------------------------------------ open / close
    def _open(self) -> None:
        arv = load_aravis()
        from gi.repository import GLib

        try:
            with _lock:
                # the device list tells Aravis which interface reaches the camera: without it, a
                # camera opened by id answers control packets but its stream never arrives
                arv.update_device_list()
                ids = [arv.get_device_id(i) for i in range(arv.get_n_devices())]
                if self.device_id is None and not ids:
                    raise SourceError("no GenICam camera found (GigE Vision: same subnet? USB3 Vision: plugged in?)")
                cam = arv.Camera.new(self.device_id or ids[0])
        except (GLib.Error, TypeError) as exc:
            what = repr(self.device_id) if self.device_id else "(any)"
            raise SourceError(f"GenICam camera {what} not found or not answering: {_gerror(exc)}") from None
        try:
            self._configure(cam)
            stream = cam.create_stream(None, None)
            payload = cam.get_payload()
            for _ in range(self.buffers):
                stream.push_buffer(arv.Buffer.new_allocate(payload))
            cam.start_acquisition()
        except GLib.Error as exc:
            raise SourceError(f"GenICam camera {self.device_id}: cannot start: {_gerror(exc)}") from None
        self._cam, self._stream, self._last_id = cam, stream, None
        self.connections += 1

    def _configure(self, cam) -> None:
        arv = load_aravis()
        self.info = {"vendor": cam.get_vendor_name() or "", "model": cam.get_model_name() or "",
                     "serial": cam.get_device_serial_number() or ""}
        self.info["id"] = self.device_id or f"{self.info['vendor']}-{self.info['model']}-{self.info['serial']}"
        self.refused = []
        cam.set_acquisition_mode(arv.AcquisitionMode.CONTINUOUS)
        if self.pixel_format:
            offered = list(cam.dup_available_pixel_formats_as_strings() or [])
            if self.pixel_format not in offered:
                raise SourceConfigError(f"pixel format {self.pixel_format!r} is not offered by this camera "
                                        f"(offers: {', '.join(offered)})")
            cam.set_pixel_format_from_string(self.pixel_format)
        for name, value, setter in (("roi", self.roi, lambda v: cam.set_region(*v)),
                                    ("exposure", self.exposure_us, cam.set_exposure_time),
                                    ("gain", self.gain, cam.set_gain),
                                    ("frame rate", self.frame_rate, cam.set_frame_rate)):
            if value is None:
                continue
            try:
                setter(value)
            except Exception as exc:
                self.refused.append(name)
                log.warning("%s: the camera refused %s=%s: %s", self.describe(), name, value, _gerror(exc))
        if self.trigger_mode == "free":
            cam.clear_triggers()
        else:
            cam.set_trigger("Software" if self.trigger_mode == "software" else "Line" + self.trigger_mode[-1])
        self._format = cam.get_pixel_format_as_string() or "Mono8"
        self.fps = float(cam.get_frame_rate() or 0.0)

    def _close(self) -> None:
        cam, self._cam, self._stream = self._cam, None, None
        self.waiting = False
        if cam is not None:
            try:
                cam.stop_acquisition()
            except Exception as exc:  # a camera that is gone cannot be told to stop
                log.info("%s: stop: %s", self.describe(), _gerror(exc))

    # ------------------------------------------------------------------ frames
    def settings(self) -> dict:
        """What the camera runs with now (read back, not what was asked)."""
        cam = self._cam
        if cam is None:
            return {}
        x, y, w, h = cam.get_region()
        return {"exposure_us": cam.get_exposure_time(), "gain": cam.get_gain(), "frame_rate": cam.get_frame_rate(),
                "pixel_format": cam.get_pixel_format_as_string(), "roi": (x, y, w, h),
                "trigger_mode": self.trigger_mode}

    def _read(self):
        arv = load_aravis()
        from gi.repository import GLib

        if self.trigger_mode == "software":
            try:
                self._cam.software_trigger()
            except GLib.Error as exc:
                raise SourceDisconnected(f"{self.describe()}: trigger not accepted: {_gerror(exc)}") from None
        deadline = time.monotonic() + self.timeout_s
        while not self._closing.is_set():
            buf = self._stream.timeout_pop_buffer(100_000)
            if buf is None:
                if self.trigger_mode.startswith("line"):
                    self.waiting = True
                    if time.monotonic() > deadline:
                        self._check_alive()
                        deadline = time.monotonic() + self.timeout_s
                    continue
                if time.monotonic() > deadline:
                    raise SourceDisconnected(f"{self.describe()}: no frame for {self.timeout_s:g} s (disconnected?)")
                continue
            self.waiting = False
            try:
                frame = self._take(arv, buf)
            finally:
                self._stream.push_buffer(buf)
            if frame is not None:
                return frame
        return None

    def _take(self, arv, buf):
        """The frame in ``buf`` (copied out), or None for an incomplete buffer (counted as dropped)."""
        fid = int(buf.get_frame_id())
        if self._last_id is not None:
            gap = (fid - self._last_id - 1) % 65536 if fid <= 65535 and self._last_id <= 65535 \
                else fid - self._last_id - 1
            if 0 < gap < 10000:
                self.dropped += gap
        self._last_id = fid
        if buf.get_status() != arv.BufferStatus.SUCCESS:
            self.dropped += 1
            return None
        img = to_array(buf.get_data(), buf.get_image_width(), buf.get_image_height(), self._format)
        frame = self._frame(img, f"{self.describe()}#{self.index}")
        frame.frame_id = fid
        return frame

    def _check_alive(self) -> None:
        from gi.repository import GLib

        try:
            self._cam.get_frame_rate()
        except GLib.Error as exc:
            raise SourceDisconnected(f"{self.describe()}: not answering: {_gerror(exc)}") from None


def to_array(data: bytes, width: int, height: int, pixel_format: str) -> np.ndarray:
    """A GenICam buffer as an OpenCV image: Mono8/Mono16 grey, RGB8/BGR8 and Bayer*8 as BGR."""
    import cv2

    f = pixel_format.lower()
    if f in ("mono8",):
        return np.frombuffer(data, np.uint8, width * height).reshape(height, width).copy()
    if f in ("mono10", "mono12", "mono14", "mono16"):
        return np.frombuffer(data, np.uint16, width * height).reshape(height, width).copy()
    if f in ("rgb8", "rgb8packed", "bgr8", "bgr8packed"):
        img = np.frombuffer(data, np.uint8, width * height * 3).reshape(height, width, 3)
        return cv2.cvtColor(img, cv2.COLOR_RGB2BGR) if f.startswith("rgb") else img.copy()
    # GenICam names the pattern's first 2x2 cell (RGGB); OpenCV's short names are shifted by one
    # pixel, its 4-letter ones (4.5+) are not
    bayer = {"bayerrg8": cv2.COLOR_BayerRGGB2BGR, "bayergr8": cv2.COLOR_BayerGRBG2BGR,
             "bayergb8": cv2.COLOR_BayerGBRG2BGR, "bayerbg8": cv2.COLOR_BayerBGGR2BGR}
    if f in bayer:
        raw = np.frombuffer(data, np.uint8, width * height).reshape(height, width)
        return cv2.cvtColor(raw, bayer[f])
    raise SourceConfigError(f"pixel format {pixel_format} is not supported: choose Mono8, Mono16, RGB8 or Bayer*8")


def _gerror(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc)
