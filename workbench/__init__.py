"""Vision Workbench: machine-vision inspection pipelines."""

__version__ = "0.1.0"
