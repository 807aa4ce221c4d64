import enum
import math
import re
from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.filter._common import Border, to_dtype

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


class OutputDepth(enum.Enum):
    SAME = "same"
    FLOAT32 = "float32"


def parse_kernel(text: str) -> np.ndarray:
    """Parses "0 -1 0; -1 5 -1; 0 -1 0" (rows split by ';' or new lines, values by spaces or
    commas, fractions like 1/9 allowed) into a float32 matrix. Raises ParamError."""
    rows = [r for r in re.split(r"[;\n]", text) if r.strip()]
    if not rows:
        raise ParamError("kernel: empty; write rows like '0 -1 0; -1 5 -1; 0 -1 0'")
    matrix = []
    for i, row in enumerate(rows, 1):
        values = []
        for tok in re.split(r"[\s,]+", row.strip()):
            num, _, den = tok.partition("/")
            if not _NUMBER.match(num) or (den and not _NUMBER.match(den)):
                raise ParamError(f"kernel row {i}: {tok!r} is not a number")
            v = float(num) / float(den) if den else float(num)
            if not math.isfinite(v):
                raise ParamError(f"kernel row {i}: {tok!r} is not a finite number")
            values.append(v)
        matrix.append(values)
    widths = {len(r) for r in matrix}
    if len(widths) != 1:
        raise ParamError("kernel is not rectangular: row lengths " + ", ".join(str(len(r)) for r in matrix))
    if len(matrix) > 99 or len(matrix[0]) > 99:
        raise ParamError("kernel is larger than 99 x 99")
    return np.array(matrix, np.float32)


@node("cv.custom_kernel", name="Custom Kernel", category="Filter")
def custom_kernel(image: Image,
                  kernel: Annotated[str,
                      Help("rows separated by ';' or new lines, values by spaces or commas; "
                           "fractions like 1/9 allowed")] = "0 -1 0; -1 5 -1; 0 -1 0",
                  normalize: Annotated[bool, Help("divide the kernel by the sum of its values (when not 0)")] = False,
                  offset: Annotated[float, Range(-65535.0, 65535.0, 1.0), Help("added to every result")] = 0.0,
                  output: Annotated[OutputDepth,
                      Help("FLOAT32 keeps negative and out-of-range results, e.g. for edge kernels")
                  ] = OutputDepth.SAME,
                  border: Border = Border.REFLECT) -> Image:
    """Convolves (correlates) the image with a kernel you type in, e.g. a sharpen or edge kernel.

    Each colour channel is filtered on its own. With output SAME, integer images are clipped to
    their range.
    """
    k = parse_kernel(kernel)
    if normalize:
        total = float(k.sum())
        if abs(total) > 1e-12:
            k = k / np.float32(total)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    out = cv2.filter2D(image.astype(np.float32), cv2.CV_32F, k, delta=float(offset), borderType=border.value)
    return out if output is OutputDepth.FLOAT32 else to_dtype(out, image.dtype)
