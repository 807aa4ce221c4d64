from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image


@node("cv.qr_generate", name="QR Code Generator", category="Codes")
def qr_generate(text: Annotated[str, Help("the text to encode")] = "Vision Workbench",
                module_size: Annotated[int, Range(1, 100, 1), Help("pixels per QR module (square)")] = 4,
                quiet_zone: Annotated[int, Range(0, 20, 1), Help("white border, in modules")] = 4) -> Image:
    """Renders a text as a QR code image (black on white, uint8), e.g. to test a reader or print a
    reference label."""
    if not text:
        raise ParamError("text: nothing to encode")
    try:
        code = cv2.QRCodeEncoder.create().encode(text)
    except cv2.error as exc:
        raise ParamError(f"text cannot be encoded as a QR code ({len(text)} characters): "
                         f"{str(exc).strip().splitlines()[-1]}") from None
    code = np.where(code > 0, np.uint8(255), np.uint8(0))
    # the encoder adds a white border of its own: strip it, then add the requested quiet zone
    while code.shape[0] > 2 and code[0].all() and code[-1].all() and code[:, 0].all() and code[:, -1].all():
        code = code[1:-1, 1:-1]
    code = cv2.copyMakeBorder(code, quiet_zone, quiet_zone, quiet_zone, quiet_zone, cv2.BORDER_CONSTANT, value=255)
    return cv2.resize(code, None, fx=module_size, fy=module_size, interpolation=cv2.INTER_NEAREST)
