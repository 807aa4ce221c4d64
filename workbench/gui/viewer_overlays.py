"""The viewer's overlays: result values drawn over the image, and the texts in its corners.

:data:`DRAW` is the table from a result type to the function that draws it; a new result type
gets one row. The graphics items are pooled by kind ("outline", "labels", "mask") and reused by
the next call, so nothing accumulates. Mixed into :class:`~workbench.gui.viewer.ImageViewer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from workbench.core.types import (NO_VALUE, ClassificationResult, DetectionSet, MeasurementSet, RegionSet,
                                  VerdictResult)
from workbench.gui.i18n import t
from workbench.gui.theme import NG_COLOR, OK_COLOR
from workbench.gui.viewer_display import _fmt
from workbench.gui.viewer_items import (MAX_INFO_LINES, PALETTE, REGION_COLOR, LabelsItem, OutlineItem, _html,
                                        _mask_lut, _plain, _polys_path)
from workbench.runtime.inspection import combine_verdicts


@dataclass
class _Corners:
    """What one set_overlays call puts in the corner boxes."""

    info: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    verdicts: list[VerdictResult] = field(default_factory=list)
    n_mask: int = 0


class OverlayMixin:
    def set_overlays(self, values: Iterable | None) -> None:
        """Draw overlays for result values, replacing the previous ones: RegionSet (contours +
        index labels), DetectionSet (boxes or polygons, label + score, masks), a 2-D bool/uint8
        array (a mask: semi-transparent fill), MeasurementSet (text, top left), VerdictResult (OK /
        NG banner with reasons, top right), ClassificationResult (label + score), str (OCR text,
        bottom left), int/float/bool (text). None / NO_VALUE / unknown values are skipped.
        Which value is drawn how is the table :data:`DRAW`."""
        self._used = {k: 0 for k in self._pool}
        acc = _Corners()
        for v in values or ():
            if v is None or v is NO_VALUE:
                continue
            draw = next((fn for types, fn in DRAW if isinstance(v, types)), None)
            if draw is not None:
                draw(self, v, acc)
        for kind, items in self._pool.items():  # drop what this call did not reuse
            for it in items[self._used[kind]:]:
                self.view.removeItem(it)
            del items[self._used[kind]:]
        self._set_info(acc.info)
        self._set_text(acc.texts)
        self._set_verdict(acc.verdicts)
        self._place_boxes()

    def _take(self, kind: str):
        items = self._pool[kind]
        i = self._used[kind]
        self._used[kind] = i + 1
        if i < len(items):
            return items[i]
        if kind == "outline":
            it = OutlineItem()
        elif kind == "labels":
            it = LabelsItem()
        else:
            it = pg.ImageItem()
            it.setZValue(10)
        self.view.addItem(it, ignoreBounds=True)
        items.append(it)
        return it

    def overlay_items(self) -> list[QGraphicsItem]:
        """The graphics items of the current overlays (image space), in drawing order."""
        return [it for kind in ("mask", "outline", "labels") for it in self._pool[kind]]

    def overlay_texts(self) -> dict[str, str]:
        """The plain texts of the corner boxes shown now: keys "info", "text", "verdict"."""
        return dict(self._texts)

    def _draw_regions(self, rs: RegionSet) -> None:
        if not len(rs):
            return
        color = QColor(REGION_COLOR)
        fill = QColor(color)
        fill.setAlpha(30)
        contours = [np.asarray(c).reshape(-1, 2) for c in rs.contours]
        self._take("outline").set_path(_polys_path(contours), color, 2.0, fill)
        pts, texts = [], []
        for i, c in enumerate(contours):
            st = rs.stats[i] if i < len(rs.stats) else {}
            if "cx" in st and "cy" in st:
                pts.append((st["cx"] + 0.5, st["cy"] + 0.5))
            elif len(c):
                pts.append(tuple(c.mean(0) + 0.5))
            else:
                continue
            if len(c) == 2 and ("distance" in st or "length" in st):  # a measured segment
                texts.append(_fmt(st.get("distance", st.get("length"))))
            else:
                texts.append(str(i))
        self._take("labels").set_labels(np.array(pts), texts, [color])

    def _draw_detections(self, ds: DetectionSet) -> None:
        n = len(ds)
        if not n:
            return
        ids = np.asarray(ds.class_ids).reshape(-1)
        colors = [QColor(PALETTE[int(ids[i]) % len(PALETTE)] if i < len(ids) else PALETTE[0]) for i in range(n)]
        if ds.masks:
            shape = self.image.shape[:2] if self.image is not None else ds.masks[0].shape[:2]
            lab = np.zeros(shape, np.uint8)
            for i, m in enumerate(ds.masks[:n]):
                if m is not None and m.shape[:2] == shape:
                    lab[np.asarray(m) > 0] = (int(ids[i]) % len(PALETTE)) + 1 if i < len(ids) else 1
            if lab.any():
                it = self._take("mask")
                it.setImage(lab, autoLevels=False, levels=None, lut=_mask_lut([QColor(c) for c in PALETTE]))
        groups: dict[str, list[np.ndarray]] = {}
        for i in range(n):
            poly = ds.polygons[i] if ds.polygons is not None and i < len(ds.polygons) else None
            if poly is not None and len(poly) >= 3:
                shape = np.asarray(poly, np.float64).reshape(-1, 2) - 0.5  # _polys_path adds 0.5
            else:
                x1, y1, x2, y2 = (float(c) for c in ds.boxes[i])
                shape = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]]) - 0.5
            groups.setdefault(colors[i].name(), []).append(shape)
        for name, polys in groups.items():
            self._take("outline").set_path(_polys_path(polys, closed=True), QColor(name), 2.0)
        texts = []
        for i in range(n):
            label = ds.labels[i] if i < len(ds.labels) else str(int(ids[i]) if i < len(ids) else i)
            score = float(ds.scores[i]) if i < len(ds.scores) else None
            texts.append(f"{label} {score:.2f}" if score is not None else str(label))
        corners = np.asarray(ds.boxes, np.float64).reshape(-1, 4)[:, :2]
        self._take("labels").set_labels(corners, texts, colors, anchor="above")

    def _draw_mask(self, mask: np.ndarray, colors: list[QColor]) -> None:
        if mask.dtype == np.bool_:
            m = mask.view(np.uint8)
        elif mask.dtype == np.uint8:
            m = mask
        else:
            m = (mask != 0).view(np.uint8)
        lut = np.zeros((256, 4), np.uint8)
        c = colors[0]
        lut[1:] = (c.red(), c.green(), c.blue(), 110)
        self._take("mask").setImage(np.ascontiguousarray(m), autoLevels=False, levels=None, lut=lut)

    @staticmethod
    def _measure_row(name: str, value: float, unit: str) -> str:
        return (f"<tr><td>{_html(name)}</td><td align='right'>&nbsp;&nbsp;<b>{_fmt(value)}</b></td>"
                f"<td>&nbsp;{_html(unit)}</td></tr>")

    def _set_info(self, rows: list[str]) -> None:
        if not rows:
            self._info_box.hide()
            self._texts.pop("info", None)
            return
        more = len(rows) - MAX_INFO_LINES
        if more > 0:
            rows = rows[:MAX_INFO_LINES] + [f"<tr><td colspan='3'><i>… {more} {t('more')}</i></td></tr>"]
        html = "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"
        self._info_box.setText(html)
        self._info_box.adjustSize()
        self._info_box.show()
        self._texts["info"] = _plain(html)

    def _set_text(self, texts: list[str]) -> None:
        if not texts:
            self._text_box.hide()
            self._texts.pop("text", None)
            return
        plain = "\n".join(texts)
        self._text_box.setText(_html(plain).replace("\n", "<br>"))
        self._text_box.adjustSize()
        self._text_box.show()
        self._texts["text"] = plain

    def _set_verdict(self, verdicts: list[VerdictResult]) -> None:
        if not verdicts:
            self._verdict_box.hide()
            self._texts.pop("verdict", None)
            return
        label, reasons = combine_verdicts(verdicts)
        color = QColor(OK_COLOR if label == "OK" else NG_COLOR)
        bg = f"rgba({color.red()},{color.green()},{color.blue()},225)"
        html = f"<div style='font-size:34px; font-weight:800; letter-spacing:2px'>{label}</div>"
        if reasons:
            shown = reasons[:6] + ([f"… {len(reasons) - 6} {t('more')}"] if len(reasons) > 6 else [])
            html += "".join(f"<div style='font-size:12px'>{_html(r)}</div>" for r in shown)
        self._verdict_box.set_style(bg, "#ffffff", 12, "2px 14px 6px 14px")
        self._verdict_box.setAlignment(Qt.AlignCenter if not reasons else Qt.AlignLeft)
        self._verdict_box.setText(html)
        self._verdict_box.adjustSize()
        self._verdict_box.show()
        self._texts["verdict"] = "\n".join([label, *reasons])


# ---------------------------------------------------------------- result type -> draw function
def _array(viewer, v: np.ndarray, acc: _Corners) -> None:
    if v.ndim == 2 or (v.ndim == 3 and v.shape[2] == 1):
        viewer._draw_mask(v.reshape(v.shape[:2]), [QColor(PALETTE[(2 + acc.n_mask) % len(PALETTE)])])
        acc.n_mask += 1


def _measurements(viewer, v: MeasurementSet, acc: _Corners) -> None:
    acc.info += [viewer._measure_row(k, x, v.units.get(k, "")) for k, x in v.values.items()]


def _classification(viewer, v: ClassificationResult, acc: _Corners) -> None:
    acc.info.append(f"<tr><td><b>{_html(str(v.label))}</b></td><td align='right'>&nbsp;{v.score:.3f}</td><td></td></tr>")


def _text(viewer, v: str, acc: _Corners) -> None:
    if v.strip():
        acc.texts.append(v)


def _flag(viewer, v, acc: _Corners) -> None:
    acc.info.append(f"<tr><td colspan='3'>{t('true') if v else t('false')}</td></tr>")


def _number(viewer, v, acc: _Corners) -> None:
    acc.info.append(f"<tr><td colspan='3'>{_fmt(v)}</td></tr>")


DRAW = (  # in order: the first matching type wins (bool before int)
    (RegionSet, lambda viewer, v, acc: viewer._draw_regions(v)),
    (DetectionSet, lambda viewer, v, acc: viewer._draw_detections(v)),
    (np.ndarray, _array),
    (MeasurementSet, _measurements),
    (VerdictResult, lambda viewer, v, acc: acc.verdicts.append(v)),
    (ClassificationResult, _classification),
    (str, _text),
    ((bool, np.bool_), _flag),
    ((int, float, np.integer, np.floating), _number),
)
