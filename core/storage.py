"""Files in storage that no row refers to (left by a process killed between writing a file and committing its
row): found by walking a folder, deleted once older than a grace period. Local disk and S3 alike."""

from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone


def _walk(folder: str) -> Iterator[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for sub in folders:
        yield from _walk(f"{folder}/{sub}")
    for name in files:
        yield f"{folder}/{name}"


def unreferenced_files_delete(*, folders: Iterable[str], known: set[str], older_than: timedelta) -> list[str]:
    """Delete the files under ``folders`` not in ``known`` and last modified before ``older_than`` ago (a run
    still writing its files is younger than that). Returns the deleted names."""
    limit = timezone.now() - older_than
    deleted = []
    for top in folders:
        for name in _walk(top):
            if name in known:
                continue
            try:
                modified = default_storage.get_modified_time(name)
            except (FileNotFoundError, NotImplementedError):
                continue
            if modified < limit:
                default_storage.delete(name)
                deleted.append(name)
    return deleted
