"""Benchmark: 200 evidence files of 1–5 MB uploaded through the real edit view.

Runs the Django test client against PostgreSQL (its own database ``bench_evidence``,
created and dropped here; server and credentials from DATABASE_URL if set) and
prints one JSON line with throughput and the process's peak memory, which must
stay below 150 MB: uploads are spooled to temporary files by Django
(FILE_UPLOAD_MAX_MEMORY_SIZE = 2 MB) and streamed to storage in chunks.

The test client builds each request body in memory (three copies); the harness
sends one file per request and returns that freed memory to the OS after each
request (garbage collection, then glibc ``malloc_trim``), so the peak reflects the server's upload path.

Usage: python benchmarks/evidence_upload.py [--files 200] [--per-request 1]
"""

import argparse
import contextlib
import ctypes
import gc
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "bench_evidence"


def _database_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/thidua")
    parsed = urlparse(base)
    return urlunparse(parsed._replace(path=f"/{DB_NAME}")), urlunparse(parsed._replace(path="/postgres"))


def _recreate_database(admin_url: str, drop_only: bool = False) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--per-request", type=int, default=1)
    args = parser.parse_args()

    bench_url, admin_url = _database_urls()
    _recreate_database(admin_url)
    media = tempfile.mkdtemp(prefix="bench-evidence-media-")
    os.environ.update({
        "DATABASE_URL": bench_url, "MEDIA_ROOT": media, "ALLOWED_HOSTS": "testserver,localhost",
        "DJANGO_SETTINGS_MODULE": "emulation.settings", "LOG_LEVEL": "WARNING",
        # Production-like: no SQL log kept per query; HTTPS redirects off for the test client.
        "DEBUG": "false", "SECRET_KEY": "bench-only-" + "k" * 40, "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false", "STATIC_MANIFEST": "false",
    })
    os.environ.pop("REDIS_URL", None)  # no broker needed: MP4 files have no thumbnail task
    os.environ.pop("TEST_DATABASE_NAME", None)
    try:
        result = run(args.files, args.per_request)
    finally:
        from django.db import connections

        connections.close_all()
        _recreate_database(admin_url, drop_only=True)
        shutil.rmtree(media, ignore_errors=True)
    print(json.dumps(result))


def _malloc_trim() -> None:
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _random_video(folder: str, name: str, size: int, header: bytes):
    """A file on disk (like a phone's video), written in 1 MB pieces, opened for the client to send."""
    path = os.path.join(folder, name)
    with open(path, "wb") as out:
        out.write(header)
        left = size - len(header)
        while left > 0:
            piece = min(left, 1024 * 1024)
            out.write(os.urandom(piece))
            left -= piece
    return open(path, "rb")  # noqa: SIM115 - closed by the caller after the request


def run(total_files: int, per_request: int) -> dict:
    import django

    django.setup()
    from datetime import date, timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Unit, User
    from campaigns.deadlines import end_of_day_ict
    from campaigns.models import Campaign, Cluster, ClusterMember, Criterion, Period
    from evidence.models import EvidenceFile

    # Migrating in a child process keeps the migration graph out of this process's memory.
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], check=True)
    # Plain model rows (factory_boy would pull Faker into this process's memory).
    office_unit = Unit.objects.create(code="HD-BENCH", name="Huyện đoàn đo hiệu năng", level=Unit.Level.DISTRICT)
    campaign = Campaign.objects.create(issuing_unit=office_unit, number="1-KH/ĐTN", title="Đo hiệu năng",
                                       start_date=date(2024, 1, 1), end_date=date(2024, 12, 31),
                                       status=Campaign.Status.LAUNCHED)
    period = Period.objects.create(campaign=campaign, name="Quý II", order=1, start_date=date(2024, 4, 1),
                                   end_date=date(2024, 6, 30),
                                   deadline=end_of_day_ict(timezone.localdate() + timedelta(days=10)))
    cluster = Cluster.objects.create(campaign=campaign, name="Cụm 1")
    criteria = [Criterion.objects.create(campaign=campaign, code=f"I.{n}", title=f"Tiêu chí {n}", max_points=10,
                                         order=n) for n in range(10)]
    # 200 files of 3 MB on average exceed one unit's 200 MB per period: four units share them.
    users = []
    for n in range(4):
        unit = Unit.objects.create(code=f"CS-{n}", name=f"Đoàn cơ sở {n}", level=Unit.Level.GRASSROOTS,
                                   parent=office_unit)
        ClusterMember.objects.create(campaign=campaign, cluster=cluster, unit=unit)
        users.append(User.objects.create(username=f"bench{n}", unit=unit, role=User.Role.STAFF))

    rng = random.Random(2024)
    sizes = [rng.randint(1024 * 1024, 5 * 1024 * 1024) for _ in range(total_files)]
    header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    client = Client()
    source_dir = tempfile.mkdtemp(prefix="bench-evidence-src-")
    requests = 0
    started = time.perf_counter()
    uploaded = 0
    for index in range(0, total_files, per_request):
        batch = sizes[index:index + per_request]
        user = users[(index // per_request) % len(users)]
        client.force_login(user)
        criterion = criteria[(index // (per_request * len(users))) % len(criteria)]
        files = [_random_video(source_dir, f"video-{index + n}.mp4", size, header) for n, size in enumerate(batch)]
        response = client.post(reverse("evidence_edit", args=[period.pk, criterion.pk]),
                                {"files": files, "note": "benchmark", "save": "1"})
        for handle in files:
            handle.close()
            os.unlink(handle.name)
        # The test client keeps three copies of each request body (read, joined, FakePayload), and its
        # response holds the request, its files and the template contexts in reference cycles that wait
        # for the garbage collector; a real WSGI server does neither. Collect them and give the freed
        # memory back, so the peak measures the server's upload path.
        del response.wsgi_request, response.request
        gc.collect()
        _malloc_trim()
        if response.status_code != 302:
            raise SystemExit(f"upload refused: {response.status_code}")
        del files, response
        requests += 1
        uploaded += sum(batch)
    seconds = time.perf_counter() - started
    shutil.rmtree(source_dir, ignore_errors=True)
    stored = EvidenceFile.objects.count()
    if stored != total_files:
        raise SystemExit(f"{stored} files stored, {total_files} expected")
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb = uploaded / (1024 * 1024)
    return {
        "bench": "evidence_upload",
        "files": total_files,
        "requests": requests,
        "files_per_request": per_request,
        "mb": round(mb, 1),
        "seconds": round(seconds, 2),
        "mb_per_s": round(mb / seconds, 1),
        "files_per_s": round(total_files / seconds, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "peak_rss_ok": peak_rss_mb < 150,
        "rss_at_end_mb": round(int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
                               / (1024 * 1024), 1),
        "database": "postgresql",
    }


if __name__ == "__main__":
    main()
