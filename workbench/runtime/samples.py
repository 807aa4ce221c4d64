"""Sample images, materialised from installed packages or rendered (never downloaded).

scikit-image ships real photographs inside its wheel (skimage/data/*.png). `ensure_samples`
writes them into resources/samples/ as PNG, where example pipelines refer to them; the OCR
labels are rendered (inference/bundled.py). Setup runs it (`workbench samples`); the CLI and the
GUI call :func:`ensure_for_pipeline` after loading a pipeline (nodes never write sample files).
"""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.paths import samples_dir
from workbench.inference.bundled import OCR_SAMPLES, ensure_ocr_samples  # rendered labels for the OCR examples

# file name -> skimage.data function
SAMPLES = {
    "coins.png": "coins",
    "camera.png": "camera",
    "page.png": "page",
    "text.png": "text",
    "chessboard.png": "checkerboard",
}


def ensure_samples(folder: Path | None = None) -> list[Path]:
    folder = Path(folder or samples_dir())
    folder.mkdir(parents=True, exist_ok=True)
    missing = [name for name in SAMPLES if not (folder / name).is_file()]
    if missing:
        try:
            import skimage.data as sd
        except ImportError:
            raise WorkbenchError("scikit-image is not installed: cannot create the sample images "
                                 "(run the setup script, or pip install 'vision-workbench[samples]')") from None
        from workbench.core.imageio import write_image

        for name in missing:
            img = getattr(sd, SAMPLES[name])()
            if img.ndim == 3:
                img = img[:, :, ::-1].copy()  # skimage gives RGB; files are written BGR
            write_image(folder / name, img)
    return [folder / name for name in SAMPLES] + ensure_ocr_samples(folder)


def ensure_for(path: Path) -> None:
    """If ``path`` is a missing file of the samples folder, create the samples."""
    path = Path(path)
    try:
        if (not path.exists() and path.parent.resolve() == samples_dir().resolve()
                and (path.name in SAMPLES or path.name in OCR_SAMPLES)):
            ensure_samples()
    except OSError:
        pass


def ensure_for_pipeline(pipeline) -> None:
    """Create the samples when a file a node of ``pipeline`` reads is a missing sample."""
    for inst in pipeline.nodes.values():
        for p in inst.spec.params:
            value = inst.params.get(p.name)
            if p.kind == "path" and p.path_mode == "open" and value:
                path = Path(value)
                ensure_for(path if path.is_absolute() else pipeline.base_dir / path)
        if inst.graph is not None:
            ensure_for_pipeline(inst.graph)
