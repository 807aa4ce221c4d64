"""Teach from mistakes: "mark as good" adds a falsely rejected image to an anomaly model's memory bank in
seconds (no retraining), with undo and an audit line.

The model's own graph computes the image's patch features (the 'patches' value inside it, so they are
exactly what the model compares); every patch farther than ``min_distance`` from the bank is appended to
the bank constants (−2Bᵀ and ‖B‖²), and the model file is rewritten atomically. Each change appends one
JSON line to MODEL.audit.jsonl (time, user, action, images, rows, bank size); ``undo_last`` removes the
rows of the last addition not yet undone. The dl.anomaly node picks the new file up by its mtime; ``workbench
replay`` with the pipeline then shows which past verdicts the updated model would change.
"""

from __future__ import annotations

import getpass
import json
import time
from pathlib import Path

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.imageio import read_image
from workbench.inference.sidecar import load_config
from workbench.training import common
from workbench.training import onnxproto as P
from workbench.training.anomaly import BANK, BANK_NORM
from workbench.training.common import Job
from workbench.training.onnxgraph import float_output, needed_part, save_atomic


def audit_path(model: Path) -> Path:
    return Path(model).with_name(Path(model).stem + ".audit.jsonl")


def _load(model: Path) -> tuple:
    model = Path(model)
    if not model.is_file():
        raise WorkbenchError(f"model not found: {model}")
    try:
        m = P.load(model)
    except Exception as exc:  # not an ONNX file
        raise WorkbenchError(f"{model.name}: not a readable ONNX model ({str(exc).splitlines()[0][:80]})") from None
    inits = {t.name: t for t in m.graph.initializer}
    if BANK not in inits or BANK_NORM not in inits:
        raise WorkbenchError(f"{model.name} is not an anomaly model trained by Vision Workbench (no memory bank)")
    return m, inits


def _set_bank(m, inits: dict, neg2bt: np.ndarray, norm: np.ndarray) -> None:
    inits[BANK].CopyFrom(P.tensor(np.ascontiguousarray(neg2bt, np.float32), BANK))
    inits[BANK_NORM].CopyFrom(P.tensor(np.ascontiguousarray(norm, np.float32), BANK_NORM))


def _audit(model: Path, entry: dict) -> None:
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "user": getpass.getuser(), **entry}
    with open(audit_path(model), "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")


def read_audit(model: Path) -> list[dict]:
    p = audit_path(model)
    if not p.is_file():
        return []
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def mark_good(model: Path, images: list[Path], job: Job | None = None, min_distance: float = 0.0) -> dict:
    """Add the patches of ``images`` (falsely rejected good parts) to the bank. Returns the audit entry."""
    job = job or Job()
    model = Path(model)
    if not images:
        raise WorkbenchError("no images to mark as good")
    m, inits = _load(model)
    neg2bt = P.to_array(inits[BANK])
    norm = P.to_array(inits[BANK_NORM])
    bank = -0.5 * neg2bt.T
    nodes, consts = needed_part(m, ["patches"])
    pm = P.model(nodes, consts, list(m.graph.input), [float_output("patches", None)], ir_version=m.ir_version,
                 opset=m.opset_import[0].version)
    sess = common.session(pm.SerializeToString())
    from workbench.inference.preprocess import preprocess

    cfg = load_config(model, _info(model))
    size = (cfg.preprocess.width, cfg.preprocess.height)
    new = []
    for i, p in enumerate(images):
        job.step("adding to the memory bank", i, len(images))
        x, _ = preprocess(read_image(p), cfg.preprocess, size)
        patches = sess.run(None, {m.graph.input[0].name: x})[0]
        d2 = (patches ** 2).sum(1, keepdims=True) + patches @ neg2bt + norm
        far = np.sqrt(np.maximum(d2.min(1), 0)) > min_distance
        new.append(patches[far])
    add = np.concatenate(new).astype(np.float32)
    bank = np.concatenate([bank, add])
    _set_bank(m, inits, -2.0 * bank.T, (bank * bank).sum(1)[None])
    save_atomic(m, model)
    entry = {"action": "mark_good", "images": [str(p) for p in images], "rows_added": int(len(add)),
             "bank_rows": int(len(bank))}
    _audit(model, entry)
    return entry


def _info(model: Path):
    from workbench.inference.sessions import load_model

    return load_model(model).info


def undo_last(model: Path) -> dict:
    """Remove the rows that the last not-yet-undone mark_good added. Returns the audit entry."""
    model = Path(model)
    m, inits = _load(model)
    stack: list[dict] = []
    for e in read_audit(model):  # additions and undos replayed as a stack
        if e.get("action") == "mark_good":
            stack.append(e)
        elif e.get("action") == "undo" and stack:
            stack.pop()
    if not stack:
        raise WorkbenchError(f"nothing to undo for {model.name}")
    last = stack[-1]
    neg2bt = P.to_array(inits[BANK])
    norm = P.to_array(inits[BANK_NORM])
    keep = neg2bt.shape[1] - int(last["rows_added"])
    _set_bank(m, inits, neg2bt[:, :keep], norm[:, :keep])
    save_atomic(m, model)
    entry = {"action": "undo", "images": last["images"], "rows_removed": int(last["rows_added"]), "bank_rows": keep}
    _audit(model, entry)
    return entry
