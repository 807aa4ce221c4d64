"""Pre-processing declared as data, and the transform that maps results back to the image.

The classic pitfalls are explicit choices here: PyTorch-style models want NCHW, RGB, ÷255 then
ImageNet mean/std; TensorFlow-style ones NHWC and [-1, 1]; YOLO letterboxes with pad 114.
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


class Scaling(enum.Enum):
    NONE = "none"  # raw 0..255
    UNIT = "unit"  # ÷255 -> [0, 1]
    SYMMETRIC = "symmetric"  # (x - 127.5) / 127.5 -> [-1, 1]
    IMAGENET = "imagenet"  # ÷255, then (x - mean) / std with ImageNet's statistics
    CUSTOM = "custom"  # (x/255 - mean) / std with the given mean/std (RGB order of the model input)


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

    def to_json(self) -> dict:
        return {"resize": self.resize.name, "width": self.width, "height": self.height, "pad_value": self.pad_value,
                "color": self.color.name, "layout": self.layout.name, "dtype": self.dtype,
                "scaling": self.scaling.name, "mean": list(self.mean), "std": list(self.std)}

    @classmethod
    def from_json(cls, raw: dict, problems: list[str]) -> "Preprocess":
        pp = cls()
        if not isinstance(raw, dict):
            problems.append("preprocess: expected an object")
            return pp
        enums = {"resize": ResizeMode, "color": ColorOrder, "layout": Layout, "scaling": Scaling}
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
        w = int(round(self.input_w - 2 * self.pad_x)) if self.pad_x else self.input_w
        h = int(round(self.input_h - 2 * self.pad_y)) if self.pad_y else self.input_h
        m = m[y0:y0 + h, x0:x0 + w]
        if self.crop_x or self.crop_y:  # centre crop: the map covers only the middle of the image
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
        x *= 1.0 / 255.0
        if pp.color is not ColorOrder.GRAY:
            shape = (3, 1, 1) if channel_axis == 0 else (3,)
            x = (x - np.array(mean, np.float32).reshape(shape)) / np.array(std, np.float32).reshape(shape)
        else:
            x = (x - mean[0]) / std[0]
    return x.astype(np.float16) if pp.dtype == "float16" else x


def preprocess(image: np.ndarray, pp: Preprocess, size: tuple[int, int] | None = None) -> tuple[np.ndarray, Transform]:
    """Image (BGR/mono, any supported dtype) -> batch tensor [1, ...] and the inverse transform.

    size: (width, height) of the model input; (0, 0) or None with resize NONE keeps the image size."""
    if image is None or image.size == 0:
        raise WorkbenchError("empty image")
    img = to_uint8(image)
    img = as_gray(img) if pp.color is ColorOrder.GRAY else as_bgr(img)
    h0, w0 = img.shape[:2]
    tw, th = size or (pp.width, pp.height)
    t = Transform(orig_w=w0, orig_h=h0)
    if pp.resize is ResizeMode.NONE or not tw or not th:
        tw, th = w0, h0
        out = img
    elif pp.resize is ResizeMode.STRETCH:
        out = cv2.resize(img, (tw, th), interpolation=cv2.INTER_LINEAR)
        t.scale_x, t.scale_y = tw / w0, th / h0
    elif pp.resize is ResizeMode.LETTERBOX:
        r = min(tw / w0, th / h0)
        nw, nh = max(1, int(round(w0 * r))), max(1, int(round(h0 * r)))
        resized = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
        px, py = (tw - nw) / 2, (th - nh) / 2
        top, left = int(round(py - 0.1)), int(round(px - 0.1))
        out = cv2.copyMakeBorder(resized, top, th - nh - top, left, tw - nw - left, cv2.BORDER_CONSTANT,
                                 value=(pp.pad_value,) * 3)
        t.scale_x = t.scale_y = r
        t.pad_x, t.pad_y = float(left), float(top)
    else:  # CENTER_CROP
        r = max(tw / w0, th / h0)
        nw, nh = max(tw, int(round(w0 * r))), max(th, int(round(h0 * r)))
        resized = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
        x0, y0 = (nw - tw) // 2, (nh - th) // 2
        out = resized[y0:y0 + th, x0:x0 + tw]
        t.scale_x = t.scale_y = r
        t.crop_x, t.crop_y = x0 / r, y0 / r
    t.input_w, t.input_h = tw, th
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


