"""INT8 quantization of a shipped model: the PP-OCR v4 text recogniser (models/ppocr), FP32 vs INT8 on this CPU.

    .venv/bin/python bench/bench_quantize.py            # full run, rewrites its section of docs/PERFORMANCE.md
    .venv/bin/python bench/bench_quantize.py --quick    # smoke check: fewer images, writes nothing

What is measured: `workbench model quantize` (workbench.inference.quantize.quantize_model, the same code) on
the recogniser, calibrated on one set of text-line images and compared on another (held out):

* text lines: real ones, cut from scikit-image's `page` (a scanned book page) and `text` (a photo of signs)
  by the app's own PP-OCR text detector (crop_quad, as dl.ocr does), and rendered ones (Pillow, the DejaVu
  fonts when the system has them, else Pillow's own font; 18-40 px, dark on light, Gaussian noise σ 6):
  part numbers, lot codes, dates, words. Every 2nd real line and every 3rd rendered line are held out.
* speed: the INT8/FP32 ratio of the run stage, both models on the same held-out tensors, run back to back
  per image (repeats 5, median per image, summed): the FP32 model is the hand-written baseline, measured
  in the same run on the same session settings (intra-op threads = the app's, inter-op 1).
* agreement: the fraction of held-out lines whose INT8 text equals the FP32 text exactly; also with
  leading/trailing spaces ignored, the character error rate of INT8 against FP32 (edit distance ÷ length),
  and, for the rendered lines, how often each model reads exactly the text that was drawn.

Targets (issue #14): ratio ≤ 0.6 with text agreement ≥ 99 %.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import random
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _harness import load_line, write_section  # noqa: E402

from workbench.inference.adapters import Adapter  # noqa: E402
from workbench.inference.model import model_info  # noqa: E402
from workbench.inference.sidecar import load_config  # noqa: E402

REC = ROOT / "models" / "ppocr" / "ch_PP-OCRv4_rec_infer.onnx"
DET = ROOT / "models" / "ppocr" / "ch_PP-OCRv4_det_infer.onnx"
WORDS = ("LOT BATCH EXP MFG SERIAL No. 2026-12-06 A1B2C3 Quality OK NG inspection pressure 350 bar Made in Germany "
         "0123456789 gear shaft bearing valve 24V DC max 1.5A Ref: 77-4410-02 QC-PASS 12/2027 P/N 4411-A "
         "x0.25mm Rev.C ACME Sensor Unit").split()


def real_lines(out: Path) -> list[Path]:
    from skimage import data

    from workbench.inference.ocr import OcrParams, crop_quad, detect_text, normalize_image, to_bgr3
    from workbench.inference.sessions import Device, load_model

    det, p, files = load_model(DET, Device.CPU), OcrParams(), []
    for name in ("page", "text"):
        img, *_ = normalize_image(to_bgr3(getattr(data, name)()), p)
        for i, q in enumerate(detect_text(img, det, p)[0]):
            crop = crop_quad(img, q)
            if crop.shape[0] >= 8 and crop.shape[1] >= 16:
                files.append(out / f"real_{name}_{i:03d}.png")
                cv2.imwrite(str(files[-1]), crop)
    return files


TRUTH: dict[str, str] = {}  # rendered file name -> the text drawn


def rendered_lines(out: Path, n: int) -> list[Path]:
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(0)
    fonts = sorted(Path("/usr/share/fonts/truetype/dejavu").glob("DejaVu*.ttf"))
    files = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
        size = rng.randint(18, 40)
        font = ImageFont.truetype(str(rng.choice(fonts)), size) if fonts else ImageFont.load_default(size=size)
        left, top, right, bottom = font.getbbox(text)
        im = Image.new("L", (right - left + 16, bottom - top + 12), rng.randint(200, 255))
        ImageDraw.Draw(im).text((8 - left, 6 - top), text, fill=rng.randint(0, 60), font=font)
        a = np.asarray(im, np.float32) + np.random.default_rng(i).normal(0, 6, (im.height, im.width))
        files.append(out / f"render_{i:03d}.png")
        TRUTH[files[-1].name] = text
        cv2.imwrite(str(files[-1]), np.clip(a, 0, 255).astype(np.uint8))
    return files


def split(root: Path, rendered: int) -> tuple[Path, Path, int, int]:
    src, calib, held = root / "all", root / "calib", root / "held"
    for d in (src, calib, held):
        d.mkdir()
    real, ren = real_lines(src), rendered_lines(src, rendered)
    for i, f in enumerate(real):
        f.rename((held if i % 2 else calib) / f.name)
    for i, f in enumerate(ren):
        f.rename((held if i % 3 == 2 else calib) / f.name)
    return calib, held, len(real), len(ren)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def texts(model: Path, adapter: Adapter, files: list[Path]) -> list[str]:
    from workbench.inference.sessions import Device, load_model

    m = load_model(model, Device.CPU)
    out = []
    for f in files:
        x, ctx = adapter.prepare(cv2.imread(str(f)))
        out.append(adapter.decode(m.run({adapter.input_name: x}), ctx))
    return out


def section(res, extra: dict, args) -> str:
    ok = res.ratio <= 0.6 and res.agreement >= 0.99
    lines = [
        "<!-- quantize -->",
        "## INT8 quantization (bench/bench_quantize.py)",
        "",
        f"Measured {_dt.date.today().isoformat()} on this machine ({load_line()}); `workbench model quantize` on the "
        f"shipped PP-OCR v4 recogniser (`{REC.name}`, {res.size_in / 1e6:.1f} MB), onnxruntime "
        f"{extra['ort']}, {extra['threads']} intra-op thread(s).",
        "",
        f"- Calibration: {res.calib_images} text lines ({extra['calib_real']} real + {extra['calib_rendered']} "
        f"rendered); held out: {res.eval_images} lines ({extra['held_real']} real from skimage `page`/`text`, "
        f"{extra['held_rendered']} rendered).",
        f"- Method: {res.method}.",
        "",
        "| figure | measured | target |",
        "|---|---|---|",
        f"| INT8 ÷ FP32 latency (run stage, CPU; FP32 {res.fp32_ms:.1f} ms, INT8 {res.quant_ms:.1f} ms per line) "
        f"| **{res.ratio:.2f}** | ≤ 0.6 |",
        f"| text agreement (INT8 text = FP32 text) | **{res.agreement * 100:.1f} %** | ≥ 99 % |",
        f"| agreement ignoring leading/trailing spaces | {extra['strip'] * 100:.1f} % | |",
        f"| character error rate of INT8 against FP32 | {extra['cer'] * 100:.2f} % | |",
        f"| rendered lines read right (= the drawn text, ends stripped): FP32 / INT8 | "
        f"{extra['truth_fp32'] * 100:.1f} % / {extra['truth_int8'] * 100:.1f} % | |",
        f"| model size | {res.size_in / 1e6:.1f} MB → {res.size_out / 1e6:.1f} MB | |",
        "",
        f"Target {'met' if ok else 'NOT met'}. "
        + ("" if ok else "INT8 static QDQ loses text on this recogniser (CTC over 6,625 classes: a small shift in "
                         "the space/blank scores drops or adds spaces at the ends of a line, and look-alike "
                         "glyphs (0/O, 1/I) swap, in both directions: see the accuracy on the drawn text). "
                         "Keep the FP32 recogniser for reading; `workbench model quantize` reports this agreement for any model, "
                         "so a user sees the cost before deploying an INT8 copy."),
        "",
        "Exploration on the same kind of lines (83 held out, before the script; ratio noisy on the shared 2-core "
        "machine): every operator quantized (QDQ around Add/Mul too) 47 % agreement, ratio 0.79; Conv only 70 %, "
        "0.74; Conv+MatMul with the first and last kept FP32 (the default now) 73 %, 0.73; Conv only, first/last "
        "FP32 72 %, 0.65; percentile calibration 75 %, 0.70; dynamic INT8 on Conv (ConvInteger) 1 %, 3.9 × slower; "
        "also keeping the 8 / 20 most sensitive Conv/MatMul nodes FP32 (lowest SQNR of their quantized input, "
        "onnxruntime's qdq_loss_debug) 73 % / 66 %, ratio 0.87 / 0.79: the error builds up along the backbone "
        "(FP32-vs-INT8 SQNR 2.5-3 dB at the sequence neck) rather than sitting in a few layers.",
        "<!-- /quantize -->",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--calibration", default="minmax", choices=["minmax", "percentile", "entropy"])
    ap.add_argument("--doc", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    args = ap.parse_args()
    if not REC.is_file():
        print(f"{REC} missing: run `workbench models` first", file=sys.stderr)
        return 2
    import onnxruntime as ort

    from workbench.inference.quantize import quantize_model
    from workbench.inference.sessions import ort_threads

    with tempfile.TemporaryDirectory(prefix="bench-quant-") as tmp:
        root = Path(tmp)
        calib, held, n_real, n_ren = split(root, 30 if args.quick else 150)
        out = root / "rec.int8.onnx"
        res = quantize_model(REC, out, calib, held, "int8", repeats=2 if args.quick else 5,
                             calibration=args.calibration,
                             progress=lambda s, d, t: print(f"\r{s} {d}/{t}   ", end="", file=sys.stderr))
        print(file=sys.stderr)
        info = model_info(REC)
        ad = Adapter(info, load_config(REC, info))
        files = sorted(held.iterdir())
        a, b = texts(REC, ad, files), texts(out, ad, files)
        extra = {"ort": ort.__version__, "threads": ort_threads(),
                 "calib_real": len(list(calib.glob("real_*"))), "calib_rendered": len(list(calib.glob("render_*"))),
                 "held_real": len(list(held.glob("real_*"))), "held_rendered": len(list(held.glob("render_*"))),
                 "strip": float(np.mean([x.strip() == y.strip() for x, y in zip(a, b)])),
                 "cer": sum(edit_distance(x, y) for x, y in zip(a, b)) / max(1, sum(len(x) for x in a))}
        truth = [(TRUTH[f.name], x.strip(), y.strip()) for f, x, y in zip(files, a, b) if f.name in TRUTH]
        extra["truth_fp32"] = float(np.mean([t == x for t, x, _ in truth])) if truth else 0.0
        extra["truth_int8"] = float(np.mean([t == y for t, _, y in truth])) if truth else 0.0
        text = section(res, extra, args)
        print(text)
        for x, y in zip(a, b):
            if x != y:
                print(f"  FP32 {x!r}\n  INT8 {y!r}", file=sys.stderr)
    if not args.quick:
        write_section(args.doc, "quantize", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
