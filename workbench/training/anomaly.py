"""Anomaly detection taught from good images (PatchCore-style), exported as one ONNX model + sidecar.

Features: MobileNetV2 (ImageNet) blocks 6 (stride 8, 32 channels, weighted ×5) and 13 (stride 16, 96
channels), each averaged over its 3×3 neighbourhood, block 13 upsampled to block 6's grid and concatenated: a 128-value
feature per 8×8-pixel patch (a 32×32 grid for a 256² input). The memory bank is a greedy k-centre coreset
of the training patches. The exported model computes, inside ONNX, each patch's distance to its nearest
bank row (‖x‖² + min(−2x·Bᵀ + ‖B‖²), a MatMul and a ReduceMin against the bank as a constant), smooths
the map (Gaussian, σ = 1 patch) and outputs ``anomaly_map`` [1, 1, h, w] and ``score`` (its maximum).

Threshold: a fixed-seed ``holdout`` share of the good images is kept out of the bank and scored by the
exported model. Without bad images the threshold is the mean + 4 standard deviations of those scores, and at
least 1.05 × their maximum. With bad images it is the cut between the sorted scores that maximises
TPR − FPR (Youden), placed halfway between the good and the bad score on either side of it. The sidecar's
min/max put the threshold at 0.5 and the median held-out good score at 0 on the node's scale; its
``uncertain`` band [T1, T2] (normalised) is where the verdict is not confident.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.inference.preprocess import Preprocess, ResizeMode, Scaling, preprocess
from workbench.inference.sidecar import ModelConfig, sidecar_path
from workbench.training import common
from workbench.training import onnxproto as P
from workbench.training.backbone import require_backbone
from workbench.training.common import Job
from workbench.training.onnxgraph import Graph, float_output, image_input, needed_part

FEATURES = 128
BANK = "memory_bank_t"  # the initializer name of −2·Bᵀ; its twin BANK_NORM holds ‖B‖²
BANK_NORM = "memory_bank_norm"
FINE_WEIGHT = 5.0  # block 6 (stride 8) features weigh 5x in the distance: thin scratches, small chips
PAD = 32  # reflect margin (pixels): border patches then look like inner ones, not like zero padding


@dataclass
class AnomalyOptions:
    size: int = 256  # square model input
    coreset: float = 0.10  # share of the training patches kept in the bank
    max_bank: int = 16384  # at most this many rows
    holdout: float = 0.2  # share of the good images kept out of the bank, to set the threshold
    seed: int = 0
    threads: int = 0  # onnxruntime threads (0: its default)


def preprocessing(size: int) -> Preprocess:
    return Preprocess(resize=ResizeMode.STRETCH, width=size, height=size, scaling=Scaling.IMAGENET)


def _patch_head(g: Graph) -> str:
    """block6 + block13 → patches [h·w, 128] (named 'patches'); also names 'grid' = [h, w]. The image was
    reflect-padded by PAD pixels: the patches of that margin are cut off again."""
    p6 = g.op("Mul", [g.op("AveragePool", ["block6"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0),
                      g.const(np.float32(FINE_WEIGHT))])
    p13 = g.op("AveragePool", ["block13"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0)
    s6, s13 = g.op("Shape", [p6]), g.op("Shape", [p13])
    full = g.op("Slice", [s6, g.const(np.array([2], np.int64)), g.const(np.array([4], np.int64))])
    nc = g.op("Slice", [s13, g.const(np.array([0], np.int64)), g.const(np.array([2], np.int64))])
    sizes = g.op("Concat", [nc, full], axis=0)
    up = g.op("Resize", [p13, "", "", sizes], mode="linear", coordinate_transformation_mode="half_pixel")
    cat = g.op("Concat", [p6, up], axis=1)
    m = PAD // 8
    cut = g.op("Slice", [cat, g.const(np.array([m, m], np.int64)), g.const(np.array([-m, -m], np.int64)),
                         g.const(np.array([2, 3], np.int64))])
    g.op("Slice", [g.op("Shape", [cut]), g.const(np.array([2], np.int64)), g.const(np.array([4], np.int64))], "grid")
    t = g.op("Transpose", [cut], perm=[0, 2, 3, 1])
    return g.op("Reshape", [t, g.const(np.array([-1, FEATURES], np.int64))], "patches")


def _gauss_kernel(sigma: float = 1.0, radius: int = 2) -> np.ndarray:
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    k = np.exp(-x ** 2 / (2 * sigma ** 2))
    k2 = np.outer(k, k)
    return (k2 / k2.sum()).astype(np.float32)[None, None]


def _knn_head(g: Graph, patches: str, bank: np.ndarray) -> None:
    bank = np.asarray(bank, np.float32)
    g.inits.append(P.tensor(np.ascontiguousarray(-2.0 * bank.T), BANK))
    g.inits.append(P.tensor((bank * bank).sum(1)[None].astype(np.float32), BANK_NORM))
    x2 = g.op("ReduceSumSquare", [patches], axes=[1], keepdims=1)
    cross = g.op("Add", [g.op("MatMul", [patches, BANK]), BANK_NORM])
    d2 = g.op("Add", [x2, g.op("ReduceMin", [cross], axes=[1], keepdims=1)])
    d = g.op("Sqrt", [g.op("Max", [d2, g.const(np.float32(0.0))])])
    shape = g.op("Concat", [g.const(np.array([1, 1], np.int64)), "grid"], axis=0)
    amap = g.op("Reshape", [d, shape])
    padded = g.op("Pad", [amap, g.const(np.array([0, 0, 2, 2, 0, 0, 2, 2], np.int64))], mode="reflect")
    smooth = g.op("Conv", [padded, g.const(_gauss_kernel(), "gauss")], "anomaly_map", kernel_shape=[5, 5])
    g.op("ReduceMax", [smooth], "score", axes=[2, 3], keepdims=0)


def build_model(backbone, bank: np.ndarray | None, size: int):
    """bank None: the patch-feature extractor (output 'patches'); else the anomaly model."""
    nodes, inits = needed_part(backbone, ["block6", "block13"])
    g = Graph()
    g.op("Pad", ["image", g.const(np.array([0, 0, PAD, PAD, 0, 0, PAD, PAD], np.int64))], "image_padded",
         mode="reflect")
    for n in nodes:  # the backbone reads the padded image
        n = P.NodeProto.FromString(n.SerializeToString())
        n.input[:] = ["image_padded" if i == "image" else i for i in n.input]
        g.nodes.append(n)
    g.inits.extend(inits)
    patches = _patch_head(g)
    if bank is None:
        return g.model([image_input(height=size, width=size, batch=1)], [float_output(patches, ["P", FEATURES])])
    _knn_head(g, patches, bank)
    h = size // 8
    return g.model([image_input(height=size, width=size, batch=1)],
                   [float_output("anomaly_map", [1, 1, h, h]), float_output("score", [1, 1])],
                   doc="Vision Workbench anomaly model (PatchCore-style, MobileNetV2 features)",
                   metadata={"task": "anomaly", "license": "BSD-3-Clause (backbone weights)"})


def greedy_coreset(x: np.ndarray, n: int, job: Job, seed: int = 0, proj: int = 64) -> np.ndarray:
    """Indices of ``n`` rows chosen by greedy k-centre (each next row the farthest from those chosen), on a
    fixed random projection to ``proj`` dimensions (distances preserved, Johnson-Lindenstrauss)."""
    if n >= len(x):
        return np.arange(len(x))
    rng = np.random.default_rng(seed)
    if x.shape[1] > proj:
        x = x @ (rng.standard_normal((x.shape[1], proj)).astype(np.float32) / np.sqrt(proj))
    x = np.ascontiguousarray(x, np.float32)
    norms = np.einsum("ij,ij->i", x, x)
    chosen = np.empty(n, np.int64)
    chosen[0] = int(rng.integers(len(x)))
    mind = norms + norms[chosen[0]] - 2 * (x @ x[chosen[0]])
    every = max(1, n // 100)
    for i in range(1, n):
        if i % every == 0:
            job.step("selecting the memory bank", i, n)
        c = int(np.argmax(mind))
        chosen[i] = c
        np.minimum(mind, norms + norms[c] - 2 * (x @ x[c]), out=mind)
    return np.sort(chosen)


def run_patches(sess, images: list[np.ndarray], size: int, job: Job, stage: str) -> list[np.ndarray]:
    pp, out = preprocessing(size), []
    for i, img in enumerate(images):
        job.step(stage, i, len(images))
        x, _ = preprocess(img, pp, (size, size))
        out.append(sess.run(None, {"image": x})[0])
    return out


def score_images(sess, images: list[np.ndarray], size: int, job: Job, stage: str) -> tuple[np.ndarray, list]:
    """Raw scores and maps from the exported model, pre-processed as the dl.anomaly node does."""
    pp, scores, maps = preprocessing(size), [], []
    for i, img in enumerate(images):
        job.step(stage, i, len(images))
        x, _ = preprocess(img, pp, (size, size))
        amap, score = sess.run(["anomaly_map", "score"], {"image": x})
        scores.append(float(score.reshape(-1)[0]))
        maps.append(amap[0, 0])
    return np.array(scores, np.float64), maps


def choose_threshold(good: np.ndarray, bad: np.ndarray) -> tuple[float, str]:
    if bad.size:
        vals = np.unique(np.concatenate([good, bad]))
        best, cut = -2.0, float(vals[-1])
        for lo, hi in zip(vals[:-1], vals[1:]):
            t = (lo + hi) / 2
            j = (bad >= t).mean() - (good >= t).mean()
            if j > best:
                best, cut = j, t
        return float(cut), "Youden cut between good and bad held-out scores"
    t = max(good.mean() + 4 * good.std(), 1.05 * good.max())
    return float(t), "mean + 4 SD of held-out good scores, at least 1.05 x their maximum"


def calibration(good: np.ndarray, bad: np.ndarray) -> dict:
    t, how = choose_threshold(good, bad)
    lo = float(np.median(good))
    if t <= lo:
        lo = t * 0.5
    hi = lo + 2 * (t - lo)
    norm = lambda v: float(np.clip((v - t) / (hi - lo) + 0.5, 0, 1))  # noqa: E731
    t1 = norm(float(good.max())) if good.max() < t else 0.45
    t2 = norm(float(bad[bad >= t].min())) if bad.size and (bad >= t).any() else min(1.0, 1.0 - t1 + 0.0)
    t2 = max(t2, 0.5)
    return {"threshold": t, "min": lo, "max": hi, "threshold_rule": how,
            "uncertain": [round(min(t1, 0.5), 4), round(t2, 4)]}


def train_anomaly(good_dir: Path, output: Path, bad_dir: Path | None = None, opts: AnomalyOptions | None = None,
                  job: Job | None = None, backbone: Path | None = None) -> dict:
    """Train, export MODEL.onnx + sidecar + MODEL.report.json (all or nothing). Returns the report."""
    opts, job = opts or AnomalyOptions(), job or Job()
    output = common.check_output(output)
    t0 = time.perf_counter()
    good_paths = common.images_in(good_dir, "good images")
    bad_paths = common.images_in(bad_dir, "bad images") if bad_dir else []
    if len(good_paths) < 3:
        raise WorkbenchError(f"at least 3 good images are needed, {good_dir} holds {len(good_paths)}")
    if not 0 < opts.coreset <= 1:
        raise WorkbenchError(f"coreset share must be in (0, 1], got {opts.coreset}")
    if opts.size % 32 or not 64 <= opts.size <= 1024:
        raise WorkbenchError(f"size must be a multiple of 32 between 64 and 1024, got {opts.size}")
    bb = P.load(require_backbone(backbone.parent if backbone else None))
    train_i, val_i = common.split_indices(len(good_paths), opts.holdout, opts.seed, minimum=2)
    good = common.load_all(good_paths, job, "reading good images")
    bad = common.load_all(bad_paths, job, "reading bad images") if bad_paths else []
    extractor = common.session(build_model(bb, None, opts.size).SerializeToString(), opts.threads)
    feats = np.concatenate(run_patches(extractor, [good[i] for i in train_i], opts.size, job, "extracting features"))
    n_bank = min(opts.max_bank, max(1, int(round(len(feats) * opts.coreset))))
    t_feat = time.perf_counter()
    bank = feats[greedy_coreset(feats, n_bank, job, opts.seed)]
    model = build_model(bb, bank, opts.size)
    data = model.SerializeToString()
    t_train = time.perf_counter() - t0
    sess = common.session(data, opts.threads)
    t1 = time.perf_counter()
    s_good, _ = score_images(sess, [good[i] for i in val_i], opts.size, job, "scoring held-out good images")
    s_bad, _ = score_images(sess, bad, opts.size, job, "scoring bad images")
    ms = (time.perf_counter() - t1) * 1000 / max(1, len(val_i) + len(bad))
    cal = calibration(s_good, s_bad)
    cfg = ModelConfig(task="anomaly", preprocess=preprocessing(opts.size), license="BSD-3-Clause (backbone weights)",
                      source=f"Vision Workbench: trained on {len(train_i)} good images of {Path(good_dir).name}",
                      postprocess={"map_output": "anomaly_map", "score_output": "score", **cal})
    report = {
        "task": "anomaly", "model": str(output), "good_dir": str(good_dir), "bad_dir": str(bad_dir or ""),
        "size": opts.size, "seed": opts.seed, "holdout": opts.holdout,
        "train_images": [str(good_paths[i]) for i in train_i], "heldout_good": [str(good_paths[i]) for i in val_i],
        "bad_images": [str(p) for p in bad_paths],
        "scores_good": [round(float(v), 6) for v in s_good], "scores_bad": [round(float(v), 6) for v in s_bad],
        "auroc": None if not bad else round(common.auroc(s_good, s_bad), 6),
        "bank_rows": int(n_bank), "patches": int(len(feats)),
        "bank_mb": round((bank.nbytes + 4 * len(bank)) / 2 ** 20, 3),
        "model_mb": round(len(data) / 2 ** 20, 3), "train_s": round(t_train, 3),
        "feature_s": round(t_feat - t0, 3), "ms_per_image": round(ms, 2), **cal}
    if bad:
        report["heldout_accuracy"] = round(float(((s_good < cal["threshold"]).sum() + (s_bad >= cal["threshold"]).sum())
                                                 / (len(s_good) + len(s_bad))), 4)
    job.step("writing the model", 0, 1)
    common.write_files({output: data, sidecar_path(output): common.json_bytes(cfg.to_json()),
                        common.report_path(output): common.json_bytes(report)})
    return report
