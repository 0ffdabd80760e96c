import pytest

from .factories import build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def stored_files(settings):
    """Every file currently under the media root (relative names)."""

    def _list():
        root = settings.MEDIA_ROOT
        if not root.exists():
            return []
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    return _list
