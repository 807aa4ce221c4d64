"""The app writes ONNX without the onnx package: the private schema's messages are wire-compatible with
onnx's, and workbench.training imports and trains with `import onnx` blocked."""

import subprocess
import sys
import textwrap

import numpy as np
import onnx
import pytest

from workbench.training import onnxproto as P


def test_tensors_nodes_and_models_read_back_by_onnx():
    for a in (np.arange(6, dtype=np.float32).reshape(2, 3), np.int64([3, 4]), np.float32(2.5), np.zeros((0, 2))):
        t = onnx.TensorProto.FromString(P.tensor(a, "a").SerializeToString())
        assert np.array_equal(onnx.numpy_helper.to_array(t), a) and onnx.numpy_helper.to_array(t).shape == a.shape
        assert np.array_equal(P.to_array(P.TensorProto.FromString(onnx.numpy_helper.from_array(a, "b")
                                                                  .SerializeToString())), a)
    n = P.node("AveragePool", ["x"], ["y"], name="y", kernel_shape=[3, 3], count_include_pad=0, mode="linear",
               alpha=0.5, scales=[1.0, 2.0])
    back = onnx.NodeProto.FromString(n.SerializeToString())
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in back.attribute}
    assert attrs == {"kernel_shape": [3, 3], "count_include_pad": 0, "mode": b"linear", "alpha": 0.5,
                     "scales": [1.0, 2.0]}
    m = P.model([P.node("Relu", ["x"], ["y"])], [], [P.value_info("x", P.FLOAT, [1, "N", None])],
                [P.value_info("y", P.FLOAT, [1, "N", None])], ir_version=9, opset=17, metadata={"k": "v"})
    om = onnx.ModelProto.FromString(m.SerializeToString())
    onnx.checker.check_model(om)
    dims = om.graph.input[0].type.tensor_type.shape.dim
    assert (dims[0].dim_value, dims[1].dim_param, dims[2].HasField("dim_value")) == (1, "N", False)
    assert om.metadata_props[0].key == "k" and om.ir_version == 9
    with pytest.raises(TypeError):
        P.tensor(np.array(["a"]), "s")


def test_training_runs_with_the_onnx_package_blocked(tmp_path, backbone_file):
    code = textwrap.dedent(f"""
        import importlib, importlib.abc, pkgutil, sys
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "onnx":
                    raise ImportError("onnx blocked: " + name)
        sys.meta_path.insert(0, Block())
        sys.path.insert(0, {str(tmp_path.parent)!r})
        import workbench.training as t
        for m in pkgutil.walk_packages(t.__path__, "workbench.training."):
            importlib.import_module(m.name)
        import numpy as np, cv2
        from pathlib import Path
        from workbench.training.anomaly import AnomalyOptions, train_anomaly
        from workbench.training.mistakes import mark_good
        good = Path({str(tmp_path / "good")!r}); good.mkdir()
        rng = np.random.default_rng(0)
        for i in range(4):
            cv2.imwrite(str(good / f"{{i}}.png"), rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
        out = Path({str(tmp_path / "m.onnx")!r})
        r = train_anomaly(good, out, None, AnomalyOptions(size=64), backbone=Path({str(backbone_file)!r}))
        mark_good(out, [good / "0.png"])
        assert "onnx" not in sys.modules
        print("ok", r["bank_rows"])
    """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.startswith("ok ")
    onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")))
