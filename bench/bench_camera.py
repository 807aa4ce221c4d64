"""GenICam acquisition rate and trigger-to-result latency against Debian's GigE Vision simulator.

    .venv/bin/python bench/bench_camera.py            # rewrites the <!-- camera --> section of docs/PERFORMANCE.md
    .venv/bin/python bench/bench_camera.py --quick    # fewer frames, prints only

The camera: `arv-fake-gv-camera-0.8 -i 127.0.0.1` (package aravis-tools), started and stopped here.

1. Acquisition rate, free run, at the frame rates asked of the camera (--rates): frames per second
   delivered by ``AravisSource.read`` (our back end: buffer pop, frame-id bookkeeping, copy into a
   numpy image) against a hand-written baseline measured in the same run, right before it: a bare
   Aravis loop (``timeout_pop_buffer`` / ``push_buffer``, no copy). Ratio = ours / bare.
2. Trigger-to-result latency: a ``StreamRunner`` with the camera in software-trigger mode running
   a small pipeline (Otsu threshold, blob analysis, count, judge on the 512×512 frame); one
   ``Trigger.fire()`` at a time, the next after the result arrived; the runner records the
   latency from the fire to the result (``StreamResult.trigger_ms``). Baseline, in the same run: a
   bare Aravis loop, ``software_trigger()`` then ``timeout_pop_buffer`` (trigger to frame only, no
   pipeline). Difference = ours − bare (the runner's threads plus the pipeline); the pipeline's own
   time (``process_ms``) is given beside it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DOC = ROOT / "docs" / "PERFORMANCE.md"

from workbench.runtime.genicam import AravisSource, load_aravis  # noqa: E402
from workbench.runtime.sources import Trigger  # noqa: E402
from workbench.runtime.stream import StreamRunner  # noqa: E402

from _harness import load_line, machine, write_section  # noqa: E402

SERIAL = "BENCH16"
DEVICE = f"Aravis-Fake-{SERIAL}"


def start_camera() -> subprocess.Popen:
    exe = shutil.which("arv-fake-gv-camera-0.8")
    if exe is None:
        sys.exit("arv-fake-gv-camera-0.8 not found: run scripts/setup.sh")
    proc = subprocess.Popen([exe, "-i", "127.0.0.1", "-s", SERIAL], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    arv = load_aravis()
    for _ in range(50):
        arv.update_device_list()
        if any(arv.get_device_id(i) == DEVICE for i in range(arv.get_n_devices())):
            return proc
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    sys.exit("the simulator did not come up (is another one running on 127.0.0.1?)")


def bare_free_run(rate: float, frames: int) -> float:
    """Baseline: fps of a bare Aravis loop (no copy, no bookkeeping)."""
    arv = load_aravis()
    arv.update_device_list()
    cam = arv.Camera.new(DEVICE)
    cam.set_pixel_format_from_string("Mono8")
    cam.set_region(0, 0, 512, 512)
    cam.clear_triggers()
    cam.set_frame_rate(rate)
    stream = cam.create_stream(None, None)
    for _ in range(8):
        stream.push_buffer(arv.Buffer.new_allocate(cam.get_payload()))
    cam.start_acquisition()
    stream.push_buffer(stream.timeout_pop_buffer(2_000_000))  # first frame: start-up excluded
    t0 = time.perf_counter()
    for _ in range(frames):
        buf = stream.timeout_pop_buffer(2_000_000)
        stream.push_buffer(buf)
    dt = time.perf_counter() - t0
    cam.stop_acquisition()
    return frames / dt


def ours_free_run(rate: float, frames: int) -> tuple[float, int]:
    with AravisSource(DEVICE, frame_rate=rate, pixel_format="Mono8", roi=(0, 0, 512, 512)) as src:
        src.read()
        t0 = time.perf_counter()
        for _ in range(frames):
            src.read()
        dt = time.perf_counter() - t0
        return frames / dt, src.dropped


def bare_trigger(n: int) -> list[float]:
    arv = load_aravis()
    arv.update_device_list()
    cam = arv.Camera.new(DEVICE)
    cam.set_trigger("Software")
    stream = cam.create_stream(None, None)
    for _ in range(4):
        stream.push_buffer(arv.Buffer.new_allocate(cam.get_payload()))
    cam.start_acquisition()
    out = []
    for _ in range(n + 1):
        t0 = time.perf_counter()
        cam.software_trigger()
        buf = stream.timeout_pop_buffer(2_000_000)
        out.append((time.perf_counter() - t0) * 1000)
        stream.push_buffer(buf)
        time.sleep(0.02)
    cam.stop_acquisition()
    return out[1:]


def pipeline():
    from workbench.core.graph import Pipeline
    from workbench.core.registry import default_registry

    p = Pipeline(default_registry())
    for nid, typ, params in (("src", "io.image_file", {}), ("thr", "cv.threshold", {}),
                             ("blobs", "cv.blob_analysis", {}), ("count", "cv.count", {"name": "n"}),
                             ("judge", "cv.judge", {"measurement": "n", "rule": "AT_LEAST", "low": 0.0})):
        p.add_node(typ, nid, params)
    p.connect("src", "image", "thr", "image")
    p.connect("thr", "out", "blobs", "mask")
    p.connect("blobs", "regions", "count", "regions")
    p.connect("count", "measurements", "judge", "measurements")
    return p


def ours_trigger(n: int) -> tuple[list[float], list[float]]:
    results = []
    trigger = Trigger()
    src = AravisSource(DEVICE, trigger=trigger, pixel_format="Mono8", roi=(0, 0, 512, 512))
    with StreamRunner(pipeline(), src, on_result=results.append) as runner:
        while runner.state != "running":
            time.sleep(0.01)
        for i in range(n + 1):
            trigger.fire()
            while len(results) <= i:
                time.sleep(0.0005)
            time.sleep(0.02)
    return [r.trigger_ms for r in results[1:]], [r.process_ms for r in results[1:]]


def med(v) -> float:
    return statistics.median(v)


def p95(v) -> float:
    s = sorted(v)
    return s[min(len(s) - 1, int(0.95 * len(s)))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--triggers", type=int, default=100)
    ap.add_argument("--rates", default="25,100")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.frames, args.triggers = 40, 20
    rates = [float(r) for r in args.rates.split(",")]
    load_before = load_line()
    proc = start_camera()
    try:
        acq = []
        for rate in rates:
            bare = bare_free_run(rate, args.frames)
            ours, dropped = ours_free_run(rate, args.frames)
            acq.append((rate, bare, ours, dropped))
            print(f"free run at {rate:g} fps asked: ours {ours:.2f} fps, bare Aravis {bare:.2f} fps, "
                  f"ratio {ours / bare:.3f}, dropped {dropped}")
        bare_t = bare_trigger(args.triggers)
        ours_t, proc_ms = ours_trigger(args.triggers)
        print(f"trigger to result: median {med(ours_t):.2f} ms (p95 {p95(ours_t):.2f}); bare trigger to frame "
              f"median {med(bare_t):.2f} ms (p95 {p95(bare_t):.2f}); pipeline median {med(proc_ms):.2f} ms")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    if args.quick:
        return 0
    mach = "; ".join(f"{k} {v}" for k, v in machine({"Aravis": "0.8 (Debian gir1.2-aravis-0.8)"}).items())
    rows = "\n".join(f"| {r:g} | {o:.2f} | {b:.2f} | **{o / b:.3f}** | {d} |" for r, b, o, d in acq)
    text = f"""<!-- camera -->
## GenICam camera (bench/bench_camera.py)

```
.venv/bin/python bench/bench_camera.py            # rewrites this section only
.venv/bin/python bench/bench_camera.py --quick    # prints only
```

Against Debian's GigE Vision simulator `arv-fake-gv-camera-0.8 -i 127.0.0.1` (512×512 Mono8 over
GVCP/GVSP on loopback), through the same code path as a real camera (workbench/runtime/genicam.py).
Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `bench/bench_camera.py --frames {args.frames}
--triggers {args.triggers} --rates {args.rates}`; {mach}. Load before: {load_before}; after: {load_line()}.

**Acquisition rate** (free run, {args.frames} frames after the first): `AravisSource.read` against a bare
Aravis pop/push loop measured just before it in the same run (the hand-written baseline).

| Frame rate asked (fps) | Ours (fps) | Bare Aravis (fps) | Ratio | Dropped (frame-id gaps) |
|---|---|---|---|---|
{rows}

**Trigger-to-result latency** (software trigger, {args.triggers} triggers one at a time, 20 ms apart):
from `Trigger.fire()` to the `StreamRunner`'s result for that frame (threshold, blob analysis, count,
judge on 512×512), as recorded per frame in `StreamResult.trigger_ms`; baseline: a bare Aravis
`software_trigger()` → `timeout_pop_buffer` loop (trigger to frame, no pipeline) in the same run.

| | Median (ms) | p95 (ms) |
|---|---|---|
| Trigger → result (runner, pipeline included) | **{med(ours_t):.2f}** | {p95(ours_t):.2f} |
| Bare Aravis trigger → frame (baseline) | {med(bare_t):.2f} | {p95(bare_t):.2f} |
| Difference (runner threads + pipeline) | {med(ours_t) - med(bare_t):.2f} | |
| Pipeline alone (`process_ms`) | {med(proc_ms):.2f} | {p95(proc_ms):.2f} |

The simulator's frame rate is a timer in its own process: the acquisition rate is what it sends,
and the ratio shows what our back end costs on top of Aravis (a copy of each frame out of the
buffer, so that buffers go back to the camera at once): a few per cent at most on this loaded
2-core machine. The
simulator answers a software trigger on its own timer (its 10 ms default exposure included), so
its trigger-to-frame time varies by more than the runner's threads and the ~3 ms pipeline add: the
difference of the medians is within that spread. On a real camera, expect exposure + readout +
transfer (GigE: ≈ 2.5 ms for 256 kB at 1 Gb/s) + the pipeline.
<!-- /camera -->"""
    write_section(DOC, "camera", text)
    print(f"wrote the camera section of {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
