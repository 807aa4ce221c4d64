from pathlib import Path
from typing import Annotated, NamedTuple

from workbench.core.fileio import file_stamp
from workbench.core.imageio import list_images, read_image
from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Image, Int, String


class ImageFolderOut(NamedTuple):
    image: Image
    path: String
    count: Int


def _state(params: dict, ctx: NodeContext):
    files = list_images(ctx.resolve(params["folder"]), params["pattern"])
    i = params["index"]
    return (len(files),) + (file_stamp(files[i]) if i < len(files) else ())


def _list(params: dict, ctx: NodeContext) -> list[Path]:
    return list_images(ctx.resolve(params["folder"]), params["pattern"]) if params["folder"] else []


@node("io.image_folder", name="Image Folder", category="Sources", cache_extra=_state,
      set_input=lambda path: {"folder": str(Path(path).parent), "pattern": Path(path).name, "index": 0},
      list_inputs=_list, frame_outputs={"image": "image", "path": "path", "count": "count"})
def image_folder(folder: Annotated[Path, FileParam(mode="dir")] = Path(""),
                 pattern: Annotated[str, Help("e.g. *.png;*.jpg — empty: all images")] = "",
                 index: Annotated[int, Range(0, 10_000_000, 1)] = 0) -> ImageFolderOut:
    """Reads the image at position `index` (sorted by name) of a folder."""
    if folder is None:
        raise ValueError("no folder chosen")
    files = list_images(folder, pattern)
    if not files:
        raise ValueError(f"no images in {folder}" + (f" matching {pattern!r}" if pattern else ""))
    if index >= len(files):
        raise ValueError(f"index {index} is out of range: the folder has {len(files)} images")
    return ImageFolderOut(read_image(files[index]), str(files[index]), len(files))
