import enum
from pathlib import Path
from typing import Annotated, NamedTuple

from workbench.core.imageio import read_image
from workbench.core.params import FileParam
from workbench.core.spec import file_state, node
from workbench.core.types import Image, String

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp)"


class ReadMode(enum.Enum):
    UNCHANGED = "unchanged"
    GRAY = "gray"
    COLOR = "color"


class ImageFileOut(NamedTuple):
    image: Image
    path: String



@node("io.image_file", name="Image File", category="Sources", cache_extra=file_state("path"),
      set_input=lambda path: {"path": str(path)},
      list_inputs=lambda params, ctx: [ctx.resolve(params["path"])] if params["path"] else [],
      frame_outputs={"image": "image", "path": "path"})
def image_file(path: Annotated[Path, FileParam(IMAGE_FILTER)] = Path(""),
               mode: ReadMode = ReadMode.UNCHANGED) -> ImageFileOut:
    """Reads one image file (PNG, JPEG, BMP, TIFF...); 16-bit files stay 16-bit."""
    if path is None:
        raise ValueError("no image file chosen")
    return ImageFileOut(read_image(path, mode.value), str(path))
