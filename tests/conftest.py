import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from workbench.runtime.samples import ensure_samples  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _samples():
    ensure_samples()


@pytest.fixture(scope="session")
def ppocr_models():
    """(det, cls, rec) paths of the real PP-OCR models in models/ppocr, installed from the locked
    rapidocr-onnxruntime wheel as `workbench models` does. Missing package: one clear failure, never a skip."""
    from workbench.inference import bundled

    try:
        bundled.install_ocr_models()
    except Exception as exc:  # noqa: BLE001 - reported as one line
        pytest.fail(f"PP-OCR models unavailable ({exc}): run bash scripts/setup.sh", pytrace=False)
    return bundled.bundled_ocr_paths()


@pytest.fixture(autouse=True)
def _user_data(tmp_path_factory, monkeypatch):
    """Files a test writes without an output folder land in a temp user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
