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


ENGINEER_PASSWORD, ADMIN_PASSWORD = "engineer-pass-1", "admin-pass-123"


@pytest.fixture(scope="session", autouse=True)
def _credentials(tmp_path_factory):
    """A machine-wide credential file of the tests' own (WORKBENCH_CREDENTIALS, inherited by the
    subprocesses tests start), holding an engineering and an admin password: operator mode can be
    entered. Tests about a missing or damaged file point WORKBENCH_CREDENTIALS elsewhere."""
    from workbench.runtime.credentials import CredentialStore

    path = tmp_path_factory.mktemp("credentials") / "credentials.json"
    store = CredentialStore(path)
    store.set_password("engineer", ENGINEER_PASSWORD)
    store.set_password("admin", ADMIN_PASSWORD)
    os.environ["WORKBENCH_CREDENTIALS"] = str(path)
    yield path
