"""Teach by example: train anomaly and classification models offline on the CPU (no Qt, no PyTorch).

backbone: MobileNetV2 .pth -> ONNX; anomaly / classify: the trainers; mistakes: mark as good; cli: `workbench train`.
"""
