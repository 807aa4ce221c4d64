"""``workbench train anomaly|classify``: the command-line face of the trainers (a progress bar per stage,
Ctrl+C writes nothing, a printed table; the JSON report is written beside the model)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub) -> None:
    t = sub.add_parser("train", help="teach a model by example: anomaly (good images) or classify (class folders)")
    ts = t.add_subparsers(dest="train_task", required=True)
    a = ts.add_parser("anomaly", help="anomaly detection from good images (optional bad images set the threshold)")
    a.add_argument("--good", required=True, metavar="DIR", help="folder of good images")
    a.add_argument("--bad", metavar="DIR", help="folder of bad images (threshold and held-out AUROC)")
    a.add_argument("--output", "-o", required=True, metavar="MODEL.onnx")
    a.add_argument("--size", type=int, default=256, help="model input size, a multiple of 32 (default 256)")
    a.add_argument("--coreset", type=float, default=0.10, help="share of the patches kept in the bank (default 0.1)")
    a.add_argument("--holdout", type=float, default=0.2, help="share of the good images held out (default 0.2)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    c = ts.add_parser("classify", help="classification from DIR/<class>/ or DIR/train/<class> + DIR/test/<class>")
    c.add_argument("--data", required=True, metavar="DIR")
    c.add_argument("--output", "-o", required=True, metavar="MODEL.onnx")
    c.add_argument("--holdout", type=float, default=0.25, help="share per class held out (default 0.25)")
    c.add_argument("--augment", type=int, default=2, help="augmented copies per training image (default 2)")
    c.add_argument("--flip", action="store_true", help="add horizontal flips to the augmentation")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    add_mistake_parsers(ts)


class _Bar:
    """One tqdm bar per stage on stderr."""

    def __init__(self) -> None:
        self.stage, self.bar = None, None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, file=sys.stderr, leave=False, dynamic_ncols=True)
        self.bar.n = done + 1
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _table(rows: list[tuple[str, object]]) -> str:
    w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{w}}  {v}" for k, v in rows)


def anomaly_rows(r: dict) -> list[tuple[str, object]]:
    rows = [("model", r["model"]), ("trained on", f"{len(r['train_images'])} good images"),
            ("held out", f"{len(r['heldout_good'])} good (seed {r['seed']}), {len(r['bad_images'])} bad"),
            ("memory bank", f"{r['bank_rows']} of {r['patches']} patches, {r['bank_mb']} MB"),
            ("model size", f"{r['model_mb']} MB"), ("threshold", f"{r['threshold']:.4g} ({r['threshold_rule']})"),
            ("uncertain band", f"{r['uncertain'][0]:.2f} .. {r['uncertain'][1]:.2f} (node scale, 0.5 = threshold)")]
    if r.get("auroc") is not None:
        rows += [("held-out AUROC", f"{r['auroc']:.4f}"), ("held-out accuracy", f"{r['heldout_accuracy']:.4f}")]
    return rows + [("training time", f"{r['train_s']:.1f} s"), ("inference", f"{r['ms_per_image']:.1f} ms/image")]


def classify_rows(r: dict) -> list[tuple[str, object]]:
    rows = [("model", r["model"]), ("classes", ", ".join(r["classes"])),
            ("images", f"{r['train_count']} train, {r['test_count']} held out (seed {r['seed']})"),
            ("held-out accuracy", f"{r['accuracy']:.4f}")]
    for k, name in enumerate(r["classes"]):
        p, q = r["precision"][k], r["recall"][k]
        rows.append((f"  {name}", f"precision {'-' if p is None else f'{p:.3f}'}  "
                                  f"recall {'-' if q is None else f'{q:.3f}'}"))
    return rows + [("training time", f"{r['train_s']:.1f} s"), ("inference", f"{r['ms_per_image']:.1f} ms/image"),
                   ("model size", f"{r['model_mb']} MB")]


def run(args: argparse.Namespace) -> int:
    import json

    from workbench.training.common import Job, report_path

    if args.train_task in ("mark-good", "undo"):
        return run_mistake(args)
    bar = _Bar()
    job = Job(progress=bar)
    try:
        if args.train_task == "anomaly":
            from workbench.training.anomaly import AnomalyOptions, train_anomaly

            opts = AnomalyOptions(size=args.size, coreset=args.coreset, holdout=args.holdout, seed=args.seed)
            r = train_anomaly(Path(args.good), Path(args.output), Path(args.bad) if args.bad else None, opts, job)
            rows = anomaly_rows(r)
        else:
            from workbench.training.classify import ClassifyOptions, train_classifier

            opts = ClassifyOptions(holdout=args.holdout, augment=args.augment, flip=args.flip, seed=args.seed)
            r = train_classifier(Path(args.data), Path(args.output), opts, job)
            rows = classify_rows(r)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(r, indent=2, sort_keys=True))
    else:
        print(_table(rows + [("report", report_path(Path(args.output)))]))
    return 0


def add_mistake_parsers(ts) -> None:
    g = ts.add_parser("mark-good", help="add falsely rejected images to an anomaly model's memory bank (undoable)")
    g.add_argument("--model", required=True, metavar="MODEL.onnx")
    g.add_argument("images", nargs="+", metavar="IMAGE")
    u = ts.add_parser("undo", help="undo the last mark-good of an anomaly model")
    u.add_argument("--model", required=True, metavar="MODEL.onnx")


def run_mistake(args: argparse.Namespace) -> int:
    from workbench.training.mistakes import audit_path, mark_good, undo_last

    if args.train_task == "mark-good":
        e = mark_good(Path(args.model), [Path(p) for p in args.images])
        print(f"{len(e['images'])} image(s) added: {e['rows_added']} patches, bank now {e['bank_rows']} rows")
    else:
        e = undo_last(Path(args.model))
        print(f"undone: {e['rows_removed']} patches of {len(e['images'])} image(s), bank now {e['bank_rows']} rows")
    print(f"audit: {audit_path(Path(args.model))}")
    return 0
