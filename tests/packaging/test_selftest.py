"""The self-test, in-process from the source tree: it passes here, its JSON report has every
section, and a broken expectation (or --require-gpu on a machine without a working GPU)
makes it fail with the reason in the report."""

import io
import json

import pytest

from workbench import selftest

SECTIONS = ("versions", "providers", "models", "pipelines", "gui", "gpu_libraries", "security")


@pytest.fixture(scope="module")
def passing(tmp_path_factory, ppocr_models):
    path = tmp_path_factory.mktemp("selftest") / "report.json"
    out = io.StringIO()
    code = selftest.run_self_test(path, require_gpu=False, out=out)
    return code, json.loads(path.read_text(encoding="utf-8")), out.getvalue()


def test_passes_from_source(passing):
    code, report, text = passing
    assert code == 0, text
    assert report["ok"] is True
    assert report["format"] == "workbench.self-test"
    assert "self-test PASSED" in text


def test_report_has_every_section(passing):
    _, report, _ = passing
    for name in SECTIONS:
        assert report[name]["ok"] is True, (name, report[name]["problems"])
    assert report["versions"]["frozen"] is False
    assert report["versions"]["packages"]["onnxruntime"][0].isdigit()
    assert "CPUExecutionProvider" in report["providers"]["working"]
    assert {m["model"] for m in report["models"]["models"]} >= {
        "ppocr/ch_PP-OCRv4_det_infer.onnx", "ppocr/ch_PP-OCRv4_rec_infer.onnx",
        "ppocr/ch_ppocr_mobile_v2.0_cls_infer.onnx"}
    assert all(m["license"] == "LICENSE.txt" for m in report["models"]["models"])


def test_pipelines_give_the_expected_results(passing):
    _, report, _ = passing
    runs = {p["pipeline"]: p for p in report["pipelines"]["pipelines"]}
    assert set(selftest.EXPECTATIONS) <= set(runs)
    coins = runs["coins"]["results"][0]
    assert (coins["verdict"], coins["measurements"]["blobs.count"]) == ("OK", 24)
    assert "2026-11-21" in "\n".join(runs["ocr_lot_code"]["results"][0]["texts"].values())
    assert runs["label_orientation"]["results"][0]["verdict"] == "NG"


def test_gpu_section_on_a_cpu_build(passing):
    _, report, _ = passing
    gl = report["gpu_libraries"]
    if gl["cuda_build"]:
        pytest.skip("onnxruntime-gpu installed here")
    assert gl["loaded"] == []  # a CPU build maps no CUDA library
    assert report["providers"]["gpu"] is None and report["providers"]["gpu_reason"]


def test_a_broken_expectation_fails(tmp_path):
    broken = dict(selftest.EXPECTATIONS, coins={"verdict": "OK", "measurements": {"blobs.count": 25}})
    path = tmp_path / "r.json"
    out = io.StringIO()
    assert selftest.run_self_test(path, False, expectations=broken, out=out) == 1
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["ok"] is False and report["pipelines"]["ok"] is False
    assert report["pipelines"]["problems"] == ["coins: blobs.count = 24 (expected 25)"]
    assert "[FAIL] pipelines" in out.getvalue() and "self-test FAILED" in out.getvalue()


def test_a_missing_example_pipeline_fails(tmp_path):
    extra = dict(selftest.EXPECTATIONS, no_such_pipeline={"verdict": "OK"})
    assert selftest.run_self_test(None, False, expectations=extra, out=io.StringIO()) == 1


def test_require_gpu_fails_without_a_working_gpu(tmp_path, passing):
    if passing[1]["providers"]["gpu"]:
        pytest.skip("a GPU provider works here")
    path = tmp_path / "r.json"
    assert selftest.main(["--json", str(path), "--require-gpu"]) == 1
    report = json.loads(path.read_text(encoding="utf-8"))
    assert report["providers"]["problems"][0].startswith("--require-gpu: no GPU provider works (")


def test_security_section(passing):
    """Telemetry is off in the process that runs the self-test (the frozen app's too: test_frozen.py runs it
    there); the credential file of this test session is found with its passwords."""
    _, report, text = passing
    sec = report["security"]
    assert sec["telemetry_disabled"] is True and sec["credentials_state"] == "ok"
    assert sec["passwords"] == ["engineer", "admin"] and "Security: telemetry off" in text
