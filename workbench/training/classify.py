"""Classification taught from class-per-folder images, exported as one ONNX model + sidecar (dl.classify).

Layouts: ``DIR/<class>/*.png`` (a fixed-seed, per-class ``holdout`` share is kept for the held-out metrics)
or ``DIR/train/<class>`` + ``DIR/test/<class>``. Features: the frozen MobileNetV2's 1280 pooled values
(224², stretched, ImageNet scaling). Head: multinomial logistic regression on standardised features,
L2-regularised, full-batch Adam in numpy; the standardisation is folded into the exported Gemm, followed by
a Softmax (output ``probabilities``). Augmentation adds, per training image, ``augment`` copies with a
random crop (90–100 %), shift and brightness change (and a horizontal flip with ``flip``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.imageio import list_images
from workbench.inference.preprocess import Preprocess, ResizeMode, Scaling, preprocess
from workbench.inference.sidecar import ModelConfig, sidecar_path
from workbench.training import common
from workbench.training import onnxproto as P
from workbench.training.backbone import require_backbone
from workbench.training.common import Job
from workbench.training.onnxgraph import Graph, float_output, image_input, needed_part

SIZE = 224


@dataclass
class ClassifyOptions:
    holdout: float = 0.25
    seed: int = 0
    augment: int = 2  # augmented copies per training image
    flip: bool = False  # add horizontal flips to the augmentation (not for digits or text)
    l2: float = 1e-2
    epochs: int = 300
    threads: int = 0


def preprocessing() -> Preprocess:
    return Preprocess(resize=ResizeMode.STRETCH, width=SIZE, height=SIZE, scaling=Scaling.IMAGENET)


Items = list[tuple[Path, int]]


def find_dataset(root: Path, holdout: float, seed: int) -> tuple[list[str], Items, Items]:
    """(class names, train [(path, class)], held-out [(path, class)])."""
    root = Path(root)
    if not root.is_dir():
        raise WorkbenchError(f"data folder not found: {root}")

    def classes_in(d: Path) -> dict[str, list[Path]]:
        out = {}
        for c in sorted(p for p in d.iterdir() if p.is_dir() and not p.name.startswith(".")):
            files = list_images(c)
            if files:
                out[c.name] = files
        return out

    if (root / "train").is_dir() and (root / "test").is_dir():
        tr, te = classes_in(root / "train"), classes_in(root / "test")
        names = sorted(tr)
        unknown = sorted(set(te) - set(tr))
        if unknown:
            raise WorkbenchError(f"test classes not in train: {', '.join(unknown)}")
        train = [(p, names.index(c)) for c in names for p in tr[c]]
        test = [(p, names.index(c)) for c in te for p in te[c]]
    else:
        by = classes_in(root)
        names = sorted(by)
        train, test = [], []
        for k, c in enumerate(names):
            tri, tei = common.split_indices(len(by[c]), holdout, seed + k, minimum=1 if len(by[c]) > 1 else 0)
            train += [(by[c][i], k) for i in tri]
            test += [(by[c][i], k) for i in tei]
    if len(names) < 2:
        raise WorkbenchError(f"{root} needs at least 2 class folders with images (DIR/<class>/*.png), found "
                             f"{len(names)}")
    return names, train, test


def augmented(img: np.ndarray, rng: np.random.Generator, flip: bool) -> np.ndarray:
    h, w = img.shape[:2]
    s = rng.uniform(0.9, 1.0)
    cw, ch = max(1, int(w * s)), max(1, int(h * s))
    x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    out = cv2.resize(img[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.convertScaleAbs(out, alpha=rng.uniform(0.85, 1.15), beta=rng.uniform(-12, 12))
    return out[:, ::-1].copy() if flip and rng.random() < 0.5 else out


def features(sess, images: list[np.ndarray], job: Job, stage: str) -> np.ndarray:
    pp, out = preprocessing(), []
    for i, img in enumerate(images):
        job.step(stage, i, len(images))
        x, _ = preprocess(img, pp, (SIZE, SIZE))
        out.append(sess.run(None, {"image": x})[0][0])
    return np.array(out, np.float32)


def fit_logreg(x: np.ndarray, y: np.ndarray, n_classes: int, opts: ClassifyOptions, job: Job
               ) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression (W [C, D], b [C]) on x, full-batch Adam, L2 on W."""
    n, d = x.shape
    rng = np.random.default_rng(opts.seed)
    w = rng.standard_normal((d, n_classes)).astype(np.float64) * 0.01
    b = np.zeros(n_classes)
    onehot = np.eye(n_classes)[y]
    m = [np.zeros_like(w), np.zeros_like(b)]
    v = [np.zeros_like(w), np.zeros_like(b)]
    lr, b1, b2 = 0.01, 0.9, 0.999
    for t in range(1, opts.epochs + 1):
        if t % 20 == 0:
            job.step("training the head", t, opts.epochs)
        z = x @ w + b
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        g = (p - onehot) / n
        grads = [x.T @ g + opts.l2 * w, g.sum(0)]
        for k, (param, grad) in enumerate(zip((w, b), grads)):
            m[k] = b1 * m[k] + (1 - b1) * grad
            v[k] = b2 * v[k] + (1 - b2) * grad ** 2
            param -= lr * (m[k] / (1 - b1 ** t)) / (np.sqrt(v[k] / (1 - b2 ** t)) + 1e-8)
    return w.T.astype(np.float32), b.astype(np.float32)


def build_model(backbone, w: np.ndarray | None = None, b: np.ndarray | None = None,
                labels: list[str] | None = None):
    """w None: the feature extractor (output 'pooled'); else the classifier (output 'probabilities')."""
    nodes, inits = needed_part(backbone, ["pooled"])
    g = Graph()
    g.nodes, g.inits = list(nodes), list(inits)
    inp = [image_input(height=SIZE, width=SIZE, batch=1)]
    if w is None:
        return g.model(inp, [float_output("pooled", [1, 1280])])
    logits = g.op("Gemm", ["pooled", g.const(w, "head_w"), g.const(b, "head_b")], transB=1)
    g.op("Softmax", [logits], "probabilities", axis=1)
    return g.model(inp, [float_output("probabilities", [1, len(b)])],
                   doc="Vision Workbench classifier (MobileNetV2 features + logistic regression)",
                   metadata={"task": "classification", "license": "BSD-3-Clause (backbone weights)",
                             "names": repr(dict(enumerate(labels or [])))})


def metrics(y_true: np.ndarray, y_pred: np.ndarray, names: list[str]) -> dict:
    c = len(names)
    cm = np.zeros((c, c), np.int64)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    prec = [float(cm[k, k] / cm[:, k].sum()) if cm[:, k].sum() else None for k in range(c)]
    rec = [float(cm[k, k] / cm[k].sum()) if cm[k].sum() else None for k in range(c)]
    return {"accuracy": float(np.trace(cm) / max(1, cm.sum())), "confusion": cm.tolist(),
            "precision": prec, "recall": rec}


def train_classifier(data_dir: Path, output: Path, opts: ClassifyOptions | None = None, job: Job | None = None,
                     backbone: Path | None = None) -> dict:
    """Train, export MODEL.onnx + sidecar + MODEL.report.json (all or nothing). Returns the report."""
    opts, job = opts or ClassifyOptions(), job or Job()
    output = common.check_output(output)
    t0 = time.perf_counter()
    names, train, test = find_dataset(data_dir, opts.holdout, opts.seed)
    bb = P.load(require_backbone(backbone.parent if backbone else None))
    imgs = common.load_all([p for p, _ in train], job, "reading training images")
    y = np.array([k for _, k in train])
    rng = np.random.default_rng(opts.seed)
    aug = [augmented(im, rng, opts.flip) for _ in range(opts.augment) for im in imgs]
    ext = common.session(build_model(bb).SerializeToString(), opts.threads)
    x = features(ext, imgs + aug, job, "extracting features")
    y_all = np.concatenate([y] * (1 + opts.augment))
    mean, std = x.mean(0), x.std(0) + 1e-6
    w, b = fit_logreg((x - mean) / std, y_all, len(names), opts, job)
    wf, bf = (w / std).astype(np.float32), (b - (w / std) @ mean).astype(np.float32)
    data = build_model(bb, wf, bf, names).SerializeToString()
    t_train = time.perf_counter() - t0
    sess = common.session(data, opts.threads)
    test_imgs = common.load_all([p for p, _ in test], job, "reading held-out images")
    t1 = time.perf_counter()
    probs = features(sess, test_imgs, job, "evaluating held-out images") if test else np.zeros((0, len(names)))
    ms = (time.perf_counter() - t1) * 1000 / max(1, len(test))
    y_test = np.array([k for _, k in test], np.int64)
    pred = probs.argmax(1) if len(probs) else np.zeros(0, np.int64)
    cfg = ModelConfig(task="classification", preprocess=preprocessing(), labels=names,
                      postprocess={"softmax": "never"}, license="BSD-3-Clause (backbone weights)",
                      source=f"Vision Workbench: trained on {len(train)} images of {Path(data_dir).name}")
    report = {"task": "classification", "model": str(output), "data_dir": str(data_dir), "classes": names,
              "seed": opts.seed, "holdout": opts.holdout, "augment": opts.augment, "flip": opts.flip,
              "train_count": len(train), "test_count": len(test), "train_s": round(t_train, 3),
              "ms_per_image": round(ms, 2), "model_mb": round(len(data) / 2 ** 20, 3),
              "test_images": [str(p) for p, _ in test], "test_labels": y_test.tolist(),
              "test_pred": pred.tolist(),
              "test_score": [round(float(v), 5) for v in probs.max(1)] if len(probs) else [],
              **metrics(y_test, pred, names)}
    job.step("writing the model", 0, 1)
    common.write_files({output: data, sidecar_path(output): common.json_bytes(cfg.to_json()),
                        common.report_path(output): common.json_bytes(report)})
    return report
