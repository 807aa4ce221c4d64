import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def backbone_file(tmp_path_factory) -> Path:
    """The backbone converted by the project's code from the installed wheel (as `workbench models` does)."""
    from workbench.training.backbone import install_backbone

    return install_backbone(tmp_path_factory.mktemp("backbone"))
