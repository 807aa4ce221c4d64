"""Pre-processing declared as data, and the transform that maps results back to the image.

The classic pitfalls are explicit choices here: PyTorch-style models want NCHW, RGB, ÷255 then
ImageNet mean/std; TensorFlow-style ones NHWC and [-1, 1]; YOLO letterboxes with pad 114.

Resize filter (``filter``): LINEAR is OpenCV's bilinear (what Ultralytics' letterbox uses); AREA is
OpenCV's pixel-area average when shrinking; ANTIALIAS is Pillow's bilinear filter with the support
widened by the shrink factor (what torchvision/Ultralytics classification pipelines apply to PIL
images): shrinking a photo with plain bilinear skips pixels and moves top-5 results.

Mean/std channel order: ImageNet's statistics belong to colours (R, G, B = 0.485, 0.456, 0.406 /
0.229, 0.224, 0.225), so with ``color: BGR`` they are applied reversed, each to its own colour.
Custom ``mean``/``std`` are written in the order of the model's input channels (what its own
normalisation code uses: a BGR Caffe model's mean is written B, G, R) and are applied as written.

Geometry: the size actually resized to is round(w × r) × round(h × r); boxes and maps are mapped back
with that per-axis scale (content size ÷ original size), not the nominal ratio r.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.types import as_bgr, as_gray, to_uint8


class ResizeMode(enum.Enum):
    STRETCH = "stretch"
    LETTERBOX = "letterbox"  # keep aspect ratio, pad to the target
    CENTER_CROP = "center_crop"  # scale the short side to the target, crop the middle
    NONE = "none"  # feed as is (dynamic-shape models)


class ColorOrder(enum.Enum):
    RGB = "rgb"
    BGR = "bgr"
    GRAY = "gray"


class Layout(enum.Enum):
    NCHW = "nchw"
    NHWC = "nhwc"


class ResizeFilter(enum.Enum):
    LINEAR = "linear"  # cv2.INTER_LINEAR (Ultralytics' letterbox)
    AREA = "area"  # cv2.INTER_AREA when shrinking (linear when enlarging)
    ANTIALIAS = "antialias"  # Pillow's antialiased bilinear (torchvision / Ultralytics classification)


class Scaling(enum.Enum):
    NONE = "none"  # raw 0..255
    UNIT = "unit"  # ÷255 -> [0, 1]
    SYMMETRIC = "symmetric"  # (x - 127.5) / 127.5 -> [-1, 1]
    IMAGENET = "imagenet"  # ÷255, then (x - mean) / std with ImageNet's statistics
    CUSTOM = "custom"  # (x/255 - mean) / std with the given mean/std, in the model's input channel order


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass
class Preprocess:
    resize: ResizeMode = ResizeMode.LETTERBOX
    width: int = 0  # 0: from the model's static input shape
    height: int = 0
    pad_value: int = 114
    color: ColorOrder = ColorOrder.RGB
    layout: Layout = Layout.NCHW
    dtype: str = "float32"  # float32 | float16 | uint8
    scaling: Scaling = Scaling.UNIT
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    filter: ResizeFilter = ResizeFilter.LINEAR

    def to_json(self) -> dict:
        out = {"resize": self.resize.name, "width": self.width, "height": self.height, "pad_value": self.pad_value,
               "color": self.color.name, "layout": self.layout.name, "dtype": self.dtype,
               "scaling": self.scaling.name, "mean": list(self.mean), "std": list(self.std)}
        if self.filter is not ResizeFilter.LINEAR:  # optional: sidecars without it read as before
            out["filter"] = self.filter.name
        return out

    def describe(self) -> str:
        """One line a user can check: 'centre crop 224×224 (antialias), RGB, NCHW float32, ÷255'."""
        size = f"{self.width}×{self.height}" if self.width and self.height else "the model's input size"
        resize = {ResizeMode.STRETCH: f"stretch to {size}", ResizeMode.LETTERBOX: f"letterbox to {size} "
                  f"(pad {self.pad_value})", ResizeMode.CENTER_CROP: f"short side to {size}, centre crop",
                  ResizeMode.NONE: "no resize"}[self.resize]
        if self.resize is not ResizeMode.NONE:
            resize += f" ({self.filter.value})"
        scaling = {Scaling.NONE: "0..255", Scaling.UNIT: "÷255", Scaling.SYMMETRIC: "[-1, 1]",
                   Scaling.IMAGENET: "÷255, ImageNet mean/std",
                   Scaling.CUSTOM: f"÷255, mean {list(self.mean)} std {list(self.std)}"}[self.scaling]
        return f"{resize}, {self.color.name}, {self.layout.name} {self.dtype}, {scaling}"

    @classmethod
    def from_json(cls, raw: dict, problems: list[str]) -> "Preprocess":
        pp = cls()
        if not isinstance(raw, dict):
            problems.append("preprocess: expected an object")
            return pp
        enums = {"resize": ResizeMode, "color": ColorOrder, "layout": Layout, "scaling": Scaling,
                 "filter": ResizeFilter}
        for key, value in raw.items():
            if key in enums:
                en = enums[key]
                if value not in en.__members__:
                    problems.append(f"preprocess.{key}: {value!r} is not one of {', '.join(en.__members__)}")
                else:
                    setattr(pp, key, en[value])
            elif key in ("width", "height", "pad_value"):
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    problems.append(f"preprocess.{key}: expected a non-negative integer, got {value!r}")
                else:
                    setattr(pp, key, value)
            elif key == "dtype":
                if value not in ("float32", "float16", "uint8"):
                    problems.append(f"preprocess.dtype: {value!r} is not one of float32, float16, uint8")
                else:
                    pp.dtype = value
            elif key in ("mean", "std"):
                if (not isinstance(value, list) or len(value) != 3
                        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
                    problems.append(f"preprocess.{key}: expected 3 numbers, got {value!r}")
                elif key == "std" and any(v == 0 for v in value):
                    problems.append("preprocess.std: values must not be 0")
                else:
                    setattr(pp, key, tuple(float(v) for v in value))
            else:
                problems.append(f"preprocess: unknown key {key!r}")
        return pp


@dataclass
class Transform:
    """Maps model-input pixel coordinates back to the original image: orig = (p - pad) / scale + crop."""

    scale_x: float = 1.0
    scale_y: float = 1.0
    pad_x: float = 0.0
    pad_y: float = 0.0
    crop_x: float = 0.0
    crop_y: float = 0.0
    orig_w: int = 0
    orig_h: int = 0
    input_w: int = 0
    input_h: int = 0

    def points_to_original(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, np.float32).copy()
        pts[..., 0] = (pts[..., 0] - self.pad_x) / self.scale_x + self.crop_x
        pts[..., 1] = (pts[..., 1] - self.pad_y) / self.scale_y + self.crop_y
        return pts

    def boxes_to_original(self, boxes: np.ndarray) -> np.ndarray:
        """x1, y1, x2, y2 boxes, clipped to the image."""
        b = np.asarray(boxes, np.float32).reshape(-1, 4)
        out = self.points_to_original(b.reshape(-1, 2, 2)).reshape(-1, 4)
        out[:, [0, 2]] = out[:, [0, 2]].clip(0, self.orig_w)
        out[:, [1, 3]] = out[:, [1, 3]].clip(0, self.orig_h)
        return out

    def map_to_original(self, m: np.ndarray, interpolation=cv2.INTER_LINEAR) -> np.ndarray:
        """A per-pixel map at model-input resolution (H x W [x C]) back to the original image size."""
        x0, y0 = int(round(self.pad_x)), int(round(self.pad_y))
        crop = bool(self.crop_x or self.crop_y)
        w = self.input_w if crop else min(self.input_w - x0, int(round(self.orig_w * self.scale_x)))
        h = self.input_h if crop else min(self.input_h - y0, int(round(self.orig_h * self.scale_y)))
        m = m[y0:y0 + h, x0:x0 + w]
        if crop:  # centre crop: the map covers only the middle of the image
            full = np.zeros((self.orig_h, self.orig_w) + m.shape[2:], m.dtype)
            cw, ch = int(round(w / self.scale_x)), int(round(h / self.scale_y))
            cx, cy = int(round(self.crop_x)), int(round(self.crop_y))
            full[cy:cy + ch, cx:cx + cw] = cv2.resize(m, (cw, ch), interpolation=interpolation)[:self.orig_h - cy,
                                                                                               :self.orig_w - cx]
            return full
        return cv2.resize(m, (self.orig_w, self.orig_h), interpolation=interpolation)


def _scale(img: np.ndarray, pp: Preprocess, channel_axis: int = -1) -> np.ndarray:
    """uint8 image (HWC, or a CHW view with channel_axis=0; 2-D for gray) -> the model's dtype and scaling.

    The float result is written C-contiguous in the layout of `img`, in one pass over the (possibly
    transposed, channel-reversed) view, so a CHW view needs no second copy."""
    if pp.dtype == "uint8":
        return img
    x = np.empty(img.shape, np.float32)
    if pp.scaling is Scaling.UNIT:
        np.multiply(img, np.float32(1.0 / 255.0), out=x)  # uint8 -> float32, times float32(1/255)
    else:
        x[...] = img
    if pp.scaling is Scaling.SYMMETRIC:
        x = (x - 127.5) / 127.5
    elif pp.scaling in (Scaling.IMAGENET, Scaling.CUSTOM):
        mean, std = (IMAGENET_MEAN, IMAGENET_STD) if pp.scaling is Scaling.IMAGENET else (pp.mean, pp.std)
        if pp.scaling is Scaling.IMAGENET and pp.color is ColorOrder.BGR:
            mean, std = mean[::-1], std[::-1]  # R, G, B statistics follow their colours into B, G, R
        x *= 1.0 / 255.0
        if pp.color is not ColorOrder.GRAY:
            shape = (3, 1, 1) if channel_axis == 0 else (3,)
            x = (x - np.array(mean, np.float32).reshape(shape)) / np.array(std, np.float32).reshape(shape)
        else:
            x = (x - mean[0]) / std[0]
    return x.astype(np.float16) if pp.dtype == "float16" else x


def _aa_weights(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Pillow's bilinear resampling coefficients (Resample.c precompute_coeffs): a triangle filter whose
    support grows with the shrink factor. (indices [n_out, k], weights [n_out, k])."""
    scale = n_in / n_out
    fs = max(scale, 1.0)
    centre = (np.arange(n_out) + 0.5) * scale
    lo = np.maximum(np.trunc(centre - fs + 0.5).astype(np.int64), 0)
    hi = np.minimum(np.trunc(centre + fs + 0.5).astype(np.int64), n_in)
    idx = lo[:, None] + np.arange(int(np.ceil(fs)) * 2 + 1)[None]
    w = np.maximum(0.0, 1.0 - np.abs((idx - centre[:, None] + 0.5) / fs))
    w[idx >= hi[:, None]] = 0.0
    w /= w.sum(1, keepdims=True)
    return np.minimum(idx, n_in - 1), w.astype(np.float32)


def _aa_pass(img: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    idx, w = _aa_weights(img.shape[axis], n_out)
    shape = [1] * img.ndim
    shape[axis] = n_out
    acc = np.zeros(img.shape[:axis] + (n_out,) + img.shape[axis + 1:], np.float32)
    for k in range(idx.shape[1]):
        acc += np.take(img, idx[:, k], axis=axis) * w[:, k].reshape(shape)
    return np.clip(np.rint(acc), 0, 255).astype(np.uint8)  # Pillow rounds to 8 bits between passes


def resize_image(img: np.ndarray, size: tuple[int, int], filt: ResizeFilter = ResizeFilter.LINEAR) -> np.ndarray:
    """uint8 image -> (width, height) with the chosen filter."""
    w, h = size
    if (img.shape[1], img.shape[0]) == (w, h):
        return img
    if filt is ResizeFilter.ANTIALIAS:
        out = img if img.shape[1] == w else _aa_pass(img, w, 1)  # Pillow: horizontal pass, then vertical
        return out if out.shape[0] == h else _aa_pass(out, h, 0)
    shrink = w < img.shape[1] and h < img.shape[0]
    interp = cv2.INTER_AREA if filt is ResizeFilter.AREA and shrink else cv2.INTER_LINEAR
    return cv2.resize(img, (w, h), interpolation=interp)


def preprocess(image: np.ndarray, pp: Preprocess, size: tuple[int, int] | None = None) -> tuple[np.ndarray, Transform]:
    """Image (BGR/mono, any supported dtype) -> batch tensor [1, ...] and the inverse transform.

    size: (width, height) of the model input; (0, 0) or None with resize NONE keeps the image size."""
    if image is None or image.size == 0:
        raise WorkbenchError("empty image")
    img = to_uint8(image)
    img = as_gray(img) if pp.color is ColorOrder.GRAY else as_bgr(img)
    out, t = _geometry(img, pp, size or (pp.width, pp.height))
    if pp.color is ColorOrder.RGB:
        out = out[:, :, ::-1]
    if out.ndim == 2:
        out = out[:, :, None]
    nchw = pp.layout is Layout.NCHW
    if nchw:
        out = out.transpose(2, 0, 1)  # a view: _scale writes the contiguous CHW tensor in one pass
    x = _scale(out if nchw or pp.color is not ColorOrder.GRAY else out[:, :, 0], pp, 0 if nchw else -1)
    if x.ndim == 2:
        x = x[:, :, None]
    return np.ascontiguousarray(x[None]), t


def _geometry(img: np.ndarray, pp: Preprocess, size: tuple[int, int]) -> tuple[np.ndarray, Transform]:
    """Resize per the mode; the transform carries the per-axis scale of the size actually resized to."""
    h0, w0 = img.shape[:2]
    tw, th = size
    t = Transform(orig_w=w0, orig_h=h0)
    if pp.resize is ResizeMode.NONE or not tw or not th:
        tw, th = w0, h0
        out = img
    elif pp.resize is ResizeMode.STRETCH:
        out = resize_image(img, (tw, th), pp.filter)
        t.scale_x, t.scale_y = tw / w0, th / h0
    elif pp.resize is ResizeMode.LETTERBOX:
        r = min(tw / w0, th / h0)
        nw, nh = max(1, int(round(w0 * r))), max(1, int(round(h0 * r)))
        resized = resize_image(img, (nw, nh), pp.filter)
        px, py = (tw - nw) / 2, (th - nh) / 2
        top, left = int(round(py - 0.1)), int(round(px - 0.1))
        out = cv2.copyMakeBorder(resized, top, th - nh - top, left, tw - nw - left, cv2.BORDER_CONSTANT,
                                 value=(pp.pad_value,) * 3)
        t.scale_x, t.scale_y = nw / w0, nh / h0
        t.pad_x, t.pad_y = float(left), float(top)
    else:  # CENTER_CROP, as torchvision's Resize(short side) + CenterCrop: long side floored, crop offset rounded
        if tw * h0 >= th * w0:
            nw, nh = tw, max(th, h0 * tw // w0)
        else:
            nw, nh = max(tw, w0 * th // h0), th
        resized = resize_image(img, (nw, nh), pp.filter)
        x0, y0 = int(round((nw - tw) / 2.0)), int(round((nh - th) / 2.0))
        out = resized[y0:y0 + th, x0:x0 + tw]
        t.scale_x, t.scale_y = nw / w0, nh / h0
        t.crop_x, t.crop_y = x0 / t.scale_x, y0 / t.scale_y
    t.input_w, t.input_h = tw, th
    return out, t


def infer_preprocess(shape: tuple, dtype: str = "float32") -> Preprocess:
    """Sensible defaults from the model's input shape: layout, size, gray vs colour."""
    pp = Preprocess(dtype=dtype if dtype in ("float32", "float16", "uint8") else "float32")
    if len(shape) == 4:
        c_first, c_last = shape[1], shape[3]
        if c_last in (1, 3) and c_first not in (1, 3):
            pp.layout = Layout.NHWC
            h, w, c = shape[1], shape[2], c_last
        else:
            h, w, c = shape[2], shape[3], c_first
        pp.width = w if isinstance(w, int) and w > 0 else 0
        pp.height = h if isinstance(h, int) and h > 0 else 0
        if c == 1:
            pp.color = ColorOrder.GRAY
        if not pp.width or not pp.height:
            pp.resize = ResizeMode.NONE
    if pp.dtype == "uint8":
        pp.scaling = Scaling.NONE
    return pp


