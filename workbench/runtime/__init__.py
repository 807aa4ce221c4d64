"""Running pipelines outside the editor: batch runs (CLI), later streaming and results. No Qt."""
