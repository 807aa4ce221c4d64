"""Built-in node packs. One node per file, grouped by category.

The registry imports exactly the modules listed here (folder walking breaks in frozen
builds). Add a new node's module to this list.
"""

BUILTIN_MODULES = [
    "workbench.core.subgraph",
    "workbench.nodes.io.image_file",
    "workbench.nodes.io.image_folder",
    "workbench.nodes.io.save_image",
    "workbench.nodes.color.convert_color",
    "workbench.nodes.filter.gaussian_blur",
    "workbench.nodes.segmentation.threshold",
    "workbench.nodes.morphology.morphology",
    "workbench.nodes.morphology.fill_holes",
    "workbench.nodes.regions.blob_analysis",
    "workbench.nodes.measure.count",
    "workbench.nodes.judge.judge",
    "workbench.nodes.annotate.draw_overlay",
]
