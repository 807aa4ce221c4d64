"""ONNX Runtime sessions, execution providers and their fallback. No Qt here."""
