"""Shared set-up of the benchmarks: a database of their own, created, migrated and dropped in one run."""

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_urls(name: str) -> tuple[str, str]:
    """(url of the benchmark's database, url of the maintenance database), from DATABASE_URL or the local default."""
    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}")), urlunsplit(parts._replace(path="/postgres"))


def admin_sql(admin_url: str, *statements: str) -> None:
    import psycopg2

    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    connection.close()


@contextmanager
def bench_database(name: str, *, redis: bool = False):
    """A fresh PostgreSQL database ``name`` with Django set up and migrated on it; dropped afterwards
    (kept with BENCH_KEEP=1). Without ``redis`` Celery runs in-process, as in ``make run``."""
    bench_url, admin_url = database_urls(name)
    admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
    if not redis:
        os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        yield connection
    finally:
        connection.close()
        if not os.environ.get("BENCH_KEEP"):
            admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
