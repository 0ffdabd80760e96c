"""A real Celery worker for tests: a subprocess on this test's database, media folder and Redis db.

Tests that use it need ``django_db(transaction=True)`` so that the worker, a
separate process, sees the rows the test committed.
"""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DB_CONN_MAX_AGE": "0",
        **extra,
    }
    env.pop("TEST_DATABASE_NAME", None)
    return env


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(child) for child in (task / "children").read_text().split())
    return found


@contextmanager
def celery_worker(log: Path, *, pool: str = "prefork", concurrency: int = 1, flush: bool = True, **env: str):
    """Start a worker, wait until it is ready, yield the process, stop it with TERM (KILL if it hangs)."""
    if flush:
        redis.Redis.from_url(settings.REDIS_URL).delete("celery")  # no stale messages from an earlier test
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "emulation", "worker", f"--pool={pool}",
         f"--concurrency={concurrency}", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=INFO", f"--logfile={log}"],
        cwd=ROOT, env=worker_env(**env), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "ready" not in (log.read_text() if log.exists() else ""):
        time.sleep(0.2)
    assert "ready" in (log.read_text() if log.exists() else ""), "the Celery worker did not start"
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
