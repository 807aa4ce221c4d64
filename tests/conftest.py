import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from workbench.runtime.samples import ensure_samples  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _samples():
    ensure_samples()


@pytest.fixture(autouse=True)
def _user_data(tmp_path_factory, monkeypatch):
    """Files a test writes without an output folder land in a temp user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
