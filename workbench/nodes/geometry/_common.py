"""Shared enums for the geometry nodes."""

import enum

import cv2


class Interpolation(enum.Enum):
    NEAREST = cv2.INTER_NEAREST
    LINEAR = cv2.INTER_LINEAR
    CUBIC = cv2.INTER_CUBIC
    AREA = cv2.INTER_AREA
    LANCZOS = cv2.INTER_LANCZOS4


class Border(enum.Enum):
    CONSTANT = cv2.BORDER_CONSTANT
    REPLICATE = cv2.BORDER_REPLICATE
    REFLECT = cv2.BORDER_REFLECT
    REFLECT_101 = cv2.BORDER_REFLECT_101
    WRAP = cv2.BORDER_WRAP


def fill(image, value: float):
    """A border value for cv2 (same value on every channel)."""
    return value if image.ndim == 2 else (value,) * image.shape[2]
