import pytest

from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes files into its own folder, so leftovers are visible and isolated."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(client):
    """Log the given user in on the test client and return the client."""

    def _login(user):
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login
