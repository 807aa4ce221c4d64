from pathlib import Path
from typing import Annotated

from workbench.core.errors import ParamError
from workbench.core.imageio import write_image
from workbench.core.params import FileParam, Help, Template
from workbench.core.spec import NodeContext, node
from workbench.core.templates import render
from workbench.core.types import Image, String

NAME_FIELDS = ("stem", "index", "node")


@node("io.save_image", name="Save Image", category="Sinks", cacheable=False)
def save_image(image: Image, ctx: NodeContext,
               folder: Annotated[Path, FileParam(mode="save_dir")] = Path("images"),
               name: Annotated[str, Template(NAME_FIELDS),
                               Help("{stem}: input file name, {index}: frame number (e.g. {index:05d}), "
                                    "{node}: node id")] = "{stem}.png") -> String:
    """Writes the image to a file; the folder is inside the run's output folder (or one the user allowed)."""
    stem = ctx.input_path.stem if ctx.input_path else "image"
    fname = render(name, {"stem": stem, "index": ctx.frame_index, "node": ctx.node_id}, NAME_FIELDS)
    if not fname or "/" in fname or "\\" in fname or fname.strip(".") == "" or "\0" in fname:
        raise ParamError(f"name: {name!r} gives {fname!r}, not a file name (choose the folder with 'folder')")
    if len(fname.encode("utf-8", "surrogateescape")) > 255:
        raise ParamError(f"name: {name!r} gives a file name longer than 255 bytes")
    if not Path(fname).suffix:
        fname += ".png"
    base = Path(folder) if folder else ctx.resolve(".", writing=True)
    if not base.is_absolute():  # called as a function: the engine resolves (and confines) path parameters itself
        base = ctx.resolve(base, writing=True)
    out = write_image(base / fname, image)
    return str(out)
