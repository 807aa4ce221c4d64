from pathlib import Path
from typing import Annotated

from workbench.core.errors import ParamError
from workbench.core.imageio import write_image
from workbench.core.params import FileParam, Help
from workbench.core.spec import NodeContext, node
from workbench.core.types import Image, String


@node("io.save_image", name="Save Image", category="Sinks", cacheable=False)
def save_image(image: Image, ctx: NodeContext,
               folder: Annotated[Path, FileParam(mode="save_dir")] = Path("images"),
               name: Annotated[str, Help("{stem}: input file name, {index}: frame number, {node}: node id")]
               = "{stem}.png") -> String:
    """Writes the image to a file; a relative folder is inside the run's output folder."""
    stem = ctx.input_path.stem if ctx.input_path else "image"
    try:
        fname = name.format(stem=stem, index=ctx.frame_index, node=ctx.node_id)
    except (KeyError, IndexError, ValueError) as exc:
        raise ParamError(f"name: bad template {name!r} ({exc})") from None
    if not Path(fname).suffix:
        fname += ".png"
    out = write_image((folder or ctx.resolve(".", writing=True)) / fname, image)
    return str(out)
