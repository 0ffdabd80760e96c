"""The production static build (hashed names, as the Docker image runs ``collectstatic`` with DEBUG off)."""

from io import StringIO

from django.core.management import call_command


def test_collectstatic_with_hashed_names_finds_every_referenced_file(settings, tmp_path):
    # WhiteNoise's storage adds compression on top of Django's manifest storage; the references are checked
    # by the latter (a vendored file pointing at a missing source map fails the build).
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0, stdout=StringIO())
    assert (tmp_path / "static" / "staticfiles.json").exists()
